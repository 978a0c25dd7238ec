/**
 * The checks of what a request sends, field by field and parameter by parameter: each returns the value or throws
 * a 400 HttpError saying what is wrong, in the words the reference server uses. No knobs: ./api.ts applies them.
 */
import { parseAddress, typeOfValue } from "../provider/address";
import type { CollectionName } from "../provider/client/types";
import { HttpError } from "./reply";

/** The fields a create may write, by API name. */
export const CREATE_FIELDS: Record<CollectionName, string[]> = {
  suspicious: ["name", "description", "ip_address", "categories", "expires_on"],
  trusted: ["name", "description", "ip_address", "categories"],
};
/** The fields a PUT may write. */
export const PUT_FIELDS: Record<CollectionName, string[]> = {
  suspicious: ["ip_address", "expires_on", "categories", "description"],
  trusted: ["ip_address", "name", "categories", "description"],
};
/** The fields only the server sets. */
const SERVER_FIELDS = ["pk", "type", "location", "created_on", "updated_on"];

/** The fields a hand edit (the UI, or the control route standing for it) may set: an entry's own, by API name. */
export function handEditable(collection: CollectionName): string[] {
  return [...CREATE_FIELDS[collection], ...SERVER_FIELDS.filter((f) => f !== "pk")];
}

/** Code-unit order of two strings (a sort comparator). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical spelling of an address (provider/address.ts), for the duplicate check; itself when invalid. */
export function canonical(ip: string): string {
  const p = parseAddress(ip);
  return p.ok ? p.value.canonical : ip;
}

/** An integer query parameter within [min, max]; `dflt` when absent. */
export function intParam(
  params: URLSearchParams,
  key: string,
  dflt: number,
  min: number,
  max: number,
): number {
  const raw = params.get(key);
  if (raw === null) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new HttpError(400, `query parameter "${key}" must be ${range}, got "${raw}"`);
  }
  return Number(raw);
}

/** The request body as a JSON object. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** Refuse a field that is not in `allowed`, naming it (and saying so when the server sets it). */
export function rejectFields(
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

/** A required non-empty string field of at most 255 characters. */
export function requireString(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== "string" || v.trim() === "")
    throw new HttpError(400, `field "${key}" is required and must be a non-empty string`);
  if (v.length > 255) throw new HttpError(400, `field "${key}" is longer than 255 characters`);
  return v;
}

/** An optional string field of at most 1024 characters; undefined when absent or null. */
export function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw new HttpError(400, `field "${key}" must be a string, got ${typeOfValue(v)}`);
  if (v.length > 1024) throw new HttpError(400, `field "${key}" is longer than 1024 characters`);
  return v;
}

/** A valid ip_address (an address, block or range), as sent. */
export function validAddress(v: unknown): string {
  if (v === undefined) throw new HttpError(400, 'field "ip_address" is required');
  const p = parseAddress(v);
  if (!p.ok) throw new HttpError(400, `field "ip_address": ${p.reason}`);
  return v as string;
}

/** A list of non-empty category strings, at most 50; undefined when absent or null. */
export function validCategories(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((c) => typeof c === "string" && c.trim() !== "")) {
    throw new HttpError(400, 'field "categories" must be a list of non-empty strings');
  }
  if (v.length > 50) throw new HttpError(400, 'field "categories" has more than 50 items');
  return v as string[];
}

/** A valid expires_on as ms and the microseconds the client sent; undefined for none (absent, null, ""). */
export function parseExpiry(v: unknown): { ms: number; micro: number } | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new HttpError(400, `field "expires_on" must be an ISO-8601 timestamp, got ${typeOfValue(v)}`);
  }
  // Keep microseconds when the client sent them.
  const micro = /\.\d{3}(\d{3})/.exec(v)?.[1];
  return { ms: Date.parse(v), micro: micro ? Number(micro) : 0 };
}
