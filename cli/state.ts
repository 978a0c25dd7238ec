/**
 * Which Cloudlock entries a stack manages, read from its state as `pulumi stack export` writes it: the
 * per-entry resources (dynamic `pulumi-nodejs:dynamic/cloudlock:TrustedIp`, plugin `cloudlock:index:TrustedIp`,
 * and the suspicious ones; id = the entry's pk) and the sets (their outputs' `entries`, each with its pk).
 * `import --exclude-state` leaves these out, so no entry ends up declared by two stacks.
 */
import { COLLECTIONS, type CollectionName } from "../provider/client/types";
import { LABEL, PLUGIN_TOKENS, SET_LABEL, TYPE_TOKENS } from "../provider/tokens";

/** A file that is not a stack export, or one whose resources of ours cannot be read. One line, naming the file. */
export class StateFileError extends Error {}

/** The deployment versions `pulumi stack export` has written (3 since Pulumi 3): their resources look alike. */
const VERSIONS = [1, 2, 3];

/** Every type token of ours, dynamic and plugin alike, with its library and whether it is a set. */
const TOKENS = new Map<string, { kind: CollectionName; set: boolean }>(
  COLLECTIONS.flatMap((kind) =>
    [TYPE_TOKENS, PLUGIN_TOKENS].flatMap((tokens) => [
      [tokens[LABEL[kind]], { kind, set: false }] as const,
      [tokens[SET_LABEL[kind]], { kind, set: true }] as const,
    ]),
  ),
);

/** How the engine marks a secret in exported state. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The entries the stack's state manages, as pks by library. */
export type Managed = Record<CollectionName, Set<string>>;

export const noneManaged = (): Managed => ({ trusted: new Set(), suspicious: new Set() });

/**
 * Add to `into` the pks the state in `text` manages; `source` names the file in errors. Resources read with
 * `.get` (external) are looked at, not managed: they are not counted.
 */
export function readManaged(text: string, source: string, into: Managed = noneManaged()): Managed {
  const notExport = (why: string) =>
    new StateFileError(`${source} is not a stack export (the output of \`pulumi stack export\`): ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw notExport(
      text.trim() === "" ? "it is empty" : `it is not JSON (${(e as Error).message.replace(/\s+/g, " ")})`,
    );
  }
  if (!isObject(doc)) throw notExport(`it is ${Array.isArray(doc) ? "a JSON list" : `JSON ${typeof doc}`}`);
  if (!isObject(doc.deployment)) {
    const looks =
      "checkpoint" in doc
        ? `; it looks like a state backend's checkpoint file`
        : "steps" in doc || "changeSummary" in doc
          ? "; it looks like `pulumi preview --json` output"
          : "";
    throw notExport(`it has no "deployment" object${looks}`);
  }
  if (typeof doc.version !== "number") throw notExport('it has no numeric "version"');
  if (!VERSIONS.includes(doc.version))
    throw notExport(`its version ${doc.version} is not one this command reads (${VERSIONS.join(", ")})`);
  const resources = doc.deployment.resources ?? [];
  if (!Array.isArray(resources)) throw notExport('its "deployment.resources" is not a list');
  resources.forEach((r: unknown, i) => {
    if (!isObject(r) || typeof r.type !== "string")
      throw notExport(`deployment.resources[${i}] is not a resource (no "type")`);
    const ours = TOKENS.get(r.type);
    if (!ours || r.external === true) return;
    const where = `${source}: ${typeof r.urn === "string" ? r.urn : `deployment.resources[${i}]`}`;
    if (!ours.set) {
      if (typeof r.id !== "string" || r.id === "")
        throw new StateFileError(`${where} has no id (the entry's pk)`);
      into[ours.kind].add(r.id);
      return;
    }
    const outputs = reveal(r.outputs ?? {}, `${where} outputs`);
    const entries = isObject(outputs) ? reveal(outputs.entries ?? {}, `${where} outputs.entries`) : undefined;
    if (!isObject(entries))
      throw new StateFileError(
        `${where}: its outputs.entries is not the map of managed entries a set stores`,
      );
    for (const [key, raw] of Object.entries(entries)) {
      const entry = reveal(raw, `${where} entry ${key}`);
      const pk = isObject(entry) ? reveal(entry.pk, `${where} entry ${key}`) : undefined;
      if (typeof pk !== "string" || pk === "")
        throw new StateFileError(`${where}: entry ${JSON.stringify(key)} has no pk`);
      into[ours.kind].add(pk);
    }
  });
  return into;
}

/** A value of exported state with a secret opened: plaintext (`--show-secrets`) parsed; ciphertext refused. */
function reveal(v: unknown, where: string): unknown {
  if (!isObject(v) || v[SECRET_SIG] === undefined) return v;
  if (typeof v.plaintext === "string") {
    try {
      return JSON.parse(v.plaintext);
    } catch {
      throw new StateFileError(`${where} is a secret whose plaintext is not JSON`);
    }
  }
  throw new StateFileError(
    `${where} is a secret, encrypted in this export: export with \`pulumi stack export --show-secrets\``,
  );
}
