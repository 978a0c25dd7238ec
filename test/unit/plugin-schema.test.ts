/**
 * The native provider's package schema (provider/plugin/schema.ts): the checked-in schema.json is current, and
 * the schema says what the model and the settings say, field by field. test/engine/gen-sdk.test.ts generates
 * and compiles SDKs from it with the real CLI.
 */
import * as fs from "fs";
import * as path from "path";
import { COLLECTIONS, type CollectionName } from "../../provider/client/types";
import { SET_MODES } from "../../provider/dynamic/set-schema";
import { COMPUTED, ENTRY_FIELDS, FIELDS, fieldsOf, updatableOf } from "../../provider/model";
import { FEED_FUNCTION_TOKEN, FUNCTION_TOKENS, LABEL, PLUGIN_TOKENS, SET_LABEL } from "../../provider/tokens";
import { FEED_ARGS } from "../../provider/feed/get";
import { PACKAGE, packageSchema } from "../../provider/plugin/schema";
import { githubHome } from "../../provider/repository";
import { SETTINGS } from "../../provider/settings";
import { VERSION } from "../../provider/version";

interface Prop {
  type?: string;
  $ref?: string;
  items?: Prop;
  additionalProperties?: Prop;
  description?: string;
  secret?: boolean;
  default?: unknown;
  defaultInfo?: { environment: string[] };
  willReplaceOnChanges?: boolean;
}
interface ObjectSpec {
  type?: string;
  description?: string;
  properties: Record<string, Prop>;
  required?: string[];
  enum?: { name?: string; value: string; description?: string }[];
}
interface ResourceSpec {
  description: string;
  inputProperties: Record<string, Prop>;
  requiredInputs?: string[];
  properties: Record<string, Prop>;
  required?: string[];
}
interface Schema {
  name: string;
  version: string;
  repository: string;
  pluginDownloadURL: string;
  config: { variables: Record<string, Prop> };
  provider: { inputProperties: Record<string, Prop> };
  resources: Record<string, ResourceSpec>;
  functions: Record<string, { description: string; inputs: ObjectSpec; outputs: ObjectSpec }>;
  types: Record<string, ObjectSpec>;
  language: Record<string, Record<string, unknown>>;
}

const schema = packageSchema() as Schema;
const token = (name: string) => `${PACKAGE}:index:${name}`;
const typeRef = (name: string) => `#/types/${token(name)}`;
const sorted = (xs: Iterable<string>) => [...xs].sort();
const OTHER: Record<CollectionName, CollectionName> = { trusted: "suspicious", suspicious: "trusted" };

/** The schema type a field of the model must have: a list of strings for a set, else a string. */
const expectedType = (f: (typeof ENTRY_FIELDS)[number]): Prop =>
  FIELDS[f].compare === "set" ? { type: "array", items: { type: "string" } } : { type: "string" };

function expectFields(props: Record<string, Prop>, kind: CollectionName) {
  for (const f of fieldsOf(kind)) {
    expect(props[f]).toMatchObject({ ...expectedType(f), description: FIELDS[f].doc });
  }
}

test("schema.json says what packageSchema() says (`npm run gen-schema` writes it)", () => {
  // Compared as JSON, keys in order: the file's layout is Prettier's (checked by `npm run lint`).
  const file = path.join(__dirname, "../../provider/plugin/schema.json");
  const checkedIn = fs.readFileSync(file, "utf8");
  if (JSON.stringify(JSON.parse(checkedIn)) !== JSON.stringify(schema)) {
    throw new Error("provider/plugin/schema.json is stale: run `npm run gen-schema` and commit it");
  }
  expect(checkedIn.endsWith("}\n")).toBe(true);
});

test("packageSchema() is pure: a fresh, equal object on every call", () => {
  const a = packageSchema() as Schema;
  const b = packageSchema() as Schema;
  expect(a).toEqual(b);
  a.resources[token(LABEL.trusted)].inputProperties.name.description = "changed";
  expect(b.resources[token(LABEL.trusted)].inputProperties.name.description).toBe(FIELDS.name.doc);
});

