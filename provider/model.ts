/**
 * The one description of Cloudlock's two IP libraries: each field of an entry,
 * its API (snake_case) and SDK (camelCase) names, which collections have it,
 * which PUT accepts it (a change elsewhere means a new entry), what leaving it
 * out means, how two values compare, and its limits. Validation, diff, the PUT
 * body, outputs, set entries, lookups and generated code all derive from it:
 * a new field is one entry here (and its validation rule, if it is of a new
 * kind).
 */

/**
 * The two IP libraries of a Cloudlock organisation, in the order every output lists them (schema, review, CLI).
 * `pulumi-cloudlock/client` exports it too.
 */
export const COLLECTIONS = ["trusted", "suspicious"] as const;

/** One of the two IP libraries. */
export type CollectionName = (typeof COLLECTIONS)[number];

const BOTH = COLLECTIONS;

/** How two values of a field compare, as Cloudlock means them (see schema.ts sameValue). */
export type Compare = "text" | "address" | "set" | "instant";

export interface FieldSpec {
  /** Name on the wire. */
  readonly api: string;
  /** Collections whose entries have the field. */
  readonly in: readonly CollectionName[];
  /** Collections whose PUT accepts it; elsewhere a change needs a new entry. */
  readonly updatable: readonly CollectionName[];
  readonly required: boolean;
  /**
   * What an optional field the declaration leaves out means: `empty`, the field is empty, so a hand edit that
   * fills it is drift (servers answer an omitted value with "", null, [] or nothing, all empty); `server`, the
   * server's value, shown in outputs and never a diff (a server may fill in a default of its own).
   */
  readonly whenOmitted?: "empty" | "server";
  readonly compare: Compare;
  /** Longest text, in characters. */
  readonly maxLength?: number;
  /** Most items of a list. */
  readonly maxItems?: number;
  /** Text that may span lines (tabs and line breaks allowed). */
  readonly multiline?: boolean;
  /** What the field is, for documentation and generated code. */
  readonly doc: string;
  /** What a required value may be, for the message when it is missing. */
  readonly hint?: string;
  /** Why the collections without the field lack it, for the message when one is given. */
  readonly notIn?: string;
}

export const FIELDS = {
  name: {
    api: "name",
    in: BOTH,
    updatable: ["trusted"],
    required: true,
    compare: "text",
    maxLength: 255,
    doc: "Entry name.",
  },
  ipAddress: {
    api: "ip_address",
    in: BOTH,
    updatable: BOTH,
    required: true,
    compare: "address",
    hint: "an address, CIDR block or range a-b",
    doc: "An IPv4 or IPv6 address, a CIDR block, or a range a-b.",
  },
  description: {
    api: "description",
    in: BOTH,
    updatable: BOTH,
    required: false,
    whenOmitted: "empty",
    compare: "text",
    maxLength: 1024,
    multiline: true,
    doc: "Internal short description.",
  },
  categories: {
    api: "categories",
    in: BOTH,
    updatable: BOTH,
    required: false,
    whenOmitted: "empty",
    compare: "set",
    maxItems: 50,
    doc: "Categories (compared as a set).",
  },
  expiresOn: {
    api: "expires_on",
    in: ["suspicious"],
    updatable: ["suspicious"],
    required: false,
    whenOmitted: "server",
    compare: "instant",
    notIn: "trusted entries do not expire",
    doc: "When the entry expires (UTC ISO-8601); trusted entries do not expire.",
  },
} as const satisfies Record<string, FieldSpec>;

/** A declared field of an entry. */
export type EntryField = keyof typeof FIELDS;

/** Every declared field, in the order messages and generated code use. */
export const ENTRY_FIELDS = Object.keys(FIELDS) as EntryField[];

/** What the server computes: SDK name → API name. */
export const COMPUTED = {
  location: "location",
  type: "type",
  createdOn: "created_on",
  updatedOn: "updated_on",
} as const satisfies Record<string, string>;

type Spec = typeof FIELDS;
type FieldComparing<C extends Compare> = {
  [F in EntryField]: Spec[F]["compare"] extends C ? F : never;
}[EntryField];

/** The one field that compares as `c` (a rule about such values is a rule about it). */
function comparing<C extends Compare>(c: C): FieldComparing<C> {
  const found = ENTRY_FIELDS.filter((f) => FIELDS[f].compare === c);
  if (found.length !== 1) throw new Error(`the model has ${found.length} fields compared as ${c}, not one`);
  return found[0] as FieldComparing<C>;
}

// The roles particular rules give particular fields (SDK names). A rule that concerns one field names it through
// its role, so the field's name is spelled only in FIELDS and COMPUTED above.
/** The address: what an entry is about. A library holds one live entry per address; a set keys its entries by it. */
export const ADDRESS = comparing("address");
/** The expiry (of the libraries that have one): once it has passed, Cloudlock removes the entry on schedule. */
export const EXPIRY = comparing("instant");
/** What messages call an entry by, with its pk. */
export const NAME = "name" satisfies EntryField;
/** Free text about an entry (a feed's template fills it). */
export const DESCRIPTION = "description" satisfies EntryField;
/** The labels an entry carries (compared as a set). */
export const CATEGORIES = comparing("set");
/** The computed field naming the library that holds an entry (a CollectionName, or absent). */
export const LIBRARY = "type" satisfies keyof typeof COMPUTED;
/** The computed field saying when Cloudlock made the entry. */
export const CREATED = "createdOn" satisfies keyof typeof COMPUTED;

