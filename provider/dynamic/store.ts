/**
 * The provider process's view of one library: reads by pk (page 0, a
 * search, or one shared listing: see read-plan.ts), and the listing kept
 * current with our own writes.
 */
import { canonicalAddress, searchTermsFor } from "../address";
import { PAGE_LIMIT, type IpCollection } from "../client/collection";
import type { IpEntry } from "../client/types";
import { Listing, searchTerm } from "./listing";
import { FirstPage } from "./pages";
import { nextRead } from "./read-plan";

export class EntryStore {
  /** The listing, kept for the provider process's life (one engine operation), current with our writes. */
  private held?: { listing: Promise<Listing> };
  /** Page 0, read once: it tells the library's size. */
  private plan?: Promise<{ pages: number }>;
  private searches = 0;
  /** Reads not decided yet (see nextRead). */
  private pending = 0;
  /** Page 0's entries, until a write of ours makes them stale. */
  private readonly first = new FirstPage();

  constructor(readonly collection: IpCollection) {}

  /** The whole library as held (one listing per operation, current with our writes). */
  all(): Promise<Listing> {
    return this.held?.listing ?? this.relist();
  }

  /** Take a new full listing now, and hold it. */
  relist(): Promise<Listing> {
    // A busy library still gives a listing (both walks' entries): reads confirm an absence by search, and creates
    // refuse what looks like a duplicate, so an entry that moved mid-walk is never lost or made twice.
    const listing = this.collection.listAll({}, { whenBusy: "union" }).then((list) => new Listing(list));
    this.first.drop(); // the listing answers every read from now on
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
   * last known) allows page 0 or a search instead of the full listing (see nextRead).
   */
  async byPk(pk: string, address?: string): Promise<IpEntry | undefined> {
    if (address === undefined || this.held) return (await this.all()).byPk.get(pk);
    return this.byRule(
      (listing) => listing.byPk.get(pk),
      // Not where it was: changed address or deleted. Only a full listing can tell which.
      async () => (await this.search(pk, address)) ?? (await this.all()).byPk.get(pk),
      () => this.first.find(pk),
    );
  }

  /**
   * The entries at an address (any spelling), by the same rule as a read by pk: the held listing, else after
   * page 0 a search of the address's spellings while searches are few, else the one shared listing. The search
   * terms match every spelling of the address (searchTermsFor), so an absence a search shows is the listing's.
   */
  async atAddress(ip: string): Promise<IpEntry[]> {
    const terms = searchTermsFor(ip);
    if (!terms || this.held) return (await this.all()).atAddress(ip);
    return this.byRule(
      (listing) => listing.atAddress(ip),
      async () =>
        new Listing((await Promise.all(terms.map((q) => this.collection.listAll({ q })))).flat()).atAddress(
          ip,
        ),
    );
  }

  /**
   * One read by the rule (see nextRead): answered by `early` (page 0) if it can, else from the listing, or by
   * `search` while searches are few. A read is pending until decided, and a search counts among the searches.
   */
  private async byRule<T>(
    fromListing: (listing: Listing) => T,
    search: () => Promise<T>,
    early: () => T | undefined = () => undefined,
  ): Promise<T> {
    this.pending++;
    let decided = false;
    try {
      const { pages } = await this.planned();
      if (this.held) return fromListing(await this.all());
      const seen = early();
      if (seen !== undefined) return seen;
      if (nextRead({ pages, searches: this.searches, pending: this.pending }) === "list")
        return fromListing(await this.all());
      // Decided: no longer waiting for a decision, and counted among the searches.
      this.pending--;
      decided = true;
      this.searches++;
      return await search();
    } finally {
      if (!decided) this.pending--;
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
    const { pages } = await this.planned();
    if (this.held) return fromListing(wanted);
    const rest = wanted.filter((w) => {
      const seen = this.first.find(w.pk);
      if (seen) out.set(w.pk, seen);
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
   * The entry with this pk, fresh from a search of its address, whatever the
   * listing said: before an entry is concluded gone (a listing walked while the
   * library changed can miss an entry that moved between pages), and after a
   * PUT answered without a body. One search (two when the address has another
   * canonical spelling).
   */
  async findAt(pk: string, address: string | undefined): Promise<IpEntry | undefined> {
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
    this.first.drop();
  }

  private async search(pk: string, address: string): Promise<IpEntry | undefined> {
    return (await this.collection.listAll({ q: searchTerm(address) })).find((e) => e.pk === pk);
  }

  /** Page 0, read once; a failed one is read again by the next read (its error is that read's). */
  private planned(): Promise<{ pages: number }> {
    if (!this.plan) {
      const plan = (this.plan = this.firstPage());
      plan.catch(() => {
        if (this.plan === plan) this.plan = undefined;
      });
    }
    return this.plan;
  }

  /** Page 0 of the listing: tells the library's size (and is the whole listing when it holds it all). */
  private async firstPage(): Promise<{ pages: number }> {
    const stamp = this.first.stamp();
    const page = await this.collection.page({ offset: 0 });
    // A short page that holds every entry the total counts is the whole library (a server may cap a page below
    // the limit asked, and say so or not: a short page alone proves nothing).
    const short = page.items.length < Math.min(page.limit || PAGE_LIMIT, PAGE_LIMIT);
    const complete = short && page.items.length >= page.total;
    // Not if it was read before a write of ours.
    if (complete && stamp === this.first.stamp() && !this.held)
      this.held = { listing: Promise.resolve(new Listing(page.items)) };
    else this.first.keep(page.items, stamp);
    // Entries per page, as page 0 has them (a server may serve fewer than asked).
    const size = page.items.length || PAGE_LIMIT;
    return { pages: complete ? 1 : Math.max(2, Math.ceil(page.total / size)) };
  }

  private apply(change: (l: Listing) => void): void {
    this.first.drop();
    const h = this.held;
    if (!h) return;
    h.listing = h.listing.then((l) => {
      change(l);
      return l;
    });
  }
}
