/**
 * The IP Libraries API as the docs (and shared/NOTES.md §1) describe it.
 * Handlers return values (./reply.ts) or throw HttpError; the one adapter
 * (./http.ts) turns either into a response, so error bodies are written in one place.
 *
 * Where the docs are silent, the knobs (./knobs.ts) choose the answer. The
 * store keeps entries in the server's own form (its address spelling,
 * timestamps, nulls); `render` adds what only exists on the wire (categories
 * as one string, fields a client does not know).
 */
import type { CollectionName, IpEntry } from "../provider/client/types";
import { CsvImportError, csvEntries } from "../common/csv";
import { clockNow } from "./clock";
import {
  CREATE_FIELDS,
  PUT_FIELDS,
  canonical,
  compare,
  intParam,
  objectBody,
  optionalString,
  parseExpiry,
  rejectFields,
  requireString,
  validAddress,
  validCategories,
} from "./fields";
import type { Knobs } from "./knobs";
import { HttpError, type Reply } from "./reply";
import {
  NO_PLACE,
  isoMicro,
  isoSeconds,
  isoSecondsOffset,
  locationFor,
  newPk,
  serverSpelling,
} from "./spelling";
import type { IndexedStore } from "./address-index";

const DAY_MS = 86_400_000;

export class LibraryApi {
  private microCounter = 0;

  constructor(
    readonly store: IndexedStore,
    private readonly knobs: () => Knobs,
  ) {}

  /** The emulator's clock, ms: real time moved by the clockOffsetMs knob. */
  now(): number {
    return clockNow(this.knobs());
  }

  private stamp(): string {
    return isoMicro(this.now(), this.microCounter++);
  }

  /** created_on and updated_on of a new entry. */
  private creationStamps(): { created: string; updated: string } {
    if (this.knobs().timestampStyle === "varied") {
      const now = this.now();
      return { created: isoSeconds(now), updated: new Date(now).toISOString() };
    }
    const s = this.stamp();
    return { created: s, updated: s };
  }

  /** updated_on of a PUT. */
  private updateStamp(): string {
    return this.knobs().timestampStyle === "varied" ? new Date(this.now()).toISOString() : this.stamp();
  }

  /** updated_on of an out-of-band edit (the UI). */
  editStamp(): string {
    const now = this.now();
    return this.knobs().timestampStyle === "varied" ? new Date(now).toISOString() : isoMicro(now);
  }

  isExpired(e: IpEntry): boolean {
    return !!e.expires_on && Date.parse(e.expires_on) <= this.now();
  }

  /** Entries a client can see: expired suspicious entries vanish unless the knob keeps them. */
  visible(collection: CollectionName): IpEntry[] {
    const all = this.store.all(collection);
    return this.knobs().expired === "hide" ? all.filter((e) => !this.isExpired(e)) : all;
  }

  /** An entry as the wire shows it. */
  render(e: IpEntry): IpEntry | Record<string, unknown> {
    const k = this.knobs();
    if (k.categoriesFormat === "list" && k.emptyFields === "empty" && !k.extraFields) return e;
    const out: Record<string, unknown> = { ...e };
    const categories = e.categories ?? [];
    if (categories.length === 0 && k.emptyFields === "null") delete out.categories;
    else if (k.categoriesFormat === "string") out.categories = categories.join(", ");
    if (k.extraFields) {
      out.org_id = "org-1";
      out.source = "api";
    }
    return out;
  }

