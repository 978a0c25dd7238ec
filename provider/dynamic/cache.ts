import { canonicalAddress } from "../address";
import type { IpCollection } from "../client/collection";
import type { IpEntry } from "../client/types";

/** Canonical form per entry object, parsed once: N duplicate checks over L entries compare strings, not re-parse. */
const canonicalCache = new WeakMap<IpEntry, string>();
function canonicalOf(e: IpEntry): string {
  let c = canonicalCache.get(e);
  if (c === undefined) {
    c = canonicalAddress(e.ip_address);
    canonicalCache.set(e, c);
  }
  return c;
}

/**
 * One listing of a collection, shared by every resource of the provider
 * process. The API has no GET by id, so N reads would otherwise list the
 * collection N times; here concurrent reads share one in-flight listing, and
 * our own writes are applied to it in place (so N creates need one listing for
 * their duplicate checks, not N).
 */
export class LibraryCache {
  private snapshot?: { takenAt: number; entries: Promise<Map<string, IpEntry>> };
  /** Serialises creates of the same canonical address in this process. */
  private readonly reservations = new Map<string, Promise<void>>();

  constructor(
    private readonly collection: IpCollection,
    /** A listing older than this is taken again (others may have edited the library). */
    private readonly ttlMs = 30_000,
  ) {}

  /** Every entry by pk; shares a listing in flight or fresh enough. */
  entries(): Promise<Map<string, IpEntry>> {
    const s = this.snapshot;
    if (s && Date.now() - s.takenAt < this.ttlMs) return s.entries;
    return this.refresh();
  }

  /** Take a new listing now (e.g. an id was not found in an older one). */
  refresh(): Promise<Map<string, IpEntry>> {
    const entries = this.collection.listAll().then((list) => new Map(list.map((e) => [e.pk, e])));
    const snap = { takenAt: Date.now(), entries };
    this.snapshot = snap;
    // A failed listing must not be cached.
    entries.catch(() => {
      if (this.snapshot === snap) this.snapshot = undefined;
    });
    return entries;
  }

  async byPk(pk: string): Promise<IpEntry | undefined> {
    return (await this.entries()).get(pk);
  }

  /** Entries whose address is the same set as `ip` (canonical comparison). */
  async byAddress(ip: string): Promise<IpEntry[]> {
    const c = canonicalAddress(ip);
    return [...(await this.entries()).values()].filter((e) => canonicalOf(e) === c);
  }

  /** Record our own write in the listing, if one is held. */
  noteWritten(entry: IpEntry): void {
    this.apply((m) => m.set(entry.pk, entry));
  }

  noteDeleted(pks: readonly string[]): void {
    this.apply((m) => pks.forEach((pk) => m.delete(pk)));
  }

  /** Forget the listing (a write whose outcome is unknown). */
  invalidate(): void {
    this.snapshot = undefined;
  }

  private apply(change: (m: Map<string, IpEntry>) => void): void {
    const s = this.snapshot;
    if (!s) return;
    s.entries = s.entries.then((m) => {
      change(m);
      return m;
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
