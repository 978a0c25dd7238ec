/**
 * The IP Libraries API as the docs (and shared/NOTES.md §1) describe it.
 * Handlers return values or throw HttpError; the server turns either into a
 * response, so error bodies are written in one place.
 *
 * Where the docs are silent, the knobs (./knobs.ts) choose the answer. The
 * store keeps entries in the server's own form (its address spelling,
 * timestamps, nulls); `render` adds what only exists on the wire (categories
 * as one string, fields a client does not know).
 */
import { randomBytes } from "crypto";
import * as ipaddr from "ipaddr.js";
import { parseAddress, typeOfValue } from "../provider/address";
import type { CollectionName, IpEntry } from "../provider/client/types";
import { CsvImportError, csvEntries } from "../common/csv";
import type { Knobs } from "./knobs";
import type { Store } from "./store";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The route itself does not exist (not just the entry). */
    readonly unknownRoute = false,
  ) {
    super(message);
  }
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** An error message: the server writes the body in the configured error style. */
  error?: string;
  /** The route does not exist (the "detail" error style answers an HTML page). */
  unknownRoute?: boolean;
  /** A body written as it is, instead of `body` as JSON (answers that are not the documented shape). */
  raw?: string;
}

const CREATE_FIELDS: Record<CollectionName, string[]> = {
  suspicious: ["name", "description", "ip_address", "categories", "expires_on"],
  trusted: ["name", "description", "ip_address", "categories"],
};
const PUT_FIELDS: Record<CollectionName, string[]> = {
  suspicious: ["ip_address", "expires_on", "categories", "description"],
  trusted: ["ip_address", "name", "categories", "description"],
};
const SERVER_FIELDS = ["pk", "type", "location", "created_on", "updated_on"];

/** The fields a hand edit (the UI, or the control route standing for it) may set: an entry's own, by API name. */
export function handEditable(collection: CollectionName): string[] {
  return [...CREATE_FIELDS[collection], ...SERVER_FIELDS.filter((f) => f !== "pk")];
}
const DAY_MS = 86_400_000;

const PK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newPk(length = 10): string {
  const bytes = randomBytes(length);
  let s = "";
  for (const b of bytes) s += PK_ALPHABET[b % PK_ALPHABET.length];
  return s;
}

/** UTC ISO-8601 with microseconds and offset, as the API writes timestamps. */
export function isoMicro(ms: number, micro = 0): string {
  const iso = new Date(ms).toISOString(); // 2016-06-20T13:05:23.034Z
  return `${iso.slice(0, 23)}${String(micro % 1000).padStart(3, "0")}+00:00`;
}

/** Whole seconds, `Z`: `2016-06-20T13:05:23Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Whole seconds (truncated), offset: `2016-06-20T13:05:23+00:00`. */
export function isoSecondsOffset(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/**
 * The "normalised" server's own spelling of a valid address: IPv4 as dotted
 * decimal, IPv6 fully expanded lowercase (also in blocks and ranges), /32 and
 * /128 dropped, `a-a` written `a`. Deliberately not our canonical form
 * (provider/address.ts): a different spelling of the same set.
 */
export function serverSpelling(ip: string): string {
  const dash = ip.indexOf("-");
  if (dash >= 0) {
    const a = spellOne(ip.slice(0, dash));
    const b = spellOne(ip.slice(dash + 1));
    return a === b ? a : `${a}-${b}`;
  }
  const slash = ip.indexOf("/");
  if (slash >= 0) {
    const base = spellOne(ip.slice(0, slash));
    const len = Number(ip.slice(slash + 1));
    return len === (base.includes(":") ? 128 : 32) ? base : `${base}/${len}`;
  }
  return spellOne(ip);
}

function spellOne(a: string): string {
  if (!a.includes(":")) return ipaddr.IPv4.parse(a).toString();
  return ipaddr.IPv6.parse(a)
    .parts.map((p) => p.toString(16).padStart(4, "0"))
    .join(":");
}

const CITIES = [
  "United States Fairfield",
  "Germany Berlin",
  "Ireland Dublin",
  "Japan Tokyo",
  "Brazil Sao Paulo",
  "Australia Sydney",
  "Canada Toronto",
];
const NO_PLACE = ["Private network", "Loopback"];

/** A stand-in for the server's geolocation: deterministic per address. */
export function locationFor(ip: string): string {
  const parsed = parseAddress(ip);
  if (!parsed.ok) return "Unknown";
  const c = parsed.value.canonical;
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|f[cd])/i.test(c)) return "Private network";
  if (/^(127\.|::1$)/.test(c)) return "Loopback";
  let h = 0;
  for (const ch of c) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return CITIES[h % CITIES.length];
}