  list(collection: CollectionName, params: URLSearchParams): Record<string, unknown> {
    const k = this.knobs();
    if (k.unknownQuery === "reject") {
      for (const key of params.keys()) {
        if (!["q", "name", "offset", "limit"].includes(key))
          throw new HttpError(400, `unknown query parameter "${key}"`);
      }
    }
    const limit =
      k.limitOverMax === "clamp"
        ? Math.min(100, intParam(params, "limit", k.defaultLimit, 1, Number.MAX_SAFE_INTEGER))
        : intParam(params, "limit", k.defaultLimit, 1, 100);
    const offset = intParam(params, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    const fold = k.searchCase === "insensitive" ? (s: string) => s.toLowerCase() : (s: string) => s;
    const qRaw = params.get("q");
    const nameRaw = params.get("name");
    const q = qRaw === null ? undefined : fold(qRaw);
    const name = nameRaw === null ? undefined : fold(nameRaw);
    const visible = this.visible(collection);
    const pool = k.listOrder === "newest-first" ? [...visible].reverse() : visible;
    const matches = pool.filter((e) => {
      if (name !== undefined && !fold(e.name).includes(name)) return false;
      if (q !== undefined) {
        const categories = e.categories ?? [];
        const hay = [
          e.name,
          e.location ?? "",
          e.ip_address,
          ...(k.categoriesFormat === "string" ? [categories.join(", ")] : categories),
        ];
        if (!hay.some((h) => fold(h).includes(q))) return false;
      }
      return true;
    });
    const items = matches.slice(offset, offset + limit).map((e) => this.render(e));
    const totals = {
      exact: matches.length,
      missing: undefined,
      string: String(matches.length),
      low: Math.floor(matches.length / 2),
    };
    const page: Record<string, unknown> = { limit, offset, total: totals[k.listTotal] };
    if (k.envelopeResults) page.results = items.length;
    page.items = items;
    if (k.extraFields) {
      const more = new URLSearchParams(params);
      more.set("limit", String(limit));
      more.set("offset", String(offset + limit));
      page.next = offset + limit < matches.length ? `/ip/${collection}?${more}` : null;
    }
    return page;
  }

  create(collection: CollectionName, body: unknown): Reply {
    const input = this.writable(objectBody(body), CREATE_FIELDS[collection], collection, "create");
    const entry = this.buildEntry(collection, input);
    this.insertChecked(collection, [entry]);
    if (this.knobs().createReply === "201-entry") {
      return {
        status: 201,
        body: this.render(entry),
        headers: { Location: `/ip/${collection}/${entry.pk}` },
      };
    }
    return { body: this.render(entry), headers: { Location: `/ip/${collection}` } };
  }

  /** Validate and complete an entry from create-shaped input. */
  buildEntry(
    collection: CollectionName,
    input: Record<string, unknown>,
    pk = newPk(this.knobs().pkLength),
  ): IpEntry {
    const name = this.name(input);
    const ip = this.address(input.ip_address);
    const stamps = this.creationStamps();
    const entry: IpEntry = {
      pk,
      type: collection,
      name,
      description: this.description(input),
      ip_address: ip,
      location: this.location(ip),
      categories: this.categories(input.categories),
      created_on: stamps.created,
      updated_on: stamps.updated,
    };
    if (collection === "suspicious") entry.expires_on = this.expiry(input.expires_on);
    else if (this.knobs().emptyFields === "null") entry.expires_on = null;
    return entry;
  }

  /** Insert after the duplicate check (all or nothing). */
  insertChecked(collection: CollectionName, entries: IpEntry[]): void {
    if (this.knobs().duplicates === "reject") {
      const batch = new Map<string, IpEntry>();
      for (const e of entries) {
        const c = canonical(e.ip_address);
        const other = batch.get(c) ?? this.holder(collection, c);
        if (other) {
          throw new HttpError(
            400,
            `ip_address "${e.ip_address}" already exists in the ${collection} library (entry ${other.pk}, "${other.name}")`,
          );
        }
        batch.set(c, e);
      }
    }
    for (const e of entries) this.store.insert(collection, e);
  }

  /** The first entry a client can see whose address has canonical spelling `key`, other than `except`. */
  private holder(collection: CollectionName, key: string, except?: string): IpEntry | undefined {
    const hide = this.knobs().expired === "hide";
    return this.store.holding(collection, key).find((e) => e.pk !== except && !(hide && this.isExpired(e)));
  }

  update(collection: CollectionName, pk: string, body: unknown): Reply {
    const raw = objectBody(body);
    const k = this.knobs();
    const existing = this.store.get(collection, pk);
    if (!existing || (k.expired === "hide" && this.isExpired(existing))) {
      throw new HttpError(404, `no ${collection} entry with id "${pk}"`);
    }
    const input = this.writable(raw, PUT_FIELDS[collection], collection, "update");
    const full = k.updateMode === "full";
    if (full) {
      for (const f of collection === "trusted" ? ["ip_address", "name"] : ["ip_address"]) {
        if (!(f in input))
          throw new HttpError(400, `field "${f}" is required: a PUT replaces the whole ${collection} entry`);
      }
    }
    const next: IpEntry = { ...existing };
    if ("ip_address" in input) next.ip_address = this.address(input.ip_address);
    if ("name" in input) next.name = this.name(input);
    if (full || "description" in input) next.description = this.description(input);
    if (full || "categories" in input) next.categories = this.categories(input.categories);
    if (collection === "suspicious" && (full || "expires_on" in input))
      next.expires_on = this.expiry(input.expires_on);
    if (next.ip_address !== existing.ip_address) {
      next.location = this.location(next.ip_address);
      if (k.duplicates === "reject") {
        const other = this.holder(collection, canonical(next.ip_address), pk);
        if (other) {
          throw new HttpError(
            400,
            `ip_address "${next.ip_address}" already exists in the ${collection} library (entry ${other.pk})`,
          );
        }
      }
    }
    next.updated_on = this.updateStamp();
    this.store.replace(collection, next);
    return k.updateReply === "empty" ? {} : { body: this.render(next) };
  }

  remove(collection: CollectionName, params: URLSearchParams): Reply {
    const k = this.knobs();
    const raw = params.get("ids");
    if (raw === null || raw.trim() === "")
      throw new HttpError(400, 'query parameter "ids" is required (comma-separated entry ids)');
    const ids = raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (k.maxDeleteIds !== null && ids.length > k.maxDeleteIds)
      throw new HttpError(400, `at most ${k.maxDeleteIds} ids per request, got ${ids.length}`);
    if (k.unknownDeleteIds === "404") {
      const unknown = ids.filter((id) => !this.store.get(collection, id));
      if (unknown.length) throw new HttpError(404, `no ${collection} entries with ids: ${unknown.join(",")}`);
    }
    const deleted = this.store.remove(collection, ids);
    return k.deleteReply === "no-content" ? { status: 204 } : { body: { deleted: deleted.length } };
  }

  importCsv(collection: CollectionName, csvText: string): Reply {
    const entries: IpEntry[] = [];
    try {
      for (const { line, fields } of csvEntries(collection, csvText)) {
        try {
          entries.push(this.buildEntry(collection, fields));
        } catch (e) {
          if (e instanceof HttpError) throw new HttpError(400, `CSV line ${line}: ${e.message}`);
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof CsvImportError) throw new HttpError(400, e.message);
      throw e;
    }
    this.insertChecked(collection, entries);
    if (this.knobs().importReply === "empty") return {};
    return { body: { imported: entries.length, items: entries.map((e) => e.pk) } };
  }

  // ---- fields, as the knobs spell them ----

  /** The fields a request may write: others are refused (400 naming the field) or dropped. */
  private writable(
    input: Record<string, unknown>,
    allowed: string[],
    collection: CollectionName,
    op: string,
  ): Record<string, unknown> {
    if (this.knobs().unknownFields === "reject") {
      rejectFields(input, allowed, collection, op);
      return input;
    }
    return Object.fromEntries(Object.entries(input).filter(([key]) => allowed.includes(key)));
  }

  private name(input: Record<string, unknown>): string {
    const v = requireString(input, "name");
    return this.knobs().trimStrings ? v.trim().replace(/\s+/g, " ") : v;
  }

  private description(input: Record<string, unknown>): string | null {
    let v = optionalString(input, "description");
    if (v !== undefined && this.knobs().trimStrings) v = v.trim();
    if (this.knobs().emptyFields === "null") return v ? v : null;
    return v ?? "";
  }

  private address(v: unknown): string {
    if (this.knobs().addressSpelling === "as-sent") return validAddress(v);
    return serverSpelling(validAddress(typeof v === "string" ? v.replace(/\s*-\s*/g, "-") : v));
  }

  /** Where Cloudlock places an address: a function of the address alone (see locationFor). */
  location(ip: string): string | null {
    const place = locationFor(ip);
    return this.knobs().emptyFields === "null" && NO_PLACE.includes(place) ? null : place;
  }

  private categories(v: unknown): string[] {
    if (this.knobs().categoriesFormat === "list") return validCategories(v) ?? [];
    // One string on the server: a list or a comma-separated string in, sorted unique items out.
    if (v === undefined || v === null) return [];
    if (typeof v !== "string" && !(Array.isArray(v) && v.every((c) => typeof c === "string")))
      throw new HttpError(400, 'field "categories" must be a list of strings or a comma-separated string');
    const items = (typeof v === "string" ? [v] : (v as string[]))
      .flatMap((c) => c.split(","))
      .map((c) => c.trim())
      .filter(Boolean);
    const unique = [...new Set(items)];
    if (unique.length > 50) throw new HttpError(400, 'field "categories" has more than 50 items');
    return unique.sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b));
  }

  private expiry(v: unknown): string | null {
    const at = parseExpiry(v);
    if (at) return this.formatExpiry(at.ms, at.micro);
    const days = this.knobs().defaultExpiryDays;
    return days === null ? null : this.formatExpiry(this.now() + days * DAY_MS, 0);
  }

  private formatExpiry(ms: number, micro: number): string {
    return this.knobs().timestampStyle === "varied" ? isoSecondsOffset(ms) : isoMicro(ms, micro);
  }
}
