import { FIELDS, updatableOf } from "../model";

/** The two IP libraries of a Cloudlock organisation. */
export type CollectionName = "suspicious" | "trusted";

export const COLLECTIONS: readonly CollectionName[] = ["suspicious", "trusted"];

/** An entry as the API returns it (snake_case, as on the wire). */
export interface IpEntry {
  /** Opaque id, 10–11 characters (e.g. `6yj3gQxaqo`). */
  pk: string;
  type: string;
  name: string;
  description?: string | null;
  ip_address: string;
  /** Computed by the server. */
  location?: string | null;
  categories: string[];
  created_on?: string;
  updated_on?: string;
  /** Suspicious entries only. */
  expires_on?: string | null;
}

/** Body of a create (POST). */
export interface NewEntry {
  name: string;
  ip_address: string;
  description?: string;
  categories?: string[];
  /** Suspicious entries only. */
  expires_on?: string;
}

/** Fields each collection's PUT accepts (API names; see provider/model.ts); anything else needs a new entry. */
export const UPDATABLE_FIELDS: Record<CollectionName, readonly string[]> = {
  suspicious: updatableOf("suspicious").map((f) => FIELDS[f].api),
  trusted: updatableOf("trusted").map((f) => FIELDS[f].api),
};

export type EntryPatch = Partial<
  Pick<IpEntry, "ip_address" | "name" | "categories" | "description" | "expires_on">
>;

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
