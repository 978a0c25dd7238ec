/**
 * The option helpers the commands share: what a parsed command line looks like, `-h/--help`, and reading a
 * string or a choice from it (a missing or wrong one is a usage error).
 */
import { UsageError } from "../common/args";

/** What a command's parsed options look like to the helpers. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** The `-h, --help` option every command takes. */
export const HELP = { help: { type: "boolean", short: "h" } } as const;

/** The `--format` choices of the commands that write code. */
export const FORMATS = ["ts", "yaml", "json"] as const;

/** A string option's value; `flag` as written in help (`--out`). */
export function str(p: Parsed, flag: string): string | undefined {
  const v = p.values[flag.replace(/^--/, "")];
  return typeof v === "string" ? v : undefined;
}

/** The value of `flag`, one of `allowed` (`dflt` when absent; without a default it is required). */
export function choice<T extends string>(p: Parsed, flag: string, allowed: readonly T[], dflt?: T): T {
  const v = str(p, flag) ?? dflt;
  if (v === undefined) throw new UsageError(`${flag} is required (${allowed.join(", ")})`);
  if (!allowed.includes(v as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got "${v}"`);
  return v as T;
}
