#!/usr/bin/env node
/**
 * `cloudlock-pulumi`: bring an existing Cloudlock IP library under Pulumi.
 *   cloudlock-pulumi import --collection trusted|suspicious|all [--format ts|yaml|json|pulumi] [--out FILE]
 *                           [--exclude-state FILE]...
 *   cloudlock-pulumi csv-to-code --collection trusted|suspicious FILE.csv
 *   cloudlock-pulumi review [FILE|-] [--out FILE]
 * Exit codes: 0 ok, 2 usage or configuration error, 1 API or input error.
 */
import * as fs from "fs";
import * as path from "path";
import { isExpectedError } from "../provider/client/errors";
import { describeProblem, exitCodeOf } from "../provider/problems";
import { COLLECTIONS, type CollectionName } from "../provider/client/types";
import { CsvImportError, csvEntries } from "../common/csv";
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  EXIT_WILL_FAIL,
  UsageError,
  packageVersion,
  parseCommandLine,
} from "../common/args";
import { Format, Planned, plansFromCsv, plansFromEntries, render } from "./codegen";
import { CONNECTION, connect } from "./connect";
import { checkOut, errorCode, InputError, Io, readInput, readStates, report, summaryLine, write } from "./io";
import { choice, FORMATS, HELP, type Parsed, str } from "./options";
import { ReviewInputError, parsePreview, renderReview, reviewPreview, willFail } from "./review";

const USAGE = `Usage: cloudlock-pulumi <command> [options]

Commands:
  import        write code that adopts the entries already in a Cloudlock library
  csv-to-code   write code that declares what a Cloudlock CSV import would create
  review        summarise \`pulumi preview --json\` as Markdown for a pull request

Options:
  -h, --help    show this help (after a command: that command's options)
  --version     print the version

Every option takes the --option VALUE and --option=VALUE forms.
Exit codes: 0 ok, 1 failure (API or input), 2 usage or configuration.
Run "cloudlock-pulumi <command> --help" for a command's options.
`;

const IMPORT_HELP = `Usage: cloudlock-pulumi import --collection trusted|suspicious|all [options]

Lists the library (every page) and writes one declaration per entry, with its
current values and adoptId set to its pk: the first "pulumi up" adopts every
entry and creates nothing. Entries the SDK would refuse (e.g. a suspicious entry
already expired) are written commented out, with the reason. Nothing is changed
in Cloudlock: import only reads the library and writes code.

Options:
  --collection C       trusted, suspicious or all (required)
  --q TEXT             only entries matching TEXT in name, location, address or categories
  --name TEXT          only entries whose name contains TEXT
  --format F           ts (a TypeScript module, default), yaml or json (a library data file
                       for declareLibrary(readLibraryFile(...))), or pulumi: a file for
                       "pulumi import --file" (the plugin's resources, no adoptId needed)
  --out FILE           write to FILE instead of stdout
  --exclude-state FILE a stack's state, as "pulumi stack export" writes it (- for
                       stdin; repeatable): the entries it already manages, by its
                       TrustedIp/SuspiciousIp resources and its sets, are left out
                       and counted, so no entry is declared by two stacks
  --quiet              no progress on stderr (the summary is still printed)
  -h, --help           show this help

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
  -h, --help           show this help
`;

const REVIEW_HELP = `Usage: cloudlock-pulumi review [FILE|-] [options]

Reads the output of "pulumi preview --json" from FILE (or stdin when FILE is
absent or -) and writes a Markdown review of the Cloudlock changes, for the
resources of this package's TypeScript SDK and of its plugin (YAML and other
languages) alike: counts per library, what needs a human, then the entries
added, adopted, renamed, changed (field: old → new), replaced (and the field
that forces it), removed and drifted, each row saying what "pulumi up" will do
to which entry (its id), with sets (TrustedIpSet, SuspiciousIpSet) shown entry
by entry. What needs a human: creates "pulumi up" will refuse, removals of
undeclared entries by authoritative sets, overlapping addresses, expiries that
have passed, policy violations and preview errors. A plan that changes nothing
gives one line, "No changes ...". Nothing is sent to Cloudlock.

Plain "pulumi preview --json" leaves policy violations out (a mandatory one
only fails the preview); the streamed form keeps them, and is read too:
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json > preview.json

  pulumi preview --json > preview.json
  cloudlock-pulumi review preview.json > review.md

A create that "pulumi up" will refuse (an address another entry already holds,
a rename that would recreate its own entry) is listed first, under "Will fail
at \`up\`", and the command exits 3 after writing the review, so a pull
request's check goes red before anyone approves a plan that cannot apply.

"pulumi preview --refresh --json" is read as a drift report too: entries changed
or deleted in Cloudlock since the last "up", and what "up" will do about them.

Options:
  --out FILE           write to FILE instead of stdout
  -h, --help           show this help

Exit codes: 0 whether or not there are changes; 3 when "pulumi up" will fail
(the review is written); 1 when the input cannot be read or is not preview
JSON; 2 for a bad command line.
`;

