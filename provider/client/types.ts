import { type AnsweredComputed, type AnsweredFields, FIELDS, type WireFields, updatableOf } from "../model";

/** The two IP libraries of a Cloudlock organisation. */
export type CollectionName = "suspicious" | "trusted";

export const COLLECTIONS: readonly CollectionName[] = ["suspicious", "trusted"];

/**
 * An entry as the API returns it (snake_case, as on the wire): an opaque `pk` (10–11 characters, e.g.
 * `6yj3gQxaqo`), its `type`, the declared fields of provider/model.ts by their API names, and what the
 * server computes (`location`, `created_on`, `updated_on`). `categories` is always a list once decoded.
 */
export type IpEntry = { pk: string; type: string; categories: string[] } & AnsweredFields & AnsweredComputed;

/** Body of a create (POST): the declared fields by their API names. */
export type NewEntry = WireFields;

/** Fields each collection's PUT accepts (API names; see provider/model.ts); anything else needs a new entry. */
export const UPDATABLE_FIELDS: Record<CollectionName, readonly string[]> = {
  suspicious: updatableOf("suspicious").map((f) => FIELDS[f].api),
  trusted: updatableOf("trusted").map((f) => FIELDS[f].api),
};

/** Body of an update (PUT): any of the declared fields by their API names. */
export type EntryPatch = Partial<WireFields>;

/** The list envelope. */
export interface ListPage {
  limit: number;
  offset: number;
  total: number;
  results: number;
  items: IpEntry[];
}

export interface ListQuery {
  /** Substring match in any of name, location, ip_address, categories (fuzzy: filter exact matches yourself). */
  q?: string;
  /** Substring match in the name. */
  name?: string;
}
