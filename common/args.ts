/**
 * Command-line conventions shared by `cloudlock-pulumi` and `cloudlock-emulator`:
 * options parsed by Node's `util.parseArgs` (so `--flag value` and
 * `--flag=value` both work, `-h` is `--help`), one-line usage errors naming
 * the flag, and the exit codes 0 ok, 1 failure, 2 usage.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** `review`: the review was written, and `pulumi up` will refuse part of the plan (a pull request's check goes red). */
export const EXIT_WILL_FAIL = 3;

/** A mistake in how a command was called: exit 2, with a hint to run `--help`. */
export class UsageError extends Error {}

/** One option: a value (`string`) or a switch (`boolean`), optionally repeatable, optionally with a short alias. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

type Values<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]["type"] extends "string"
    ? S[K]["multiple"] extends true
      ? string[]
      : string
    : S[K]["multiple"] extends true
      ? boolean[]
      : boolean;
};

/**
 * Parse `argv` strictly against `options` (names without the leading `--`).
 * Every mistake becomes a UsageError whose message names the flag:
 * `unknown option --limit`, `--collection needs a value`, `--quiet takes no value`.
 * A value that looks like a flag (`--out --quiet`) is taken as a missing value, not as the file "--quiet";
 * write `--out=--quiet` to mean it.
 */
export function parseCommandLine<S extends OptionSpecs>(
  argv: string[],
  options: S,
): { values: Values<S>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: values as Values<S>, positionals };
  } catch (e) {
    throw new UsageError(usageMessage(e as Error & { code?: string }, options));
  }
}

/** util.parseArgs' messages are long and name options with quotes; ours are one line naming the flag. */
function usageMessage(e: Error & { code?: string }, options: OptionSpecs): string {
  // parseArgs names an option with a short alias '-h, --help': name it by its long form.
  const quoted = /'(?:-[^-', ]+, )?(-{1,2}[^', ]+)/.exec(e.message)?.[1] ?? "";
  const flag = longName(quoted, options);
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted || e.message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(e.message)) return `${flag} takes no value`;
      if (/ambiguous/.test(e.message))
        return `${flag} needs a value (for a value that starts with "-", write ${flag}=VALUE)`;
      return `${flag} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${e.message}`;
    default:
      return e.message;
  }
}

/** `-o` → `--out` when `o` is the short alias of `out`, so messages name the option as the help does. */
function longName(flag: string, options: OptionSpecs): string {
  if (!/^-[^-]/.test(flag)) return flag;
  const short = flag.slice(1);
  const long = Object.entries(options).find(([, o]) => o.short === short)?.[0];
  return long ? `${flag} (--${long})` : flag;
}

let version: string | undefined;

/**
 * This package's version, read from its package.json: found by walking up from this file, so it is right from
 * the sources (`common/`) and from the build (`dist/common/`) alike.
 */
export function packageVersion(): string {
  if (version) return version;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-cloudlock" && pkg.version) return (version = pkg.version);
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}