test("the package: name, the version of provider/version.ts, and each SDK's package", () => {
  expect(schema.name).toBe("cloudlock");
  expect(schema.version).toBe(VERSION);
  expect(schema.language.nodejs).toMatchObject({
    packageName: "@pulumi-cloudlock/cloudlock",
    respectSchemaVersion: true,
  });
  expect(schema.language.go.importBasePath).toMatch(/^github\.com\/[^/]+\/[^/]+\/sdk\/go\/cloudlock$/);
});

test("the plugin downloads from this repository's GitHub releases, the home package.json names", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8"));
  const { owner, repo } = githubHome(pkg.repository);
  expect(`${owner}/${repo}`).toBe("pulumi-cloudlock/pulumi-cloudlock");
  // The CLI (sdk/go/common/workspace/plugins.go, githubSource) reads github://<api host>/<org> as the repository
  // `pulumi-<package>` of that organisation: the short form names this repository.
  expect(schema.pluginDownloadURL).toBe(`github://api.github.com/${owner}`);
  expect(`pulumi-${schema.name}`).toBe(repo);
  expect(schema.repository).toBe(`https://github.com/${owner}/${repo}`);
  expect(schema.language.go.importBasePath).toBe(`github.com/${owner}/${repo}/sdk/go/cloudlock`);
});

test("githubHome reads package.json `repository` in npm's spellings, and refuses other hosts", () => {
  const home = { owner: "o", repo: "r" };
  for (const spelling of [
    { type: "git", url: "git+https://github.com/o/r.git" },
    "https://github.com/o/r",
    "git+ssh://git@github.com/o/r.git",
    "github:o/r",
    "o/r",
  ])
    expect(githubHome(spelling)).toEqual(home);
  expect(() => githubHome("https://gitlab.com/o/r")).toThrow(/not a GitHub repository/);
  expect(() => githubHome(undefined)).toThrow(/not a GitHub repository/);
});

test("the resources and functions are exactly the ones the plugin serves (model.ts tokens)", () => {
  expect(sorted(Object.keys(schema.resources))).toEqual(sorted(Object.values(PLUGIN_TOKENS)));
  expect(sorted(Object.keys(schema.functions))).toEqual(
    sorted([...Object.values(FUNCTION_TOKENS), FEED_FUNCTION_TOKEN]),
  );
  expect(Object.keys(schema.resources)).toContain("cloudlock:index:TrustedIp");
  expect(Object.keys(schema.functions)).toContain("cloudlock:index:getSuspiciousIps");
});

describe("config", () => {
  const configured = Object.values(SETTINGS).filter((s) => "config" in s && s.config);

  test("every setting a stack may set, by its bare name, typed by how it parses, described by its doc", () => {
    const byName = Object.fromEntries(
      configured.map((s) => [(s as { config: string }).config.split(":")[1], s]),
    );
    expect(sorted(Object.keys(schema.config.variables))).toEqual(sorted(Object.keys(byName)));
    expect(Object.keys(byName)).toEqual(["apiUrl", "apiToken", "timeoutSeconds", "maxRequestsPerSecond"]);
    for (const [name, s] of Object.entries(byName)) {
      const v = schema.config.variables[name];
      expect(v.type).toBe({ text: "string", url: "string", positive: "number", flag: "boolean" }[s.parse]);
      expect(v.description!.toLowerCase()).toContain(s.doc.toLowerCase());
      expect(v.description).toContain(s.env);
      if (s.default !== undefined) expect(v.default).toBe(s.default);
    }
    expect(schema.config.variables.timeoutSeconds.default).toBe(SETTINGS.timeoutSeconds.default);
    expect(schema.config.variables.maxRequestsPerSecond.default).toBe(50);
  });

  test("the provider's inputs are the config", () => {
    expect(schema.provider.inputProperties).toEqual(schema.config.variables);
  });

  test("apiToken is secret; no SDK reads the connection (URL, token) from the environment into a provider's inputs", () => {
    for (const props of [schema.config.variables, schema.provider.inputProperties]) {
      expect(props.apiToken.secret).toBe(true);
      // The provider reads both variables itself: a token never lands in state, and a provider of its own never
      // gets the environment's URL without its token (which the plugin would refuse as half a connection).
      for (const name of ["apiUrl", "apiToken"]) expect(props[name].defaultInfo).toBeUndefined();
      for (const name of ["timeoutSeconds", "maxRequestsPerSecond"]) {
        expect(props[name].secret).toBeUndefined();
        const s = SETTINGS[name as keyof typeof SETTINGS];
        expect(props[name].defaultInfo).toEqual({ environment: [s.env] });
      }
    }
  });

  test("a setting without a config key (the CLI's adoptIdentical) is not provider config", () => {
    expect(schema.config.variables).not.toHaveProperty("adoptIdentical");
  });
});

