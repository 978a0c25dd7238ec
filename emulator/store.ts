import * as fs from "fs";
import type { CollectionName, IpEntry } from "../provider/client/types";

/** Where the emulator keeps entries. Handlers only see this interface. */
export interface Store {
  /** All entries of a collection in creation order (expired ones included). */
  all(collection: CollectionName): IpEntry[];
  get(collection: CollectionName, pk: string): IpEntry | undefined;
  insert(collection: CollectionName, entry: IpEntry): void;
  replace(collection: CollectionName, entry: IpEntry): void;
  /** Removes the given ids; returns those that existed. */
  remove(collection: CollectionName, pks: readonly string[]): string[];
  clear(): void;
}

/** In-memory store, optionally persisted to a JSON file after every write (demo survives restarts). */
export class MemoryStore implements Store {
  private data: Record<CollectionName, Map<string, IpEntry>> = { suspicious: new Map(), trusted: new Map() };

  constructor(private readonly file?: string) {
    if (file && fs.existsSync(file)) {
      const saved = JSON.parse(fs.readFileSync(file, "utf8")) as Record<CollectionName, IpEntry[]>;
      for (const c of ["suspicious", "trusted"] as const) {
        for (const e of saved[c] ?? []) this.data[c].set(e.pk, e);
      }
    }
  }

  all(collection: CollectionName): IpEntry[] {
    return [...this.data[collection].values()];
  }
  get(collection: CollectionName, pk: string): IpEntry | undefined {
    return this.data[collection].get(pk);
  }
  insert(collection: CollectionName, entry: IpEntry): void {
    this.data[collection].set(entry.pk, entry);
    this.save();
  }
  replace(collection: CollectionName, entry: IpEntry): void {
    this.data[collection].set(entry.pk, entry);
    this.save();
  }
  remove(collection: CollectionName, pks: readonly string[]): string[] {
    const removed = pks.filter((pk) => this.data[collection].delete(pk));
    if (removed.length) this.save();
    return removed;
  }
  clear(): void {
    this.data = { suspicious: new Map(), trusted: new Map() };
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(
      tmp,
      JSON.stringify({ suspicious: this.all("suspicious"), trusted: this.all("trusted") }, null, 1),
    );
    fs.renameSync(tmp, this.file);
  }
}
