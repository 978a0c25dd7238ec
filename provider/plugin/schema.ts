/**
 * The Pulumi package schema of the native provider plugin (`pulumi-resource-cloudlock`, package `cloudlock`),
 * derived from the one description of the libraries (provider/model.ts) and of the settings
 * (provider/settings.ts): a new field or setting there is a new property here, with no second list to keep.
 * `npm run gen-schema` writes it to provider/plugin/schema.json; a unit test keeps that file current, and an
 * engine test generates the Node.js and Go SDKs from it with the Pulumi CLI and compiles them.
 *
 * Reference: https://www.pulumi.com/docs/iac/extending-pulumi/schema/ (metaschema: pulumi/pulumi
 * pkg/codegen/schema/pulumi.json).
 */
import { COLLECTIONS, type CollectionName } from "../client/types";
import { SET_MODES, type SetMode } from "../dynamic/set-schema";
import {
  COMPUTED,
  ENTRY_FIELDS,
  type EntryField,
  FIELDS,
  type FieldSpec,
  SEARCHED,
  expires,
  fieldsOf,
  updatableOf,
} from "../model";
import { FEED_FUNCTION_TOKEN, FUNCTION_TOKENS, LABEL, PACKAGE, PLUGIN_TOKENS, SET_LABEL } from "../tokens";
import { FEED_ALLOWANCES, FEED_LIMITS } from "../feed/limits";
import { FEED_FORMATS } from "../feed/parse";
import { REPOSITORY, REPOSITORY_PATH } from "../repository";
import { CONNECTION, SETTINGS } from "../settings";
import { VERSION } from "../version";

/** The package's name (model.ts): the `cloudlock` of `cloudlock:index:TrustedIp` and `pulumi-resource-cloudlock`. */
export { PACKAGE };

/** The npm package of the generated Node.js SDK (`pulumi-cloudlock` is this repository's dynamic-provider SDK). */
export const NODEJS_PACKAGE = "@pulumi-cloudlock/cloudlock";

/** The Go import path of the generated Go SDK's root package (its module is the folder above). */
export const GO_IMPORT_BASE_PATH = `${REPOSITORY_PATH}/sdk/go/${PACKAGE}`;

/**
 * Where the engine downloads the plugin (`pulumi plugin install resource cloudlock <version>`, and a program's
 * missing plugin): the GitHub releases of this repository, asset `pulumi-resource-cloudlock-v<version>-<os>-<arch>.tar.gz`
 * (scripts/build-plugin.ts). The CLI reads `github://api.github.com/<owner>` as repository `pulumi-<package>`, so
 * the repository is written out only when it is named otherwise.
 */
export const PLUGIN_DOWNLOAD_URL =
  `github://api.github.com/${REPOSITORY.owner}` +
  (REPOSITORY.repo === `pulumi-${PACKAGE}` ? "" : `/${REPOSITORY.repo}`);

/** A token of this package's root module. */
const token = (name: string) => `${PACKAGE}:index:${name}`;
const ref = (name: string) => ({ $ref: `#/types/${token(name)}` });

/** The schema types of the package (its `#/types/...`), by name. */
export const TYPE_NAMES = {
  mode: "IpSetMode",
  entryInfo: "IpEntryInfo",
  setEntry: (kind: CollectionName) => `${SET_LABEL[kind]}Entry`,
  managed: (kind: CollectionName) => `Managed${LABEL[kind]}`,
  feed: "Feed",
  feedEntry: "FeedEntry",
  feedBadRecord: "FeedBadRecord",
} as const;

/** The tokens the plugin serves (model.ts): `cloudlock:index:TrustedIp`, ..., `cloudlock:index:getTrustedIps`. */
const resourceToken = (kind: CollectionName) => PLUGIN_TOKENS[LABEL[kind]];
const setToken = (kind: CollectionName) => PLUGIN_TOKENS[SET_LABEL[kind]];
const functionToken = (kind: CollectionName) => FUNCTION_TOKENS[kind];

type Property = Record<string, unknown>;
type Properties = Record<string, Property>;

