import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { Emulator, EmulatorOptions } from "../../emulator";
import { startEmulator } from "../helpers/emulator";
import { canonicalAddress } from "../../provider/address";
import type { CollectionName, IpEntry } from "../../provider/client/types";
import { REPO_ROOT, localStack } from "../../scripts/lib/engine";
import type { CliResult } from "../helpers/project";

/**
 * A bound for a hung engine test, not a speed target: generous enough that a loaded 2-core machine (two suites at
 * once) never trips it. A 429-storm test took over 240 s that way.
 */
export const ENGINE_TIMEOUT = Number(process.env.ENGINE_TIMEOUT ?? 600_000);

/** A fresh folder for one test file's stacks, inside the repo so node_modules is found. */
export function freshBase(label: string): string {
  const dir = path.join(REPO_ROOT, ".pulumi", "tests", `${label}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Per-file set-up of the engine suites: an emulator on port 0 and a fresh
 * state folder, both removed after the file. Read the fields inside tests.
 */
export function engineSuite(label: string, opts?: EmulatorOptions): { emu: Emulator; base: string } {
  const ctx = {} as { emu: Emulator; base: string };
  jest.setTimeout(ENGINE_TIMEOUT);
  beforeAll(async () => {
    ctx.emu = await startEmulator(opts);
    ctx.base = freshBase(label);
  });
  afterAll(async () => {
    await ctx.emu.close();
    fs.rmSync(ctx.base, { recursive: true, force: true });
  });
  return ctx;
}

export interface EngineStack {
  stack: Stack;
  stateDir: string;
  workDir: string;
  /** Environment the CLI runs with (backend, passphrase, PATH). */
  env: Record<string, string>;
  /** Everything the engine printed so far (for leak checks). */
  output: () => string;
  /** Options that also capture the engine's output. */
  io: { onOutput: (s: string) => void };
}

/** A stack on a local backend whose provider is configured for the emulator through stack config. */
export async function engineStack(
  base: string,
  name: string,
  emu: Emulator,
  token: string,
  program: PulumiFn,
  /** More stack config, e.g. { "cloudlock:timeoutSeconds": "2" }. */
  config: Record<string, string> = {},
): Promise<EngineStack> {
  const { stack, stateDir, workDir, env } = await localStack({
    stackName: name,
    program,
    baseDir: base,
    config: {
      "cloudlock:apiUrl": { value: emu.apiUrl },
      "cloudlock:apiToken": { value: token, secret: true },
      ...Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])),
    },
  });
  let out = "";
  return { stack, stateDir, workDir, env, output: () => out, io: { onOutput: (s: string) => (out += s) } };
}

/** Requests the emulator saw, by method, since the last clear. */
export function methods(emu: Emulator): Record<string, number> {
  return emu.requests().counters.byMethod;
}

/** The rejection of a promise (failing the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the engine operation to fail");
}

/** Ids of our resources in the stack's state (decrypted export). */
export async function stateIds(stack: Stack): Promise<string[]> {
  const resources = ((await stack.exportStack()).deployment.resources ?? []) as {
    type: string;
    id?: string;
  }[];
  return resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/cloudlock:"))
    .map((r) => r.id!)
    .sort();
}

/** Every pk the stack holds: per-entry resources' ids and the entries of its sets. */
export async function heldPks(stack: Stack): Promise<string[]> {
  const resources = ((await stack.exportStack()).deployment.resources ?? []) as {
    type: string;
    id?: string;
    outputs?: { entries?: Record<string, { pk: string }> };
  }[];
  return resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/cloudlock:"))
    .flatMap((r) =>
      r.type.endsWith("Set") ? Object.values(r.outputs?.entries ?? {}).map((e) => e.pk) : [r.id!],
    )
    .sort();
}

/**
 * The library against the stacks: duplicates (an address twice), orphans (in
 * no state), lost (in a state, not in Cloudlock), shared (in two states).
 */
export async function audit(
  emu: Emulator,
  stacks: Stack[],
  kinds: CollectionName[] = ["trusted"],
  /** Entries made by hand on purpose, that no stack is meant to hold. */
  byHand: (e: IpEntry) => boolean = () => false,
) {
  const entries = kinds.flatMap((k) =>
    emu
      .entries(k)
      .filter((e) => !byHand(e))
      .map((e) => ({ ...e, kind: k })),
  );
  const held = await Promise.all(stacks.map(heldPks));
  const all = held.flat();
  const pks = new Set(entries.map((e) => e.pk));
  return {
    count: entries.length,
    duplicates:
      entries.length - new Set(entries.map((e) => `${e.kind} ${canonicalAddress(e.ip_address)}`)).size,
    orphans: [...pks].filter((pk) => !all.includes(pk)).length,
    lost: all.filter((id) => !pks.has(id)).length,
    shared: all.length - new Set(all).size,
  };
}

export interface ReliabilityRow {
  scenario: string;
  faults: number;
  operations: string;
  requests: number;
  count: number;
  duplicates: number;
  orphans: number;
  lost: number;
  shared: number;
}

/**
 * Rows of the reliability table (docs/internals/reliability.md) measured by one test file, written
 * to .bench/reliability/<label>.json after the file.
 */
export function reliabilityRows(label: string): ReliabilityRow[] {
  const rows: ReliabilityRow[] = [];
  afterAll(() => {
    const dir = path.join(REPO_ROOT, ".bench", "reliability");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${label}.json`), JSON.stringify(rows, null, 2) + "\n");
  });
  return rows;
}

