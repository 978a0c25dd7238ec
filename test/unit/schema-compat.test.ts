/**
 * The schema compatibility check on synthetic schemas: each kind of break is found, naming where; additions and
 * description changes are not breaks; a break passes only with a new major version.
 */
import {
  type PackageSchema,
  describeBreaks,
  schemaBreaks,
  schemaCompatibility,
  typeOf,
} from "../../scripts/lib/schema-compat";

/** A small released schema: a resource, a function, an object type and an enum, a provider and config. */
function base(): PackageSchema {
  return {
    version: "1.4.0",
    config: { variables: { apiUrl: { type: "string" } } },
    provider: { inputProperties: { apiUrl: { type: "string" } }, properties: {} },
    resources: {
      "pkg:index:Entry": {
        inputProperties: {
          name: { type: "string" },
          categories: { type: "array", items: { type: "string" } },
          mode: { $ref: "#/types/pkg:index:Mode" },
        },
        requiredInputs: ["name"],
        properties: {
          name: { type: "string" },
          categories: { type: "array", items: { type: "string" } },
          createdOn: { type: "string" },
          entries: { type: "object", additionalProperties: { $ref: "#/types/pkg:index:Managed" } },
        },
        required: ["name", "createdOn"],
      },
    },
    functions: {
      "pkg:index:getEntries": {
        inputs: { properties: { q: { type: "string" } } },
        outputs: {
          properties: { entries: { type: "array", items: { type: "string" } } },
          required: ["entries"],
        },
      },
    },
    types: {
      "pkg:index:Managed": { type: "object", properties: { pk: { type: "string" } }, required: ["pk"] },
      "pkg:index:Mode": { type: "string", enum: [{ value: "additive" }, { value: "authoritative" }] },
    },
  };
}

/** `base()` changed by `edit`. */
function changed(edit: (s: PackageSchema) => void): PackageSchema {
  const s = base();
  edit(s);
  return s;
}

const entry = (s: PackageSchema) => s.resources!["pkg:index:Entry"];
const kinds = (next: PackageSchema) => schemaBreaks(base(), next).map((b) => `${b.kind} ${b.where}`);

test("the same schema, and one with additions and new descriptions only, has no breaks", () => {
  expect(schemaBreaks(base(), base())).toEqual([]);
  const grown = changed((s) => {
    entry(s).inputProperties!.description = { type: "string" };
    entry(s).properties!.description = { type: "string" };
    entry(s).required!.push("description");
    s.resources!["pkg:index:Other"] = { inputProperties: { x: { type: "number" } }, requiredInputs: ["x"] };
    s.functions!["pkg:index:getOther"] = {};
    s.types!["pkg:index:Mode"].enum!.push({ value: "mirror" });
    (entry(s).properties!.name as { description?: string }).description = "now described";
  });
  expect(schemaBreaks(base(), grown)).toEqual([]);
});