/** "trusted" → "Trusted". */
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** A settings doc ("API URL, including /api/v2") as a sentence. */
const sentence = (s: string) => title(s) + (/[.!?]$/.test(s) ? "" : ".");
const code = (s: string) => "`" + s + "`";
/** "a", "a and b", "a, b and c". */
const and = (xs: readonly string[]) =>
  xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`;

/** A field's schema type, from how its values compare (the model's only notion of a value's shape). */
function fieldType(f: EntryField): Property {
  const compare: FieldSpec["compare"] = FIELDS[f].compare;
  switch (compare) {
    case "set":
      return { type: "array", items: { type: "string" } };
    case "text":
    case "address":
    case "instant":
      return { type: "string" };
  }
}

const fieldProperty = (f: EntryField): Property => ({ ...fieldType(f), description: FIELDS[f].doc });

/** The declared fields of a collection's entries, as properties. */
const fieldProperties = (kind: CollectionName): Properties =>
  Object.fromEntries(fieldsOf(kind).map((f) => [f, fieldProperty(f)]));

const requiredFields = (kind: CollectionName): string[] => fieldsOf(kind).filter((f) => FIELDS[f].required);

/** What the server computes: text, documented by its API name (model.ts gives computed fields no doc). */
const computedProperties = (): Properties =>
  Object.fromEntries(
    Object.entries(COMPUTED).map(([sdk, api]) => [
      sdk,
      { type: "string", description: `Computed by Cloudlock (API field ${code(api)}).` },
    ]),
  );

const PK: Property = { type: "string", description: "The entry's Cloudlock id (its `pk`)." };

const ADOPT_ID: Property = {
  type: "string",
  description:
    "Pk of an existing entry to adopt instead of creating one (see `getTrustedIps` / `getSuspiciousIps`). " +
    "Changing or removing it later is not a change.",
};

/** Fields the collection's PUT cannot change: a change replaces the entry. */
const replacedBy = (kind: CollectionName): EntryField[] =>
  fieldsOf(kind).filter((f) => !updatableOf(kind).includes(f));

function entryResource(kind: CollectionName) {
  const replaced = replacedBy(kind);
  const inputs: Properties = {
    ...Object.fromEntries(
      fieldsOf(kind).map((f) => [
        f,
        replaced.includes(f) ? { ...fieldProperty(f), willReplaceOnChanges: true } : fieldProperty(f),
      ]),
    ),
    adoptId: ADOPT_ID,
  };
  const changes = replaced.length
    ? `Changing ${and(replaced.map(code))} replaces the entry (Cloudlock's update cannot change ` +
      `${replaced.length > 1 ? "them" : "it"}); every other field changes in place.`
    : "Every field changes in place.";
  const expiry = expires(kind)
    ? " An entry whose expiry has passed leaves Cloudlock on schedule: that is not drift."
    : "";
  return {
    description:
      `An entry of Cloudlock's ${title(kind)} IP library. The resource id is the entry's pk. ` +
      changes +
      expiry,
    inputProperties: inputs,
    requiredInputs: requiredFields(kind),
    properties: { ...fieldProperties(kind), adoptId: ADOPT_ID, ...computedProperties() },
    required: requiredFields(kind),
  };
}

const DEFAULT_MODE: SetMode = "additive";

const MODE_DOCS: Record<SetMode, string> = {
  additive:
    "The set manages only the entries it created or adopted; other entries of the library are left alone, " +
    "and other resources may manage them.",
  authoritative:
    "The library must equal the declaration: entries nobody declared are listed at preview under " +
    "`removeUndeclared` and removed by `up`. The set must be the only resource of its library in the program.",
};

