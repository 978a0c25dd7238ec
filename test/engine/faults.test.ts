/**
 * Faults through the real engine, against the emulator's knobs: 429 storms,
 * injected 5xx and dropped connections on every method, answers lost after
 * the server committed, and a crash or cancellation mid-`up`. Each scenario
 * must end with the library equal to the stack: no duplicates, no orphans
 * (entries in no state), nothing lost. The figures are written to
 * .bench/reliability/faults.json and quoted in docs/internals/reliability.md.
 */
import * as fs from "fs";
import type { Emulator } from "../../emulator";
import * as cloudlock from "../../sdk";
import { TOKEN, addresses } from "../helpers/emulator";
import { audit, cliPid, engineStack, engineSuite, killTree, reliabilityRows, stateIds } from "./helpers";

const suite = engineSuite("faults");

const rows = reliabilityRows("faults");

beforeEach(() => suite.emu.reset());

/** N trusted entries, one resource each. */
const program = (n: number, base: number) => async () => {
  addresses(n, base).forEach(
    (ip, i) => new cloudlock.TrustedIp(`e${i}`, { name: `Entry ${i}`, ipAddress: ip }),
  );
};

const counters = (emu: Emulator) => emu.requests().counters;
const injected = (emu: Emulator) => Object.values(counters(emu).faults).reduce((a, b) => a + b, 0);

