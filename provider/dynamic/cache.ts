import { canonicalAddress, sameAddress, searchTermsFor } from "../address";
import { PAGE_LIMIT, type IpCollection } from "../client/collection";
import type { IpEntry } from "../client/types";

/** The engine's default parallelism (4 × GOMAXPROCS on 2 cores): reads arrive this many at a time. */
const ENGINE_PARALLEL = 8;

/**
 * What to search for to find an entry at this address: `q` matches within the stored spelling, so a host's
 * bare address also finds it stored as `/32` or `/128`.
 */
export function searchTerm(address: string): string {
  return address.replace(/\/(32|128)$/, "");
}

/** An entry our POST made, and the address we sent. */
export interface Posted {
  entry: IpEntry;
  sent: string;
}

/** What is at a new entry's address: the other entries, and whether ours was seen there. */
export interface AtAddress {
  others: IpEntry[];
  ours: boolean;
  /** The name of the entry under our pk, as seen there. */
  oursName?: string;
}

/** A listing held in memory, indexed by pk and by canonical address (so N duplicate checks are O(N), not O(N·L)). */
export class Listing {
  readonly byPk = new Map<string, IpEntry>();
  private readonly byCanonical = new Map<string, Map<string, IpEntry>>();

  constructor(entries: IpEntry[]) {
    for (const e of entries) this.set(e);
  }

  set(e: IpEntry): void {
    this.delete(e.pk);
    this.byPk.set(e.pk, e);
    const c = canonicalAddress(e.ip_address);
    let bucket = this.byCanonical.get(c);
    if (!bucket) this.byCanonical.set(c, (bucket = new Map()));
    bucket.set(e.pk, e);
  }

  delete(pk: string): void {
    const old = this.byPk.get(pk);
    if (!old) return;
    this.byPk.delete(pk);
    const c = canonicalAddress(old.ip_address);
    const bucket = this.byCanonical.get(c);
    bucket?.delete(pk);
    if (bucket?.size === 0) this.byCanonical.delete(c);
  }

  atAddress(ip: string): IpEntry[] {
    return [...(this.byCanonical.get(canonicalAddress(ip))?.values() ?? [])];
  }
}

/**
 * The provider process's view of one collection. The API has no GET by id,
 * so reads must list or search:
 *  - one full listing (ceil(L/100) GETs) is shared by every read and create
 *    of the process, and our own writes are applied to it in place;
 *  - but when a few entries are read in a big library, a targeted `q=<address>`
 *    search per read (filtered by pk) is cheaper. The first read fetches page 0,
 *    which tells the library's size; reads then take whichever is cheaper,
 *    switching to the full listing once the searches would cost more;
 *  - and when reads come in the listing's own order (a refresh of entries an
 *    `up` created), page 0 answers them, so the next page is read ahead, one at
 *    a time, for as long as each page answers at least two reads: N = L then
 *    costs ceil(L/100) GETs whatever the parallelism, and a page that answers
 *    nothing ends it, so a stray entry costs one page more, not the listing.
 */
export class LibraryCache {
  /** The listing, kept for the provider process's life (one engine operation), current with our writes. */
  private snapshot?: { listing: Promise<Listing> };
  /** Serialises creates of the same canonical address in this process. */
  private readonly reservations = new Map<string, Promise<void>>();
  /** Read strategy: undecided until page 0 answered; then search per read, or the full listing. */
  private plan?: Promise<{ pages: number }>;
  private searches = 0;
  private readsWaiting = 0;
  /**
   * Pages read ahead, in order from page 0. Only positive evidence: an entry found there is current as of that
   * page; one not found may be on a page not read yet. Dropped at any write of ours (`generation`).
   */
  private ahead = { byPk: new Map<string, { entry: IpEntry; page: number }>(), hits: [] as number[] };
  private aheadFetch?: Promise<void>;
  private generation = 0;
  /** othersAtOne: the round not started yet (entries join it), and the one whose requests are out. */
  private nextRound?: { joined: Posted[]; result: Promise<Map<string, AtAddress>> };
  private roundInFlight?: Promise<unknown>;

  constructor(private readonly collection: IpCollection) {}

  private listing(): Promise<Listing> {
    const s = this.snapshot;
    if (s) return s.listing;
    return this.refreshListing();
  }

