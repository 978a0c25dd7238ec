/**
 * The provider process's view of one library: reads by pk (a search, pages
 * in order, or one shared listing: see read-plan.ts), and the listing kept
 * current with our own writes.
 */
import { canonicalAddress } from "../address";
import { PAGE_LIMIT, type IpCollection } from "../client/collection";
import type { IpEntry } from "../client/types";
import { AddressCheck, type AtAddress } from "./address-check";
import { Listing, searchTerm } from "./listing";
import { nextRead } from "./read-plan";

/** Pages read in order from page 0: only positive evidence (an entry not on them may be on a later page). */
interface PagesRead {
  byPk: Map<string, { entry: IpEntry; page: number }>;
  /** Per page, the reads it answered. */
  hits: number[];
}

const noPages = (): PagesRead => ({ byPk: new Map(), hits: [] });

export class EntryStore {
  /** The listing, kept for the provider process's life (one engine operation), current with our writes. */
  private held?: { listing: Promise<Listing> };
  /** Page 0, read once: it tells the library's size. */
  private plan?: Promise<{ pages: number }>;
  private searches = 0;
  /** Reads waiting for an answer, by pk (a page that arrives answers those on it at once). */
  private readonly waiting = new Map<string, number>();
  private pending = 0;
  private pages = noPages();
  /** Reads a page answered on arrival (not counted again when they resume). */
  private readonly counted = new Set<string>();
  private pageFetch?: Promise<void>;
  /** Entries per page, as page 0 had them (a server may serve fewer than asked). */
  private pageSize = PAGE_LIMIT;
  /** Bumped by every write of ours: a page in flight from before it is not kept. */
  private generation = 0;
  /** The after-write checks (is a new entry alone at its address?). */
  readonly check: AddressCheck;

  constructor(readonly collection: IpCollection) {
    this.check = new AddressCheck(this);
  }

  /** The whole library as held (one listing per operation, current with our writes). */
  all(): Promise<Listing> {
    return this.held?.listing ?? this.relist();
  }

  /** Take a new full listing now, and hold it. */
  relist(): Promise<Listing> {
    // A busy library still gives a listing (both walks' entries): reads confirm an absence by search, and creates
    // refuse what looks like a duplicate, so an entry that moved mid-walk is never lost or made twice.
    const listing = this.collection.listAll({}, { whenBusy: "union" }).then((list) => new Listing(list));
    this.dropPages(); // the listing answers every read from now on
    const held = { listing };
    this.held = held;
    // A failed listing must not be held.
    listing.catch(() => {
      if (this.held === held) this.held = undefined;
    });
    return listing;
  }

  /** Take a new full listing now (e.g. an id was not found in an older one); every entry by pk. */
  async refresh(): Promise<Map<string, IpEntry>> {
    return (await this.relist()).byPk;
  }

  /** How many entries the held listing has (0 when none is held). */
  async heldSize(): Promise<number> {
    return this.held ? (await this.held.listing).byPk.size : 0;
  }

  /**
   * The entry with this pk, or undefined if it is gone. `address` (the one
   * last known) allows a search or a page instead of the full listing (see nextRead).
   */
  async byPk(pk: string, address?: string): Promise<IpEntry | undefined> {
    if (address === undefined || this.held) return (await this.all()).byPk.get(pk);
    this.pending++;
    this.waiting.set(pk, (this.waiting.get(pk) ?? 0) + 1);
    try {
      const { pages } = await (this.plan ??= this.firstPage());
      for (;;) {
        if (this.held) return (await this.all()).byPk.get(pk);
        const seen = this.pages.byPk.get(pk);
        if (seen) {
          if (!this.counted.delete(pk)) this.pages.hits[seen.page]++;
          return seen.entry;
        }
        const { hits } = this.pages;
        const step = nextRead({
          pages,
          searches: this.searches,
          pending: this.pending,
          pagesRead: hits.length,
          lastPageHits: hits[hits.length - 1] ?? 0,
        });
        if (step === "list") return (await this.all()).byPk.get(pk);
        if (step === "next-page") {
          await this.nextPage(hits.length).catch(() => undefined); // a failed page: the next step retries and reports
          continue;
        }
        this.searches++;
        // Not where it was: changed address or deleted. Only a full listing can tell which.
        return (await this.search(pk, address)) ?? (await this.all()).byPk.get(pk);
      }
    } finally {
      this.pending--;
      const n = this.waiting.get(pk)! - 1;
      if (n) this.waiting.set(pk, n);
      else this.waiting.delete(pk);
    }
  }