function setResource(kind: CollectionName) {
  const mode = { ...ref(TYPE_NAMES.mode), description: "How the set relates to the rest of its library." };
  const replaced = replacedBy(kind);
  return {
    description:
      `Many entries of Cloudlock's ${title(kind)} IP library as one resource: cheaper for the engine than one ` +
      "resource per entry once a library holds thousands. Entries are keyed by canonical address; " +
      "`preview --diff` shows each address added, changed or removed. Existing entries at a declared address " +
      "are adopted, never duplicated." +
      (replaced.length ? ` A changed ${and(replaced.map(code))} deletes and recreates that one entry.` : "") +
      (expires(kind)
        ? " An entry whose expiry has passed leaves Cloudlock on schedule and is not drift."
        : ""),
    inputProperties: {
      entries: {
        type: "array",
        items: ref(TYPE_NAMES.setEntry(kind)),
        description:
          "The entries, one per address (the same address twice is refused). Order does not matter: the set " +
          "compares them by canonical address.",
      },
      mode: { ...mode, default: DEFAULT_MODE },
      feed: {
        ...ref(TYPE_NAMES.feed),
        description:
          "A feed's entries: the result of `getFeed`, merged with `entries` (a declared entry wins at its address). " +
          "A feed that is empty, mostly not addresses, or holds addresses the set does not take (see `allow`) is " +
          "refused at preview, and so is a change beyond `maxChange`: nothing is written.",
      },
      maxChange: {
        type: "string",
        description:
          `The most one run may change: a count ("50") or a percentage of the set's entries ("20%"). Default for a ` +
          `set with a feed: "${FEED_LIMITS.maxChange}"; none otherwise. A larger change fails at preview with the ` +
          "content's id, and passes for one run with `CLOUDLOCK_ALLOW_LARGE_CHANGE=<that id>`.",
      },
      allow: {
        type: "array",
        items: { type: "string" },
        description:
          `Lifts a feed's guard rails (${FEED_ALLOWANCES.map((a) => `"${a}"`).join(", ")}): "broad" takes blocks ` +
          `wider than the bounds (a /${FEED_LIMITS.broadestPrefix.ipv4} in IPv4; a /${FEED_LIMITS.broadestPrefix.ipv6} ` +
          `in IPv6 for suspicious feeds, a /${FEED_LIMITS.broadestTrustedPrefix.ipv6} for trusted ones) and feeds ` +
          `covering more than a /${FEED_LIMITS.broadestTotal.ipv4} or /${FEED_LIMITS.broadestTotal.ipv6} in all; ` +
          '"private" takes private and reserved ranges in a suspicious feed; "adopt" lets a feed\'s address take ' +
          "over an entry the set did not make.",
      },

      ...(expires(kind)
        ? {
            ttl: {
              type: "string",
              description:
                'Entries without an expiry expire this long after the run that adds them ("30d", "12h", "90m"), by ' +
                "Cloudlock's clock, rounded up to the hour; a later run moves an entry's expiry " +
                "to the TTL from then only once less than half the TTL is left.",
            },
          }
        : {}),
    },
    requiredInputs: [],
    properties: {
      mode,
      count: { type: "integer", description: "How many entries the set manages." },
      entries: {
        type: "object",
        additionalProperties: ref(TYPE_NAMES.managed(kind)),
        description: "Managed entries by canonical address, each with its Cloudlock id (`pk`).",
      },
      removeUndeclared: {
        type: "object",
        additionalProperties: { type: "string" },
        description:
          "Authoritative sets: entries found in the library that nobody declared, by canonical address " +
          "(removed by the next `up`).",
      },
    },
    required: ["mode", "count", "entries"],
  };
}

function lookupFunction(kind: CollectionName) {
  return {
    description:
      `List the entries of Cloudlock's ${title(kind)} IP library (every page), optionally filtered; e.g. to ` +
      "find a pk to adopt." +
      (expires(kind) ? " Expired entries are not listed." : ""),
    inputs: {
      properties: {
        q: {
          type: "string",
          description: `Matches a substring of any of ${SEARCHED.slice(0, -1).join(", ")} or ${SEARCHED.at(-1)} (server-side).`,
        },
        name: { type: "string", description: "Matches a substring of the name (server-side)." },
      },
    },
    outputs: {
      properties: {
        entries: {
          type: "array",
          items: ref(TYPE_NAMES.entryInfo),
          description: "The entries, in the order Cloudlock lists them.",
        },
      },
      required: ["entries"],
    },
  };
}

const FEED_COUNTS: Record<string, string> = {
  bytes: "The body's size in bytes.",
  records: "Lines or values meant to hold an address.",
  addresses: "Records that held one.",
  duplicates: "Addresses dropped as repeats of an earlier one.",
  contained: "Addresses dropped as inside another record's block or range.",
  badCount: "Records that are not addresses (skipped).",
};

