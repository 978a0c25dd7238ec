/**
 * `npm run bench`: the providers at scale, through the real engine (Automation
 * API, local backend) against the emulator with injected latency, in two modes:
 * ours (one TrustedIp per entry), naive (the same entries through a
 * straightforward dynamic provider, scripts/lib/naive-provider.ts: a listing per
 * read and create, one DELETE per id), and set (one TrustedIpSet holding every entry). Prints one table and writes it as JSON to .bench/.
 * A per-entry mode with `+skip-checkpoints` (ours+skip-checkpoints, naive+skip-checkpoints) runs the same with
 * PULUMI_SKIP_CHECKPOINTS=true in the engine's environment: state is written once at the end of each operation
 * instead of after every resource step. Its rows are labelled with that mode, beside the normal ones.
 * floor: the same per-entry resources through a provider that does nothing (scripts/lib/floor-provider.ts), no
 * requests: the engine's own time for them. With floor rows in the table, a column says how many times the floor
 * each other row took (same shape and operation; a +skip-checkpoints row against floor+skip-checkpoints).
 *
 *   npm run bench                      N = 100, 1000, and 10 managed in a library of 5000; a 50,000-line feed
 *   npm run bench -- --large           also N = 5000
 *   npm run bench -- --sizes 20 --latency 5 --sparse 300             (a quick run, like the test suite's smoke run)
 *   npm run bench -- --destroy-parallel 8                            (destroy at the engine's default parallelism)
 *   npm run bench -- --parallel 64                                   (the other operations at --parallel 64)
 *   npm run bench -- --modes set --sizes 1000,5000                   (only the set resource)
 *   npm run bench -- --modes ours,ours+skip-checkpoints --sizes 1000 --sparse 0   (checkpoints against none)
 *   npm run bench -- --modes ours,floor --sizes 1000 --sparse 0                    (ours against the engine's floor)
 *   npm run bench -- --modes feed                                                  (a 50,000-line feed into a set)
 *   npm run bench -- --modes feed --feed-lines 2000                                (a smaller feed)
 */
import * as fs from "fs";
import * as path from "path";
import { Emulator } from "../emulator";
import { REPO_ROOT, localStack } from "./lib/engine";
import { installedCopy } from "./lib/install";
import { FloorIp, installFloor } from "./lib/floor-provider";
import { NaiveTrustedIp } from "./lib/naive-provider";

export interface BenchOptions {
  sizes: number[];
  /** Also the shape "10 managed entries in a library of `sparseLibrary`". */
  sparseLibrary?: number;
  latencyMs: number;
  modes: Mode[];
  /** The engine's --parallel for destroy (how many deletes can arrive together). */
  destroyParallel: number;
  /** The engine's --parallel for the other operations (default: the engine's own, 4 × cores). */
  parallel?: number;
  /** Lines of the feed mode's feed (default 50,000). */
  feedLines?: number;
  out: string;
  log?: (s: string) => void;
}

/**
 * ours: one TrustedIp per entry; naive: the same without sharing; set: one TrustedIpSet of all the entries;
 * floor: the same resources as ours through a provider that does nothing.
 */
type BaseMode = "ours" | "naive" | "set" | "floor" | "feed";
/** Per-entry modes can also run with PULUMI_SKIP_CHECKPOINTS=true (a set is one resource: one checkpoint anyway). */
const SKIP_CHECKPOINTS = "+skip-checkpoints";
type Mode = BaseMode | `${"ours" | "naive" | "floor"}${typeof SKIP_CHECKPOINTS}`;
const MODES: Mode[] = [
  "ours",
  "naive",
  "set",
  "floor",
  "feed",
  `ours${SKIP_CHECKPOINTS}`,
  `naive${SKIP_CHECKPOINTS}`,
  `floor${SKIP_CHECKPOINTS}`,
];

const baseMode = (mode: Mode) => mode.replace(SKIP_CHECKPOINTS, "") as BaseMode;
const skipsCheckpoints = (mode: Mode) => mode.endsWith(SKIP_CHECKPOINTS);