/**
 * Pid of the `pulumi` CLI the Automation API runs for a stack (its command line carries `--stack <name>`).
 * Call it while that operation is running.
 */
export function cliPid(stackName: string): number {
  const out = execFileSync("pgrep", ["-f", "--", `--stack ${stackName} `], { encoding: "utf8" });
  return Number(out.split("\n")[0]);
}

/**
 * SIGKILL a process and all its descendants at once, as a crash would. The Automation API starts the CLI in the
 * test's own process group, so the group cannot be killed; the engine's plugins (language host, dynamic
 * provider) are the CLI's descendants. Call it while they are idle (not starting new processes).
 */
export function killTree(pid: number): void {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      const kids = execFileSync("ps", ["-o", "pid=", "--ppid", String(all[i])], { encoding: "utf8" });
      all.push(...kids.split("\n").filter(Boolean).map(Number));
    } catch {
      // no children
    }
  }
  for (const p of all) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Resolve once `cond` holds, polling: for events the test observes, never a fixed wait (Jest's timeout bounds it). */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

/** Stack frames, as an expected error must never show them. */
export const FRAMES = /^\s+at |\.(js|ts):\d+/m;

/** Every Diagnostics section of an output (a command that previews, then updates, prints two). */
export function diagnostics(out: string): string[] {
  return out
    .split(/^Diagnostics:$/m)
    .slice(1)
    .map((s) => s.split(/^(Resources|Outputs|Duration):/m)[0]);
}

export const count = (text: string, part: string) => text.split(part).length - 1;

/**
 * The output of a failed command shows `whole` (a part found only in the whole message: its fix) at least once,
 * at most once in each Diagnostics section and three times in all, and no stack trace.
 */
export function expectClean(r: CliResult, whole: string): string {
  const out = `${r.stdout}\n${r.stderr}`;
  expect(r.code).not.toBe(0);
  expect(out).not.toMatch(FRAMES);
  expect(count(out, whole)).toBeGreaterThanOrEqual(1);
  expect(count(out, whole)).toBeLessThanOrEqual(3);
  const sections = diagnostics(out);
  expect(sections.length).toBeGreaterThanOrEqual(1);
  for (const d of sections) expect(count(d, whole)).toBeLessThanOrEqual(1);
  expect(count(sections.join("\n"), whole)).toBe(1);
  return out;
}
