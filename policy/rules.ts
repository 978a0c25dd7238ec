/**
 * The rules as pure functions from declared entries (see ./entries) and a config to violation messages, so each
 * can be tested without the engine. Unknown values (preview) are skipped, and so are malformed addresses and
 * timestamps: the provider's own check refuses those, field by field.
 */
import { parseAddress, ParsedAddress } from "../provider/address";
import { Entry, UNKNOWN, read } from "./entries";
import { type ParsedRange, rangesTouched } from "../provider/ranges";

/** One violation: the message, and the resource to report it against (stack policies). */
export interface Violation {
  message: string;
  urn?: string;
}

const BITS = { ipv4: 32, ipv6: 128 } as const;
const DAY_MS = 86_400_000;

/** The parsed address of an entry whose address is known and valid. */
function addressOf(e: Entry): ParsedAddress | undefined {
  if (typeof e.ipAddress !== "string") return undefined;
  const r = parseAddress(e.ipAddress);
  return r.ok ? r.value : undefined;
}

/** A count of addresses for people: 2^k when large and a power of two, else with thousands separators. */
function count(n: bigint): string {
  const word = n === 1n ? "address" : "addresses";
  if (n > 1n << 32n && (n & (n - 1n)) === 0n) return `2^${n.toString(2).length - 1} ${word}`;
  return `${n.toLocaleString("en-US")} ${word}`;
}

/** Widest trusted blocks, as the shortest prefix length allowed per family. */
export interface BlockSizeConfig {
  /** IPv4: blocks no wider than /N (default 24). */
  ipv4MinPrefixLength: number;
  /** IPv6: blocks no wider than /N (default 48). */
  ipv6MinPrefixLength: number;
}

/**
 * Trusted entries no wider than a /N block of their family. A range (or any address set) counts by its number
 * of addresses: it may hold at most as many as a /N block, 2^(32−N) for IPv4, wherever it starts.
 */
export function trustedBlockSize(entries: readonly Entry[], cfg: BlockSizeConfig): Violation[] {
  const out: Violation[] = [];
  for (const e of entries) {
    if (e.library !== "trusted") continue;
    const a = addressOf(e);
    if (!a) continue;
    const min = a.family === "ipv4" ? cfg.ipv4MinPrefixLength : cfg.ipv6MinPrefixLength;
    const size = a.last - a.first + 1n;
    const max = 1n << BigInt(BITS[a.family] - min);
    if (size <= max) continue;
    const what = a.canonical.includes("/")
      ? `is a /${a.canonical.split("/")[1]} block (${count(size)})`
      : `is a range of ${count(size)}`;
    out.push({
      urn: e.urn,
      message:
        `${e.where} ipAddress "${String(e.ipAddress)}" ${what}: trusted ${a.family === "ipv4" ? "IPv4" : "IPv6"} ` +
        `entries may be at most a /${min} (${count(max)})`,
    });
  }
  return out;
}

/**
 * Entries (trusted or suspicious) that touch a refused range. Cloudlock matches the public source address of
 * SaaS activity, so an entry in a private, loopback, documentation… range can never match anything. A block
 * that merely overlaps a range is refused too, naming it. An IPv6 entry that embeds IPv4 addresses (IPv4-mapped
 * `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`; see `IPV4_EMBEDDINGS`) is judged by the IPv4
 * addresses it embeds as well, so `64:ff9b::10.0.0.1` and `2002:a00:1::/48` are refused as 10.0.0.1.
 *
 * @param entries the declared entries, from `entriesOf` (or built by hand).
 * @param ranges the refused ranges, from `refusedRanges`: `refusedRanges([...RANGE_GROUPS])` for all.
 * @returns one violation per entry that touches any refused range.
 */
export function publicAddressesOnly(entries: readonly Entry[], ranges: readonly ParsedRange[]): Violation[] {
  const out: Violation[] = [];
  for (const e of entries) {
    const a = addressOf(e);
    if (!a) continue;
    const hits = rangesTouched(a, ranges);
    if (hits.length === 0) continue;
    const inside = hits.length === 1 && hits[0].inside;
    const named = hits.slice(0, 5).map((h) => h.name);
    if (hits.length > 5) named.push(`and ${hits.length - 5} more`);
    out.push({
      urn: e.urn,
      message:
        `${e.where} ipAddress "${String(e.ipAddress)}" ` +
        `${inside ? "is in" : "overlaps"} ${named.join("; ")}: Cloudlock matches the public source addresses of ` +
        `SaaS activity, so ${inside ? "this entry" : "that part of this entry"} can never match`,
    });
  }
  return out;
}

/** The longest a suspicious entry may stay. */
export interface ExpiryConfig {
  /** Days from now (default 90). */
  maxDays: number;
}

/**
 * Suspicious entries must expire, within `maxDays` of `now` (the machine running the preview). An entry
 * without `expiresOn` violates it: Cloudlock would keep it for ever, or for a default of its own.
 */
