/**
 * Pages of a library's listing read in order from page 0, and which reads
 * each answered. Only positive evidence: an entry found on a page is current
 * as of that page; one not found may be on a page not read yet. A write of
 * ours makes them stale, and a page in flight from before it is not kept.
 */
import { PAGE_LIMIT, type IpCollection } from "../client/collection";
import type { IpEntry } from "../client/types";

export class PagesInOrder {
  private byPk = new Map<string, { entry: IpEntry; page: number }>();
  /** Per page, the reads it answered. */
  private hits: number[] = [];
  /** Reads waiting for an answer, by pk (a page that arrives answers those on it at once). */
  private readonly waiting = new Map<string, number>();
  /** Reads a page answered on arrival (not counted again when they resume). */
  private readonly counted = new Set<string>();
  private fetch?: Promise<void>;
  /** Bumped by every write of ours. */
  private generation = 0;
  /** Entries per page, as page 0 had them (a server may serve fewer than asked). */
  size = PAGE_LIMIT;

  constructor(private readonly collection: IpCollection) {}

  /** How many pages were read. */
  get read(): number {
    return this.hits.length;
  }

  /** How many reads the last page read answered. */
  get lastHits(): number {
    return this.hits[this.hits.length - 1] ?? 0;
  }

  /** A mark to hand `keep`: a page fetched before a later write is not kept. */
  stamp(): number {
    return this.generation;
  }

  /** A read starts waiting for `pk`. */
  wait(pk: string): void {
    this.waiting.set(pk, (this.waiting.get(pk) ?? 0) + 1);
  }

  /** The read for `pk` is answered (or gave up). */
  done(pk: string): void {
    const n = this.waiting.get(pk)! - 1;
    if (n) this.waiting.set(pk, n);
    else this.waiting.delete(pk);
  }

  /** The entry if a page read holds it, counted as an answer of that page. */
  find(pk: string): IpEntry | undefined {
    const seen = this.byPk.get(pk);
    if (seen && !this.counted.delete(pk)) this.hits[seen.page]++;
    return seen?.entry;
  }

  /** The entry if a page read holds it, without counting. */
  peek(pk: string): IpEntry | undefined {
    return this.byPk.get(pk)?.entry;
  }

  /** Keep page `page` fetched at `stamp`; the reads waiting for entries on it are its hits. */
  keep(page: number, items: IpEntry[], stamp: number): void {
    if (stamp !== this.generation) return;
    let hits = 0;
    for (const entry of items) {
      if (this.byPk.has(entry.pk)) continue;
      this.byPk.set(entry.pk, { entry, page });
      if (this.waiting.has(entry.pk)) {
        hits++;
        this.counted.add(entry.pk);
      }
    }
    this.hits[page] = hits;
  }

  /** Read the next page (one fetch, however many reads wait for it). A page that fails answered nothing. */
  next(): Promise<void> {
    const n = this.hits.length;
    const stamp = this.generation;
    return (this.fetch ??= this.collection
      .page({ offset: n * this.size })
      .then(
        (page) => this.keep(n, page.items, stamp),
        () => this.keep(n, [], stamp),
      )
      .finally(() => (this.fetch = undefined)));
  }

  /** Our own write makes the pages read before it stale: forget them. */
  drop(): void {
    this.generation++;
    this.byPk = new Map();
    this.hits = [];
    this.counted.clear();
  }
}