  /**
   * Many entries by pk at once (a set's managed entries), each undefined if gone: page 0, then a search for
   * each one not on it while that costs less than the rest of the listing, so ≤ min(ceil(L/100), N + 1) GETs;
   * entries no search finds where they were (moved or deleted) come from the listing.
   */
  async byPks(wanted: { pk: string; address: string }[]): Promise<Map<string, IpEntry | undefined>> {
    const out = new Map<string, IpEntry | undefined>();
    const fromListing = async (list: { pk: string }[]) => {
      const { byPk } = await this.all();
      for (const w of list) out.set(w.pk, byPk.get(w.pk));
      return out;
    };
    if (this.held) return fromListing(wanted);
    if (wanted.length === 0) return out;
    const { pages } = await (this.plan ??= this.firstPage());
    if (this.held) return fromListing(wanted);
    const rest = wanted.filter((w) => {
      const seen = this.pages.byPk.get(w.pk);
      if (seen) out.set(w.pk, seen.entry);
      return !seen;
    });
    if (rest.length >= pages - 1) return fromListing(rest);
    const unplaced: { pk: string }[] = [];
    await Promise.all(
      rest.map(async (w) => {
        const found = await this.search(w.pk, w.address);
        if (found) out.set(w.pk, found);
        else unplaced.push(w);
      }),
    );
    return unplaced.length ? fromListing(unplaced) : out;
  }

  /**
   * Before an entry is concluded gone: look for it by its address (and pk),
   * whatever the listing said. A listing walked while the library changed can
   * miss an entry that moved between pages; this costs one search per entry
   * concluded gone (two when the address has another canonical spelling).
   */
  async confirmGone(pk: string, address: string | undefined): Promise<IpEntry | undefined> {
    if (!address) return undefined;
    const terms = [...new Set([searchTerm(address), searchTerm(canonicalAddress(address))])];
    for (const term of terms) {
      const found = (await this.collection.listAll({ q: term })).find((e) => e.pk === pk);
      if (found) {
        this.noteWritten(found);
        return found;
      }
    }
    return undefined;
  }

  /** Every entry any of these `q=` searches finds, once each. */
  async searchAll(terms: readonly string[]): Promise<IpEntry[]> {
    const found = new Map<string, IpEntry>();
    for (const q of terms) for (const e of await this.collection.listAll({ q })) found.set(e.pk, e);
    return [...found.values()];
  }

  /** Entries whose address is the same set as `ip` (canonical comparison). Uses the full listing. */
  async byAddress(ip: string): Promise<IpEntry[]> {
    return (await this.all()).atAddress(ip);
  }

  /** What is at a new entry's address now, fresh from Cloudlock (see AddressCheck). */
  othersAtOne(entry: IpEntry, sent: string): Promise<AtAddress> {
    return this.check.othersAtOne(entry, sent);
  }

  /** Record our own write in the listing, if one is held. */
  noteWritten(entry: IpEntry): void {
    this.apply((l) => l.set(entry));
  }

  noteDeleted(pks: readonly string[]): void {
    this.apply((l) => pks.forEach((pk) => l.delete(pk)));
  }

  /** Forget the listing (a write whose outcome is unknown). */
  invalidate(): void {
    this.held = undefined;
    this.dropPages();
  }

  private async search(pk: string, address: string): Promise<IpEntry | undefined> {
    return (await this.collection.listAll({ q: searchTerm(address) })).find((e) => e.pk === pk);
  }

  /** Page 0 of the listing: tells the library's size (and is the whole listing when it is short). */
  private async firstPage(): Promise<{ pages: number }> {
    const generation = this.generation;
    const page = await this.collection.page({ offset: 0 });
    // Only a short page proves the library ends there (a total can be wrong); it then is the listing.
    const complete = page.items.length < Math.min(page.limit || PAGE_LIMIT, PAGE_LIMIT);
    if (complete && !this.held) this.held = { listing: Promise.resolve(new Listing(page.items)) };
    else if (generation === this.generation) this.keepPage(0, page.items);
    if (!complete) this.pageSize = page.items.length;
    return { pages: complete ? 1 : Math.max(2, Math.ceil(page.total / this.pageSize)) };
  }

  /** Read page `n` in order (one fetch, however many reads wait for it). */
  private nextPage(n: number): Promise<void> {
    const generation = this.generation;
    return (this.pageFetch ??= this.collection
      .page({ offset: n * this.pageSize })
      .then((page) => {
        if (generation === this.generation) this.keepPage(n, page.items);
      })
      .finally(() => (this.pageFetch = undefined)));
  }

  /** Keep a page read in order; the reads waiting for entries on it are its hits. */
  private keepPage(page: number, items: IpEntry[]): void {
    let hits = 0;
    for (const entry of items) {
      if (this.pages.byPk.has(entry.pk)) continue;
      this.pages.byPk.set(entry.pk, { entry, page });
      if (this.waiting.has(entry.pk)) {
        hits++;
        this.counted.add(entry.pk);
      }
    }
    this.pages.hits[page] = hits;
  }

  /** Our own write makes pages read before it stale: forget them (an answer still in flight is ignored). */
  private dropPages(): void {
    this.generation++;
    if (this.pages.hits.length) this.pages = noPages();
    this.counted.clear();
  }

  private apply(change: (l: Listing) => void): void {
    this.dropPages();
    const h = this.held;
    if (!h) return;
    h.listing = h.listing.then((l) => {
      change(l);
      return l;
    });
  }
}