describe.each(COLLECTIONS)("the %s entry resource", (kind) => {
  const r = schema.resources[token(LABEL[kind])];
  const required = fieldsOf(kind).filter((f) => FIELDS[f].required);

  test("inputs: the collection's fields and adoptId; required as the model says", () => {
    expect(Object.keys(r.inputProperties)).toEqual([...fieldsOf(kind), "adoptId"]);
    expectFields(r.inputProperties, kind);
    expect(r.inputProperties.adoptId).toMatchObject({ type: "string" });
    expect(r.requiredInputs).toEqual(required);
  });

  test("outputs: the inputs and what the server computes; required as the model says", () => {
    expect(Object.keys(r.properties)).toEqual([...fieldsOf(kind), "adoptId", ...Object.keys(COMPUTED)]);
    expectFields(r.properties, kind);
    for (const c of Object.keys(COMPUTED)) expect(r.properties[c].type).toBe("string");
    expect(r.required).toEqual(required);
  });

  test("a field the collection's update cannot change is marked as replacing the entry", () => {
    const replacing = Object.keys(r.inputProperties).filter((p) => r.inputProperties[p].willReplaceOnChanges);
    expect(replacing).toEqual(fieldsOf(kind).filter((f) => !updatableOf(kind).includes(f)));
  });
});

test("the model's fields each appear in each collection that has them, and only there", () => {
  for (const f of ENTRY_FIELDS) {
    for (const kind of COLLECTIONS) {
      const has = (FIELDS[f].in as readonly string[]).includes(kind);
      const holders = [
        schema.resources[token(LABEL[kind])].inputProperties,
        schema.resources[token(LABEL[kind])].properties,
        schema.types[token(`${SET_LABEL[kind]}Entry`)].properties,
        schema.types[token(`Managed${LABEL[kind]}`)].properties,
      ];
      for (const props of holders) expect([f, f in props]).toEqual([f, has]);
    }
  }
  // The one field of one collection only.
  expect(fieldsOf("suspicious")).toContain("expiresOn");
  expect(fieldsOf("trusted")).not.toContain("expiresOn");
});

test("the feed function: every argument the runtime takes, and its result is the Feed type a set's feed takes", () => {
  const f = schema.functions[FEED_FUNCTION_TOKEN];
  expect(sorted(Object.keys(f.inputs.properties))).toEqual(sorted([...FEED_ARGS]));
  expect(f.outputs.properties).toEqual(schema.types[token("Feed")].properties);
  expect(schema.types[token("Feed")].required).toEqual(["label", "source", "hash", "entries"]);
});

