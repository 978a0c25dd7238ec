#!/usr/bin/env node
/**
 * `cloudlock-emulator`: run the Cloudlock IP Libraries API emulator.
 *   cloudlock-emulator --port 8080 --token demo [--read-only-token ro] [--data state.json]
 *                      [--latency 20] [--rate-limit 100] [--burst 200] [--no-retry-after]
 *                      [--error-rate 0.05] [--drop-rate 0.02] [--duplicates allow]
 *                      [--unknown-delete-ids 404] [--expired keep] [--profile lenient]
 *                      [--knob NAME=JSON]
 */
import { Emulator, TokenSpec } from "./server";
import { type Knobs, PROFILE_NAMES, type ProfileName, knobError } from "./knobs";

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
  --help                   show this help

Every option also takes the --option=value form.
`;

export function parseArgs(argv: string[]): {
  port: number;
  host: string;
  tokens: TokenSpec[];
  data?: string;
  profile?: ProfileName;
  knobs: Partial<Knobs>;
} {
  const tokens: TokenSpec[] = [];
  const knobs: Partial<Knobs> = {};
  let port = 8080;
  let host = "127.0.0.1";
  let data: string | undefined;
  let profile: ProfileName | undefined;
  let rate: number | undefined;
  let burst: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    // --flag=value is the same as --flag value.
    const eq = argv[i].startsWith("--") ? argv[i].indexOf("=") : -1;
    const flag = eq > 0 ? argv[i].slice(0, eq) : argv[i];
    let inline = eq > 0 ? argv[i].slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) {
        const v = inline;
        inline = undefined;
        return v;
      }
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const raw = value();
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || n < 0)
        throw new Error(`${flag} needs a non-negative number, got "${raw}"`);
      return n;
    };
    switch (flag) {
      case "--port":
        port = num();
        break;
      case "--host":
        host = value();
        break;
      case "--token":
        tokens.push({ token: value() });
        break;
      case "--read-only-token":
        tokens.push({ token: value(), readOnly: true });
        break;
      case "--data":
        data = value();
        break;
      case "--latency":
        knobs.latencyMs = num();
        break;
      case "--rate-limit":
        rate = num();
        break;
      case "--burst":
        burst = num();
        break;
      case "--no-retry-after":
        knobs.retryAfterHeader = false;
        break;
      case "--error-rate":
        knobs.errorRate = num();
        break;
      case "--drop-rate":
        knobs.dropRate = num();
        break;
      case "--duplicates":
        knobs.duplicates = value() as Knobs["duplicates"];
        break;
      case "--unknown-delete-ids":
        knobs.unknownDeleteIds = value() as Knobs["unknownDeleteIds"];
        break;
      case "--expired":
        knobs.expired = value() as Knobs["expired"];
        break;
      case "--profile": {
        const p = value();
        if (!PROFILE_NAMES.includes(p as ProfileName))
          throw new Error(`--profile must be ${PROFILE_NAMES.join(" or ")}, got "${p}"`);
        profile = p as ProfileName;
        break;
      }
      case "--knob": {
        const raw = value();
        const at = raw.indexOf("=");
        if (at <= 0) throw new Error(`--knob needs NAME=VALUE, got "${raw}"`);
        const text = raw.slice(at + 1);
        let v: unknown = text;
        try {
          v = JSON.parse(text);
        } catch {
          // not JSON: a plain string such as newest-first
        }
        (knobs as Record<string, unknown>)[raw.slice(0, at)] = v;
        break;
      }
      default:
        throw new Error(`unknown option ${flag}`);
    }
    if (inline !== undefined) throw new Error(`${flag} takes no value`);
  }
  if (rate !== undefined) knobs.rateLimit = rate === 0 ? null : { perSecond: rate, burst: burst ?? rate * 2 };
  if (!tokens.some((t) => !t.readOnly)) tokens.push({ token: "demo" });
  const err = knobError(knobs);
  if (err) throw new Error(err);
  return { port, host, tokens, data, profile, knobs };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`cloudlock-emulator: ${(e as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  const emu = await Emulator.start({
    port: args.port,
    host: args.host,
    tokens: args.tokens,
    dataFile: args.data,
    profile: args.profile,
    knobs: args.knobs,
  });
  process.stdout.write(
    `Cloudlock emulator listening (profile ${emu.profile}): CLOUDLOCK_API_URL=${emu.apiUrl}\n`,
  );
  const stop = () => void emu.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`cloudlock-emulator: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
