#!/usr/bin/env node
/**
 * `cloudlock-emulator`: run the Cloudlock IP Libraries API emulator.
 *   cloudlock-emulator --port 8080 --token demo [--read-only-token ro] [--data state.json]
 *                      [--latency 20] [--rate-limit 100] [--burst 200] [--no-retry-after]
 *                      [--error-rate 0.05] [--drop-rate 0.02] [--duplicates allow]
 *                      [--unknown-delete-ids 404] [--expired keep] [--profile lenient]
 *                      [--knob NAME=JSON]
 */
import type { TokenSpec } from "./auth";
import { Emulator } from "./server";
import { isExpectedError, problem } from "../provider/client/errors";
import { describeProblem, exitCodeOf } from "../provider/problems";
import { type OptionSpecs, UsageError, packageVersion, parseCommandLine } from "../common/args";
import { type Knobs, PROFILE_NAMES, type ProfileName, KnobSyntaxError, knobError, parseKnobs } from "./knobs";

const HELP = `Usage: cloudlock-emulator [options]

Serves the Cloudlock IP Libraries API (/api/v2/ip/suspicious, /api/v2/ip/trusted)
on loopback, for tests and demos. Control routes live under /_emulator/.

Options:
  --port N                 port to listen on (default 8080; 0 picks a free one)
  --host ADDR              address to bind (default 127.0.0.1)
  --token T                accepted bearer token (repeatable; default "demo")
  --read-only-token T      token that may only read (writes get 403; repeatable)
  --data FILE              keep entries in this JSON file across restarts
  --latency MS             added to every API request
  --rate-limit N           requests per second per token (0 = unlimited; default 100)
  --burst N                token-bucket burst (default 2 x rate)
  --no-retry-after         send 429 without Retry-After
  --error-rate F           fraction of requests answered 5xx (0..1)
  --drop-rate F            fraction of connections dropped (0..1)
  --duplicates reject|allow        same ip_address twice in a library (default reject)
  --unknown-delete-ids ignore|404  unknown ids in DELETE (default ignore)
  --expired hide|keep              expired suspicious entries (default hide)
  --profile reference|lenient      server personality (default reference): lenient answers
                           every point the docs leave open the other way (see emulator/knobs.ts)
  --knob NAME=VALUE        set any knob (VALUE as JSON, else a string), e.g. --knob pkLength=11;
                           flags and --knob override the profile
  -h, --help               show this help
  --version                print the version

Every option also takes the --option=value form.
Exit codes: 0 ok (stopped by SIGINT/SIGTERM), 1 failure (e.g. the port is taken), 2 usage.
`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  token: { type: "string", multiple: true },
  "read-only-token": { type: "string", multiple: true },
  data: { type: "string" },
  latency: { type: "string" },
  "rate-limit": { type: "string" },
  burst: { type: "string" },
  "no-retry-after": { type: "boolean" },
  "error-rate": { type: "string" },
  "drop-rate": { type: "string" },
  duplicates: { type: "string" },
  "unknown-delete-ids": { type: "string" },
  expired: { type: "string" },
  profile: { type: "string" },
  knob: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const satisfies OptionSpecs;

