/**
 * Address ranges that never appear as the public source address of SaaS activity, which is all Cloudlock's IP
 * libraries are matched against: an entry inside one of them can never match anything.
 */
import { type ParsedAddress, parseAddress } from "./address";
import { ADDRESS } from "./model";

/** The groups of non-public ranges; each can be refused or allowed on its own. */
export const RANGE_GROUPS = [
  "unspecified",
  "loopback",
  "private",
  "linkLocal",
  "multicast",
  "documentation",
  "reserved",
] as const;
/** One of {@link RANGE_GROUPS}. */
export type RangeGroup = (typeof RANGE_GROUPS)[number];

/** One refused range: its block, the group it belongs to, and what it is (for the message). */
export interface NamedRange {
  cidr: string;
  group: RangeGroup | string;
  label: string;
}

/** IANA special-purpose registries (RFC 6890 and later) narrowed to what can never be a public source address. */
export const NON_PUBLIC_RANGES: readonly NamedRange[] = [
  { cidr: "0.0.0.0/8", group: "unspecified", label: '"this network" (RFC 1122)' },
  { cidr: "::/128", group: "unspecified", label: "the unspecified address (RFC 4291)" },
  { cidr: "127.0.0.0/8", group: "loopback", label: "loopback (RFC 1122)" },
  { cidr: "::1/128", group: "loopback", label: "loopback (RFC 4291)" },
  { cidr: "10.0.0.0/8", group: "private", label: "private (RFC 1918)" },
  { cidr: "172.16.0.0/12", group: "private", label: "private (RFC 1918)" },
  { cidr: "192.168.0.0/16", group: "private", label: "private (RFC 1918)" },
  { cidr: "100.64.0.0/10", group: "private", label: "shared address space, carrier-grade NAT (RFC 6598)" },
  { cidr: "fc00::/7", group: "private", label: "unique local (RFC 4193)" },
  { cidr: "169.254.0.0/16", group: "linkLocal", label: "link-local (RFC 3927)" },
  { cidr: "fe80::/10", group: "linkLocal", label: "link-local (RFC 4291)" },
  { cidr: "224.0.0.0/4", group: "multicast", label: "multicast (RFC 5771)" },
  { cidr: "ff00::/8", group: "multicast", label: "multicast (RFC 4291)" },
  { cidr: "192.0.2.0/24", group: "documentation", label: "documentation, TEST-NET-1 (RFC 5737)" },
  { cidr: "198.51.100.0/24", group: "documentation", label: "documentation, TEST-NET-2 (RFC 5737)" },
  { cidr: "203.0.113.0/24", group: "documentation", label: "documentation, TEST-NET-3 (RFC 5737)" },
  { cidr: "2001:db8::/32", group: "documentation", label: "documentation (RFC 3849)" },
  { cidr: "3fff::/20", group: "documentation", label: "documentation (RFC 9637)" },
  { cidr: "192.0.0.0/24", group: "reserved", label: "IETF protocol assignments (RFC 6890)" },
  { cidr: "198.18.0.0/15", group: "reserved", label: "benchmarking (RFC 2544)" },
  {
    cidr: "240.0.0.0/4",
    group: "reserved",
    label: "reserved for future use, with broadcast (RFC 1112, RFC 919)",
  },
  { cidr: "100::/64", group: "reserved", label: "discard-only (RFC 6666)" },
  { cidr: "2001:2::/48", group: "reserved", label: "benchmarking (RFC 5180)" },
];

/**
 * IPv6 blocks that carry an IPv4 address inside them, and where: an IPv6 entry in one of them reaches the IPv4
 * address it embeds, so it is judged by that address too (`64:ff9b::10.0.0.1` is 10.0.0.1 behind NAT64).
 * `shift` is how many bits the IPv4 address sits above the lowest bit.
 */
export interface Embedding {
  cidr: string;
  label: string;
  first: bigint;
  last: bigint;
  shift: bigint;
}

/** The block `first`/`length` (given as numbers: `::ffff:0:0/96` would parse as IPv4 space). */
const embedding = (cidr: string, label: string, first: bigint, length: number, shift: bigint): Embedding => ({
  cidr,
  label,
  first,
  last: first | ((1n << BigInt(128 - length)) - 1n),
  shift,
});

