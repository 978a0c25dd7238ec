/**
 * A store with an index by address on top, for the duplicate check: "who holds this address" is one lookup per
 * write instead of a read of the whole library, so a create of n entries costs O(n), not O(n²).
 *
 * Every write the server makes goes through here, and the index follows a write only after the inner store took
 * it: a write the store refuses (a data file it cannot save) leaves both as they were. Any {@link Store} can sit
 * underneath, so a store given in the options is indexed the same way.
 */
import { COLLECTIONS, type CollectionName, type IpEntry } from "../provider/client/types";
import type { Store } from "./store";

type PerLibrary<T> = Record<CollectionName, T>;

function perLibrary<T>(make: () => T): PerLibrary<T> {
  return Object.fromEntries(COLLECTIONS.map((c) => [c, make()])) as PerLibrary<T>;
}

export class IndexedStore implements Store {
  /** pk → its key, so a replace or remove finds what to unindex without the old entry. */
  private keys = perLibrary(() => new Map<string, string>());
  /** key → the pks holding it, in the order they took it. */
  private holders = perLibrary(() => new Map<string, Set<string>>());

  /**
   * @param inner where entries live.
   * @param keyOf the address key entries are indexed by (the emulator's canonical spelling).
   */
  constructor(
    private readonly inner: Store,
    private readonly keyOf: (address: string) => string,
  ) {
    for (const collection of COLLECTIONS) for (const e of inner.all(collection)) this.index(collection, e);
  }

  all(collection: CollectionName): IpEntry[] {
    return this.inner.all(collection);
  }
  get(collection: CollectionName, pk: string): IpEntry | undefined {
    return this.inner.get(collection, pk);
  }
  insert(collection: CollectionName, entry: IpEntry): void {
    this.inner.insert(collection, entry);
    this.index(collection, entry);
  }
  replace(collection: CollectionName, entry: IpEntry): void {
    this.inner.replace(collection, entry);
    this.index(collection, entry);
  }
  remove(collection: CollectionName, pks: readonly string[]): string[] {
    const removed = this.inner.remove(collection, pks);
    for (const pk of removed) this.unindex(collection, pk);
    return removed;
  }
  clear(): void {
    this.inner.clear();
    this.keys = perLibrary(() => new Map<string, string>());
    this.holders = perLibrary(() => new Map<string, Set<string>>());
  }

  /** The entries whose address has `key` (expired ones included), in the order they took it. */
  holding(collection: CollectionName, key: string): IpEntry[] {
    const pks = this.holders[collection].get(key);
    if (!pks) return [];
    const out: IpEntry[] = [];
    for (const pk of pks) {
      const e = this.inner.get(collection, pk);
      if (e) out.push(e);
    }
    return out;
  }

  private index(collection: CollectionName, entry: IpEntry): void {
    const key = this.keyOf(entry.ip_address);
    if (this.keys[collection].get(entry.pk) === key) return;
    this.unindex(collection, entry.pk);
    this.keys[collection].set(entry.pk, key);
    const pks = this.holders[collection].get(key);
    if (pks) pks.add(entry.pk);
    else this.holders[collection].set(key, new Set([entry.pk]));
  }

  private unindex(collection: CollectionName, pk: string): void {
    const key = this.keys[collection].get(pk);
    if (key === undefined) return;
    this.keys[collection].delete(pk);
    const pks = this.holders[collection].get(key);
    pks?.delete(pk);
    if (pks?.size === 0) this.holders[collection].delete(key);
  }
}
