/**
 * Validation of an entry's declared inputs: one failure per bad field, phrased
 * with the field's name, before any request. Pure functions only.
 */
import { parseAddress, typeOfValue } from "../address";
import type { CollectionName } from "../client/types";
import { ADDRESS, ENTRY_FIELDS, FIELDS, FieldSpec, fieldsOf } from "../model";
import { UNKNOWN, isUnknown } from "../pulumi-internals";
import { describeProblem } from "../problems";
import { type CheckFailure, type EntryInputs, absent } from "./schema";

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
  // A check failure: Pulumi frames it ("property … has a problem: …"), so the table's message without its fix.
  const fail = (property: string, reason: string) =>
    failures.push({ property, reason: describeProblem("validation", { field: property, reason }).message });

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
    if (f === ADDRESS && typeof news.addressConflict === "string" && news.addressConflict !== UNKNOWN) {
      failures.push({ property: ADDRESS, reason: news.addressConflict });
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