/**
 * The IPv6 forms of IPv4 addresses: IPv4-mapped (the low 32 bits; only a block wider than the /96 stays IPv6
 * when parsed, e.g. `::ffff:0:0/95`), NAT64's well-known prefix (the low 32 bits) and 6to4 (the 32 bits after
 * `2002:`). NAT64 local-use prefixes (64:ff9b:1::/48, RFC 8215) place the IPv4 address by a prefix length the
 * operator chooses, so they are not judged here.
 */
export const IPV4_EMBEDDINGS: readonly Embedding[] = [
  embedding("::ffff:0:0/96", "IPv4-mapped (RFC 4291)", 0xffffn << 32n, 96, 0n),
  embedding("64:ff9b::/96", "NAT64 well-known prefix (RFC 6052)", 0x64ff9bn << 96n, 96, 0n),
  embedding("2002::/16", "6to4 (RFC 3056)", 0x2002n << 112n, 16, 80n),
];

/** A range parsed once, for overlap tests. */
export interface ParsedRange extends NamedRange {
  family: "ipv4" | "ipv6";
  first: bigint;
  last: bigint;
}

/**
 * The ranges of the given groups plus extra ones (`{ label: [cidr or range, …] }`), parsed. A malformed extra
 * range throws naming it, so a bad policy config fails loudly instead of refusing nothing. This builds the
 * argument of `publicAddressesOnly`.
 *
 * @param groups groups of {@link NON_PUBLIC_RANGES} to refuse, e.g. `[...RANGE_GROUPS]` for all of them.
 * @param extra more ranges to refuse, by label: `{ "corporate NAT": ["100.100.0.0/16"] }`.
 * @returns the ranges, parsed; the message of a violation names a range by its `cidr` and `label`.
 */
export function refusedRanges(
  groups: readonly string[],
  extra: Record<string, readonly string[]> = {},
): ParsedRange[] {
  const wanted = new Set(groups);
  const list: NamedRange[] = NON_PUBLIC_RANGES.filter((r) => wanted.has(r.group));
  for (const [label, cidrs] of Object.entries(extra)) {
    for (const cidr of cidrs) list.push({ cidr, group: "extra", label });
  }
  return list.map((r) => {
    const p = parseAddress(r.cidr);
    if (!p.ok)
      throw new Error(
        `policy config extraRanges "${r.label}": ${JSON.stringify(r.cidr)} is not an address, block or range: ${ADDRESS} ${p.reason}`,
      );
    return { ...r, family: p.value.family, first: p.value.first, last: p.value.last };
  });
}

const IPV4_MASK = 0xffff_ffffn;

/** One refused range an address touches: how messages name it, and whether the address lies wholly inside it. */
export interface RangeTouch {
  name: string;
  inside: boolean;
}

/**
 * The ranges of `ranges` that the address `a` touches. An IPv6 address that embeds IPv4 addresses (see
 * {@link IPV4_EMBEDDINGS}) touches what those IPv4 addresses touch, so `64:ff9b::10.0.0.1` is in 10.0.0.0/8.
 */
export function rangesTouched(a: ParsedAddress, ranges: readonly ParsedRange[]): RangeTouch[] {
  const overlapping = (family: string, first: bigint, last: bigint) =>
    ranges.filter((r) => r.family === family && r.first <= last && first <= r.last);
  const hits: RangeTouch[] = overlapping(a.family, a.first, a.last).map((r) => ({
    name: `${r.cidr}, ${r.label}`,
    inside: r.first <= a.first && a.last <= r.last,
  }));
  if (a.family === "ipv6") {
    for (const m of IPV4_EMBEDDINGS) {
      const first = a.first > m.first ? a.first : m.first;
      const last = a.last < m.last ? a.last : m.last;
      if (first > last) continue;
      // Within the embedding's block the bits above the IPv4 address are fixed, so this keeps the order.
      const v4first = (first >> m.shift) & IPV4_MASK;
      const v4last = (last >> m.shift) & IPV4_MASK;
      const whole = m.first <= a.first && a.last <= m.last;
      for (const r of overlapping("ipv4", v4first, v4last))
        hits.push({
          name: `${r.cidr}, ${r.label}, embedded in ${m.cidr}, ${m.label}`,
          inside: whole && r.first <= v4first && v4last <= r.last,
        });
    }
  }
  return hits;
}