test.each([
  [
    "a removed resource",
    (s: PackageSchema) => delete s.resources!["pkg:index:Entry"],
    ["removed-resource pkg:index:Entry"],
  ],
  [
    "a removed function",
    (s: PackageSchema) => delete s.functions!["pkg:index:getEntries"],
    ["removed-function pkg:index:getEntries"],
  ],
  [
    "a removed type",
    (s: PackageSchema) => delete s.types!["pkg:index:Managed"],
    ["removed-type pkg:index:Managed"],
  ],
  [
    "a removed input",
    (s: PackageSchema) => delete entry(s).inputProperties!.categories,
    ["removed-property pkg:index:Entry inputs.categories"],
  ],
  [
    "a removed output",
    (s: PackageSchema) => {
      delete entry(s).properties!.createdOn;
      entry(s).required = ["name"];
    },
    ["removed-property pkg:index:Entry outputs.createdOn"],
  ],
  [
    "a removed function output",
    (s: PackageSchema) => delete s.functions!["pkg:index:getEntries"].outputs!.properties!.entries,
    ["removed-property pkg:index:getEntries outputs.entries"],
  ],
  [
    "a removed property of an object type",
    (s: PackageSchema) => {
      s.types!["pkg:index:Managed"].properties = {};
      s.types!["pkg:index:Managed"].required = [];
    },
    ["removed-property pkg:index:Managed properties.pk"],
  ],
  [
    "a removed provider argument and config variable",
    (s: PackageSchema) => {
      s.provider!.inputProperties = {};
      s.config!.variables = {};
    },
    ["removed-property provider inputs.apiUrl", "removed-property config properties.apiUrl"],
  ],
  [
    "a removed enum value",
    (s: PackageSchema) => (s.types!["pkg:index:Mode"].enum = [{ value: "additive" }]),
    ["removed-enum-value pkg:index:Mode"],
  ],
  [
    "an input retyped",
    (s: PackageSchema) => (entry(s).inputProperties!.categories = { type: "string" }),
    ["changed-type pkg:index:Entry inputs.categories"],
  ],
  [
    "an array's items retyped",
    (s: PackageSchema) => (entry(s).properties!.categories = { type: "array", items: { type: "number" } }),
    ["changed-type pkg:index:Entry outputs.categories"],
  ],
  [
    "a map's values retyped",
    (s: PackageSchema) =>
      (entry(s).properties!.entries = { type: "object", additionalProperties: { type: "string" } }),
    ["changed-type pkg:index:Entry outputs.entries"],
  ],
  [
    "a reference replaced by a string",
    (s: PackageSchema) => (entry(s).inputProperties!.mode = { type: "string" }),
    ["changed-type pkg:index:Entry inputs.mode"],
  ],
  [
    "a function input retyped",
    (s: PackageSchema) => (s.functions!["pkg:index:getEntries"].inputs!.properties!.q = { type: "number" }),
    ["changed-type pkg:index:getEntries inputs.q"],
  ],
  [
    "a new required input",
    (s: PackageSchema) => entry(s).requiredInputs!.push("categories"),
    ["new-required-input pkg:index:Entry inputs.categories"],
  ],
  [
    "a new required function input",
    (s: PackageSchema) => (s.functions!["pkg:index:getEntries"].inputs!.required = ["q"]),
    ["new-required-input pkg:index:getEntries inputs.q"],
  ],
  [
    "an output made optional",
    (s: PackageSchema) => (entry(s).required = ["name"]),
    ["output-optional pkg:index:Entry outputs.createdOn"],
  ],
  [
    "a function output made optional",
    (s: PackageSchema) => (s.functions!["pkg:index:getEntries"].outputs!.required = []),
    ["output-optional pkg:index:getEntries outputs.entries"],
  ],
  [
    "an object type's field made optional",
    (s: PackageSchema) => (s.types!["pkg:index:Managed"].required = []),
    ["output-optional pkg:index:Managed properties.pk"],
  ],
])("%s is a break, named", (_, edit, expected) => {
  expect(kinds(changed(edit as (s: PackageSchema) => void))).toEqual(expected);
});

test("a break passes only when the major version moved (0.x to 0.y is not a major move)", () => {
  const broken = changed((s) => delete s.resources!["pkg:index:Entry"]);
  expect(schemaCompatibility(base(), { ...broken, version: "1.5.0" })).toMatchObject({
    ok: false,
    majorMoved: false,
  });
  expect(schemaCompatibility(base(), { ...broken, version: "2.0.0" })).toMatchObject({
    ok: true,
    majorMoved: true,
  });
  expect(schemaCompatibility(base(), broken, { old: "0.1.0", next: "0.2.0" }).ok).toBe(false);
  expect(schemaCompatibility(base(), base(), { old: "0.1.0", next: "0.2.0" }).ok).toBe(true);
  expect(() => schemaCompatibility(base(), broken, { old: "1.0.0", next: "latest" })).toThrow(
    /not a semantic version/,
  );
});

test("types read as one string; breaks read as lines", () => {
  expect(typeOf({ type: "array", items: { $ref: "#/types/x" } })).toBe("array<#/types/x>");
  expect(typeOf({ type: "object", additionalProperties: { type: "number" } })).toBe("map<number>");
  expect(typeOf({ oneOf: [{ type: "string" }, { type: "number" }] })).toBe("union<number|string>");
  expect(
    describeBreaks(
      schemaBreaks(
        base(),
        changed((s) => (entry(s).required = ["name"])),
      ),
    ),
  ).toBe("output-optional: pkg:index:Entry outputs.createdOn (no longer required)");
});
