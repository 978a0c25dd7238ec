import * as fs from "fs";
import * as path from "path";
import { COLLECTIONS, type CollectionName, type IpEntry } from "../provider/client/types";
import { problem } from "../provider/client/errors";

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

type Data = Record<CollectionName, Map<string, IpEntry>>;

/**
 * In-memory store, optionally persisted to a JSON file after every write (demo survives restarts).
 * With a file, a write is saved first and only then applied in memory: one that cannot be saved throws
 * and changes nothing, so the answer (a 500) and the state agree.
 */
export class MemoryStore implements Store {
  private data: Data = { suspicious: new Map(), trusted: new Map() };

  /**
   * @throws Error naming `file` when it holds no valid JSON or its folder is missing or not writable
   *   (checked now rather than failing every later write).
   */
  constructor(private readonly file?: string) {
    if (!file) return;
    const dir = path.dirname(path.resolve(file));
    try {
      if (!fs.statSync(dir).isDirectory()) throw new Error(`"${dir}" is not a folder`);
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? `its folder "${dir}" does not exist`
          : code === "EACCES" || code === "EPERM" || code === "EROFS"
            ? `its folder "${dir}" is not writable`
            : (e as Error).message;
      throw problem("emulator-start", { problem: `cannot keep data in "${file}": ${why}` });
    }
    if (!fs.existsSync(file)) return;
    let saved: Partial<Record<CollectionName, IpEntry[]>>;
    try {
      saved = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Record<CollectionName, IpEntry[]>>;
    } catch (e) {
      if (!(e instanceof SyntaxError))
        throw problem("emulator-start", {
          problem: `cannot read data file "${file}": ${(e as Error).message}`,
        });
      throw problem("emulator-start", {
        problem: `data file "${file}" is not valid JSON (${e.message}); fix or remove it`,
      });
    }
    const valid =
      saved !== null &&
      typeof saved === "object" &&
      !Array.isArray(saved) &&
      COLLECTIONS.every(
        (c) =>
          saved[c] === undefined ||
          (Array.isArray(saved[c]) &&
            saved[c].every((e) => e !== null && typeof e === "object" && "pk" in e)),
      );
    if (!valid)
      throw problem("emulator-start", {
        problem: `data file "${file}" is not an emulator data file (expected {"suspicious": [entries], "trusted": [entries]}); fix or remove it`,
      });
    for (const c of COLLECTIONS) {
      for (const e of saved[c] ?? []) this.data[c].set(e.pk, e);
    }
  }

  all(collection: CollectionName): IpEntry[] {
    return [...this.data[collection].values()];
  }
  get(collection: CollectionName, pk: string): IpEntry | undefined {
    return this.data[collection].get(pk);
  }
  insert(collection: CollectionName, entry: IpEntry): void {
    this.write((d) => d[collection].set(entry.pk, entry));
  }
  replace(collection: CollectionName, entry: IpEntry): void {
    this.write((d) => d[collection].set(entry.pk, entry));
  }
  remove(collection: CollectionName, pks: readonly string[]): string[] {
    const removed = [...new Set(pks)].filter((pk) => this.data[collection].has(pk));
    if (removed.length) this.write((d) => removed.forEach((pk) => d[collection].delete(pk)));
    return removed;
  }
  clear(): void {
    this.write((d) => {
      d.suspicious.clear();
      d.trusted.clear();
    });
  }

  /** Apply `change`: without a file in place; with one, to a copy that is saved and only then kept. */
  private write(change: (d: Data) => void): void {
    if (!this.file) return void change(this.data);
    const next: Data = { suspicious: new Map(this.data.suspicious), trusted: new Map(this.data.trusted) };
    change(next);
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(
      tmp,
      JSON.stringify(
        { suspicious: [...next.suspicious.values()], trusted: [...next.trusted.values()] },
        null,
        1,
      ),
    );
    fs.renameSync(tmp, this.file);
    this.data = next;
  }
}
