/**
 * Page 0 of a library's listing, the only page read on its own (it tells the
 * library's size), and the reads it answers. Only positive evidence: an entry
 * found on it is current as of that page; one not found may be on another
 * page. A write of ours makes it stale, and a page 0 in flight from before it
 * is not kept.
 */
import type { IpEntry } from "../client/types";

export class FirstPage {
  private byPk = new Map<string, IpEntry>();
  /** Bumped by every write of ours. */
  private generation = 0;

  /** A mark to hand `keep`: a page fetched before a later write is not kept. */
  stamp(): number {
    return this.generation;
  }

  /** The entry if page 0, as kept, holds it. */
  find(pk: string): IpEntry | undefined {
    return this.byPk.get(pk);
  }

  /** Keep page 0 fetched at `stamp`, unless a write of ours came after. */
  keep(items: IpEntry[], stamp: number): void {
    if (stamp !== this.generation) return;
    for (const entry of items) if (!this.byPk.has(entry.pk)) this.byPk.set(entry.pk, entry);
  }

  /** Our own write makes page 0 stale: forget it. */
  drop(): void {
    this.generation++;
    this.byPk = new Map();
  }
}
