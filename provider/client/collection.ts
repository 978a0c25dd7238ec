import { sameAddress } from "../address";
import type { Requester } from "./request";
import { decodeEntry } from "./decode";
import { IncompleteListingError, type NotFoundError, isNotFoundError, problem } from "./errors";
import { ENTRY_FIELDS, FIELDS, type FieldSpec, WIRE } from "../model";
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
  /**
   * When the library never holds still for a whole walk (other writers, or our
   * own creates in flight): `"error"` (the default) fails with
   * IncompleteListingError; `"union"` yields every entry seen by the last two
   * walks, for callers that confirm absences themselves (the providers search
   * for an entry before they conclude it gone, and refuse a duplicate rather
   * than make one).
   */
  whenBusy?: "error" | "union";
  /**
   * Take a listing only when two walks in a row saw the same entries (at
   * least two walks). One walk can miss an entry that another writer's delete
   * slid onto a page already read, with the total unchanged; callers that
   * write what they read to a file (import) ask for this.
   */
  confirm?: boolean;
}

/** Largest page the API serves. */
export const PAGE_LIMIT = 100;
/** Ids per DELETE: keeps URLs far below common 2–8 KB limits (pks are ≤ 11 characters). */
export const DELETE_CHUNK = 50;
/** Extra walks when the collection changed under a listing: at most 1 + 3 walks, then an error. */
const MAX_EXTRA_WALKS = 3;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The address an answer's entry holds, if it is an entry with one. */
const answeredAddress = (d: unknown): string | undefined => {
  const a = isObject(d) ? d[WIRE.address] : undefined;
  return typeof a === "string" ? a : undefined;
};

/** How a body that is not the expected JSON object reads in an error. */
function describeBody(d: unknown): string {
  if (d === undefined) return "an empty body";
  if (typeof d === "string")
    return d.trim().startsWith("<") ? "an HTML page" : "a body that is not JSON (or is cut off)";
  if (Array.isArray(d)) return "a JSON list instead of an object";
  return `a JSON ${d === null ? "null" : typeof d} instead of an object`;
}