describe.each(COLLECTIONS)("the %s set resource", (kind) => {
  const r = schema.resources[token(SET_LABEL[kind])];
  const entry = schema.types[token(`${SET_LABEL[kind]}Entry`)];
  const managed = schema.types[token(`Managed${LABEL[kind]}`)];

  test("inputs: a list of entries of the collection (no adoptId), the mode (additive by default), a feed and its guard rails; neither entries nor feed required alone", () => {
    expect(r.inputProperties.entries).toMatchObject({
      type: "array",
      items: { $ref: typeRef(`${SET_LABEL[kind]}Entry`) },
    });
    expect(r.inputProperties.mode).toMatchObject({ $ref: typeRef("IpSetMode"), default: "additive" });
    // A set declares entries, a feed, or both: the set's check refuses neither (schema cannot say "one of").
    expect(r.requiredInputs).toEqual([]);
    expect(r.inputProperties.feed).toMatchObject({ $ref: typeRef("Feed") });
    expect(r.inputProperties.maxChange).toMatchObject({ type: "string" });
    expect(r.inputProperties.allow).toMatchObject({ type: "array", items: { type: "string" } });
    expect("ttl" in r.inputProperties).toBe(kind === "suspicious");
    expect(Object.keys(entry.properties)).toEqual([...fieldsOf(kind)]);
    expectFields(entry.properties, kind);
    expect(entry.required).toEqual(fieldsOf(kind).filter((f) => FIELDS[f].required));
  });

  test("outputs: mode, count, the managed entries by address (pk and fields), removeUndeclared", () => {
    expect(sorted(Object.keys(r.properties))).toEqual(["count", "entries", "mode", "removeUndeclared"]);
    expect(r.properties.count.type).toBe("integer");
    expect(r.properties.entries).toMatchObject({
      type: "object",
      additionalProperties: { $ref: typeRef(`Managed${LABEL[kind]}`) },
    });
    expect(r.properties.removeUndeclared).toMatchObject({
      type: "object",
      additionalProperties: { type: "string" },
    });
    expect(Object.keys(managed.properties)).toEqual(["pk", ...fieldsOf(kind)]);
    expectFields(managed.properties, kind);
    expect(managed.required).toEqual(["pk", ...fieldsOf(kind).filter((f) => FIELDS[f].required)]);
  });

  test("the other collection's set type is a different one", () => {
    expect(r.inputProperties.entries.items!.$ref).not.toBe(typeRef(`${SET_LABEL[OTHER[kind]]}Entry`));
  });
});

test("the set mode is an enum of the modes set-schema.ts accepts", () => {
  const mode = schema.types[token("IpSetMode")];
  expect(mode.type).toBe("string");
  expect(mode.enum!.map((e) => e.value)).toEqual([...SET_MODES]);
  for (const e of mode.enum!) expect(e.description).toBeTruthy();
});

describe.each(COLLECTIONS)("the %s lookup function", (kind) => {
  const fn = schema.functions[token(`get${LABEL[kind]}s`)];

  test("inputs q and name, both optional text; output entries, a list of IpEntryInfo", () => {
    expect(sorted(Object.keys(fn.inputs.properties))).toEqual(["name", "q"]);
    for (const p of Object.values(fn.inputs.properties)) expect(p).toMatchObject({ type: "string" });
    expect(fn.inputs.required ?? []).toEqual([]);
    expect(fn.outputs.properties.entries).toMatchObject({
      type: "array",
      items: { $ref: typeRef("IpEntryInfo") },
    });
    expect(fn.outputs.required).toEqual(["entries"]);
  });
});

test("IpEntryInfo: pk, every field of either collection, what the server computes; expiresOn optional", () => {
  const info = schema.types[token("IpEntryInfo")];
  expect(Object.keys(info.properties)).toEqual(["pk", ...ENTRY_FIELDS, ...Object.keys(COMPUTED)]);
  for (const f of ENTRY_FIELDS) expect(info.properties[f]).toMatchObject(expectedType(f));
  expect(sorted(info.required!)).toEqual(
    sorted(["pk", "name", "ipAddress", "description", "categories", ...Object.keys(COMPUTED)]),
  );
  expect(info.required).not.toContain("expiresOn");
});

test("every reference names a type the schema defines, and every type is used", () => {
  const text = JSON.stringify(schema);
  const refs = new Set([...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]));
  const defined = Object.keys(schema.types).map((t) => `#/types/${t}`);
  expect(sorted(refs)).toEqual(sorted(defined));
});

test("tokens fit the metaschema's pattern; no internal state key is exposed", () => {
  // pulumi/pulumi pkg/codegen/schema/pulumi.json, $defs.token.
  const tokenPattern = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/]*$/;
  for (const t of [
    ...Object.keys(schema.resources),
    ...Object.keys(schema.types),
    ...Object.keys(schema.functions),
  ]) {
    expect(t).toMatch(tokenPattern);
  }
  const text = JSON.stringify(schema);
  for (const internal of ["serverOwned", "serverSpelling", "addressConflict", "logUrn", "__provider"]) {
    expect(text).not.toContain(internal);
  }
});
