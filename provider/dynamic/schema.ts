/**
 * The entry model shared by both IP resources: inputs and outputs, equality
 * as Cloudlock means it, and the diff, POST and PUT rules. Pure functions
 * only: no I/O here. Validation is in validate.ts, reading an entry against
 * its declaration in view.ts.
 */
import { sameAddress } from "../address";
import type { CollectionName, EntryPatch, IpEntry, NewEntry } from "../client/types";
import {
  ComputedFields,
  DeclaredFields,
  ENTRY_FIELDS,
  EXPIRY,
  EntryField,
  FIELDS,
  FieldSpec,
  apiValue,
  expires,
  fieldsOf,
  WIRE,
  updatableOf,
} from "../model";
import { UNKNOWN, isUnknown } from "../pulumi-internals";

/** Inputs as stored in state (camelCase): the model's fields, and the pk of an entry to adopt. */
export type EntryInputs = DeclaredFields & {
  /** Pk of an existing entry to adopt instead of creating one. */
  adoptId?: string;
};

/** Outputs: the inputs plus what the server computes. */
export type EntryOutputs = EntryInputs & ComputedFields;

export interface CheckFailure {
  property: string;
  reason: string;
}

export { UNKNOWN };

export { fieldsOf };
export type { EntryField };

/** Fields the collection's PUT can change. */
export const UPDATABLE: Record<CollectionName, readonly EntryField[]> = {
  suspicious: updatableOf("suspicious"),
  trusted: updatableOf("trusted"),
};

/** Whether a value is missing: undefined or null (a server answers an omitted value with either). */
export const absent = (v: unknown): v is undefined | null => v === undefined || v === null;

/** Whether a declaration leaves this field to the server: a `server` field it does not give. */
export function leftToServer(field: EntryField, declared: object): boolean {
  const spec: FieldSpec = FIELDS[field];
  return spec.whenOmitted === "server" && absent((declared as Record<string, unknown>)[field]);
}

/** The fields of this collection a declaration manages (those it does not leave to the server). */
export function managedFields(kind: CollectionName, declared: object): EntryField[] {
  return fieldsOf(kind).filter((f) => !leftToServer(f, declared));
}

