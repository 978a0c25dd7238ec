import type { CloudlockClient } from "./client";
import { decodeEntry } from "./decode";
import { CloudlockError } from "./errors";
import { multipartFile } from "./multipart";
import {
  CollectionName,
  EntryPatch,
  IpEntry,
  ListPage,
  ListQuery,
  NewEntry,
  UPDATABLE_FIELDS,
} from "./types";

export interface ListOptions {
  /** Called after each page: entries yielded so far, and the server's total. */
  onPage?: (progress: { fetched: number; total: number }) => void;
}

/** Largest page the API serves. */
export const PAGE_LIMIT = 100;
/** Ids per DELETE: keeps URLs far below common 2–8 KB limits (pks are ≤ 11 characters). */
export const DELETE_CHUNK = 50;
/** Extra walks when the collection changed under a listing. */
const MAX_EXTRA_WALKS = 3;

/**
 * One IP library (`/ip/suspicious` or `/ip/trusted`). A thin view over the
 * client: every method is one or a few requests.
 */
export class IpCollection {
  readonly path: string;

  constructor(
    private readonly client: CloudlockClient,
    readonly name: CollectionName,
  ) {
    this.path = `/ip/${name}`;
  }

  /** One page, as the API returns it. */
  async page(query: ListQuery & { offset: number; limit?: number }): Promise<ListPage> {
    const res = await this.client.request<Partial<ListPage>>("GET", this.path, {
      query: { q: query.q, name: query.name, offset: query.offset, limit: query.limit ?? PAGE_LIMIT },
    });
    const body = res.data ?? {};
    const items = Array.isArray(body.items) ? body.items.map(decodeEntry) : [];
    return {
      items,
      limit: body.limit ?? query.limit ?? PAGE_LIMIT,
      offset: body.offset ?? query.offset,
      total: typeof body.total === "number" ? body.total : items.length,
      results: body.results ?? items.length,
    };
  }

  /**
   * Every entry matching the query, page by page (limit 100, explicit offsets).
   * Never yields an entry twice. If the total changed while paging (someone
   * added or removed entries), walks again so a shifted entry is not missed.
   * `onPage` hears after each page how many entries were yielded of the total.
   */
  async *list(query: ListQuery = {}, opts: ListOptions = {}): AsyncGenerator<IpEntry> {
    const seen = new Set<string>();
    for (let walk = 0; walk <= MAX_EXTRA_WALKS; walk++) {
      let offset = 0;
      let firstTotal: number | undefined;
      let changed = false;
      for (;;) {
        const page = await this.page({ ...query, offset });
        firstTotal ??= page.total;
        if (page.total !== firstTotal) changed = true;
        const fresh: IpEntry[] = [];
        for (const item of page.items) {
          if (seen.has(item.pk)) continue;
          seen.add(item.pk);
          fresh.push(item);
        }
        opts.onPage?.({ fetched: seen.size, total: page.total });
        yield* fresh;
        offset += page.items.length;
        if (page.items.length === 0 || offset >= page.total) break;
      }
      if (!changed) return;
    }
  }

  /** All matching entries in one array. */
  async listAll(query: ListQuery = {}, opts: ListOptions = {}): Promise<IpEntry[]> {
    const out: IpEntry[] = [];
    for await (const e of this.list(query, opts)) out.push(e);
    return out;
  }

  /** Create one entry (POST). Not retried on 5xx: the entry may exist already. */
  async create(entry: NewEntry): Promise<IpEntry> {
    if (this.name === "trusted" && entry.expires_on !== undefined) {
      throw new CloudlockError(
        "expires_on is only valid for suspicious entries; trusted entries do not expire",
      );
    }
    const res = await this.client.request<IpEntry>("POST", this.path, { json: dropUndefined(entry) });
    return res.data && typeof res.data === "object" ? decodeEntry(res.data) : res.data;
  }

  /**
   * Update fields this collection's PUT accepts (suspicious: ip_address,
   * expires_on, categories, description; trusted: ip_address, name,
   * categories, description). Anything else is refused before sending.
   * Resolves with the entry if the server returns it.
   */
  async update(pk: string, patch: EntryPatch): Promise<IpEntry | undefined> {
    const allowed: readonly string[] = UPDATABLE_FIELDS[this.name];
    const body = dropUndefined(patch as Record<string, unknown>);
    const refused = Object.keys(body).filter((k) => !allowed.includes(k));
    if (refused.length) {
      throw new CloudlockError(
        `${this.name} entries cannot change ${refused.join(", ")} in place (the API's PUT accepts ${allowed.join(", ")}); replace the entry instead`,
      );
    }
    const res = await this.client.request<unknown>("PUT", `${this.path}/${encodeURIComponent(pk)}`, {
      json: body,
    });
    const data = res.data as Partial<IpEntry> | undefined;
    return data && typeof data === "object" && typeof data.pk === "string"
      ? decodeEntry(data as IpEntry)
      : undefined;
  }

  /** Delete entries by id, in chunks of DELETE_CHUNK ids per request. */
  async delete(pks: readonly string[]): Promise<void> {
    const unique = [...new Set(pks)];
    for (let i = 0; i < unique.length; i += DELETE_CHUNK) {
      const ids = unique.slice(i, i + DELETE_CHUNK).join(",");
      await this.client.request<unknown>("DELETE", this.path, { query: { ids } });
    }
  }

  /** Upload a CSV in Cloudlock's import format (multipart field `file`). Returns the server's summary as-is. */
  async importCsv(csv: string | Buffer, filename = "import.csv"): Promise<unknown> {
    const { body, contentType } = multipartFile("file", filename, csv);
    const res = await this.client.request<unknown>("POST", this.path, { body, contentType });
    return res.data;
  }
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