export interface Row {
  mode: Mode;
  shape: string;
  operation: string;
  n: number;
  get: number;
  post: number;
  put: number;
  delete: number;
  /** Requests that failed (429 and faults); the emulator's default rate limit is on. */
  failed: number;
  seconds: number;
  requestsPerEntry: number;
  stateBytesPerResource?: number;
  /** State bytes of our resources divided by the entries they manage (the comparable figure for a set). */
  stateBytesPerEntry?: number;
  providerPeakRssMb?: number;
  /** Requests per second over the operation (feed rows: the pace against the API's limit). */
  requestsPerSecond?: number;
}

/**
 * Peak resident memory of this bench's dynamic-provider processes (descendants of this process only: a shared
 * machine runs other people's), sampled from /proc while an operation runs.
 */
class RssWatch {
  private peak = 0;
  private timer?: NodeJS.Timeout;
  start(): void {
    this.peak = 0;
    // A sampler nothing waits for: it must not keep the process alive.
    this.timer = setInterval(() => this.sample(), 100).unref();
  }
  stop(): number | undefined {
    this.sample();
    clearInterval(this.timer);
    return this.peak ? Math.round(this.peak / 1024) : undefined;
  }
  private sample(): void {
    let pids: string[] = [];
    try {
      pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
    } catch {
      return; // no /proc (macOS): RSS is not reported
    }
    const parent = new Map<number, number>();
    for (const pid of pids) {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      } catch {
        // the process ended between listing and reading
      }
    }
    const ours = (pid: number) => {
      for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
        if (p === process.pid) return true;
      return false;
    };
    for (const pid of parent.keys()) {
      try {
        if (!ours(pid)) continue;
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmd.includes("dynamic-provider")) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        if (hwm) this.peak = Math.max(this.peak, Number(hwm[1]));
      } catch {
        // the process ended between listing and reading
      }
    }
  }
}

/** The SDK as users have it: an installed copy under node_modules (so state holds what theirs holds). */
type Sdk = typeof import("../sdk");

function program(sdk: Sdk, addresses: string[], mode: BaseMode) {
  if (mode === "set") {
    const entries = addresses.map((ip, i) => ({ name: `Entry ${i}`, ipAddress: ip }));
    return async () => {
      new sdk.TrustedIpSet("all", { entries });
    };
  }
  if (mode === "naive") {
    return async () => {
      addresses.forEach((ip, i) => new NaiveTrustedIp(`e${i}`, { name: `Entry ${i}`, ipAddress: ip }));
    };
  }
  if (mode === "floor") {
    return async () => {
      addresses.forEach((ip, i) => new FloorIp(`e${i}`, { name: `Entry ${i}`, ipAddress: ip }));
    };
  }
  return async () => {
    addresses.forEach((ip, i) => new sdk.TrustedIp(`e${i}`, { name: `Entry ${i}`, ipAddress: ip }));
  };
}

/** n distinct addresses, offset so shapes do not collide. */
function addressesFor(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    return `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`;
  });
}

