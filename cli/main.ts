#!/usr/bin/env node
/**
 * `cloudlock-pulumi`'s entry point: bring an existing Cloudlock IP library under Pulumi.
 *   cloudlock-pulumi import --collection trusted|suspicious|all [--format ts|yaml|json|pulumi] [--out FILE]
 *                           [--exclude-state FILE]...
 *   cloudlock-pulumi csv-to-code --collection trusted|suspicious FILE.csv
 *   cloudlock-pulumi review [FILE|-] [--out FILE]
 *   cloudlock-pulumi feed pull --collection trusted|suspicious (--url URL | --file FILE) [--out FILE]
 * This file holds the usage, --help and --version, the dispatch to the commands (commands/) and the exit codes:
 * 0 ok, 2 usage or configuration error, 1 API or input error (3: review says `pulumi up` will fail).
 */
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, packageVersion } from "../common/args";
import { isExpectedError } from "../provider/client/errors";
import { describeProblem, exitCodeOf } from "../provider/problems";
import { runCsv } from "./commands/csv-to-code";
import { runImport } from "./commands/import";
import { runReview } from "./commands/review";
import { runFeed } from "./commands/feed";
import type { Io } from "./io";

const USAGE = `Usage: cloudlock-pulumi <command> [options]

Commands:
  import        write code that adopts the entries already in a Cloudlock library
  csv-to-code   write code that declares what a Cloudlock CSV import would create
  review        summarise \`pulumi preview --json\` as Markdown for a pull request
  feed pull     write a feed (threat list, published ranges) as a library data file

Options:
  -h, --help    show this help (after a command: that command's options)
  --version     print the version

Every option takes the --option VALUE and --option=VALUE forms.
Exit codes: 0 ok, 1 failure (API or input), 2 usage or configuration.
Run "cloudlock-pulumi <command> --help" for a command's options.
`;

const KNOWN = ["import", "csv-to-code", "review", "feed"];

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
      case "feed":
        await runFeed(rest, io);
        return EXIT_OK;
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
