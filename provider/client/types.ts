import {
  COLLECTIONS,
  type CollectionName,
  FIELDS,
  type IpEntry,
  type WireFields,
  updatableOf,
} from "../model";

// The libraries and the entry type are the model's (provider/model.ts); the client's users import them from here.
export { COLLECTIONS };
export type { CollectionName, IpEntry };

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
