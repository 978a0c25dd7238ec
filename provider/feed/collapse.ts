/**
 * A feed's addresses made one entry each: the same address twice keeps its first record; an address inside
 * another record's block or range (same family) is dropped and its container kept, whatever their order.
 * Adjacent or overlapping blocks are not merged. O(n log n): one sort, one sweep. Pure: no I/O.
 */
import type { ParsedAddress } from "../address";

/** What collapsing keeps (in their first-seen order) and how many it dropped for each reason. */
export interface Collapsed<T> {
  kept: T[];
  duplicates: number;
  contained: number;
}

/** Collapse records by their parsed address (`addressOf`); the records keep their order. */
export function collapse<T>(records: readonly T[], addressOf: (r: T) => ParsedAddress): Collapsed<T> {
  // Duplicates: the same canonical spelling is the same set of addresses; the first record keeps it.
  const seen = new Set<string>();
  const unique: { at: number; a: ParsedAddress }[] = [];
  records.forEach((r, at) => {
    const a = addressOf(r);
    if (seen.has(a.canonical)) return;
    seen.add(a.canonical);
    unique.push({ at, a });
  });
  const duplicates = records.length - unique.length;

  // Containment: sorted by family, first address, then widest first, a set is inside another exactly when an
  // earlier one of its family reaches at least as far (no two are equal any more).
  const sorted = [...unique].sort((x, y) => {
    if (x.a.family !== y.a.family) return x.a.family < y.a.family ? -1 : 1;
    if (x.a.first !== y.a.first) return x.a.first < y.a.first ? -1 : 1;
    if (x.a.last !== y.a.last) return x.a.last > y.a.last ? -1 : 1;
    return x.at - y.at;
  });
  const keep = new Set<number>();
  let family: string | undefined;
  let reach = -1n;
  for (const { at, a } of sorted) {
    if (a.family !== family) {
      family = a.family;
      reach = -1n;
    }
    if (a.last <= reach) continue;
    reach = a.last;
    keep.add(at);
  }
  return {
    kept: records.filter((_, at) => keep.has(at)),
    duplicates,
    contained: unique.length - keep.size,
  };
}
