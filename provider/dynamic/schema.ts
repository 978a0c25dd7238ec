/**
 * The resource model shared by both IP resources: inputs, outputs, their
 * validation, and the diff rules. Pure functions only: no I/O here.
 */
import { parseAddress, sameAddress, typeOfValue } from "../address";
import type { CollectionName, EntryPatch, IpEntry } from "../client/types";

/** Inputs as stored in state (camelCase). */
export interface EntryInputs {
  name: string;
  ipAddress: string;
  description?: string;
  categories?: string[];
  /** Suspicious only: ISO-8601 timestamp. */
  expiresOn?: string;
  /** Pk of an existing entry to adopt instead of creating one. */
  adoptId?: string;
}

/** Outputs: the inputs plus what the server computes. */
export interface EntryOutputs extends EntryInputs {
  location?: string;
  type?: string;
  createdOn?: string;
  updatedOn?: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Pulumi's marker for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const isUnknown = (v: unknown) => v === UNKNOWN;

/** Fields the collection's PUT can change, in input names. */
export const UPDATABLE: Record<CollectionName, readonly (keyof EntryInputs)[]> = {
  suspicious: ["ipAddress", "expiresOn", "categories", "description"],
  trusted: ["ipAddress", "name", "categories", "description"],
};

const COMPARED: readonly (keyof EntryInputs)[] = [
  "name",
  "ipAddress",
  "description",
  "categories",
  "expiresOn",
];

/**
 * Validate inputs, one failure per bad field, phrased with the field's name.
 * `isNew` is true when no resource exists yet (an expiry in the past is then refused).
 */
export function validate(
  kind: CollectionName,
  news: Record<string, unknown>,
  isNew: boolean,
  now = Date.now(),
): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) =>
    failures.push({ property, reason: `${property} ${reason}` });

  const name = news.name;
  if (!isUnknown(name)) {
    if (typeof name !== "string") fail("name", `is required and must be a string, got ${typeOfValue(name)}`);
    else if (name.trim() === "") fail("name", "must not be empty");
    else if (name.length > 255) fail("name", `is ${name.length} characters long; at most 255 are allowed`);
  }

  if (!isUnknown(news.ipAddress)) {
    if (news.ipAddress === undefined) fail("ipAddress", "is required (an address, CIDR block or range a-b)");
    else {
      const parsed = parseAddress(news.ipAddress);
      if (!parsed.ok) fail("ipAddress", parsed.reason);
    }
  }
  // A conflict with another declaration of the same program, found by the SDK (sdk/conflicts.ts).
  if (typeof news.addressConflict === "string" && news.addressConflict !== UNKNOWN) {
    failures.push({ property: "ipAddress", reason: news.addressConflict });
  }

  const d = news.description;
  if (d !== undefined && d !== null && !isUnknown(d)) {
    if (typeof d !== "string") fail("description", `must be a string, got ${typeOfValue(d)}`);
    else if (d.length > 1024) fail("description", `is ${d.length} characters long; at most 1024 are allowed`);
  }

  const c = news.categories;
  if (c !== undefined && c !== null && !isUnknown(c)) {
    if (!Array.isArray(c)) fail("categories", `must be a list of strings, got ${typeOfValue(c)}`);
    else {
      const bad = c.findIndex((x) => !isUnknown(x) && (typeof x !== "string" || x.trim() === ""));
      if (bad >= 0) fail("categories", `item ${bad} must be a non-empty string, got ${typeOfValue(c[bad])}`);
      else if (c.length > 50) fail("categories", `has ${c.length} items; at most 50 are allowed`);
    }
  }

  const e = news.expiresOn;
  if (kind === "trusted") {
    if (e !== undefined && e !== null) fail("expiresOn", "is not supported: trusted entries do not expire");
  } else if (e !== undefined && e !== null && !isUnknown(e)) {
    const at = parseInstant(e);
    if (at === undefined) {
      fail("expiresOn", `must be an ISO-8601 timestamp such as 2027-01-01T00:00:00Z, got ${typeOfValue(e)}`);
    } else if (isNew && at <= now) {
      fail("expiresOn", `${e} is in the past; a new entry must expire in the future`);
    }
  }

  const a = news.adoptId;
  if (a !== undefined && a !== null && !isUnknown(a)) {
    if (typeof a !== "string" || !/^[A-Za-z0-9_-]{4,64}$/.test(a)) {
      fail("adoptId", `must be the id (pk) of an existing entry, e.g. "6yj3gQxaqo", got ${typeOfValue(a)}`);
    }
  }
  return failures;
}

/** Keep only the inputs we know, so stray properties never reach state. */
export function pickInputs(kind: CollectionName, news: Record<string, unknown>): EntryInputs {
  const out: Record<string, unknown> = {};
  for (const k of [
    "name",
    "ipAddress",
    "description",
    "categories",
    "adoptId",
    ...(kind === "suspicious" ? ["expiresOn"] : []),
  ]) {
    if (news[k] !== undefined && news[k] !== null) out[k] = news[k];
  }
  return out as unknown as EntryInputs;
}