async function runShape(
  opts: BenchOptions,
  mode: Mode,
  shape: string,
  managed: number,
  library: number,
  base: string,
  sdk: Sdk,
): Promise<Row[]> {
  const emu = await Emulator.start({ tokens: ["bench-token"], knobs: { latencyMs: opts.latencyMs } });
  const rows: Row[] = [];
  try {
    // The rest of the library: entries nobody manages here.
    if (library > managed) {
      emu.seed(
        "trusted",
        addressesFor(library - managed, 1_000_000).map((ip, i) => ({ name: `Other ${i}`, ip_address: ip })),
      );
    }
    const ips = addressesFor(managed);
    const { stack } = await localStack({
      // Stack names allow letters, digits, "-", "_" and ".": not the "+" of a skip-checkpoints mode.
      stackName: `${mode}-${shape}`.replace(/[^\w.-]+/g, "-"),
      baseDir: base,
      program: program(sdk, ips, baseMode(mode)),
      config: {
        "cloudlock:apiUrl": { value: emu.apiUrl },
        "cloudlock:apiToken": { value: "bench-token", secret: true },
        // Under the emulator's default 100 requests/s.
        "cloudlock:maxRequestsPerSecond": { value: "90" },
      },
      env: {
        // The naive provider reads no stack config: the same settings, from the environment.
        ...(baseMode(mode) === "naive"
          ? {
              CLOUDLOCK_API_URL: emu.apiUrl,
              CLOUDLOCK_API_TOKEN: "bench-token",
              CLOUDLOCK_MAX_REQUESTS_PER_SECOND: "90",
            }
          : {}),
        // Pulumi's experimental switch: the CLI writes the checkpoint once, when the operation ends.
        ...(skipsCheckpoints(mode) ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
      },
    });
    const rss = new RssWatch();
    const measure = async (operation: string, run: () => Promise<unknown>, withState = false) => {
      emu.clearRequests();
      rss.start();
      const t0 = Date.now();
      let seconds: number;
      let peak: number | undefined;
      try {
        await run();
        seconds = (Date.now() - t0) / 1000;
      } finally {
        // Also when the operation fails: a sampler left running would keep sampling for the rest of the process.
        peak = rss.stop();
      }
      const c = emu.requests().counters;
      const count = (m: string) => c.byMethod[m] ?? 0;
      const failed = Object.entries(c.byStatus)
        .filter(([s]) => Number(s) >= 400 || Number(s) === 0)
        .reduce((a, [, v]) => a + v, 0);
      const row: Row = {
        mode,
        shape,
        operation,
        n: managed,
        get: count("GET"),
        post: count("POST"),
        put: count("PUT"),
        delete: count("DELETE"),
        failed,
        seconds: Math.round(seconds * 10) / 10,
        requestsPerEntry: Math.round((c.total / managed) * 100) / 100,
        providerPeakRssMb: peak,
      };
      if (withState) {
        const resources = ((await stack.exportStack()).deployment.resources ?? []) as { type: string }[];
        const ours = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/cloudlock:"));
        const bytes = ours.reduce((a, r) => a + Buffer.byteLength(JSON.stringify(r)), 0);
        row.stateBytesPerResource = Math.round(bytes / Math.max(1, ours.length));
        row.stateBytesPerEntry = Math.round(bytes / managed);
      }
      rows.push(row);
      opts.log?.(format([row]).split("\n").slice(2).join("\n"));
    };
    const p = opts.parallel ? { parallel: opts.parallel } : {};
    const at = opts.parallel ? ` (--parallel ${opts.parallel})` : "";
    await measure(`up (create)${at}`, () => stack.up({ onOutput: () => undefined, ...p }), true);
    await measure("preview (no-op)", () => stack.preview({ onOutput: () => undefined, ...p }));
    await measure(`preview --refresh${at}`, () =>
      stack.preview({ refresh: true, onOutput: () => undefined, ...p }),
    );
    // 1% of the managed entries edited by hand (at least one).
    const edits = Math.max(1, Math.floor(managed / 100));
    const mine = emu.entries("trusted").filter((e) => e.name.startsWith("Entry "));
    for (const e of mine.slice(0, edits)) emu.edit("trusted", e.pk, { description: "edited by hand" });
    await measure(`refresh (${edits} edited)${at}`, () => stack.refresh({ onOutput: () => undefined, ...p }));
    // Deletes coalesce as many as arrive together; the engine sends --parallel at a time (8 on 2 cores by default).
    await measure(`destroy (--parallel ${opts.destroyParallel})`, () =>
      stack.destroy({ onOutput: () => undefined, parallel: opts.destroyParallel }),
    );
  } finally {
    await emu.close();
  }
  return rows;
}

/**
 * A feed of `lines` lines (plain list; some lines repeat an earlier block and some lie inside one, so the collapse
 * has work) synced to a SuspiciousIpSet with a TTL: up (create), the same feed
 * previewed and run again (no write, no GET beyond the one listing), with the provider's RSS.
 */
function feedText(lines: number): string {
  const out = ["# bench feed"];
  for (let i = 0; out.length <= lines; i++) {
    const a = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::`;
    out.push(`${a}/64 ; B-${i}`);
    if (i % 9 === 0) out.push(`${a}/64 ; again`);
    if (i % 9 === 4) out.push(`${a}1 ; inside`);
  }
  return out.slice(0, lines + 1).join("\n") + "\n";
}

async function runFeed(opts: BenchOptions, lines: number, base: string, sdk: Sdk): Promise<Row[]> {
  const emu = await Emulator.start({ tokens: ["bench-token"], knobs: { latencyMs: opts.latencyMs } });
  const rows: Row[] = [];
  const file = path.join(base, `feed-${lines}.txt`);
  fs.writeFileSync(file, feedText(lines));
  try {
    const { stack } = await localStack({
      stackName: `feed-${lines}`,
      baseDir: base,
      program: async () => {
        new sdk.SuspiciousIpSet("feed", { feed: sdk.getFeed({ file, label: "bench" }), ttl: "30d" });
      },
      config: {
        "cloudlock:apiUrl": { value: emu.apiUrl },
        "cloudlock:apiToken": { value: "bench-token", secret: true },
        // Under the emulator's default 100 requests/s.
        "cloudlock:maxRequestsPerSecond": { value: "90" },
      },
    });
    const rss = new RssWatch();
    const shape = `feed of ${lines} lines`;
    const measure = async (operation: string, run: () => Promise<unknown>) => {
      emu.clearRequests();
      rss.start();
      const t0 = Date.now();
      let peak: number | undefined;
      try {
        await run();
      } finally {
        peak = rss.stop();
      }
      const seconds = (Date.now() - t0) / 1000;
      const c = emu.requests().counters;
      const count = (m: string) => c.byMethod[m] ?? 0;
      const n = emu.entries("suspicious").length;
      const row: Row = {
        mode: "feed",
        shape,
        operation: `${operation} (${n} entries)`,
        n,
        get: count("GET"),
        post: count("POST"),
        put: count("PUT"),
        delete: count("DELETE"),
        failed: Object.entries(c.byStatus)
          .filter(([st]) => Number(st) >= 400 || Number(st) === 0)
          .reduce((a, [, v]) => a + v, 0),
        seconds: Math.round(seconds * 10) / 10,
        requestsPerEntry: Math.round((c.total / Math.max(1, n)) * 100) / 100,
        providerPeakRssMb: peak,
        requestsPerSecond: Math.round(c.total / Math.max(0.1, seconds)),
      };
      rows.push(row);
      opts.log?.(format([row]).split("\n").slice(2).join("\n"));
    };
    await measure("up (create)", () => stack.up({ onOutput: () => undefined }));
    await measure("preview (same feed)", () => stack.preview({ onOutput: () => undefined }));
    await measure("up (same feed)", () => stack.up({ onOutput: () => undefined }));
    await stack.destroy({ onOutput: () => undefined, parallel: opts.destroyParallel });
  } finally {
    await emu.close();
  }
  return rows;
}

const COLUMNS: [keyof Row, string][] = [
  ["mode", "mode"],
  ["shape", "shape"],
  ["operation", "operation"],
  ["get", "GET"],
  ["post", "POST"],
  ["put", "PUT"],
  ["delete", "DELETE"],
  ["failed", "failed"],
  ["seconds", "s"],
  ["requestsPerEntry", "req/entry"],
  ["stateBytesPerResource", "state B/res"],
  ["stateBytesPerEntry", "state B/entry"],
  ["providerPeakRssMb", "RSS MB"],
  ["requestsPerSecond", "req/s"],
];

/**
 * A Markdown table of rows, with naive/ours ratios (requests and seconds) when both modes are there: a
 * skip-checkpoints row against the naive row that also skips them.
 */
export function format(rows: Row[], all: Row[] = rows): string {
  const ratio = (r: Row) => {
    if (baseMode(r.mode) === "naive" || baseMode(r.mode) === "floor") return "";
    const naiveMode = skipsCheckpoints(r.mode) ? `naive${SKIP_CHECKPOINTS}` : "naive";
    const naive = all.find((x) => x.mode === naiveMode && x.shape === r.shape && x.operation === r.operation);
    if (!naive) return "";
    const req = (x: Row) => x.get + x.post + x.put + x.delete;
    const requests =
      req(naive) === req(r) ? "same req" : `${(req(naive) / Math.max(1, req(r))).toFixed(1)}× req`;
    return `${requests}, ${(naive.seconds / Math.max(0.1, r.seconds)).toFixed(1)}× s`;
  };
  // Seconds against the do-nothing provider's row of the same shape and operation (the engine's floor).
  const withFloor = all.some((r) => baseMode(r.mode) === "floor");
  const overFloor = (r: Row) => {
    if (baseMode(r.mode) === "floor") return "";
    const floorMode = skipsCheckpoints(r.mode) ? `floor${SKIP_CHECKPOINTS}` : "floor";
    const floor = all.find((x) => x.mode === floorMode && x.shape === r.shape && x.operation === r.operation);
    return floor ? `${(r.seconds / Math.max(0.1, floor.seconds)).toFixed(1)}×` : "";
  };
  const head = [...COLUMNS.map(([, h]) => h), "naive/ours", ...(withFloor ? ["s/floor"] : [])];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map(
      (r) =>
        `| ${[...COLUMNS.map(([k]) => r[k] ?? ""), ratio(r), ...(withFloor ? [overFloor(r)] : [])].join(" | ")} |`,
    ),
  ];
  return lines.join("\n");
}

export async function bench(opts: BenchOptions): Promise<Row[]> {
  const base = path.join(REPO_ROOT, ".pulumi", `bench-${process.pid}-${Date.now()}`);
  const rows: Row[] = [];
  try {
    const sdk = require(installedCopy(path.join(base, "install"))) as Sdk;
    if (opts.modes.some((m) => baseMode(m) === "floor")) installFloor(base);
    const shapes: [string, number, number][] = opts.sizes.map((n) => [`N=L=${n}`, n, n]);
    if (opts.sparseLibrary) shapes.push([`N=10 in L=${opts.sparseLibrary}`, 10, opts.sparseLibrary]);
    for (const [shape, managed, library] of shapes) {
      for (const mode of opts.modes.filter((m) => m !== "feed"))
        rows.push(...(await runShape(opts, mode, shape, managed, library, base, sdk)));
    }
    if (opts.modes.includes("feed")) rows.push(...(await runFeed(opts, opts.feedLines ?? 50_000, base, sdk)));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify({ latencyMs: opts.latencyMs, rows }, null, 2) + "\n");
  return rows;
}

function parseArgs(argv: string[]): BenchOptions {
  const opts: BenchOptions = {
    sizes: [100, 1000],
    sparseLibrary: 5000,
    latencyMs: 20,
    modes: ["ours", "naive", "set", "feed"],
    destroyParallel: 64,
    out: path.join(REPO_ROOT, ".bench", "bench.json"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--large") opts.sizes = [...opts.sizes, 5000];
    else if (a === "--sizes") opts.sizes = next().split(",").map(Number);
    else if (a === "--latency") opts.latencyMs = Number(next());
    else if (a === "--sparse") opts.sparseLibrary = Number(next()) || undefined;
    else if (a === "--ours-only") opts.modes = ["ours"];
    else if (a === "--modes") opts.modes = next().split(",") as Mode[];
    else if (a === "--destroy-parallel") opts.destroyParallel = Number(next());
    else if (a === "--parallel") opts.parallel = Number(next());
    else if (a === "--out") opts.out = path.resolve(next());
    else if (a === "--feed-lines") opts.feedLines = Number(next());
    else throw new Error(`unknown option ${a}`);
  }
  const bad = opts.modes.find((m) => !MODES.includes(m));
  if (bad) throw new Error(`--modes takes ${MODES.join(", ")}; got ${bad}`);
  if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error("--sizes takes positive integers");
  return opts;
}

if (require.main === module) {
  const opts = parseArgs(process.argv.slice(2));
  console.log(
    `Benchmark: sizes ${opts.sizes.join(", ")}${opts.sparseLibrary ? `, 10 in ${opts.sparseLibrary}` : ""}; ` +
      `latency ${opts.latencyMs} ms; emulator rate limit 100/s; modes ${opts.modes.join(", ")}`,
  );
  bench({ ...opts, log: (s) => console.log(s) })
    .then((rows) => {
      console.log(`\n${format(rows)}\n\nwritten to ${path.relative(process.cwd(), opts.out)}`);
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