/** What the command line asks for. Throws UsageError (exit 2) naming the flag for every bad option or value. */
export function parseArgs(argv: string[]): {
  port: number;
  host: string;
  tokens: TokenSpec[];
  data?: string;
  profile?: ProfileName;
  knobs: Partial<Knobs>;
} {
  const { values: v, positionals } = parseCommandLine(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const num = (flag: keyof typeof OPTIONS, opts: { integer?: boolean; max?: number } = {}) => {
    const raw = v[flag] as string | undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    const ok = raw.trim() !== "" && Number.isFinite(n) && n >= 0 && (!opts.integer || Number.isInteger(n));
    if (!ok || (opts.max !== undefined && n > opts.max))
      throw new UsageError(
        `--${flag} needs a non-negative ${opts.integer ? "integer" : "number"}${opts.max !== undefined ? ` up to ${opts.max}` : ""}, got "${raw}"`,
      );
    return n;
  };
  const knobs: Partial<Knobs> = {};
  /** A knob set by its own flag: a bad value names the flag, not the knob. */
  const set = <K extends keyof Knobs>(k: K, value: Knobs[K] | undefined, flag: keyof typeof OPTIONS) => {
    if (value === undefined) return;
    const err = knobError({ [k]: value });
    if (err) throw new UsageError(`--${flag} ${err.replace(/^knob \S+ /, "")}, got ${JSON.stringify(value)}`);
    knobs[k] = value;
  };
  set("latencyMs", num("latency"), "latency");
  if (v["no-retry-after"]) knobs.retryAfterHeader = false;
  set("errorRate", num("error-rate"), "error-rate");
  set("dropRate", num("drop-rate"), "drop-rate");
  set("duplicates", v.duplicates as Knobs["duplicates"] | undefined, "duplicates");
  set(
    "unknownDeleteIds",
    v["unknown-delete-ids"] as Knobs["unknownDeleteIds"] | undefined,
    "unknown-delete-ids",
  );
  set("expired", v.expired as Knobs["expired"] | undefined, "expired");
  const profile = v.profile as ProfileName | undefined;
  if (profile !== undefined && !PROFILE_NAMES.includes(profile))
    throw new UsageError(`--profile must be ${PROFILE_NAMES.join(" or ")}, got "${profile}"`);
  try {
    Object.assign(knobs, parseKnobs(v.knob ?? []));
  } catch (e) {
    throw e instanceof KnobSyntaxError ? new UsageError(e.message) : e;
  }
  const rate = num("rate-limit");
  const burst = num("burst");
  if (rate !== undefined) knobs.rateLimit = rate === 0 ? null : { perSecond: rate, burst: burst ?? rate * 2 };
  else if (burst !== undefined) throw new UsageError("--burst needs --rate-limit");
  // A token no request can send (empty, or with white space, as `Bearer <token>` has none) would be
  // accepted here and then match nothing: refuse it where it is written.
  for (const flag of ["token", "read-only-token"] as const) {
    for (const t of v[flag] ?? []) {
      if (t === "") throw new UsageError(`--${flag} needs a non-empty value`);
      if (/\s/.test(t))
        throw new UsageError(
          `--${flag} cannot contain white space (sent as "Bearer <token>"), got ${JSON.stringify(t)}`,
        );
    }
  }
  if (v.data !== undefined && v.data.trim() === "") throw new UsageError("--data needs a file name");
  const tokens: TokenSpec[] = [
    ...(v.token ?? []).map((token) => ({ token })),
    ...(v["read-only-token"] ?? []).map((token) => ({ token, readOnly: true })),
  ];
  if (!tokens.some((t) => !t.readOnly)) tokens.push({ token: "demo" });
  // A bad knob value is a bad command line (exit 2), whichever flag set it.
  const err = knobError(knobs);
  if (err) throw new UsageError(err);
  return {
    port: num("port", { integer: true, max: 65535 }) ?? 8080,
    host: v.host ?? "127.0.0.1",
    tokens,
    data: v.data,
    profile,
    knobs,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let args: ReturnType<typeof parseArgs>;
  try {
    // Help and version win over any other mistake on the line, as users expect.
    const { values } = parseCommandLine(
      argv.filter((a) => ["--help", "-h", "--version"].includes(a)),
      { help: OPTIONS.help, version: OPTIONS.version },
    );
    if (values.help) return void process.stdout.write(HELP);
    if (values.version) return void process.stdout.write(`${packageVersion()}\n`);
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const { message, fix } = describeProblem("usage", {
      command: "cloudlock-emulator",
      problem: e.message,
      help: "cloudlock-emulator --help",
    });
    process.stderr.write(`${message}\n${fix}\n`);
    process.exit(exitCodeOf("usage"));
  }
  let emu: Emulator;
  try {
    emu = await Emulator.start({
      port: args.port,
      host: args.host,
      tokens: args.tokens,
      dataFile: args.data,
      profile: args.profile,
      knobs: args.knobs,
    });
  } catch (e) {
    throw listenProblem(e, args.host, args.port);
  }
  process.stdout.write(
    `Cloudlock emulator listening (profile ${emu.profile}): CLOUDLOCK_API_URL=${emu.apiUrl}\n`,
  );
  const stop = () => void emu.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** Why the server could not listen, as an expected error, for the refusals a user can act on; else `e`. */
function listenProblem(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  const why: Record<string, string> = {
    EADDRINUSE: "the port is in use",
    EACCES: "this user may not listen there",
    EADDRNOTAVAIL: "this machine has no such address",
    ENOTFOUND: "no such host",
  };
  if (!why[code]) return e;
  return problem("emulator-start", {
    problem: `cannot listen on ${host}:${port} (${code}: ${why[code]})`,
    fix: "Pick another --port (0 picks a free one) or --host, or stop what listens there.",
  });
}

/** What the command prints for a failure, and its exit code: an expected error in one line, a bug with its stack. */
export function failureReport(e: unknown): { text: string; code: number } {
  if (isExpectedError(e))
    return {
      text: `cloudlock-emulator: ${e.message.replace(/\s*\n\s*/g, " ")}\n`,
      code: exitCodeOf(e.problem),
    };
  return { text: `cloudlock-emulator: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`, code: 1 };
}

if (require.main === module) {
  main().catch((e) => {
    const { text, code } = failureReport(e);
    process.stderr.write(text);
    process.exit(code);
  });
}