/** Milliseconds since epoch for an ISO-8601 string; undefined when not a timestamp. */
export function parseInstant(v: unknown): number | undefined {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether a declared expiry has passed (entries then leave Cloudlock on schedule). */
export function hasExpired(expiresOn: unknown, now = Date.now()): boolean {
  const at = parseInstant(expiresOn);
  return at !== undefined && at <= now;
}

/** Equality of one field as Cloudlock means it (canonical addresses, category sets, instants, "" = none). */
export function sameValue(field: keyof EntryInputs, a: unknown, b: unknown): boolean {
  switch (field) {
    case "ipAddress":
      return typeof a === "string" && typeof b === "string" ? sameAddress(a, b) : a === b;
    case "categories":
      return sameSet(asList(a), asList(b));
    case "description":
      return (a ?? "") === (b ?? "");
    case "expiresOn": {
      if ((a ?? null) === null || (b ?? null) === null) return (a ?? null) === (b ?? null);
      const x = parseInstant(a);
      const y = parseInstant(b);
      // Server timestamps carry microseconds; compare at millisecond precision.
      return x !== undefined && y !== undefined ? x === y : a === b;
    }
    default:
      return a === b;
  }
}

function asList(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : [];
}

function sameSet(a: string[], b: string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

export interface DiffDecision {
  changes: boolean;
  /** Fields that differ. */
  changed: (keyof EntryInputs)[];
  /** Fields whose change needs a new entry. */
  replaces: (keyof EntryInputs)[];
}

/** Compare old state with new inputs. adoptId is never a change. */
export function decideDiff(
  kind: CollectionName,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  now = Date.now(),
): DiffDecision {
  const changed = COMPARED.filter((f) =>
    kind === "trusted" && f === "expiresOn" ? false : isUnknown(news[f]) || !sameValue(f, olds[f], news[f]),
  );
  const replaces = changed.filter((f) => !UPDATABLE[kind].includes(f));
  // An entry whose expiry passed is gone from Cloudlock: a change to it needs a new entry.
  if (
    kind === "suspicious" &&
    changed.length > 0 &&
    hasExpired(olds.expiresOn, now) &&
    !hasExpired(news.expiresOn, now)
  ) {
    for (const f of changed) if (!replaces.includes(f)) replaces.push(f);
  }
  return { changes: changed.length > 0, changed, replaces };
}

/** The PUT body that brings an entry to the declared inputs: only accepted, changed fields. */
export function patchFor(
  kind: CollectionName,
  current: Record<string, unknown>,
  declared: EntryInputs,
): EntryPatch {
  const patch: EntryPatch = {};
  for (const f of UPDATABLE[kind]) {
    if (sameValue(f, current[f], declared[f])) continue;
    switch (f) {
      case "ipAddress":
        patch.ip_address = declared.ipAddress;
        break;
      case "name":
        patch.name = declared.name;
        break;
      case "description":
        patch.description = declared.description ?? "";
        break;
      case "categories":
        patch.categories = unique(declared.categories ?? []);
        break;
      case "expiresOn":
        patch.expires_on = declared.expiresOn ?? null;
        break;
    }
  }
  return patch;
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Whether an existing entry is exactly what the inputs declare (every compared field, as Cloudlock means it). */
export function matchesEntry(kind: CollectionName, e: IpEntry, inputs: Partial<EntryInputs>): boolean {
  const actual = entryFields(e);
  return COMPARED.every(
    (f) => (kind === "trusted" && f === "expiresOn") || sameValue(f, actual[f], inputs[f]),
  );
}

/** An entry as camelCase fields (the server's view, with our field names). */
export function entryFields(e: IpEntry): Record<keyof EntryInputs, unknown> {
  return {
    name: e.name,
    ipAddress: e.ip_address,
    description: e.description ?? "",
    categories: e.categories ?? [],
    expiresOn: e.expires_on ?? undefined,
    adoptId: undefined,
  };
}

/**
 * Inputs that describe the entry as it is now, keeping the declared spelling
 * wherever the server's value means the same thing: so refresh shows real
 * drift and nothing else.
 */
export function inputsFromEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
): EntryInputs {
  const actual = entryFields(e);
  const out: Record<string, unknown> = {};
  for (const f of COMPARED) {
    if (kind === "trusted" && f === "expiresOn") continue;
    const keep = sameValue(f, actual[f], declared[f]);
    const v = keep ? declared[f] : actual[f];
    if (v !== undefined && v !== null) out[f] = v;
  }
  if (declared.adoptId !== undefined) out.adoptId = declared.adoptId;
  return out as unknown as EntryInputs;
}

/** Outputs for an entry: the inputs view plus server-computed fields. */
export function outputsFromEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
): EntryOutputs {
  return {
    ...inputsFromEntry(kind, e, declared),
    location: e.location ?? "",
    type: e.type ?? kind,
    createdOn: e.created_on ?? "",
    updatedOn: e.updated_on ?? "",
  };
}
