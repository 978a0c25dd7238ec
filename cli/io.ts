/**
 * The commands' input and output: the streams they are given (`Io`), reading an input file or stdin and stack
 * state files, checking and writing `--out`, and the summary lines on stderr. Bad input here is an `InputError`.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "../common/args";
import { CloudlockError } from "../provider/client/errors";
import { COLLECTIONS } from "../provider/client/types";
import { describeProblem } from "../provider/problems";
import { Planned, summarise } from "./codegen";
import { type Parsed, str } from "./options";
import { Managed, StateFileError, noneManaged, readManaged } from "./state";

/** The streams and environment a command runs with: the process's, or a test's. */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress then rewrites one line). */
  tty: boolean;
  /** Reads all of stdin (review without FILE); absent when there is none. */
  readStdin?: () => Promise<string>;
  /** Whether stdin is a terminal: review then refuses to wait for input nobody is typing. */
  stdinTty?: boolean;
}

/** Bad input data (not a bad command line): exit 1. The message names the file and why. */
export class InputError extends CloudlockError {
  constructor(message: string) {
    super(describeProblem("input-file", { problem: message }).message, "input-file");
  }
}

/** Why a file operation failed: its code (`ENOENT`), else its message. */
export const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * A file's text, or stdin's for `-`. Stdin that is a terminal is refused (`tty` says what to pipe in) rather than
 * waited on; an unreadable file is a failure naming it (`name`).
 */
export async function readInput(file: string, io: Io, say: { tty: string; name: string }): Promise<string> {
  if (file === "-") {
    if (!io.readStdin || io.stdinTty) throw new UsageError(say.tty);
    return io.readStdin();
  }
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${say.name}: ${errorCode(e)}`);
  }
}

/** The entries the stack states name manage (none without --exclude-state), read before any request is made. */
export async function readStates(files: string[], io: Io): Promise<Managed> {
  const managed = noneManaged();
  if (files.filter((f) => f === "-").length > 1)
    throw new UsageError("--exclude-state - (stdin) can be given once");
  for (const file of files) {
    if (file === "")
      throw new UsageError("--exclude-state needs a value (a file written by `pulumi stack export`)");
    const text = await readInput(file, io, {
      tty: "--exclude-state - reads stdin, which is a terminal: pipe `pulumi stack export` in",
      name: `--exclude-state ${file}`,
    });
    try {
      readManaged(text, `--exclude-state ${file === "-" ? "(stdin)" : file}`, managed);
    } catch (e) {
      if (e instanceof StateFileError) throw new InputError(e.message);
      throw e;
    }
  }
  return managed;
}

/**
 * Refuse an --out that cannot be written, before any work: empty (a usage error), a directory, or in a folder
 * that is missing or not writable (failures, naming the path).
 */
export function checkOut(p: Parsed): void {
  const out = str(p, "--out");
  if (out === undefined) return;
  if (out === "") throw new UsageError("--out needs a value (a file name)");
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(out);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new InputError(`cannot write --out ${out}: it is a directory; name a file`);
  const dir = path.dirname(path.resolve(out));
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch (e) {
    throw new InputError(`cannot write --out ${out}: its folder ${dir} does not exist (${errorCode(e)})`);
  }
  if (!dirStat.isDirectory()) throw new InputError(`cannot write --out ${out}: ${dir} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new InputError(`cannot write --out ${out}: its folder ${dir} is not writable (${errorCode(e)})`);
  }
}

/** Writes `text` to --out (saying so on stderr), or to stdout without it. */
export function write(p: Parsed, io: Io, text: string): void {
  const out = str(p, "--out");
  if (out === undefined) return io.stdout(text);
  checkOut(p);
  // Write beside, then rename: an interrupted run never leaves half a file, and a failed one leaves no temp file.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new InputError(`cannot write --out ${out}: ${errorCode(e)}`);
  }
  io.stderr(`wrote ${out}\n`);
}

/** Prints the summary line of `plans` on stderr. */
export function report(io: Io, plans: Planned[], verb: string): void {
  io.stderr(summaryLine(plans, verb) + "\n");
}

/** `259 entries <verb> (160 trusted, 99 suspicious), 11 skipped: 11 invalid expiresOn (written commented out)`. */
export function summaryLine(plans: Planned[], verb: string): string {
  const s = summarise(plans);
  const byKind = COLLECTIONS.map((k) => [k, plans.filter((x) => x.kind === k && !x.skipped).length] as const)
    .filter(([k]) => plans.some((x) => x.kind === k))
    .map(([k, n]) => `${n} ${k}`);
  let line = `${s.written} ${s.written === 1 ? "entry" : "entries"} ${verb}${byKind.length ? ` (${byKind.join(", ")})` : ""}, ${s.skipped} skipped`;
  if (s.skipped)
    line += `: ${[...s.reasons].map(([r, n]) => `${n} ${r}`).join(", ")} (written commented out)`;
  return line;
}
