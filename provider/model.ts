/**
 * The one description of Cloudlock's two IP libraries: each field of an entry,
 * its API (snake_case) and SDK (camelCase) names, which collections have it,
 * which PUT accepts it (a change elsewhere means a new entry), what leaving it
 * out means, how two values compare, and its limits. Validation, diff, the PUT
 * body, outputs, set entries, lookups and generated code all derive from it:
 * a new field is one entry here (and its validation rule, if it is of a new
 * kind).
 */
import type { CollectionName, IpEntry } from "./client/types";

const BOTH = ["trusted", "suspicious"] as const satisfies readonly CollectionName[];

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

/** The module the four resources are registered under (`new dynamic.Resource(..., MODULE, name)`). */
export const MODULE = "cloudlock";

/** The resource type of each collection's entries. */
export const LABEL = { suspicious: "SuspiciousIp", trusted: "TrustedIp" } as const satisfies Record<
  CollectionName,
  string
>;

/** The resource type of each collection's set (one resource, many entries). */
export const SET_LABEL = {
  suspicious: `${LABEL.suspicious}Set`,
  trusted: `${LABEL.trusted}Set`,
} as const satisfies Record<CollectionName, string>;

type ResourceName = (typeof LABEL)[CollectionName] | (typeof SET_LABEL)[CollectionName];
const token = <N extends ResourceName>(n: N) => `pulumi-nodejs:dynamic/${MODULE}:${n}` as const;

/** The engine's type token of each resource (a `dynamic.Resource` of module MODULE). */
export const TYPE_TOKENS = {
  TrustedIp: token(LABEL.trusted),
  SuspiciousIp: token(LABEL.suspicious),
  TrustedIpSet: token(SET_LABEL.trusted),
  SuspiciousIpSet: token(SET_LABEL.suspicious),
} as const;

/** The native plugin's package (`pulumi-resource-cloudlock`): the same name as the dynamic resources' module. */
export const PACKAGE = MODULE;

const pluginToken = <N extends string>(n: N) => `${PACKAGE}:index:${n}` as const;

/** The plugin's type token of each resource (`cloudlock:index:TrustedIp`, ...). */
export const PLUGIN_TOKENS = {
  TrustedIp: pluginToken(LABEL.trusted),
  SuspiciousIp: pluginToken(LABEL.suspicious),
  TrustedIpSet: pluginToken(SET_LABEL.trusted),
  SuspiciousIpSet: pluginToken(SET_LABEL.suspicious),
} as const;

/** What a type token of ours names: its library, whether it is a set, its label, and the route that declares it. */
export interface ResourceType {
  kind: CollectionName;
  set: boolean;
  /** `TrustedIp`, `SuspiciousIpSet`, ... */
  label: ResourceName;
  /** The dynamic SDK's resources, or the plugin's. */
  route: "sdk" | "plugin";
}

/** Every type token of ours, on both routes (the dynamic SDK's and the plugin's), and what it names. */
export const RESOURCE_TYPES: ReadonlyMap<string, ResourceType> = new Map(
  (["trusted", "suspicious"] as const).flatMap((kind) =>
    [LABEL[kind], SET_LABEL[kind]].flatMap((label) => {
      const set = label === SET_LABEL[kind];
      return [
        [TYPE_TOKENS[label], { kind, set, label, route: "sdk" }],
        [PLUGIN_TOKENS[label], { kind, set, label, route: "plugin" }],
      ] as [string, ResourceType][];
    }),
  ),
);

/** The type token a URN names (`urn:pulumi:<stack>::<project>::<parent$>…<type>::<name>`): its last type. */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** The plugin's lookup function of each library (`cloudlock:index:getTrustedIps`, ...). */
export const FUNCTION_TOKENS = {
  trusted: pluginToken(`get${LABEL.trusted}s`),
  suspicious: pluginToken(`get${LABEL.suspicious}s`),
} as const satisfies Record<CollectionName, string>;

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
  const spec: FieldSpec = FIELDS[f];
  if (spec.whenOmitted === "empty") return spec.compare === "set" ? [] : "";
  return undefined;
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

type Spec = typeof FIELDS;
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