/** import also writes `pulumi import --file` files (they need the entries' pks, which only a listing has). */
const IMPORT_FORMATS = [...FORMATS, "pulumi"] as const;

async function runImport(argv: string[], io: Io): Promise<void> {
  const p: Parsed = parseCommandLine(argv, {
    collection: { type: "string" },
    q: { type: "string" },
    name: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    "exclude-state": { type: "string", multiple: true },
    "api-url": { type: "string" },
    quiet: { type: "boolean" },
    ...HELP,
  });
  if (p.values.help) return io.stdout(IMPORT_HELP);
  if (p.positionals.length) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
  const which = choice(p, "--collection", [...COLLECTIONS, "all"] as const);
  const format = choice<Format>(p, "--format", IMPORT_FORMATS, "ts");
  const query = { q: str(p, "--q"), name: str(p, "--name") };
  // Before the listing, which may take long: a bad --out or state file then fails in a second, not after every page.
  checkOut(p);
  const states = (p.values["exclude-state"] ?? []) as string[];
  const managed = await readStates(states, io);
  const client = connect(p, io.env);
  const kinds: CollectionName[] = which === "all" ? [...COLLECTIONS] : [which];
  const plans: Planned[] = [];
  const leftOut = new Map<CollectionName, number>();
  let listed = 0;
  for (const kind of kinds) {
    // One line per listing: a terminal sees it grow in place; a log gets it once, when the listing is proven.
    let pages = 0;
    const entries = await client[kind].listAll(query, {
      confirm: true,
      onPage: () => {
        pages++;
        if (io.tty && !p.values.quiet)
          io.stderr(`\r\x1b[K${kind}: listing, ${pages} ${plural(pages, "page", "pages")} read`);
      },
    });
    if (!p.values.quiet)
      io.stderr(
        `${io.tty ? "\r\x1b[K" : ""}${kind}: listed ${entries.length} ${plural(entries.length, "entry", "entries")}\n`,
      );
    listed += entries.length;
    const mine = entries.filter((e) => !managed[kind].has(e.pk));
    leftOut.set(kind, entries.length - mine.length);
    plans.push(...plansFromEntries(kind, mine));
  }
  const leftOutTotal = [...leftOut.values()].reduce((a, b) => a + b, 0);
  const stateNames = states.map((f) => (f === "-" ? "-" : path.basename(f)));
  const filters = [
    query.q && `--q ${JSON.stringify(query.q)}`,
    query.name && `--name ${JSON.stringify(query.name)}`,
    ...stateNames.map((f) => `--exclude-state ${f}`),
  ];
  const header = [
    `Generated by: cloudlock-pulumi import --collection ${which}${filters
      .filter(Boolean)
      .map((f) => ` ${f}`)
      .join("")}`,
    "Each declaration adopts the existing entry named by adoptId: the first `pulumi up` creates nothing.",
    "Removing a declaration later deletes that entry from Cloudlock.",
    ...(states.length
      ? [
          `Left out: ${leftOutTotal} ${plural(leftOutTotal, "entry", "entries")} the stack state already manages.`,
        ]
      : []),
  ];
  write(p, io, render(format, plans, header));
  const lines = [summaryLine(plans, "declared for adoption")];
  if (states.length) {
    const byKind = kinds.map((k) => `${leftOut.get(k)} ${k}`).join(", ");
    lines.push(
      `${leftOutTotal} ${plural(leftOutTotal, "entry", "entries")} left out (${byKind}): already managed by the stack state in ${stateNames.map((f) => (f === "-" ? "stdin" : f)).join(", ")}`,
    );
  }
  // Only a listing proven complete gets here (the client refuses any other), so an empty one is the truth.
  if (listed === 0)
    lines.push(
      `the ${kinds.join(" and ")} librar${kinds.length > 1 ? "ies are" : "y is"} empty (complete listing)`,
    );
  else if (plans.length === 0)
    lines.push("every listed entry is already managed by a stack: nothing to adopt");
  lines.push(
    "Nothing was changed in Cloudlock: import only read the library and wrote code. " +
      (format === "pulumi"
        ? "`pulumi import --file` with that file adopts the entries."
        : "The first `pulumi up` of a program that declares them adopts the entries (and creates none)."),
  );
  io.stderr(lines.map((l) => `${l}\n`).join(""));
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

async function runCsv(argv: string[], io: Io): Promise<void> {
  const p: Parsed = parseCommandLine(argv, {
    collection: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    ...HELP,
  });
  if (p.values.help) return io.stdout(CSV_HELP);
  const kind = choice(p, "--collection", COLLECTIONS);
  const format = choice<Format>(p, "--format", FORMATS, "ts");
  if (p.positionals.length !== 1) throw new UsageError("give exactly one CSV file");
  const file = p.positionals[0];
  checkOut(p);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    // The command line was right; the file is not there or not readable: a failure, as in review.
    throw new InputError(`cannot read ${file}: ${errorCode(e)}`);
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

async function runReview(argv: string[], io: Io, now = Date.now()): Promise<number> {
  const p: Parsed = parseCommandLine(argv, { out: { type: "string" }, ...HELP });
  if (p.values.help) {
    io.stdout(REVIEW_HELP);
    return EXIT_OK;
  }
  if (p.positionals.length > 1)
    throw new UsageError(`give one preview JSON file, got ${p.positionals.length}`);
  const file = p.positionals[0] ?? "-";
  checkOut(p);
  const text = await readInput(file, io, {
    tty: "no FILE given and stdin is a terminal: pipe `pulumi preview --json` in, or name a file",
    name: file,
  });
  const source = file === "-" ? "stdin" : file;
  let review;
  try {
    review = reviewPreview(parsePreview(text, source), now);
  } catch (e) {
    if (e instanceof ReviewInputError)
      throw new InputError(e.message.startsWith(source) ? e.message : `${source}: ${e.message}`);
    throw e;
  }
  write(p, io, renderReview(review));
  if (!willFail(review)) return EXIT_OK;
  const n = review.needsHuman.willFail.length;
  io.stderr(
    `cloudlock-pulumi: \`pulumi up\` will fail: ${n} ${n === 1 ? "create is" : "creates are"} refused (see "Will fail at \`up\`" in the review)\n`,
  );
  return EXIT_WILL_FAIL;
}

const KNOWN = ["import", "csv-to-code", "review"];

/** Run the command; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // --version works after a command too (`review --version`); only options count, not what follows `--`.
    const options = rest.indexOf("--") >= 0 ? rest.slice(0, rest.indexOf("--")) : rest;
    if (KNOWN.includes(command) && options.includes("--version")) {
      io.stdout(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    const bare = command?.replace(/=.*/s, "");
    if (command !== bare && ["--help", "-h", "--version", "-v"].includes(bare!))
      throw new UsageError(`${bare} takes no value`);
    switch (command) {
      case "import":
        await runImport(rest, io);
        return EXIT_OK;
      case "csv-to-code":
        await runCsv(rest, io);
        return EXIT_OK;
      case "review":
        return await runReview(rest, io);
      case "--version":
      case "-v":
        io.stdout(`${packageVersion()}\n`);
        return EXIT_OK;
      case undefined:
      case "--help":
      case "-h":
      case "help":
        io[command ? "stdout" : "stderr"](USAGE);
        return command ? EXIT_OK : EXIT_USAGE;
      default:
        throw new UsageError(
          command.startsWith("-")
            ? `unknown option ${command.replace(/=.*/s, "")}`
            : `unknown command "${command}"`,
        );
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // The convention of both commands: the mistake, then where the usage is (README, "Conventions").
      const { message, fix } = describeProblem("usage", {
        command: "cloudlock-pulumi",
        problem: e.message,
        help: `cloudlock-pulumi ${command && KNOWN.includes(command) ? `${command} ` : ""}--help`,
      });
      io.stderr(`${message}\n${fix}\n`);
      return exitCodeOf("usage");
    }
    // An expected error is one line, no stack; its kind gives the exit code (2 for configuration).
    if (isExpectedError(e)) {
      io.stderr(`cloudlock-pulumi: ${e.message.replace(/\s*\n\s*/g, " ")}\n`);
      return exitCodeOf(e.problem);
    }
    io.stderr(`cloudlock-pulumi: unexpected error: ${(e as Error)?.stack ?? e}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    tty: Boolean(process.stderr.isTTY),
    stdinTty: Boolean(process.stdin.isTTY),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  }).then((code) => {
    process.exitCode = code;
  });
}
