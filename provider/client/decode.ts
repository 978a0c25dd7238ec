/**
 * Entries as the rest of the code sees them, whatever spelling of the docs'
 * silences a server answers with: the docs' field table types `categories` as
 * a string ("Locations, areas") while their JSON examples give lists, and an
 * empty field may come back as "", null, [] or not at all.
 */
import { ENTRY_FIELDS, FIELDS } from "../model";
import type { IpEntry } from "./types";

/** Categories from any of the shapes a server may give: a list, a comma-separated string, null or nothing. */
export function decodeCategories(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((c): c is string => typeof c === "string");
  if (typeof v === "string")
    return v
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
  return [];
}

/** The API names of the list-valued fields (those compared as sets). */
const LISTS = ENTRY_FIELDS.filter((f) => FIELDS[f].compare === "set").map((f) => FIELDS[f].api);

/** An entry with each list-valued field (`categories`) always a list; every other field as the server sent it. */
export function decodeEntry<T extends Partial<IpEntry>>(raw: T): T {
  const out: Record<string, unknown> = { ...raw };
  for (const api of LISTS) out[api] = decodeCategories(out[api]);
  return out as T;
}