test("429 storms with and without Retry-After: a 200-entry up completes, within 10% of the fault-free requests plus the 429s", async () => {
  const { emu } = suite;
  const s = await engineStack(suite.base, "storm", emu, TOKEN, program(200, 41));
  await s.stack.up(s.io);
  const baseline = counters(emu).total;
  await s.stack.destroy(s.io);

  for (const retryAfterHeader of [true, false]) {
    emu.reset();
    // A quarter of what the provider would send: every burst meets 429s.
    emu.setKnobs({ rateLimit: { perSecond: 12, burst: 4 }, retryAfterHeader });
    await s.stack.up(s.io);
    const c = counters(emu);
    const throttled = c.byStatus["429"] ?? 0;
    expect(throttled).toBeGreaterThan(0);
    expect(c.total - throttled).toBeLessThanOrEqual(Math.ceil(baseline * 1.1));
    const a = await audit(emu, [s.stack]);
    expect(a).toEqual({ count: 200, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
    rows.push({
      scenario: `429 storm (12 req/s, Retry-After ${retryAfterHeader ? "sent" : "absent"})`,
      faults: throttled,
      operations: "up 200",
      requests: c.total,
      ...a,
    });
    emu.setKnobs({ rateLimit: null });
    await s.stack.destroy(s.io);
  }
});

test("5% server errors and 2% dropped connections on every method: up, refresh and destroy of 200 converge", async () => {
  const { emu } = suite;
  const s = await engineStack(suite.base, "flaky", emu, TOKEN, program(200, 42));
  emu.setKnobs({ errorRate: 0.05, dropRate: 0.02, seed: 11 });
  await s.stack.up(s.io);
  expect(await audit(emu, [s.stack])).toEqual({ count: 200, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
  await s.stack.refresh(s.io);
  const a = await audit(emu, [s.stack]);
  expect(a).toEqual({ count: 200, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
  await s.stack.preview({ expectNoChanges: true });
  await s.stack.destroy(s.io);
  expect(emu.entries("trusted")).toEqual([]);
  expect(await stateIds(s.stack)).toEqual([]);
  const c = counters(emu);
  expect(c.faults.error).toBeGreaterThan(5);
  expect(c.faults.drop).toBeGreaterThan(2);
  rows.push({
    scenario: "5% 5xx + 2% dropped connections, all methods",
    faults: injected(emu),
    operations: "up, refresh, preview, destroy 200",
    requests: c.total,
    ...a,
  });
});

test("100 POSTs whose answers are lost after the server committed: zero duplicates", async () => {
  const { emu } = suite;
  const s = await engineStack(suite.base, "lost", emu, TOKEN, program(100, 43));
  emu.setKnobs({ dropAfterCommitRate: 1, faultMethods: ["POST"] });
  await s.stack.up(s.io);
  const c = counters(emu);
  expect(c.faults["drop-after-commit"]).toBe(100);
  expect(c.byMethod.POST).toBe(100);
  const a = await audit(emu, [s.stack]);
  expect(a).toEqual({ count: 100, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
  rows.push({
    scenario: "answer lost after commit (every POST)",
    faults: 100,
    operations: "up 100",
    requests: c.total,
    ...a,
  });
  emu.setKnobs({ dropAfterCommitRate: 0 });
  await s.stack.destroy(s.io);
});

/** Resolve once the emulator has seen n POSTs. */
async function afterPosts(emu: Emulator, n: number): Promise<void> {
  while ((counters(emu).byMethod.POST ?? 0) < n) await new Promise((r) => setTimeout(r, 10));
}

test.each(["crash (SIGKILL of the engine and its plugins)", "cancellation (SIGINT)"])(
  "%s mid-up: the next up converges, with no duplicates and no orphans",
  async (how) => {
    const { emu } = suite;
    const crash = how.startsWith("crash");
    const name = `${crash ? "crash" : "cancel"}-${process.pid}`;
    const s = await engineStack(suite.base, name, emu, TOKEN, program(150, crash ? 44 : 45));
    emu.setKnobs({ latencyMs: 25 });
    const abort = new AbortController();
    const interrupted = s.stack.up({ ...s.io, signal: abort.signal }).then(
      () => "finished",
      () => "interrupted",
    );
    await afterPosts(emu, 40);
    if (crash) {
      killTree(cliPid(name));
    } else {
      abort.abort();
    }
    expect(await interrupted).toBe("interrupted");
    const made = emu.entries("trusted").length;
    expect(made).toBeGreaterThanOrEqual(40);
    expect(made).toBeLessThan(150);
    if (crash) {
      // Every state file is written whole then renamed: no in-place sidecar a kill could leave half-written.
      const sidecars = fs
        .readdirSync(s.stateDir, { recursive: true })
        .filter((f) => String(f).endsWith(".attrs"));
      expect(sidecars).toEqual([]);
      expect(s.env.PULUMI_BACKEND_URL).toContain("metadata=skip");
      // A crash leaves the backend's lock behind: `pulumi cancel` removes it (what the error message says).
      await s.stack.cancel();
    }
    emu.setKnobs({ latencyMs: 0 });
    const before = emu.entries("trusted").length;
    // An entry made by a POST whose create the engine never recorded is refused, not taken silently (it could be
    // another stack's): the up fails naming it, creating nothing twice. The one documented step then adopts it.
    const plain = await s.stack.up(s.io).then(
      () => undefined,
      (e: Error) => e,
    );
    if (plain) {
      expect(plain.message).toMatch(
        /an entry identical to this declaration already exists.*CLOUDLOCK_ADOPT_IDENTICAL=1/,
      );
      expect(emu.entries("trusted").length).toBeLessThanOrEqual(150);
      // The engine and the provider it starts inherit the workspace's environment.
      s.stack.workspace.envVars.CLOUDLOCK_ADOPT_IDENTICAL = "1";
      await s.stack.up(s.io);
      delete s.stack.workspace.envVars.CLOUDLOCK_ADOPT_IDENTICAL;
    }
    expect(before).toBeLessThanOrEqual(150);
    const a = await audit(emu, [s.stack]);
    expect(a).toEqual({ count: 150, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
    await s.stack.preview({ refresh: true, expectNoChanges: true });
    rows.push({
      scenario: `${crash ? "crash" : "cancellation"} after ${made} of 150 entries`,
      faults: 1,
      operations: "up 150 (interrupted), up",
      requests: counters(emu).total,
      ...a,
    });
    await s.stack.destroy(s.io);
  },
);