function feedFunction() {
  const text = (description: string): Property => ({ type: "string", description });
  return {
    description:
      "Read a feed (a threat feed, a published-ranges file) from a URL or a file and parse it into entries, for a " +
      "set's `feed`. It only reads and parses; the set decides what to do with the result. A feed that cannot be " +
      "read fails with one line naming it, and nothing is written.",
    inputs: {
      properties: {
        url: text("An https URL (plain http only to this machine), or a `file:` URL. Give `url` or `file`."),
        file: text("A file, relative to the project folder. Give `url` or `file`."),
        label: text(
          "How messages and the `{feed}` placeholder name the feed; default the file's or URL's last segment.",
        ),
        format: text(
          `${FEED_FORMATS.map(code).join(", ")}; default from the extension (.csv, .json, .ndjson or .jsonl), else plain.`,
        ),
        column: text('CSV: the address column, by header name or 0-based index ("2").'),
        select: {
          type: "array",
          items: { type: "string" },
          description:
            'JSON and NDJSON: where the addresses are, e.g. "prefixes[].ip_prefix" (see the feeds guide).',
        },
        name: text(
          "The entries' name: a template with `{feed}`, `{address}`, `{comment}` and a record's fields.",
        ),
        description: text("The entries' description: a template, as `name`."),
        categories: { type: "array", items: { type: "string" }, description: "Categories of every entry." },
        timeoutSeconds: {
          type: "number",
          description: `Seconds the read may take, body included; default ${FEED_LIMITS.timeoutSeconds}.`,
        },
        maxBytes: {
          type: "integer",
          description: `The most bytes the body may have; default ${FEED_LIMITS.maxBytes}.`,
        },
      },
    },
    outputs: {
      properties: feedProperties(),
      required: Object.keys(feedProperties()),
    },
  };
}

function feedProperties(): Properties {
  return {
    label: { type: "string", description: "The feed's label." },
    source: { type: "string", description: "The URL (query and credentials masked) or the file." },
    format: { type: "string", description: "The format read." },
    hash: { type: "string", description: "The content's id, `sha256:` and 16 hex digits." },
    fetchedAt: { type: "string", description: "When it was read (ISO-8601)." },
    ...Object.fromEntries(
      Object.entries(FEED_COUNTS).map(([k, d]) => [k, { type: "integer", description: d }]),
    ),
    bad: {
      type: "array",
      items: ref(TYPE_NAMES.feedBadRecord),
      description: "The first records that are not addresses.",
    },
    entries: {
      type: "array",
      items: ref(TYPE_NAMES.feedEntry),
      description: "The entries, duplicates collapsed.",
    },
  };
}

/**
 * Whether every entry a lookup returns has the field: a field of every collection that is required, or whose
 * omission means empty (the lookups fill in "" or []). A field of some collections only, or one left to the
 * server, may be absent.
 */
const alwaysListed = (f: EntryField): boolean => {
  const spec: FieldSpec = FIELDS[f];
  return COLLECTIONS.every((k) => spec.in.includes(k)) && (spec.required || spec.whenOmitted === "empty");
};

function types() {
  const out: Record<string, unknown> = {
    [token(TYPE_NAMES.mode)]: {
      type: "string",
      description: "How a set relates to the rest of its library.",
      enum: SET_MODES.map((m) => ({ name: title(m), value: m, description: MODE_DOCS[m] })),
    },
    [token(TYPE_NAMES.entryInfo)]: {
      type: "object",
      description: "An entry as the lookup functions return it.",
      properties: {
        pk: PK,
        ...Object.fromEntries(ENTRY_FIELDS.map((f) => [f, fieldProperty(f)])),
        ...computedProperties(),
      },
      required: ["pk", ...ENTRY_FIELDS.filter(alwaysListed), ...Object.keys(COMPUTED)],
    },
  };
  out[token(TYPE_NAMES.feed)] = {
    type: "object",
    description: "A feed as `getFeed` returns it.",
    properties: feedProperties(),
    required: ["label", "source", "hash", "entries"],
  };
  out[token(TYPE_NAMES.feedEntry)] = {
    type: "object",
    description: "One entry of a feed.",
    properties: Object.fromEntries(ENTRY_FIELDS.map((f) => [f, fieldProperty(f)])),
    required: ENTRY_FIELDS.filter((f) => FIELDS[f].required),
  };
  out[token(TYPE_NAMES.feedBadRecord)] = {
    type: "object",
    description: "A record of a feed that is not an address.",
    properties: {
      where: { type: "string", description: 'Where it is: "line 17", or a JSON path.' },
      text: { type: "string", description: "What it holds (cut short)." },
      reason: { type: "string", description: "Why it is not an address." },
    },
    required: ["where", "text", "reason"],
  };
  for (const kind of COLLECTIONS) {
    out[token(TYPE_NAMES.setEntry(kind))] = {
      type: "object",
      description: `One declared entry of a ${SET_LABEL[kind]}.`,
      properties: fieldProperties(kind),
      required: requiredFields(kind),
    };
    out[token(TYPE_NAMES.managed(kind))] = {
      type: "object",
      description: `An entry a ${SET_LABEL[kind]} manages, with its Cloudlock id.`,
      properties: { pk: PK, ...fieldProperties(kind) },
      required: ["pk", ...requiredFields(kind)],
    };
  }
  return out;
}