  private refreshListing(): Promise<Listing> {
    // A busy library still gives a listing (both walks' entries): reads confirm an absence by search, and creates
    // refuse what looks like a duplicate, so an entry that moved mid-walk is never lost or made twice.
    const listing = this.collection.listAll({}, { whenBusy: "union" }).then((list) => new Listing(list));
    this.dropAhead(); // the listing answers every read from now on
    const snap = { listing };
    this.snapshot = snap;
    // A failed listing must not be cached.
    listing.catch(() => {
      if (this.snapshot === snap) this.snapshot = undefined;
    });
    return listing;
  }

  /** Take a new full listing now (e.g. an id was not found in an older one); every entry by pk. */
  async refresh(): Promise<Map<string, IpEntry>> {
    return (await this.refreshListing()).byPk;
  }

  /**
   * The entry with this pk, or undefined if it is gone. `address` (the one
   * last known) allows a targeted search instead of a full listing.
   */
  async byPk(pk: string, address?: string): Promise<IpEntry | undefined> {
    if (address === undefined || this.snapshot) return (await this.listing()).byPk.get(pk);
    this.readsWaiting++;
    try {
      const { pages } = await (this.plan ??= this.firstPage());
      for (;;) {
        if (this.snapshot) return (await this.listing()).byPk.get(pk);
        const seen = this.ahead.byPk.get(pk);
        if (seen) {
          this.ahead.hits[seen.page]++;
          return seen.entry;
        }
        if (!(await this.readAhead(pages))) break;
      }
      // Searches so far plus the reads queued now, against the pages a full listing still costs.
      const useListing = pages <= 2 || this.searches + this.readsWaiting > Math.max(2, (pages - 1) / 2);
      if (useListing) return (await this.listing()).byPk.get(pk);
      this.searches++;
      const found = await this.search(pk, address);
      // Not where it was: changed address or deleted. Only a full listing can tell which.
      return found ?? (await this.listing()).byPk.get(pk);
    } finally {
      this.readsWaiting--;
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
      const { byPk } = await this.listing();
      for (const w of list) out.set(w.pk, byPk.get(w.pk));
      return out;
    };
    if (this.snapshot) return fromListing(wanted);
    if (wanted.length === 0) return out;
    const { pages } = await (this.plan ??= this.firstPage());
    if (this.snapshot) return fromListing(wanted);
    const rest = wanted.filter((w) => {
      const seen = this.ahead.byPk.get(w.pk);
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

  /** The entry with this pk if a search for its last known address finds it there. */
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

  /**
   * Fresh from Cloudlock, not from the held listing (another writer may have
   * posted since): what is at each new entry's address now. `others` are the
   * entries there besides ours; `ours` says whether our pk was seen there (an
   * answer whose pk is not at the address we sent proves nothing about which
   * entry is ours). Searches for every usual spelling (searchTermsFor) while
   * they cost no more than a new listing, else one listing, which compares
   * canonically: ≤ min(searches, ceil(L/100)) requests.
   */
  async othersAt(ours: Posted[]): Promise<Map<string, AtAddress>> {
    const out = new Map<string, AtAddress>();
    if (ours.length === 0) return out;
    const termsOf = (o: Posted) => {
      const terms = searchTermsFor(o.sent);
      return terms && [...new Set([...terms, searchTerm(o.entry.ip_address)])];
    };
    const terms = ours.map(termsOf);
    const searches = terms.every((t) => t !== undefined)
      ? terms.reduce((n, t) => n + t!.length, 0)
      : Infinity;
    const held = this.snapshot ? (await this.snapshot.listing).byPk.size : 0;
    const pages = Math.max(1, Math.ceil(held / PAGE_LIMIT));
    const at = (o: Posted, entries: Iterable<IpEntry>): AtAddress => {
      const there = [...entries].filter((e) => sameAddress(e.ip_address, o.sent));
      const mine = there.find((e) => e.pk === o.entry.pk);
      return { others: there.filter((e) => e.pk !== o.entry.pk), ours: !!mine, oursName: mine?.name };
    };
    if (searches <= pages) {
      await Promise.all(
        ours.map(async (o, i) => {
          out.set(o.entry.pk, at(o, await this.searchAll(terms[i]!)));
        }),
      );
      return out;
    }
    const listing = await this.refreshListing();
    for (const o of ours) out.set(o.entry.pk, at(o, listing.atAddress(o.sent)));
    return out;
  }

  /**
   * othersAt for one new entry, in rounds: checks that arrive while a round is
   * in flight wait and go together in the next one. Each round starts after
   * every one of its entries was posted, and costs what othersAt costs for all
   * of them, so concurrent creates share a listing when that is cheaper.
   */
  async othersAtOne(entry: IpEntry, sent: string): Promise<AtAddress> {
    let round = this.nextRound;
    if (!round) {
      const joined: Posted[] = [];
      const result = (async () => {
        await this.roundInFlight?.catch(() => undefined);
        if (this.nextRound === round) this.nextRound = undefined;
        return this.othersAt(joined);
      })();
      this.roundInFlight = result;
      this.nextRound = round = { joined, result };
    }
    round.joined.push({ entry, sent });
    return (await round.result).get(entry.pk)!;
  }

  /** Every entry any of these `q=` searches finds, once each. */
  async searchAll(terms: readonly string[]): Promise<IpEntry[]> {
    const found = new Map<string, IpEntry>();
    for (const q of terms) for (const e of await this.collection.listAll({ q })) found.set(e.pk, e);
    return [...found.values()];
  }

  private async search(pk: string, address: string): Promise<IpEntry | undefined> {
    return (await this.collection.listAll({ q: searchTerm(address) })).find((e) => e.pk === pk);
  }

  /**
   * Wait for the next page ahead (fetching it if the last one answered at least two reads, as a search each
   * would have cost more). False when reading ahead has stopped paying: search or list instead.
   */
  private async readAhead(pages: number): Promise<boolean> {
    if (!this.aheadFetch) {
      const { hits } = this.ahead;
      const next = hits.length;
      if (next === 0 || next >= pages || hits[next - 1] < 2) return false;
      const generation = this.generation;
      this.aheadFetch = this.collection
        .page({ offset: next * PAGE_LIMIT })
        .then((page) => {
          if (generation === this.generation) this.keepAhead(next, page.items);
        })
        .finally(() => (this.aheadFetch = undefined));
    }
    try {
      await this.aheadFetch;
    } catch {
      return false; // the search or listing that follows retries and reports
    }
    // Let every read that waited on this page count its hit before anyone judges the page.
    await new Promise((r) => setImmediate(r));
    return true;
  }

  private keepAhead(page: number, items: IpEntry[]): void {
    for (const entry of items)
      if (!this.ahead.byPk.has(entry.pk)) this.ahead.byPk.set(entry.pk, { entry, page });
    this.ahead.hits[page] = 0;
  }

  /** Page 0 of the listing: tells the library's size (and serves as a full listing when it is all there is). */
  private async firstPage(): Promise<{ pages: number }> {
    const generation = this.generation;
    const page = await this.collection.page({ offset: 0 });
    // Only a short page proves the library ends there (a total can be wrong); it then serves as the listing.
    const complete = page.items.length < PAGE_LIMIT;
    const pages = complete ? 1 : Math.max(2, Math.ceil(page.total / PAGE_LIMIT));
    if (complete && !this.snapshot) {
      const listing = Promise.resolve(new Listing(page.items));
      this.snapshot = { listing };
    } else if (generation === this.generation) {
      this.keepAhead(0, page.items);
    }
    // Reads arrive at most ENGINE_PARALLEL at a time: a full batch waiting means many reads; list if that is cheap.
    if (!this.snapshot && this.readsWaiting >= ENGINE_PARALLEL && pages <= 2 * this.readsWaiting) {
      void this.listing();
    }
    return { pages };
  }

  /** The whole library as held (one listing per operation, current with our writes). */
  async all(): Promise<Listing> {
    return this.listing();
  }

  /** Entries whose address is the same set as `ip` (canonical comparison). Uses the full listing. */
  async byAddress(ip: string): Promise<IpEntry[]> {
    return (await this.listing()).atAddress(ip);
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
    this.snapshot = undefined;
    this.dropAhead();
  }

  /** Our own write makes pages read before it stale: forget them (an answer still in flight is ignored). */
  private dropAhead(): void {
    this.generation++;
    if (this.ahead.hits.length) this.ahead = { byPk: new Map(), hits: [] };
  }

  private apply(change: (l: Listing) => void): void {
    this.dropAhead();
    const s = this.snapshot;
    if (!s) return;
    s.listing = s.listing.then((l) => {
      change(l);
      return l;
    });
  }

  /** Run `fn` while holding the address; creates of the same address wait for each other. */
  async withAddress<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    const key = canonicalAddress(ip);
    const previous = this.reservations.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = previous.then(() => mine);
    this.reservations.set(key, chained);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.reservations.get(key) === chained) this.reservations.delete(key);
    }
  }
}
