/**
 * The IP Libraries API as the docs (and shared/NOTES.md §1) describe it.
 * Handlers return values or throw HttpError; the server turns either into a
 * response, so the `{"message": …}` error body is written in one place.
 */
import { randomBytes } from "crypto";
import { parseAddress, typeOfValue } from "../provider/address";
import type { CollectionName, IpEntry, ListPage } from "../provider/client/types";
import { CsvImportError, csvEntries } from "../provider/csv";
import type { Knobs } from "./knobs";
import type { Store } from "./store";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
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

const PK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newPk(): string {
  const bytes = randomBytes(10);
  let s = "";
  for (const b of bytes) s += PK_ALPHABET[b % PK_ALPHABET.length];
  return s;
}

/** UTC ISO-8601 with microseconds and offset, as the API writes timestamps. */
export function isoMicro(ms: number, micro = 0): string {
  const iso = new Date(ms).toISOString(); // 2016-06-20T13:05:23.034Z
  return `${iso.slice(0, 23)}${String(micro % 1000).padStart(3, "0")}+00:00`;
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

  now(): number {
    return Date.now() + this.knobs().clockOffsetMs;
  }

  private stamp(): string {
    return isoMicro(this.now(), this.microCounter++);
  }

  isExpired(e: IpEntry): boolean {
    return !!e.expires_on && Date.parse(e.expires_on) <= this.now();
  }

  /** Entries a client can see: expired suspicious entries vanish unless the knob keeps them. */
  visible(collection: CollectionName): IpEntry[] {
    const all = this.store.all(collection);
    return this.knobs().expired === "hide" ? all.filter((e) => !this.isExpired(e)) : all;
  }

  list(collection: CollectionName, params: URLSearchParams): ListPage {
    for (const key of params.keys()) {
      if (!["q", "name", "offset", "limit"].includes(key))
        throw new HttpError(400, `unknown query parameter "${key}"`);
    }
    const limit = intParam(params, "limit", 50, 1, 100);
    const offset = intParam(params, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    const q = params.get("q")?.toLowerCase();
    const name = params.get("name")?.toLowerCase();
    const matches = this.visible(collection).filter((e) => {
      if (name !== undefined && !e.name.toLowerCase().includes(name)) return false;
      if (q !== undefined) {
        const hay = [e.name, e.location ?? "", e.ip_address, ...(e.categories ?? [])];
        if (!hay.some((h) => h.toLowerCase().includes(q))) return false;
      }
      return true;
    });
    const items = matches.slice(offset, offset + limit);
    return { limit, offset, total: matches.length, results: items.length, items };
  }

  create(collection: CollectionName, body: unknown): Reply {
    const input = objectBody(body);
    rejectFields(input, CREATE_FIELDS[collection], collection, "create");
    const entry = this.buildEntry(collection, input);
    this.insertChecked(collection, [entry]);
    return { body: entry, headers: { Location: `/ip/${collection}` } };
  }

  /** Validate and complete an entry from create-shaped input. */
  buildEntry(collection: CollectionName, input: Record<string, unknown>, pk = newPk()): IpEntry {
    const name = requireString(input, "name");
    const ip = validAddress(input.ip_address);
    const stamp = this.stamp();
    const entry: IpEntry = {
      pk,
      type: collection,
      name,
      description: optionalString(input, "description") ?? "",
      ip_address: ip,
      location: locationFor(ip),
      categories: validCategories(input.categories) ?? [],
      created_on: stamp,
      updated_on: stamp,
    };
    if (collection === "suspicious") entry.expires_on = validExpiry(input.expires_on) ?? null;
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
    const input = objectBody(body);
    const existing = this.store.get(collection, pk);
    if (!existing || (this.knobs().expired === "hide" && this.isExpired(existing))) {
      throw new HttpError(404, `no ${collection} entry with id "${pk}"`);
    }
    rejectFields(input, PUT_FIELDS[collection], collection, "update");
    const next: IpEntry = { ...existing };
    if ("ip_address" in input) next.ip_address = validAddress(input.ip_address);
    if ("name" in input) next.name = requireString(input, "name");
    if ("description" in input) next.description = optionalString(input, "description") ?? "";
    if ("categories" in input) next.categories = validCategories(input.categories) ?? [];
    if ("expires_on" in input) next.expires_on = validExpiry(input.expires_on) ?? null;
    if (next.ip_address !== existing.ip_address) {
      next.location = locationFor(next.ip_address);
      if (this.knobs().duplicates === "reject") {
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
    next.updated_on = this.stamp();
    this.store.replace(collection, next);
    return { body: next };
  }

  remove(collection: CollectionName, params: URLSearchParams): Reply {
    const raw = params.get("ids");
    if (raw === null || raw.trim() === "")
      throw new HttpError(400, 'query parameter "ids" is required (comma-separated entry ids)');
    const ids = raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (this.knobs().unknownDeleteIds === "404") {
      const unknown = ids.filter((id) => !this.store.get(collection, id));
      if (unknown.length) throw new HttpError(404, `no ${collection} entries with ids: ${unknown.join(",")}`);
    }
    const deleted = this.store.remove(collection, ids);
    return { body: { deleted: deleted.length } };
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
    return { body: { imported: entries.length, items: entries.map((e) => e.pk) } };
  }
}

function canonical(ip: string): string {
  const p = parseAddress(ip);
  return p.ok ? p.value.canonical : ip;
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

function validExpiry(v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new HttpError(400, `field "expires_on" must be an ISO-8601 timestamp, got ${typeOfValue(v)}`);
  }
  const ms = Date.parse(v);
  // Keep microseconds when the client sent them.
  const micro = /\.\d{3}(\d{3})/.exec(v)?.[1];
  return isoMicro(ms, micro ? Number(micro) : 0);
}
