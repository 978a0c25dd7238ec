/**
 * IP address forms accepted by Cloudlock's IP libraries: a single IPv4/IPv6
 * address, a CIDR block, or a range `a-b` (same family, start <= end).
 *
 * Every form maps to a *canonical* spelling that names the same set of
 * addresses, so that `10.0.0.1/32`, `10.0.0.1-10.0.0.1` and `10.0.0.1` compare
 * equal, and so do IPv6 spellings. Peers' perpetual diffs come from comparing
 * spellings instead of sets; we compare sets.
 */
import * as ipaddr from "ipaddr.js";

export type AddressFamily = "ipv4" | "ipv6";
export type AddressKind = "address" | "cidr" | "range";

export interface ParsedAddress {
  /** How the input was written. */
  kind: AddressKind;
  family: AddressFamily;
  /** Canonical spelling of the same set of addresses (see module doc). */
  canonical: string;
  /** First and last address of the set, as integers (for overlap checks). */
  first: bigint;
  last: bigint;
  /** A CIDR block written with host bits set (`5.6.7.8/24`): it means its network (`5.6.7.0/24`). */
  hostBitsSet?: boolean;
  /** The set is every address of its family (`0.0.0.0/0`, `::/0`, a range from the first to the last). */
  everyAddress: boolean;
}

export type ParseResult = { ok: true; value: ParsedAddress } | { ok: false; reason: string };

const BITS: Record<AddressFamily, number> = { ipv4: 32, ipv6: 128 };

/** ::ffff:0:0/96, where IPv6 spells IPv4 addresses (RFC 4291 §2.5.5.2). */
const MAPPED_PREFIX = 0xffffn << 32n;

function parseOne(text: string): { family: AddressFamily; value: bigint; mapped?: boolean } | string {
  if (text === "") return "is empty";
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { family: "ipv4", value: bytesToBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text)) {
    const value = bytesToBigInt(ipaddr.IPv6.parse(dottedTailAsHex(text)).toByteArray());
    // An IPv4-mapped address is that IPv4 address: ::ffff:1.2.3.4 and 1.2.3.4 are one entry.
    if (value >> 32n === 0xffffn) return { family: "ipv4", value: value - MAPPED_PREFIX, mapped: true };
    return { family: "ipv6", value };
  }
  if (/^[0-9.]+$/.test(text))
    return `"${text}" is not a valid IPv4 address (expected four decimal parts, e.g. 192.0.2.10)`;
  return `"${text}" is not a valid IPv4 or IPv6 address`;
}

/**
 * An IPv6 text whose last 32 bits are written as a dotted IPv4 address, with those written as two hex groups:
 * ipaddr.js reads `::10.0.0.1` (IPv4-compatible, deprecated) as `::ffff:10.0.0.1` (IPv4-mapped), another address.
 */
