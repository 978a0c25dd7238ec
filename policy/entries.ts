/**
 * Reading Cloudlock resources' properties as the policy engine hands them over, entry by entry. During preview
 * some values are unknown: `@pulumi/policy` wraps properties in a proxy that throws on reading one, and plain
 * objects carry Pulumi's unknown markers. Both read here as {@link UNKNOWN}, which every rule skips.
 */

import { parseAddress } from "../provider/address";
import { PLUGIN_TOKENS, RESOURCE_TYPES, TYPE_TOKENS } from "../provider/tokens";

/** The dynamic SDK's type tokens of the four resources (`pulumi-nodejs:dynamic/cloudlock:TrustedIp`, ...). */
export const CLOUDLOCK_TYPES = TYPE_TOKENS;
/**
 * The native plugin's type tokens of the four resources (`cloudlock:index:TrustedIp`, ...): what YAML programs and
 * the generated SDKs declare. The rules treat them as their dynamic counterparts.
 */
export const CLOUDLOCK_PLUGIN_TYPES = PLUGIN_TOKENS;

/** The four resource kinds, by class name: `"TrustedIp"`, `"SuspiciousIp"`, `"TrustedIpSet"`, `"SuspiciousIpSet"`. */
export type CloudlockType = keyof typeof CLOUDLOCK_TYPES;
/** Which Cloudlock IP library an entry belongs to. */
export type Library = "trusted" | "suspicious";

type Kind = { library: Library; set: boolean; kind: CloudlockType };
/** Every token of both routes (model.ts RESOURCE_TYPES) to the kind it names. */
const KINDS = new Map<string, Kind>(
  [...RESOURCE_TYPES].map(([token, t]) => [token, { library: t.kind, set: t.set, kind: t.label }]),
);

/** A value not known yet (preview). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
/** A declared value: known, {@link UNKNOWN} during preview, or not given. */
export type Maybe<T> = T | typeof UNKNOWN | undefined;

// Pulumi's wire markers for unknown values (string, array, object, number, boolean), in case properties arrive
// unproxied.
const MARKERS = new Set([
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
]);

/** `@pulumi/policy`'s UnknownValueError (internal to it, so recognised by shape). */
function isUnknownError(e: unknown): boolean {
  return e instanceof Error && "unknownTypeSentinel" in e;
}

/** `obj[key]`, with unknowns as {@link UNKNOWN} and anything that is not an object giving undefined. */
export function read(obj: unknown, key: string | number): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    const v = (obj as Record<string | number, unknown>)[key];
    return typeof v === "string" && MARKERS.has(v) ? UNKNOWN : v;
  } catch (e) {
    if (isUnknownError(e)) return UNKNOWN;
    throw e;
  }
}

/**
 * The library and whether it is a set, for one of our type tokens, on either route (the dynamic SDK's or the
 * plugin's); undefined for any other type.
 */
export function classify(type: string): { library: Library; set: boolean; kind: CloudlockType } | undefined {
  const k = KINDS.get(type);
  return k && { ...k };
}

/** One Cloudlock entry as declared: a per-entry resource, or one entry of a set. */
export interface Entry {
  library: Library;
  /** How a message names it: `TrustedIp "hq"`, `TrustedIpSet "offices" entries[2] "HQ Berlin"`. */
  where: string;
  /** The resource's URN, if known (stack policies report against it). */
  urn?: string;
  name: Maybe<string>;
  ipAddress: Maybe<string>;
  description: Maybe<string>;
  /** The list as given; its items may be unknown too. */
  categories: unknown;
  expiresOn: Maybe<string>;
}

const text = (v: unknown): Maybe<string> =>
  v === UNKNOWN ? UNKNOWN : typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);

function entryOf(library: Library, where: string, obj: unknown, urn?: string): Entry {
  return {
    library,
    where,
    urn,
    name: text(read(obj, "name")),
    ipAddress: text(read(obj, "ipAddress")),
    description: text(read(obj, "description")),
    categories: read(obj, "categories"),
    expiresOn: text(read(obj, "expiresOn")),
  };
}

/** `"HQ Berlin"` for a known name, nothing otherwise. */
const quoted = (v: Maybe<string>) => (typeof v === "string" ? ` "${v}"` : "");

/** The canonical address of a known, valid address (a set's key for the entry), else undefined. */
function keyOf(ipAddress: Maybe<string>): string | undefined {
  if (typeof ipAddress !== "string") return undefined;
  const r = parseAddress(ipAddress);
  return r.ok ? r.value.canonical : undefined;
}

/**
 * The entries a resource declares, for either route's type tokens: itself for `TrustedIp`/`SuspiciousIp`, each
 * entry for a set. A set's entries arrive keyed by canonical address (the providers' check, and outputs) or as the
 * list the program wrote (a plugin resource whose provider's settings are not known at preview: the engine then
 * skips the check). Both read the same: in address order, each entry named by name and canonical address
 * (`TrustedIpSet "offices" entry "LAN" (10.1.0.0/24)`), so a rule's messages do not depend on the shape; a listed
 * entry whose address is unknown or not valid is named by its position (`entries[2]`). Empty for other types and
 * for a set whose whole entry list is unknown; an unknown entry of a set is left out.
 */
export function entriesOf(type: string, resourceName: string, props: unknown, urn?: string): Entry[] {
  const c = classify(type);
  if (!c) return [];
  const label = `${c.kind} "${resourceName}"`;
  if (!c.set) {
    const e = entryOf(c.library, label, props, urn);
    e.where = `${label}${typeof e.name === "string" && e.name !== resourceName ? ` (entry${quoted(e.name)})` : ""}`;
    return [e];
  }
  const list = read(props, "entries");
  if (list === UNKNOWN || list === null || typeof list !== "object") return [];
  // Each entry with its key (canonical address), if it has one.
  const items: { e: Entry; key?: string }[] = [];
  if (Array.isArray(list)) {
    const n = Number(read(list, "length")) || 0;
    for (let i = 0; i < n; i++) {
      const item = read(list, i);
      if (item === UNKNOWN || item === null || typeof item !== "object") continue;
      const e = entryOf(c.library, "", item, urn);
      const key = keyOf(e.ipAddress);
      e.where = key ? `${label} entry${quoted(e.name)} (${key})` : `${label} entries[${i}]${quoted(e.name)}`;
      items.push({ e, key });
    }
  } else {
    for (const key of Object.keys(list)) {
      const item = read(list, key);
      if (item === UNKNOWN || item === null || typeof item !== "object") continue;
      const e = entryOf(c.library, "", item, urn);
      if (e.ipAddress === undefined) e.ipAddress = key;
      e.where = `${label} entry${quoted(e.name)} (${key})`;
      items.push({ e, key });
    }
  }
  // Address order, as the providers' check keys them (nothing keeps an object's key order from the engine, whose
  // properties travel as protobuf maps); entries without a valid address after them, in their place.
  const byKey = items
    .filter((i) => i.key !== undefined)
    .sort((a, b) => (a.key === b.key ? 0 : String(a.key) < String(b.key) ? -1 : 1));
  return [...byKey, ...items.filter((i) => i.key === undefined)].map((i) => i.e);
}