/** Milliseconds since epoch for an ISO-8601 string; undefined when not a timestamp. */
export function parseInstant(v: unknown): number | undefined {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether a declared expiry has passed (entries then leave Cloudlock on schedule). */
export function hasExpired(expiry: unknown, now = Date.now()): boolean {
  const at = parseInstant(expiry);
  return at !== undefined && at <= now;
}

/** The entries whose expiry has not passed (an expired one is gone from Cloudlock, or about to be). */
export function unexpired<E extends Partial<IpEntry>>(entries: readonly E[], now = Date.now()): E[] {
  return entries.filter((e) => !hasExpired(e[WIRE.expiry], now));
}

/** Text as Cloudlock means it: Unicode-normalised, outer white space trimmed, inner runs of it one space. */
function sameText(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (typeof v === "string" ? v.normalize("NFC").trim().replace(/\s+/g, " ") : v);
  return norm(a) === norm(b);
}

/**
 * Equality of one field as Cloudlock means it: addresses as sets, categories
 * as sets, instants to the second, text up to white space, and an absent
 * description or category list the same as an empty one.
 */
export function sameValue(field: keyof EntryInputs, a: unknown, b: unknown): boolean {
  if (field === "adoptId") return a === b;
  const spec: FieldSpec = FIELDS[field];
  switch (spec.compare) {
    case "address":
      return typeof a === "string" && typeof b === "string" ? sameAddress(a, b) : a === b;
    case "set":
      return sameSet(asList(a), asList(b));
    case "text":
      return spec.whenOmitted === "empty" ? sameText(a ?? "", b ?? "") : sameText(a, b);
    case "instant": {
      if ((a ?? null) === null || (b ?? null) === null) return (a ?? null) === (b ?? null);
      const x = parseInstant(a);
      const y = parseInstant(b);
      // A server may keep microseconds or drop the fraction: an expiry means the same to the second.
      return x !== undefined && y !== undefined ? Math.floor(x / 1000) === Math.floor(y / 1000) : a === b;
    }
  }
}

function asList(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : [];
}

function sameSet(a: string[], b: string[]): boolean {
  const norm = (v: string) => (typeof v === "string" ? v.normalize("NFC").trim() : v);
  const x = new Set(a.map(norm));
  const y = new Set(b.map(norm));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/**
 * What the provider keeps in outputs about how Cloudlock holds a declaration,
 * so that refresh tells drift from the server's own ways.
 */
export interface ServerView {
  /** Optional fields the declaration leaves to Cloudlock: their values show in outputs, never as a diff. */
  serverOwned?: EntryField[];
  /**
   * Cloudlock's own spelling of declared values, where its answer to our write
   * differed from what we sent (trimmed, truncated, reordered): the same value, not drift.
   */
  serverSpelling?: Partial<Record<EntryField, unknown>>;
}

export interface DiffDecision {
  changes: boolean;
  /** Fields that differ. */
  changed: (keyof EntryInputs)[];
  /** Fields whose change needs a new entry. */
  replaces: (keyof EntryInputs)[];
}

/** Compare old state with new inputs. adoptId is never a change, nor a field the new inputs leave to the server. */
export function decideDiff(
  kind: CollectionName,
  oldState: object,
  newInputs: object,
  now = Date.now(),
): DiffDecision {
  const olds = oldState as Record<string, unknown>;
  const news = newInputs as Record<string, unknown>;
  // An entry that expired, declared to have expired: it is gone, and no change would bring it back.
  if (expires(kind) && hasExpired(olds[EXPIRY], now) && hasExpired(news[EXPIRY], now))
    return { changes: false, changed: [], replaces: [] };
  const changed = managedFields(kind, news).filter(
    (f) => isUnknown(news[f]) || !sameValue(f, olds[f], news[f]),
  );
  const replaces = changed.filter((f) => !UPDATABLE[kind].includes(f));
  // An entry whose expiry passed is gone from Cloudlock: a change to it needs a new entry.
  if (
    expires(kind) &&
    changed.length > 0 &&
    hasExpired(olds[EXPIRY], now) &&
    !hasExpired(news[EXPIRY], now)
  ) {
    for (const f of changed) if (!replaces.includes(f)) replaces.push(f);
  }
  return { changes: changed.length > 0, changed, replaces };
}

/**
 * The PUT body that brings an entry to the declared inputs, or `{}` when
 * nothing differs. The body is whole: every accepted field the declaration
 * manages, changed or not, since the docs leave open whether a PUT patches or
 * replaces (a replacing server resets what a body leaves out); an unchanged
 * one goes as `current` holds it. A field left to the server is never sent.
 */
export function patchFor(
  kind: CollectionName,
  current: object,
  declared: EntryInputs,
  /** Cloudlock's known spelling of declared values (ServerView): the current value in it is no change. */
  spelling: ServerView["serverSpelling"] = {},
): EntryPatch {
  const fields = UPDATABLE[kind].filter((f) => !leftToServer(f as EntryField, declared));
  const held = current as Record<string, unknown>;
  const differs = (f: keyof EntryInputs) =>
    !sameValue(f, held[f], declared[f]) &&
    !(f in spelling && sameValue(f, held[f], spelling[f as EntryField]));
  if (!fields.some(differs)) return {};
  const patch: EntryPatch = {};
  for (const f of fields) {
    // A field that does not change is sent as it is held, so no spelling changes for nothing.
    const v = differs(f) ? declared[f] : held[f];
    (patch as Record<string, unknown>)[FIELDS[f].api] = toApi(f, v);
  }
  return patch;
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** The POST body of a declaration: its fields by their API names (a set without repeats), what it omits left out. */
export function createBody(kind: CollectionName, inputs: EntryInputs): NewEntry {
  const body: Record<string, unknown> = {};
  for (const f of fieldsOf(kind)) {
    const v = inputs[f];
    if (v !== undefined && v !== null)
      body[FIELDS[f].api] = FIELDS[f].compare === "set" ? unique(v as string[]) : v;
  }
  return body as unknown as NewEntry;
}

/** A declared value as the API takes it: an omitted `empty` field sent empty, a set without repeats. */
export function toApi(f: EntryField, v: unknown): unknown {
  const spec: FieldSpec = FIELDS[f];
  if (spec.compare === "set") return unique((v as string[] | null | undefined) ?? []);
  if (spec.whenOmitted === "empty") return v ?? "";
  return v;
}

/** Whether an existing entry is exactly what the inputs declare (every managed field, as Cloudlock means it). */
export function matchesEntry(kind: CollectionName, e: IpEntry, inputs: Partial<EntryInputs>): boolean {
  const actual = entryFields(e);
  return managedFields(kind, inputs).every((f) => sameValue(f, actual[f], inputs[f]));
}

/** An entry as camelCase fields (the server's view, with our field names). */
export function entryFields(e: IpEntry): Record<keyof EntryInputs, unknown> {
  const out = { adoptId: undefined } as Record<keyof EntryInputs, unknown>;
  for (const f of ENTRY_FIELDS) out[f] = apiValue(e, f);
  return out;
}

/**
 * An entry's fields as a declaration of it states them: every field its collection has, empty optional ones
 * left out (an import's declaration, a generated record). Lists are copies.
 */
export function declarationOf(kind: CollectionName, e: Partial<IpEntry>): Partial<EntryInputs> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(kind)) {
    const v = e[FIELDS[f].api];
    const empty = v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
    if (empty && !FIELDS[f].required) continue;
    out[f] = Array.isArray(v) ? [...v] : v;
  }
  return out as Partial<EntryInputs>;
}
