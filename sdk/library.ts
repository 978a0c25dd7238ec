import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { problem } from "../provider/client/errors";
import type { CollectionName } from "../provider/client/types";
import { FIELDS as MODEL, type FieldSpec, fieldsOf } from "../provider/model";
import { programError } from "../provider/pulumi-internals";
import { resourceName } from "./data";
import { SuspiciousIp, type SuspiciousIpArgs } from "./suspicious-ip";
import { TrustedIp, type TrustedIpArgs } from "./trusted-ip";

/**
 * One entry in a library data file: the inputs of a TrustedIp/SuspiciousIp,
 * plus the Pulumi resource name to declare it under.
 */
export interface EntryRecord {
  /** Pulumi resource name; default `trusted-<slug of name>` / `suspicious-<slug of name>`. */
  resource?: string;
  name: string;
  ipAddress: string;
  categories?: string[];
  description?: string;
  /** Suspicious entries only: ISO-8601 timestamp. */
  expiresOn?: string;
  /** Adopt the existing entry with this pk (written by `cloudlock-pulumi import`). */
  adoptId?: string;
  /**
   * The resource name this record had before it was renamed (its `resource`, or the name derived from its old
   * `name`): the resource keeps its entry instead of being deleted and created again (Pulumi's `aliases`).
   */
  renamedFrom?: string;
}

/**
 * A library data file (YAML or JSON): what `cloudlock-pulumi import --format
 * yaml|json` writes and the offices example reads. Top-level `comment` and
 * `skipped` (entries the importer could not declare, with reasons) are ignored.
 */
export interface LibraryData {
  trusted?: EntryRecord[];
  suspicious?: EntryRecord[];
}

/** Each field of a record of `kind` and its shape: that library's fields, the resource name, adoptId and renamedFrom. */
const fieldsOfRecord = (kind: CollectionName) =>
  ({
    resource: "string",
    ...Object.fromEntries(fieldsOf(kind).map((f) => [f, MODEL[f].compare === "set" ? "list" : "string"])),
    adoptId: "string",
    renamedFrom: "string",
  }) as Partial<Record<keyof EntryRecord, "string" | "list">>;

/**
 * Read and shape-check a library data file (`.yaml`, `.yml` or `.json`).
 * Errors name the file and the exact place (`trusted[3].ipAddress`); the
 * values themselves are validated by the resources, field by field.
 */
export function readLibraryFile(file: string): LibraryData {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw dataFileError(file, [
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    ]);
  }
  let doc: unknown;
  try {
    doc = path.extname(file).toLowerCase() === ".json" ? JSON.parse(text) : yaml.load(text);
  } catch (e) {
    // js-yaml's message draws the spot over several lines: the first names it (line and column).
    const why = (e as Error).message.split("\n")[0];
    throw dataFileError(file, [`not valid ${path.extname(file).slice(1) || "YAML"}: ${why}`]);
  }
  return checkLibraryData(doc, file);
}

/** The error for a data file's problems: expected (no stack), and printed by Pulumi as its message alone. */
function dataFileError(where: string, problems: string[]): Error {
  return programError(problem("data-file", { where, problems }));
}

/** Shape-check parsed library data; `where` prefixes every message. */
export function checkLibraryData(doc: unknown, where = "library data"): LibraryData {
  const problems: string[] = [];
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw dataFileError(where, ['expected a mapping with "trusted" and/or "suspicious" lists']);
  }
  const out: LibraryData = {};
  for (const [key, list] of Object.entries(doc)) {
    if (key === "skipped" || key === "comment") continue;
    if (key !== "trusted" && key !== "suspicious") {
      problems.push(
        `unknown key "${key}" (expected "trusted" or "suspicious"; "comment" and "skipped" are ignored)`,
      );
      continue;
    }
    if (list === null) continue;
    if (!Array.isArray(list)) {
      problems.push(`${key} must be a list of entries`);
      continue;
    }
    list.forEach((rec: unknown, i: number) => {
      const at = `${key}[${i}]`;
      if (typeof rec !== "object" || rec === null || Array.isArray(rec)) {
        problems.push(`${at} must be a mapping of entry fields`);
        return;
      }
      const fields = fieldsOfRecord(key);
      for (const [f, v] of Object.entries(rec)) {
        const want = fields[f as keyof EntryRecord];
        const other: FieldSpec | undefined = (MODEL as Record<string, FieldSpec>)[f];
        // A field of the other library only: say why this one lacks it (trusted entries do not expire).
        if (!want && other) problems.push(`${at}.${f}: ${other.notIn ?? `not a ${key} field`}`);
        else if (!want)
          problems.push(`${at}.${f} is not an entry field (expected ${Object.keys(fields).join(", ")})`);
        else if (v === null || v === undefined) continue;
        else if (
          want === "list" ? !Array.isArray(v) || v.some((x) => typeof x !== "string") : typeof v !== "string"
        )
          problems.push(`${at}.${f} must be ${want === "list" ? "a list of strings" : "a string"}`);
      }
      for (const f of fieldsOf(key)) {
        const spec: FieldSpec = MODEL[f];
        if (spec.required && !(f in rec)) problems.push(`${at}.${f} is required`);
      }
    });
    out[key] = list as EntryRecord[];
  }
  if (problems.length) throw dataFileError(where, problems);
  return out;
}

/** The resources {@link declareLibrary} made. */
export interface DeclaredLibrary {
  trusted: TrustedIp[];
  suspicious: SuspiciousIp[];
}

/**
 * Declare one TrustedIp/SuspiciousIp per record. Two records that would get
 * the same resource name are refused, naming both, before anything is declared.
 */
export function declareLibrary(data: LibraryData, opts?: pulumi.CustomResourceOptions): DeclaredLibrary {
  const named = (kind: "trusted" | "suspicious") =>
    (data[kind] ?? []).map((r) => ({ r, resource: r.resource || resourceName(kind, r.name) }));
  const trusted = named("trusted");
  const suspicious = named("suspicious");
  for (const [kind, list] of [
    ["trusted", trusted],
    ["suspicious", suspicious],
  ] as const) {
    const first = new Map<string, number>();
    list.forEach(({ resource }, i) => {
      const j = first.get(resource);
      if (j !== undefined) {
        throw dataFileError("library data", [
          `${kind}[${j}] and ${kind}[${i}] would both be the resource "${resource}"; give one of them a distinct "resource" name`,
        ]);
      }
      first.set(resource, i);
    });
  }
  // Every field the model gives the library, as the record has it (a data file's null is "not set").
  const args = (kind: CollectionName, r: EntryRecord): Record<string, unknown> => ({
    ...Object.fromEntries(fieldsOf(kind).map((f) => [f, r[f] ?? undefined])),
    adoptId: r.adoptId ?? undefined,
    // Read by the provider's check only: its messages then name the data file's fields, not resource options.
    route: "data-file",
  });
  const options = (r: EntryRecord): pulumi.CustomResourceOptions | undefined =>
    r.renamedFrom ? { ...opts, aliases: [...(opts?.aliases ?? []), { name: r.renamedFrom }] } : opts;
  return {
    trusted: trusted.map(
      ({ r, resource }) =>
        new TrustedIp(resource, args("trusted", r) as unknown as TrustedIpArgs, options(r)),
    ),
    suspicious: suspicious.map(
      ({ r, resource }) =>
        new SuspiciousIp(resource, args("suspicious", r) as unknown as SuspiciousIpArgs, options(r)),
    ),
  };
}
