/**
 * Is a Pulumi package schema (provider/plugin/schema.json) compatible with a released one? Programs and SDKs
 * generated from the released schema must keep working with the new plugin, so these are breaking:
 * a removed resource, function, type, property, config variable or enum value; a property whose type changed;
 * an input that becomes required; an output that becomes optional (leaves `required`). Additions and
 * descriptions are not. Pure: the tests feed it the last release's saved schema and synthetic ones.
 */

/** The parts of a package schema this reads (https://www.pulumi.com/docs/iac/extending-pulumi/schema/). */
export interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  oneOf?: PropertySpec[];
}
interface ObjectSpec {
  properties?: Record<string, PropertySpec>;
  required?: string[];
}
interface ResourceSpec extends ObjectSpec {
  inputProperties?: Record<string, PropertySpec>;
  requiredInputs?: string[];
}
interface TypeSpec extends ObjectSpec {
  type?: string;
  enum?: { value: unknown }[];
}
export interface PackageSchema {
  version?: string;
  config?: { variables?: Record<string, PropertySpec>; defaults?: string[] };
  provider?: ResourceSpec;
  resources?: Record<string, ResourceSpec>;
  functions?: Record<string, { inputs?: ObjectSpec; outputs?: ObjectSpec }>;
  types?: Record<string, TypeSpec>;
}

export type BreakKind =
  | "removed-resource"
  | "removed-function"
  | "removed-type"
  | "removed-property"
  | "removed-enum-value"
  | "changed-type"
  | "new-required-input"
  | "output-optional";

export interface SchemaBreak {
  kind: BreakKind;
  /** Where, e.g. `cloudlock:index:TrustedIp inputs.name`. */
  where: string;
  detail: string;
}

/** A property's type as one string: `string`, `array<#/types/x>`, `map<number>`, `union<…>`. */
export function typeOf(p: PropertySpec | undefined): string {
  if (!p) return "any";
  if (p.$ref) return p.$ref;
  if (p.oneOf) return `union<${p.oneOf.map(typeOf).sort().join("|")}>`;
  if (p.type === "array") return `array<${typeOf(p.items)}>`;
  if (p.type === "object" && p.additionalProperties) return `map<${typeOf(p.additionalProperties)}>`;
  return p.type ?? "any";
}

const keys = (o: object | undefined) => Object.keys(o ?? {});

/**
 * The breaks between properties: removed ones and changed types; `required` (outputs) must not lose names,
 * `requiredInputs` must not gain any.
 */
function compareObject(
  where: string,
  side: "inputs" | "outputs" | "properties",
  old: { props?: Record<string, PropertySpec>; required?: string[] },
  next: { props?: Record<string, PropertySpec>; required?: string[] },
  requiredMeans: "output" | "input" | "both",
): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  for (const name of keys(old.props)) {
    const at = `${where} ${side}.${name}`;
    if (!next.props?.[name]) {
      out.push({ kind: "removed-property", where: at, detail: "removed" });
      continue;
    }
    const [a, b] = [typeOf(old.props![name]), typeOf(next.props[name])];
    if (a !== b) out.push({ kind: "changed-type", where: at, detail: `${a} -> ${b}` });
  }
  const [was, now] = [new Set(old.required ?? []), new Set(next.required ?? [])];
  if (requiredMeans !== "input")
    for (const name of was)
      if (!now.has(name) && next.props?.[name])
        out.push({
          kind: "output-optional",
          where: `${where} ${side}.${name}`,
          detail: "no longer required",
        });
  if (requiredMeans !== "output")
    for (const name of now)
      if (!was.has(name))
        out.push({ kind: "new-required-input", where: `${where} ${side}.${name}`, detail: "now required" });
  return out;
}

function compareResource(where: string, old: ResourceSpec, next: ResourceSpec): SchemaBreak[] {
  return [
    ...compareObject(
      where,
      "inputs",
      { props: old.inputProperties, required: old.requiredInputs },
      { props: next.inputProperties, required: next.requiredInputs },
      "input",
    ),
    ...compareObject(
      where,
      "outputs",
      { props: old.properties, required: old.required },
      { props: next.properties, required: next.required },
      "output",
    ),
  ];
}

/** Every breaking difference from `old` (the released schema) to `next`, in a stable order. */
export function schemaBreaks(old: PackageSchema, next: PackageSchema): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  for (const token of keys(old.resources)) {
    const n = next.resources?.[token];
    if (!n) out.push({ kind: "removed-resource", where: token, detail: "removed" });
    else out.push(...compareResource(token, old.resources![token], n));
  }
  for (const token of keys(old.functions)) {
    const [o, n] = [old.functions![token], next.functions?.[token]];
    if (!n) {
      out.push({ kind: "removed-function", where: token, detail: "removed" });
      continue;
    }
    out.push(
      ...compareObject(
        token,
        "inputs",
        { props: o.inputs?.properties, required: o.inputs?.required },
        { props: n.inputs?.properties, required: n.inputs?.required },
        "input",
      ),
      ...compareObject(
        token,
        "outputs",
        { props: o.outputs?.properties, required: o.outputs?.required },
        { props: n.outputs?.properties, required: n.outputs?.required },
        "output",
      ),
    );
  }
  for (const token of keys(old.types)) {
    const [o, n] = [old.types![token], next.types?.[token]];
    if (!n) {
      out.push({ kind: "removed-type", where: token, detail: "removed" });
      continue;
    }
    if ((o.type ?? "object") !== (n.type ?? "object"))
      out.push({ kind: "changed-type", where: token, detail: `${o.type} -> ${n.type}` });
    const values = new Set((n.enum ?? []).map((e) => JSON.stringify(e.value)));
    for (const e of o.enum ?? [])
      if (!values.has(JSON.stringify(e.value)))
        out.push({ kind: "removed-enum-value", where: token, detail: `${JSON.stringify(e.value)} removed` });
    // An object type may be an input and an output at once: its required list may neither grow nor shrink.
    out.push(
      ...compareObject(
        token,
        "properties",
        { props: o.properties, required: o.required },
        { props: n.properties, required: n.required },
        "both",
      ),
    );
  }
  if (old.provider) out.push(...compareResource("provider", old.provider, next.provider ?? {}));
  out.push(
    ...compareObject(
      "config",
      "properties",
      { props: old.config?.variables },
      { props: next.config?.variables },
      "input",
    ),
  );
  return out;
}

const major = (v: string | undefined): number => {
  const m = /^v?(\d+)\./.exec(v ?? "");
  if (!m) throw new Error(`not a semantic version: ${JSON.stringify(v)}`);
  return Number(m[1]);
};

/**
 * The verdict: `next` may break `old` only in a new major version (0.x to 0.y is not one: every 0.x stack and
 * program must keep working, as the state contract says). Versions default to the schemas' own.
 */
export function schemaCompatibility(
  old: PackageSchema,
  next: PackageSchema,
  versions: { old?: string; next?: string } = {},
): { ok: boolean; breaks: SchemaBreak[]; majorMoved: boolean } {
  const breaks = schemaBreaks(old, next);
  const majorMoved = major(versions.next ?? next.version) > major(versions.old ?? old.version);
  return { ok: breaks.length === 0 || majorMoved, breaks, majorMoved };
}

/** Breaks as lines for a failure message. */
export function describeBreaks(breaks: SchemaBreak[]): string {
  return breaks.map((b) => `${b.kind}: ${b.where} (${b.detail})`).join("\n");
}
