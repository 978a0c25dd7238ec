#!/usr/bin/env node
/**
 * `cloudlock-pulumi`: bring an existing Cloudlock IP library under Pulumi.
 *   cloudlock-pulumi import --collection trusted|suspicious|all [--format ts|yaml|json] [--out FILE]
 *   cloudlock-pulumi csv-to-code --collection trusted|suspicious FILE.csv
 * Exit codes: 0 ok, 2 usage or configuration error, 1 API or input error.
 */
import * as fs from "fs";
import * as path from "path";
import { CloudlockClient } from "../provider/client/client";
import { isCloudlockError, isConfigError } from "../provider/client/errors";
import type { CollectionName } from "../provider/client/types";
import { CsvImportError, csvEntries } from "../provider/csv";
import { Format, Planned, plansFromCsv, plansFromEntries, render, summarise } from "./codegen";

const USAGE = `Usage: cloudlock-pulumi <command> [options]

Commands:
  import        write code that adopts the entries already in a Cloudlock library
  csv-to-code   write code that declares what a Cloudlock CSV import would create

Run "cloudlock-pulumi <command> --help" for a command's options.
`;

const CONNECTION = `Connection (the same settings as the provider):
  --api-url URL        the tenant's API, e.g. https://<server>/api/v2 (default: $CLOUDLOCK_API_URL)
  The token is read from $CLOUDLOCK_API_TOKEN only: a flag would show in shell history and process lists.`;

const IMPORT_HELP = `Usage: cloudlock-pulumi import --collection trusted|suspicious|all [options]

Lists the library (every page) and writes one declaration per entry, with its
current values and adoptId set to its pk: the first "pulumi up" adopts every
entry and creates nothing. Entries the SDK would refuse (e.g. a suspicious entry
already expired) are written commented out, with the reason.

Options:
  --collection C       trusted, suspicious or all (required)
  --q TEXT             only entries matching TEXT in name, location, address or categories
  --name TEXT          only entries whose name contains TEXT
  --format F           ts (a TypeScript module, default), yaml or json (a library data file
                       for declareLibrary(readLibraryFile(...)))
  --out FILE           write to FILE instead of stdout
  --quiet              no progress on stderr (the summary is still printed)
  --help               show this help

${CONNECTION}
`;

const CSV_HELP = `Usage: cloudlock-pulumi csv-to-code --collection trusted|suspicious [options] FILE.csv

Converts a file in Cloudlock's CSV import format (suspicious: Type,Description,TTL,IP;
trusted: Name,Description,Type,Ip; the IP cell may hold an address, a range a-b or a
quoted comma-separated list) into declarations of the entries that import would
create, without adoptId. Nothing is sent to Cloudlock.

Options:
  --collection C       trusted or suspicious (required)
  --format F           ts (default), yaml or json
  --out FILE           write to FILE instead of stdout
  --help               show this help
`;

/** A mistake in how the command was called: exit 2. */
class UsageError extends Error {}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress then rewrites one line). */
  tty: boolean;
}

interface Parsed {
  flags: Map<string, string | true>;
  positional: string[];
}

function parse(argv: string[], valued: string[], switches: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a];
    if (switches.includes(flag)) {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      flags.set(flag, true);
    } else if (valued.includes(flag)) {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith("--")))
        throw new UsageError(`${flag} needs a value`);
      flags.set(flag, v);
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  return { flags, positional };
}