export class LibraryApi {
  private microCounter = 0;

  constructor(
    readonly store: Store,
    private readonly knobs: () => Knobs,
  ) {}

  /** The emulator's clock, ms: real time moved by the clockOffsetMs knob. */
  now(): number {
    return Date.now() + this.knobs().clockOffsetMs;
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
      const taken = new Map(this.visible(collection).map((e) => [canonical(e.ip_address), e]));
      for (const e of entries) {
        const c = canonical(e.ip_address);
        const other = taken.get(c);
        if (other) {
          throw new HttpError(
            400,
            `ip_address "${e.ip_address}" already exists in the ${collection} library (entry ${other.pk}, "${other.name}")`,
          );
        }
        taken.set(c, e);
      }
    }
    for (const e of entries) this.store.insert(collection, e);
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
        const c = canonical(next.ip_address);
        const other = this.visible(collection).find((e) => e.pk !== pk && canonical(e.ip_address) === c);
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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical spellings already worked out: the duplicate check reads every entry's address on every write. Bounded
 * (forgotten whole past 100,000 spellings), so a long-running emulator fed random addresses does not grow without end.
 */
const canonicalMemo = new Map<string, string>();
const MEMO_LIMIT = 100_000;

function canonical(ip: string): string {
  let c = canonicalMemo.get(ip);
  if (c === undefined) {
    const p = parseAddress(ip);
    c = p.ok ? p.value.canonical : ip;
    if (canonicalMemo.size >= MEMO_LIMIT) canonicalMemo.clear();
    canonicalMemo.set(ip, c);
  }
  return c;
}

function intParam(params: URLSearchParams, key: string, dflt: number, min: number, max: number): number {
  const raw = params.get(key);
  if (raw === null) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new HttpError(400, `query parameter "${key}" must be ${range}, got "${raw}"`);
  }
  return Number(raw);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function rejectFields(
  input: Record<string, unknown>,
  allowed: string[],
  collection: CollectionName,
  op: string,
): void {
  for (const k of Object.keys(input)) {
    if (allowed.includes(k)) continue;
    if (SERVER_FIELDS.includes(k))
      throw new HttpError(400, `field "${k}" is set by the server and cannot be written`);
    throw new HttpError(
      400,
      `field "${k}" is not accepted when you ${op} a ${collection} entry (accepted: ${allowed.join(", ")})`,
    );
  }
}

function requireString(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== "string" || v.trim() === "")
    throw new HttpError(400, `field "${key}" is required and must be a non-empty string`);
  if (v.length > 255) throw new HttpError(400, `field "${key}" is longer than 255 characters`);
  return v;
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw new HttpError(400, `field "${key}" must be a string, got ${typeOfValue(v)}`);
  if (v.length > 1024) throw new HttpError(400, `field "${key}" is longer than 1024 characters`);
  return v;
}

function validAddress(v: unknown): string {
  if (v === undefined) throw new HttpError(400, 'field "ip_address" is required');
  const p = parseAddress(v);
  if (!p.ok) throw new HttpError(400, `field "ip_address": ${p.reason}`);
  return v as string;
}

function validCategories(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((c) => typeof c === "string" && c.trim() !== "")) {
    throw new HttpError(400, 'field "categories" must be a list of non-empty strings');
  }
  if (v.length > 50) throw new HttpError(400, 'field "categories" has more than 50 items');
  return v as string[];
}

/** A valid expires_on as ms and the microseconds the client sent; undefined for none (absent, null, ""). */
function parseExpiry(v: unknown): { ms: number; micro: number } | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new HttpError(400, `field "expires_on" must be an ISO-8601 timestamp, got ${typeOfValue(v)}`);
  }
  // Keep microseconds when the client sent them.
  const micro = /\.\d{3}(\d{3})/.exec(v)?.[1];
  return { ms: Date.parse(v), micro: micro ? Number(micro) : 0 };
}
