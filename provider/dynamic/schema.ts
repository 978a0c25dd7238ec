/**
 * The resource model shared by both IP resources: inputs, outputs, their
 * validation, and the diff rules. Pure functions only: no I/O here.
 */
import { parseAddress, sameAddress, typeOfValue } from "../address";
import type { CollectionName, EntryPatch, IpEntry, NewEntry } from "../client/types";
import {
  COMPUTED,
  ENTRY_FIELDS,
  EntryField,
  FIELDS,
  FieldSpec,
  apiValue,
  fieldsOf,
  updatableOf,
} from "../model";
import { UNKNOWN } from "./pulumi-internals";

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

export { UNKNOWN };
const isUnknown = (v: unknown) => v === UNKNOWN;

export { fieldsOf };
export type { EntryField };

/** Fields the collection's PUT can change. */
export const UPDATABLE: Record<CollectionName, readonly EntryField[]> = {
  suspicious: updatableOf("suspicious"),
  trusted: updatableOf("trusted"),
};

const absent = (v: unknown) => v === undefined || v === null;

/** Whether a declaration leaves this field to the server: a `server` field it does not give. */
export function leftToServer(field: EntryField, declared: object): boolean {
  const spec: FieldSpec = FIELDS[field];
  return spec.whenOmitted === "server" && absent((declared as Record<string, unknown>)[field]);
}