function choice<T extends string>(p: Parsed, flag: string, allowed: readonly T[], dflt?: T): T {
  const v = p.flags.get(flag) ?? dflt;
  if (v === undefined) throw new UsageError(`${flag} is required (${allowed.join(", ")})`);
  if (!allowed.includes(v as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got "${v}"`);
  return v as T;
}

const FORMATS = ["ts", "yaml", "json"] as const;

async function runImport(argv: string[], io: Io): Promise<void> {
  const p = parse(
    argv,
    ["--collection", "--q", "--name", "--format", "--out", "--api-url"],
    ["--quiet", "--help"],
  );
  if (p.flags.has("--help")) return io.stdout(IMPORT_HELP);
  if (p.positional.length) throw new UsageError(`unexpected argument "${p.positional[0]}"`);
  const which = choice(p, "--collection", ["trusted", "suspicious", "all"] as const);
  const format = choice<Format>(p, "--format", FORMATS, "ts");
  const query = { q: str(p, "--q"), name: str(p, "--name") };
  const client = connect(p, io);
  const kinds: CollectionName[] = which === "all" ? ["trusted", "suspicious"] : [which];
  const plans: Planned[] = [];
  for (const kind of kinds) {
    const progress = (fetched: number, total: number) => {
      if (p.flags.has("--quiet")) return;
      const line = `${kind}: fetched ${fetched}/${total} entries`;
      io.stderr(io.tty ? `\r${line}` : `${line}\n`);
    };
    const entries = await client[kind].listAll(query, {
      confirm: true,
      onPage: (x) => progress(x.fetched, x.total),
    });
    if (io.tty && !p.flags.has("--quiet")) io.stderr("\n");
    plans.push(...plansFromEntries(kind, entries));
  }
  const filters = [
    query.q && `--q ${JSON.stringify(query.q)}`,
    query.name && `--name ${JSON.stringify(query.name)}`,
  ];
  const header = [
    `Generated by: cloudlock-pulumi import --collection ${which}${filters
      .filter(Boolean)
      .map((f) => ` ${f}`)
      .join("")}`,
    "Each declaration adopts the existing entry named by adoptId: the first `pulumi up` creates nothing.",
    "Removing a declaration later deletes that entry from Cloudlock.",
  ];
  write(p, io, render(format, plans, header));
  report(io, plans, "adopted");
  // Only a listing proven complete gets here (the client refuses any other), so an empty one is the truth.
  if (plans.length === 0)
    io.stderr(
      `the ${kinds.join(" and ")} librar${kinds.length > 1 ? "ies are" : "y is"} empty (complete listing)\n`,
    );
}

async function runCsv(argv: string[], io: Io): Promise<void> {
  const p = parse(argv, ["--collection", "--format", "--out"], ["--help"]);
  if (p.flags.has("--help")) return io.stdout(CSV_HELP);
  const kind = choice(p, "--collection", ["trusted", "suspicious"] as const);
  const format = choice<Format>(p, "--format", FORMATS, "ts");
  if (p.positional.length !== 1) throw new UsageError("give exactly one CSV file");
  const file = p.positional[0];
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let plans: Planned[];
  try {
    plans = plansFromCsv(kind, csvEntries(kind, text));
  } catch (e) {
    if (e instanceof CsvImportError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
  const header = [
    `Generated by: cloudlock-pulumi csv-to-code --collection ${kind} ${path.basename(file)}`,
    "The entries a Cloudlock CSV import of that file would create; `pulumi up` creates them.",
  ];
  write(p, io, render(format, plans, header));
  report(io, plans, "declared");
}

/** Bad input data (not a bad command line): exit 1. */
class InputError extends Error {}

function str(p: Parsed, flag: string): string | undefined {
  const v = p.flags.get(flag);
  return typeof v === "string" ? v : undefined;
}

function connect(p: Parsed, io: Io): CloudlockClient {
  // resolveConnection (inside the client) reads the env and refuses plain http off loopback.
  return new CloudlockClient({ apiUrl: str(p, "--api-url"), env: io.env });
}

function write(p: Parsed, io: Io, text: string): void {
  const out = str(p, "--out");
  if (!out) return io.stdout(text);
  // Write beside, then rename: an interrupted run never leaves half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, out);
  io.stderr(`wrote ${out}\n`);
}

function report(io: Io, plans: Planned[], verb: string): void {
  const s = summarise(plans);
  const byKind = (["trusted", "suspicious"] as const)
    .map((k) => [k, plans.filter((x) => x.kind === k && !x.skipped).length] as const)
    .filter(([k]) => plans.some((x) => x.kind === k))
    .map(([k, n]) => `${n} ${k}`);
  let line = `${s.written} ${s.written === 1 ? "entry" : "entries"} ${verb}${byKind.length ? ` (${byKind.join(", ")})` : ""}, ${s.skipped} skipped`;
  if (s.skipped)
    line += `: ${[...s.reasons].map(([r, n]) => `${n} ${r}`).join(", ")} (written commented out)`;
  io.stderr(line + "\n");
}

/** Run the command; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "import":
        await runImport(rest, io);
        return 0;
      case "csv-to-code":
        await runCsv(rest, io);
        return 0;
      case undefined:
      case "--help":
      case "help":
        io[command ? "stdout" : "stderr"](USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || isConfigError(e)) {
      io.stderr(`cloudlock-pulumi: ${(e as Error).message}\n`);
      if (e instanceof UsageError)
        io.stderr(
          `Run "cloudlock-pulumi ${command && command !== "help" ? `${command} ` : ""}--help" for usage.\n`,
        );
      return 2;
    }
    if (e instanceof InputError || isCloudlockError(e)) {
      io.stderr(`cloudlock-pulumi: ${(e as Error).message}\n`);
      return 1;
    }
    io.stderr(`cloudlock-pulumi: unexpected error: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    tty: Boolean(process.stderr.isTTY),
  }).then((code) => {
    process.exitCode = code;
  });
}