/** The list envelope: `items` a list of entries with a pk, and numeric `total`, `offset` and `limit`. */
export function listShapeProblem(d: unknown): string | undefined {
  if (!isObject(d)) return describeBody(d);
  if (!Array.isArray(d.items)) return "a list envelope without an items list";
  for (const k of ["total", "offset", "limit"]) {
    const v = d[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      return `a list envelope whose ${k} is ${v === undefined ? "missing" : JSON.stringify(v)}, not a count`;
  }
  const bad = d.items.findIndex((e) => !isObject(e) || typeof e.pk !== "string" || e.pk === "");
  return bad >= 0 ? `a list envelope whose items[${bad}] is not an entry with a pk` : undefined;
}

/** A create's answer: an entry with its pk. */
export function entryShapeProblem(d: unknown): string | undefined {
  if (!isObject(d)) return describeBody(d);
  return typeof d.pk === "string" && d.pk !== "" ? undefined : "an object that is not an entry with a pk";
}

/** An update's answer: nothing (the docs show no body), or a JSON object (an entry is used if it is one). */
const updateShapeProblem = (d: unknown) => (d === undefined || isObject(d) ? undefined : describeBody(d));

/**
 * One IP library (`/ip/suspicious` or `/ip/trusted`). A thin view over the
 * client: every method is one or a few requests.
 */
export class IpCollection {
  readonly path: string;
  /** Settled once a listing of this library was answered (see delete). */
  private answers?: Promise<void>;

  constructor(
    private readonly client: Requester,
    readonly name: CollectionName,
  ) {
    this.path = `/ip/${name}`;
  }

  /** One page, as the API returns it. */
  async page(query: ListQuery & { offset: number; limit?: number }): Promise<ListPage> {
    const res = await this.client.request<ListPage>("GET", this.path, {
      query: { q: query.q, name: query.name, offset: query.offset, limit: query.limit ?? PAGE_LIMIT },
      expect: listShapeProblem,
    });
    const body = res.data;
    const items = body.items.map(decodeEntry);
    return { items, limit: body.limit, offset: body.offset, total: body.total, results: items.length };
  }

  /**
   * Every entry matching the query, page by page (limit 100, explicit
   * offsets), yielded once the listing is proven complete:
   *  - a walk reads pages until an empty one, or a short one (fewer items
   *    than the page's limit) once it holds `total` entries, and de-duplicates by pk;
   *  - it is complete when `total` stayed put, no pk came twice, and the count
   *    matches `total`; a count above `total` is also taken when two walks in a
   *    row saw exactly the same pks (a server that under-counts);
   *  - otherwise the library changed under it, and it walks again: at most
   *    1 + 3 walks, then an IncompleteListingError (never a partial listing);
   *  - a count below the largest total any page of the walk said is never complete;
   *  - a full page with nothing new (offset ignored) makes a walk incomplete;
   *  - with `confirm`, two walks in a row must agree, and a walk ends only at an empty page.
   * `onPage` hears after each page how many entries the walk has read of the total.
   */
  async *list(query: ListQuery = {}, opts: ListOptions = {}): AsyncGenerator<IpEntry> {
    let previous: Map<string, IpEntry> | undefined;
    let why = "";
    for (let walk = 0; walk <= MAX_EXTRA_WALKS; walk++) {
      const seen = new Map<string, IpEntry>();
      let total: number | undefined;
      /** The largest total a page of this walk said: a listing shorter than that is not complete. */
      let most = 0;
      let changed = false;
      let stalled = false;
      for (let offset = 0; ;) {
        const page = await this.page({ ...query, offset });
        if (total !== undefined && page.total !== total) changed = true;
        total = page.total;
        most = Math.max(most, page.total);
        let fresh = 0;
        for (const item of page.items) {
          if (seen.has(item.pk)) {
            changed = true;
          } else {
            seen.set(item.pk, item);
            fresh++;
          }
        }
        opts.onPage?.({ fetched: seen.size, total: page.total });
        offset += page.items.length;
        // A full page with nothing new: a server that ignores offset. Such a walk is never complete.
        if (fresh === 0 && page.items.length > 0) {
          stalled = true;
          break;
        }
        // A short page ends the walk once it holds what `total` counts (a server may cap pages below the limit
        // it reports); an empty page always does; when confirming, only an empty one.
        const short = page.items.length < Math.min(page.limit || PAGE_LIMIT, PAGE_LIMIT);
        if (page.items.length === 0 || (!opts.confirm && short && seen.size >= page.total)) break;
      }
      const stable = previous !== undefined && sameKeys(new Set(previous.keys()), new Set(seen.keys()));
      // Confirmed: a second walk saw the same pks (a walk alone cannot see an entry that slid onto a page read).
      const done = !stalled && ((!changed && seen.size === total) || (stable && seen.size >= most));
      if (done && (!opts.confirm || stable)) {
        yield* seen.values();
        return;
      }
      why = stalled
        ? "a page at a later offset repeated entries already read: the server seems to ignore offset"
        : changed
          ? "the library changed while it was being read"
          : done
            ? "two walks in a row did not see the same entries"
            : `the server said total ${most} but the listing ended after ${seen.size} entries`;
      if (walk === MAX_EXTRA_WALKS && changed && opts.whenBusy === "union" && previous) {
        for (const [pk, e] of previous) if (!seen.has(pk)) seen.set(pk, e);
        // Busy, but every entry the server counted is there; fewer is a listing that cannot be read (offset ignored?).
        if (seen.size >= most) {
          yield* seen.values();
          return;
        }
      }
      previous = seen;
    }
    throw new IncompleteListingError({ path: this.path, walks: MAX_EXTRA_WALKS + 1, why });
  }

  /** All matching entries in one array. */
  async listAll(query: ListQuery = {}, opts: ListOptions = {}): Promise<IpEntry[]> {
    const out: IpEntry[] = [];
    for await (const e of this.list(query, opts)) out.push(e);
    return out;
  }

  /** Create one entry (POST). Not retried on 5xx: the entry may exist already. */
  async create(entry: NewEntry): Promise<IpEntry> {
    for (const f of ENTRY_FIELDS) {
      const spec: FieldSpec = FIELDS[f];
      if (spec.in.includes(this.name) || (entry as Record<string, unknown>)[spec.api] === undefined) continue;
      throw problem("validation", {
        field: spec.api,
        reason: `is only valid for ${spec.in.join(" and ")} entries; ${spec.notIn ?? `${this.name} entries have no ${spec.api}`}`,
      });
    }
    const res = await this.client.request<IpEntry>("POST", this.path, {
      json: dropUndefined(entry),
      // An entry at another address is not the one we made (a proxy's or a cache's answer): its pk proves nothing.
      expect: (d) => {
        const at = answeredAddress(d);
        return (
          entryShapeProblem(d) ??
          (at !== undefined && !sameAddress(at, entry[WIRE.address])
            ? `an entry at ${JSON.stringify(at)}, not at the address sent (${entry[WIRE.address]})`
            : undefined)
        );
      },
    });
    return decodeEntry(res.data);
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
      throw problem("validation", {
        field: `${this.name} entries`,
        reason: `cannot change ${refused.join(", ")} in place (the API's PUT accepts ${allowed.join(", ")}); replace the entry instead`,
      });
    }
    const res = await this.client.request<unknown>("PUT", `${this.path}/${encodeURIComponent(pk)}`, {
      json: body,
      expect: updateShapeProblem,
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
      try {
        await this.client.request<unknown>("DELETE", this.path, { query: { ids } });
      } catch (e) {
        // A 404 means "no such id" only if the library itself answers: a wrong base URL 404s every path.
        if (isNotFoundError(e)) await (this.answers ??= this.routeAnswers(e));
        throw e;
      }
    }
  }

  private async routeAnswers(refused: NotFoundError): Promise<void> {
    const deleteFacts = {
      status: refused.status,
      statusText: "Not Found",
      method: refused.method,
      path: refused.path,
      serverMessage: refused.serverMessage,
    };
    try {
      await this.page({ offset: 0, limit: 1 });
    } catch (e) {
      if (!isNotFoundError(e)) throw e;
      // Not a NotFoundError itself: nothing may be counted deleted on the strength of it.
      throw problem("wrong-url", deleteFacts);
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

function sameKeys(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((k) => b.has(k));
}