/** The fields of this collection a declaration manages (those it does not leave to the server). */
export function managedFields(kind: CollectionName, declared: object): EntryField[] {
  return fieldsOf(kind).filter((f) => !leftToServer(f, declared));
}

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

  for (const f of ENTRY_FIELDS) {
    const v = news[f];
    if (isUnknown(v)) continue;
    const spec: FieldSpec = FIELDS[f];
    if (!fieldsOf(kind).includes(f)) {
      if (!absent(v)) fail(f, `is not supported: ${spec.notIn ?? `${kind} entries have no ${f}`}`);
      continue;
    }
    if (absent(v) && !spec.required) continue;
    const problem =
      v === undefined && spec.hint ? `is required (${spec.hint})` : fieldProblem(spec, v, isNew, now);
    if (problem) fail(f, problem);
    // A conflict with another declaration of the same program, found by the SDK (sdk/conflicts.ts).
    if (f === "ipAddress" && typeof news.addressConflict === "string" && news.addressConflict !== UNKNOWN) {
      failures.push({ property: "ipAddress", reason: news.addressConflict });
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
  for (const k of [...fieldsOf(kind), "adoptId"]) {
    if (news[k] !== undefined && news[k] !== null) out[k] = news[k];
  }
  return out as unknown as EntryInputs;
}

/** Why a given value of a field is refused, by the kind of field it is, or undefined. */
function fieldProblem(spec: FieldSpec, v: unknown, isNew: boolean, now: number): string | undefined {
  switch (spec.compare) {
    case "text": {
      if (typeof v !== "string") {
        return spec.required
          ? `is required and must be a string, got ${typeOfValue(v)}`
          : `must be a string, got ${typeOfValue(v)}`;
      }
      if (spec.required && v.trim() === "") return "must not be empty";
      if (spec.maxLength !== undefined && v.length > spec.maxLength)
        return `is ${v.length} characters long; at most ${spec.maxLength} are allowed`;
      const hidden = hiddenCharacter(v, spec.multiline);
      return hidden ? `must not contain ${hidden}` : undefined;
    }
    case "address": {
      const parsed = parseAddress(v);
      return parsed.ok ? undefined : parsed.reason;
    }
    case "set": {
      if (!Array.isArray(v)) return `must be a list of strings, got ${typeOfValue(v)}`;
      const bad = v.findIndex((x) => !isUnknown(x) && (typeof x !== "string" || x.trim() === ""));
      if (bad >= 0) return `item ${bad} must be a non-empty string, got ${typeOfValue(v[bad])}`;
      const hidden = v.findIndex((x) => typeof x === "string" && hiddenCharacter(x));
      if (hidden >= 0) return `item ${hidden} must not contain ${hiddenCharacter(v[hidden])}`;
      if (spec.maxItems !== undefined && v.length > spec.maxItems)
        return `has ${v.length} items; at most ${spec.maxItems} are allowed`;
      return undefined;
    }
    case "instant": {
      const at = declaredInstant(v);
      if (typeof at === "string") return `${at}, got ${typeOfValue(v)}`;
      return isNew && at <= now ? `${v} is in the past; a new entry must expire in the future` : undefined;
    }
  }
}

/**
 * A control, invisible or bidirectional-formatting character in `text`,
 * described (`a control character (U+000A)`), or undefined. Such characters
 * hide or reorder what a person reading the Cloudlock UI or a diff sees.
 * `multiline` text (a description) may hold tabs and line breaks.
 */
export function hiddenCharacter(text: unknown, multiline = false): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /\p{Cc}|[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/gu;
  for (const [c] of text.matchAll(m)) {
    if (multiline && /[\t\n\r]/.test(c)) continue;
    const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    if (/\p{Cc}/u.test(c)) return `a control character (${code})`;
    if (/[\u200b-\u200d\u2060\ufeff]/.test(c)) return `an invisible character (${code})`;
    return `a bidirectional-formatting character (${code})`;
  }
  return undefined;
}

const DECLARED_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * A declared timestamp as epoch ms, or why it is refused. Stricter than what
 * is read from a server: the offset must be written (`Z` or `+02:00`), since a
 * local time would mean another instant on every machine, and the date must
 * exist (`2027-02-30` is refused, not rolled over to March).
 */
export function declaredInstant(v: unknown): number | string {
  const example = "an ISO-8601 timestamp with Z or an offset, such as 2027-01-01T00:00:00Z";
  if (typeof v !== "string") return `must be ${example}`;
  const m = DECLARED_INSTANT.exec(v);
  if (!m) {
    return /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(v)
      ? `needs a time zone: write Z (UTC) or an offset such as +02:00, e.g. ${v.includes("T") ? v : `${v}T00:00:00`}Z`
      : `must be ${example}`;
  }
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > days ||
    h > 23 ||
    mi > 59 ||
    sec > 59 ||
    Number(m[9] ?? 0) > 23 ||
    Number(m[10] ?? 0) > 59
  )
    return `is not a real date and time`;
  return Date.parse(v);
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
  if (kind === "suspicious" && hasExpired(olds.expiresOn, now) && hasExpired(news.expiresOn, now))
    return { changes: false, changed: [], replaces: [] };
  const changed = managedFields(kind, news).filter(
    (f) => isUnknown(news[f]) || !sameValue(f, olds[f], news[f]),
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

/**
 * The PUT body that brings an entry to the declared inputs, or `{}` when
 * nothing differs. The body is whole: every accepted field the declaration
 * manages, changed or not, since the docs leave open whether a PUT patches or
 * replaces (a replacing server resets what a body leaves out); an unchanged
 * one goes as `current` holds it. A field left to the server is never sent.
 */
export function patchFor(
  kind: CollectionName,
  current: Record<string, unknown>,
  declared: EntryInputs,
  /** Cloudlock's known spelling of declared values (ServerView): the current value in it is no change. */
  spelling: ServerView["serverSpelling"] = {},
): EntryPatch {
  const fields = UPDATABLE[kind].filter((f) => !leftToServer(f as EntryField, declared));
  const differs = (f: keyof EntryInputs) =>
    !sameValue(f, current[f], declared[f]) &&
    !(f in spelling && sameValue(f, current[f], spelling[f as EntryField]));
  if (!fields.some(differs)) return {};
  const patch: EntryPatch = {};
  for (const f of fields) {
    // A field that does not change is sent as it is held, so no spelling changes for nothing.
    const v = (differs(f) ? declared : current)[f];
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

export interface EntryView {
  /** The declaration as Cloudlock holds it now: declared spelling where it means the same, else Cloudlock's. */
  inputs: EntryInputs;
  /** Values of the fields left to the server. */
  owned: Partial<EntryInputs>;
  view: ServerView;
}

/**
 * Read an entry against its declaration. `known` is what earlier writes
 * learnt; `wrote` says the entry is Cloudlock's answer to our own write of
 * `declared`, so any difference left is its spelling of our value (recorded,
 * and not drift from then on). Otherwise a difference is drift, shown as
 * Cloudlock's value.
 */
export function viewEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
  known: ServerView = {},
  wrote = false,
): EntryView {
  const actual = entryFields(e);
  const owned = new Set<EntryField>(
    known.serverOwned ?? fieldsOf(kind).filter((f) => leftToServer(f, declared)),
  );
  const inputs: Record<string, unknown> = {};
  const ownedValues: Record<string, unknown> = {};
  const spelling: Partial<Record<EntryField, unknown>> = {};
  for (const f of fieldsOf(kind)) {
    if (owned.has(f)) {
      if (!absent(actual[f])) ownedValues[f] = actual[f];
      continue;
    }
    const same = sameValue(f, actual[f], declared[f]);
    const spelt =
      !same && f in (known.serverSpelling ?? {}) && sameValue(f, actual[f], known.serverSpelling![f]);
    if (same || spelt || wrote) {
      if (!same) spelling[f] = actual[f];
      if (!absent(declared[f])) inputs[f] = declared[f];
    } else if (
      !absent(actual[f]) &&
      !((FIELDS[f] as FieldSpec).whenOmitted === "empty" && isEmpty(actual[f]))
    ) {
      inputs[f] = actual[f];
    }
  }
  if (declared.adoptId !== undefined) inputs.adoptId = declared.adoptId;
  const view: ServerView = {};
  if (owned.size) view.serverOwned = [...owned];
  if (Object.keys(spelling).length) view.serverSpelling = spelling;
  return { inputs: inputs as unknown as EntryInputs, owned: ownedValues, view };
}

const isEmpty = (v: unknown) => v === "" || (Array.isArray(v) && v.length === 0);

/**
 * Inputs that describe the entry as it is now, keeping the declared spelling
 * wherever the server's value means the same thing: so refresh shows real
 * drift and nothing else.
 */
export function inputsFromEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
  known?: ServerView,
): EntryInputs {
  return viewEntry(kind, e, declared, known).inputs;
}

/** Outputs: the declaration as Cloudlock holds it, the values left to it, what it computes, and the view. */
export function outputsOf(kind: CollectionName, e: IpEntry, v: EntryView): EntryOutputs & ServerView {
  const computed = Object.fromEntries(Object.entries(COMPUTED).map(([sdk, api]) => [sdk, e[api] ?? ""]));
  return { ...v.inputs, ...v.owned, ...computed, type: e.type ?? kind, ...v.view };
}

/** Outputs for an entry read against its declaration (see viewEntry). */
export function outputsFromEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
  known?: ServerView,
  wrote = false,
): EntryOutputs & ServerView {
  return outputsOf(kind, e, viewEntry(kind, e, declared, known, wrote));
}

/** The server view stored in outputs (absent in states written before it existed). */
export function storedView(stored: object): ServerView {
  const props = stored as Record<string, unknown>;
  const view: ServerView = {};
  if (Array.isArray(props.serverOwned)) view.serverOwned = props.serverOwned as EntryField[];
  if (props.serverSpelling && typeof props.serverSpelling === "object")
    view.serverSpelling = props.serverSpelling as ServerView["serverSpelling"];
  return view;
}