/** The API names of the roles, for entries as the API holds them (IpEntry). */
export const WIRE = {
  address: FIELDS[ADDRESS].api,
  expiry: FIELDS[EXPIRY].api,
  name: FIELDS[NAME].api,
  library: COMPUTED[LIBRARY],
  created: COMPUTED[CREATED],
} as const;

/** The fields a list's `q` matches a substring of (API names, in the API docs' order). */
export const SEARCHED = [
  FIELDS.name.api,
  COMPUTED.location,
  FIELDS.ipAddress.api,
  FIELDS.categories.api,
] as const;

/** The fields a collection's entries have. */
export const fieldsOf = (kind: CollectionName): readonly EntryField[] =>
  ENTRY_FIELDS.filter((f) => (FIELDS[f].in as readonly CollectionName[]).includes(kind));

/** Whether a collection's entries can expire (have a field of instants): Cloudlock then removes them on schedule. */
export const expires = (kind: CollectionName): boolean =>
  fieldsOf(kind).some((f) => FIELDS[f].compare === "instant");

/** The fields a collection's PUT can change. */
export const updatableOf = (kind: CollectionName): readonly EntryField[] =>
  ENTRY_FIELDS.filter((f) => (FIELDS[f].updatable as readonly CollectionName[]).includes(kind));

/** A field's value in an API entry, with what an omitted `empty` field means filled in. */
export function apiValue(e: Partial<IpEntry>, f: EntryField): unknown {
  const v = e[FIELDS[f].api];
  if (v !== undefined && v !== null) return v;
  return emptyOf(f);
}

/** What an omitted `empty` field holds: an empty list or empty text (undefined for a field without that rule). */
export function emptyOf(f: EntryField): unknown {
  const spec: FieldSpec = FIELDS[f];
  if (spec.whenOmitted !== "empty") return undefined;
  return spec.compare === "set" ? [] : "";
}

/** An entry in SDK names, as the lookups return it: pk, every field it has, what the server computes ("" if absent). */
export function entryInfo(e: IpEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { pk: e.pk };
  for (const f of ENTRY_FIELDS) {
    const v = apiValue(e, f);
    if (v !== undefined && v !== null) out[f] = v;
  }
  for (const [sdk, api] of Object.entries(COMPUTED)) out[sdk] = e[api] ?? "";
  return out;
}

/** The TypeScript type of a field's value, from how it compares. */
type ValueOf<F extends EntryField> = Spec[F]["compare"] extends "set" ? string[] : string;
type RequiredField = { [F in EntryField]: Spec[F]["required"] extends true ? F : never }[EntryField];

/** The declared fields of one collection's entries, as a type (the type-level fieldsOf). */
export type FieldOf<K extends CollectionName> = {
  [F in EntryField]: K extends Spec[F]["in"][number] ? F : never;
}[EntryField];

/** An entry's declared fields (camelCase), derived from FIELDS: required ones required, the rest optional. */
export type DeclaredFields = { [F in RequiredField]: ValueOf<F> } & {
  [F in Exclude<EntryField, RequiredField>]?: ValueOf<F>;
};

/** What the server computes, by SDK name (derived from COMPUTED). */
export type ComputedFields = { -readonly [K in keyof typeof COMPUTED]?: string };

type Wire<F extends EntryField> = Spec[F]["api"];

/** A create's fields by their API names (derived from FIELDS): required ones required, the rest optional. */
export type WireFields = { [F in RequiredField as Wire<F>]: ValueOf<F> } & {
  [F in Exclude<EntryField, RequiredField> as Wire<F>]?: ValueOf<F>;
};

/** An entry's declared fields as a server answers them: an optional one may also come back null. */
export type AnsweredFields = { [F in RequiredField as Wire<F>]: ValueOf<F> } & {
  [F in Exclude<EntryField, RequiredField> as Wire<F>]?: ValueOf<F> | null;
};

/** What the server computes, by API name (derived from COMPUTED). */
export type AnsweredComputed = {
  -readonly [K in keyof typeof COMPUTED as (typeof COMPUTED)[K]]?: string | null;
};

/** The list-valued fields by API name: the client decodes whatever shape a server answers them in to a list. */
type ListedFields = { [F in EntryField as Spec[F]["compare"] extends "set" ? Wire<F> : never]: string[] };

/**
 * An entry as the API returns it (snake_case, as on the wire): an opaque `pk` (10–11 characters, e.g.
 * `6yj3gQxaqo`), the library that holds it, the declared fields by their API names, and what the server computes.
 * List-valued fields are always lists once decoded.
 */
export type IpEntry = { pk: string } & { [K in (typeof WIRE)["library"]]: string } & ListedFields &
  AnsweredFields &
  AnsweredComputed;