function dottedTailAsHex(text: string): string {
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (!m || !ipaddr.IPv4.isValidFourPartDecimal(m[2])) return text;
  const [a, b, c, d] = ipaddr.IPv4.parse(m[2]).toByteArray();
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function bytesToBigInt(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bigIntToAddress(family: AddressFamily, v: bigint): string {
  const n = family === "ipv4" ? 4 : 16;
  const bytes: number[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  const addr = ipaddr.fromByteArray(bytes);
  return family === "ipv4" ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String();
}

/** The canonical spelling of the set [first, last]: an address, a CIDR block if aligned, else a range. */
function canonicalOf(family: AddressFamily, first: bigint, last: bigint): string {
  if (first === last) return bigIntToAddress(family, first);
  const size = last - first + 1n;
  // A power-of-two block aligned on its size is a CIDR block.
  if ((size & (size - 1n)) === 0n && first % size === 0n) {
    const hostBits = size.toString(2).length - 1;
    return `${bigIntToAddress(family, first)}/${BITS[family] - hostBits}`;
  }
  return `${bigIntToAddress(family, first)}-${bigIntToAddress(family, last)}`;
}

/**
 * Parse an address, CIDR block or range. Never throws: invalid input yields a
 * reason phrased to follow the field name ("ipAddress …").
 */
export function parseAddress(input: unknown): ParseResult {
  if (typeof input !== "string") return { ok: false, reason: `must be a string, got ${typeOfValue(input)}` };
  if (input.trim() === "") return { ok: false, reason: "must not be empty" };
  if (/\s/.test(input)) {
    return { ok: false, reason: `"${input}" must not contain spaces (Cloudlock rejects them)` };
  }
  const dash = input.indexOf("-");
  if (dash >= 0) {
    const [a, b, ...rest] = input.split("-");
    // Only something made of address characters reads as a range; "not-an-ip" is just not an address.
    if (!/^[0-9a-fA-F:./-]+$/.test(input))
      return { ok: false, reason: `"${input}" is not a valid IPv4 or IPv6 address` };
    if (rest.length > 0)
      return { ok: false, reason: `"${input}" has more than one "-"; a range is written start-end` };
    let start = parseOne(a);
    if (typeof start === "string") return { ok: false, reason: `range start ${start}` };
    let end = parseOne(b);
    if (typeof end === "string") return { ok: false, reason: `range end ${end}` };
    // A range from or to IPv6 space that only one end of is IPv4-mapped is IPv6 space.
    if (start.mapped && end.family === "ipv6") start = { family: "ipv6", value: start.value + MAPPED_PREFIX };
    if (end.mapped && start.family === "ipv6") end = { family: "ipv6", value: end.value + MAPPED_PREFIX };
    if (start.family !== end.family) {
      return { ok: false, reason: `range "${input}" mixes IPv4 and IPv6; both ends must be the same family` };
    }
    if (start.value > end.value) {
      return {
        ok: false,
        reason: `range "${input}" is reversed; the start must not be greater than the end`,
      };
    }
    return ok("range", start.family, start.value, end.value);
  }
  const slash = input.indexOf("/");
  if (slash >= 0) {
    const addrText = input.slice(0, slash);
    const lenText = input.slice(slash + 1);
    let base = parseOne(addrText);
    if (typeof base === "string") return { ok: false, reason: `CIDR ${base}` };
    // A block wider than ::ffff:0:0/96 is IPv6 space that merely starts in the mapped range.
    if (base.mapped && /^\d+$/.test(lenText) && Number(lenText) < 96)
      base = { family: "ipv6", value: base.value + MAPPED_PREFIX };
    // A mapped address counts its prefix in IPv6 bits: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
    const max = base.mapped ? 128 : BITS[base.family];
    const min = base.mapped ? 96 : 0;
    if (!/^(0|[1-9]\d{0,2})$/.test(lenText) || Number(lenText) > max || Number(lenText) < min) {
      const zeros = /^0\d/.test(lenText) ? " (without leading zeros)" : "";
      return {
        ok: false,
        reason: `"${input}" has an invalid prefix length; expected ${min} to ${max}${zeros}`,
      };
    }
    const hostBits = BigInt(max - Number(lenText));
    const first = (base.value >> hostBits) << hostBits;
    const last = first + (1n << hostBits) - 1n;
    const parsed = ok("cidr", base.family, first, last);
    if (parsed.ok && first !== base.value) parsed.value.hostBitsSet = true;
    return parsed;
  }
  const one = parseOne(input);
  if (typeof one === "string") return { ok: false, reason: one };
  return ok("address", one.family, one.value, one.value);
}

function ok(kind: AddressKind, family: AddressFamily, first: bigint, last: bigint): ParseResult {
  const everyAddress = first === 0n && last === (1n << BigInt(BITS[family])) - 1n;
  return {
    ok: true,
    value: { kind, family, first, last, everyAddress, canonical: canonicalOf(family, first, last) },
  };
}

/**
 * `q=` substrings that find every usual spelling of this set of addresses
 * (`q` matches within the stored text). For a single address or a range: its
 * first address (bare, `/32`, `a-b` and mapped `::ffff:a.b.c.d` forms contain
 * it). For a CIDR block: the part of the network address inside the prefix
 * (whole octets, or whole IPv6 groups), so a block written with host bits
 * set is found too. IPv6 groups are searched unpadded and zero-padded, in both
 * cases, up to the first zero group. Undefined when no such substring exists
 * (a short prefix, an IPv6 set whose first group is zero, invalid input): only
 * a listing can tell then.
 */
export function searchTermsFor(input: string): string[] | undefined {
  const r = parseAddress(input);
  if (!r.ok) return undefined;
  const { family, first, canonical } = r.value;
  const prefix = canonical.includes("/") ? Number(canonical.split("/")[1]) : BITS[family];
  const start = bigIntToAddress(family, first);
  if (family === "ipv4") {
    const octets = prefix === 32 || !canonical.includes("/") ? 4 : Math.floor(prefix / 8);
    if (octets === 0) return undefined;
    return [octets === 4 ? start : `${start.split(".").slice(0, octets).join(".")}.`];
  }
  const groups = (ipaddr.IPv6.parse(start) as ipaddr.IPv6).parts.slice(0, Math.floor(prefix / 16));
  const zero = groups.indexOf(0);
  const lead = zero === -1 ? groups : groups.slice(0, zero);
  if (lead.length === 0) return undefined;
  const plain = lead.map((g) => g.toString(16)).join(":");
  const padded = lead.map((g) => g.toString(16).padStart(4, "0")).join(":");
  return [...new Set([plain, padded, plain.toUpperCase(), padded.toUpperCase()])];
}

/** Canonical form of a valid address; the input unchanged if it is not valid (so comparisons still work). */
export function canonicalAddress(input: string): string {
  const r = parseAddress(input);
  return r.ok ? r.value.canonical : input;
}

/** True when two spellings name the same set of addresses. */
export function sameAddress(a: string, b: string): boolean {
  return canonicalAddress(a) === canonicalAddress(b);
}

export function typeOfValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}