type SettingSpec = {
  config?: string;
  env: string;
  parse: string;
  default: unknown;
  doc: string;
  secret?: boolean;
};

/**
 * The provider's configuration: every setting a stack may set (those with a `config` key), by its bare name.
 * `defaultInfo.environment` makes a generated SDK read the variable in the program and pass the value to an
 * explicit provider as an input, which the engine keeps in state: the Node.js SDK does so without marking it
 * secret (pulumi/pulumi#8794, pulumi-azure-native#1309). So the connection's settings (URL and token) have none:
 * the provider reads those variables itself (resolveSettings), and the description says so. That also keeps a
 * provider of its own from getting the environment's URL without its token (the plugin refuses half a connection).
 */
function configProperties(): Properties {
  const out: Properties = {};
  for (const [key, s] of Object.entries(SETTINGS) as [keyof typeof SETTINGS, SettingSpec][]) {
    if (!s.config) continue;
    const byProvider = (CONNECTION as readonly string[]).includes(key);
    const [namespace, name] = s.config.split(":");
    if (namespace !== PACKAGE) throw new Error(`setting ${s.config} is not in the ${PACKAGE} namespace`);
    const type = { text: "string", url: "string", positive: "number", flag: "boolean" }[s.parse];
    if (!type) throw new Error(`setting ${s.config}: no schema type for parse "${s.parse}"`);
    const fallback =
      `When not set: the environment variable ${code(s.env)}` +
      (byProvider ? ", read by the provider itself (so the value never lands in state)" : "") +
      (s.default === undefined ? "" : `; default ${s.default}`) +
      ".";
    out[name] = {
      type,
      description: `${sentence(s.doc)} ${fallback}`,
      ...(s.default === undefined ? {} : { default: s.default }),
      ...(s.secret ? { secret: true } : {}),
      ...(byProvider ? {} : { defaultInfo: { environment: [s.env] } }),
    };
  }
  return out;
}

/** The package schema (pure: the same object on every call). */
export function packageSchema(): object {
  const config = configProperties();
  return {
    name: PACKAGE,
    displayName: "Cisco Cloudlock",
    version: VERSION,
    description: "Manage the entries of Cisco Cloudlock's Trusted and Suspicious IP libraries.",
    keywords: [
      "pulumi",
      PACKAGE,
      "cisco",
      "ip-allowlist",
      "trusted-ip",
      "suspicious-ip",
      "kind/native",
      "category/network",
    ],
    license: "Apache-2.0",
    repository: `https://${REPOSITORY_PATH}`,
    pluginDownloadURL: PLUGIN_DOWNLOAD_URL,
    meta: { supportPack: true },
    config: { variables: config },
    provider: {
      description: `The provider of the ${PACKAGE} package: how it reaches Cloudlock.`,
      inputProperties: config,
    },
    resources: Object.fromEntries(
      COLLECTIONS.flatMap((kind) => [
        [resourceToken(kind), entryResource(kind)],
        [setToken(kind), setResource(kind)],
      ]),
    ),
    functions: {
      ...Object.fromEntries(COLLECTIONS.map((kind) => [functionToken(kind), lookupFunction(kind)])),
      [FEED_FUNCTION_TOKEN]: feedFunction(),
    },
    types: types(),
    language: {
      nodejs: {
        packageName: NODEJS_PACKAGE,
        packageDescription:
          "Pulumi SDK of the native Cisco Cloudlock provider (Trusted and Suspicious IP libraries).",
        respectSchemaVersion: true,
      },
      go: {
        importBasePath: GO_IMPORT_BASE_PATH,
        generateResourceContainerTypes: true,
        respectSchemaVersion: true,
      },
    },
  };
}
