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
}

export type ParseResult = { ok: true; value: ParsedAddress } | { ok: false; reason: string };

const BITS: Record<AddressFamily, number> = { ipv4: 32, ipv6: 128 };

function parseOne(text: string): { family: AddressFamily; value: bigint } | string {
  if (text === "") return "is empty";
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { family: "ipv4", value: bytesToBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text)) {
    return { family: "ipv6", value: bytesToBigInt(ipaddr.IPv6.parse(text).toByteArray()) };
  }
  if (/^[0-9.]+$/.test(text))
    return `"${text}" is not a valid IPv4 address (expected four decimal parts, e.g. 192.0.2.10)`;
  return `"${text}" is not a valid IPv4 or IPv6 address`;
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
    const start = parseOne(a);
    if (typeof start === "string") return { ok: false, reason: `range start ${start}` };
    const end = parseOne(b);
    if (typeof end === "string") return { ok: false, reason: `range end ${end}` };
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
    const base = parseOne(addrText);
    if (typeof base === "string") return { ok: false, reason: `CIDR ${base}` };
    const max = BITS[base.family];
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
      return { ok: false, reason: `"${input}" has an invalid prefix length; expected 0 to ${max}` };
    }
    const hostBits = BigInt(max - Number(lenText));
    const first = (base.value >> hostBits) << hostBits;
    const last = first + (1n << hostBits) - 1n;
    return ok("cidr", base.family, first, last);
  }
  const one = parseOne(input);
  if (typeof one === "string") return { ok: false, reason: one };
  return ok("address", one.family, one.value, one.value);
}

function ok(kind: AddressKind, family: AddressFamily, first: bigint, last: bigint): ParseResult {
  return { ok: true, value: { kind, family, first, last, canonical: canonicalOf(family, first, last) } };
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