export function suspiciousExpiry(
  entries: readonly Entry[],
  cfg: ExpiryConfig,
  now = Date.now(),
): Violation[] {
  const out: Violation[] = [];
  const limit = now + cfg.maxDays * DAY_MS;
  for (const e of entries) {
    if (e.library !== "suspicious" || e.expiresOn === UNKNOWN) continue;
    if (e.expiresOn === undefined || e.expiresOn.trim() === "") {
      out.push({
        urn: e.urn,
        message:
          `${e.where} expiresOn is missing: suspicious entries must expire within ${cfg.maxDays} days ` +
          `(by ${new Date(limit).toISOString()})`,
      });
      continue;
    }
    const at = Date.parse(e.expiresOn);
    if (Number.isNaN(at) || at <= limit) continue;
    out.push({
      urn: e.urn,
      message:
        `${e.where} expiresOn "${e.expiresOn}" is ${Math.ceil((at - now) / DAY_MS)} days away: suspicious ` +
        `entries must expire within ${cfg.maxDays} days (by ${new Date(limit).toISOString()})`,
    });
  }
  return out;
}

/**
 * Addresses that are both trusted and suspicious anywhere in the stack, compared as sets of addresses (so
 * `10.0.0.1/32` meets `10.0.0.1`, and a block meets every address inside it). One violation per pair, reported
 * against the suspicious entry's resource. Sorted sweep: trusted entries by first address, with the running
 * maximum of their last address, so each suspicious entry only visits trusted entries that can reach it.
 */
export function trustedSuspiciousOverlap(entries: readonly Entry[]): Violation[] {
  type Item = { e: Entry; a: ParsedAddress };
  const parsed = (lib: string): Item[] =>
    entries.flatMap((e) => {
      const a = e.library === lib ? addressOf(e) : undefined;
      return a ? [{ e, a }] : [];
    });
  const suspicious = parsed("suspicious");
  const out: Violation[] = [];
  for (const family of ["ipv4", "ipv6"] as const) {
    const trusted = parsed("trusted")
      .filter((t) => t.a.family === family)
      .sort((x, y) => (x.a.first < y.a.first ? -1 : x.a.first > y.a.first ? 1 : 0));
    const reach: bigint[] = [];
    for (const t of trusted)
      reach.push(reach.length && reach[reach.length - 1] > t.a.last ? reach[reach.length - 1] : t.a.last);
    for (const s of suspicious) {
      if (s.a.family !== family) continue;
      // The last trusted entry that starts at or before the suspicious entry's end.
      let lo = 0;
      let hi = trusted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (trusted[mid].a.first <= s.a.last) lo = mid + 1;
        else hi = mid;
      }
      const hits: Item[] = [];
      for (let i = lo - 1; i >= 0 && reach[i] >= s.a.first; i--) {
        if (trusted[i].a.last >= s.a.first) hits.push(trusted[i]);
      }
      for (const t of hits.reverse()) {
        const how =
          t.a.canonical === s.a.canonical
            ? "the same addresses"
            : t.a.first <= s.a.first && s.a.last <= t.a.last
              ? `the suspicious ${s.a.canonical} is inside the trusted ${t.a.canonical}`
              : s.a.first <= t.a.first && t.a.last <= s.a.last
                ? `the trusted ${t.a.canonical} is inside the suspicious ${s.a.canonical}`
                : `${t.a.canonical} and ${s.a.canonical} overlap`;
        out.push({
          urn: s.e.urn,
          message:
            `${s.e.where} ipAddress "${String(s.e.ipAddress)}" is suspicious, but ${t.e.where} ipAddress ` +
            `"${String(t.e.ipAddress)}" trusts it (${how}): an address cannot be both`,
        });
      }
    }
  }
  return out;
}

/** Which descriptive fields every entry must fill in. */
export interface MetadataConfig {
  requireDescription: boolean;
  requireCategory: boolean;
}

/** Entries must have a description and/or at least one category, as configured. */
export function requiredMetadata(entries: readonly Entry[], cfg: MetadataConfig): Violation[] {
  const out: Violation[] = [];
  for (const e of entries) {
    if (cfg.requireDescription && e.description !== UNKNOWN) {
      if (e.description === undefined || e.description.trim() === "")
        out.push({ urn: e.urn, message: `${e.where} description is missing: every entry needs one` });
    }
    if (cfg.requireCategory && e.categories !== UNKNOWN && !hasCategory(e.categories)) {
      out.push({
        urn: e.urn,
        message: `${e.where} categories is empty: every entry needs at least one category`,
      });
    }
  }
  return out;
}

/** True when the list holds a non-blank category, or an item not known yet (which may be one). */
function hasCategory(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  const items = Array.from({ length: Number(read(list, "length")) || 0 }, (_, i) => read(list, i));
  return items.some((c) => c === UNKNOWN || (typeof c === "string" && c.trim() !== ""));
}
