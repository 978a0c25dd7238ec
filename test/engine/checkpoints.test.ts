/**
 * PULUMI_SKIP_CHECKPOINTS=true through the real engine: state is written once, when an operation ends, so a
 * crash mid-`up` leaves nothing of that `up` in state, though Cloudlock made its entries. Proven here: the
 * entries a killed `up` made are in no state; a plain `up` then refuses them by name and creates nothing; the
 * documented recovery, `CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up`, adopts each once (0 duplicated, 0 lost); a
 * preview is then a no-op, and destroy leaves the library as it was. The same crash with checkpoints on shows
 * the kill moment is one at which state would have held those entries.
 *
 * The kill moment is an event, not a time: every SuspiciousIp of the second `up` depends on its 30 new
 * TrustedIps, and the emulator holds every suspicious POST. When the first one arrives, the engine has finished
 * all 30 trusted creates (a dependent is registered only after its dependencies' steps complete, checkpoint
 * included when checkpoints are on) and can do nothing more: the CLI and its plugins are killed there.
 */
import * as fs from "fs";
import * as path from "path";
import type { Emulator } from "../../emulator";
import type { IpEntry } from "../../provider/client/types";
import * as cloudlock from "../../sdk";
import { TOKEN, addresses } from "../helpers/emulator";
import {
  EngineStack,
  audit,
  cliPid,
  engineStack,
  engineSuite,
  killTree,
  reliabilityRows,
  stateIds,
  until,
} from "./helpers";

const suite = engineSuite("checkpoints");
const rows = reliabilityRows("checkpoints");

beforeEach(() => suite.emu.reset());

/** The first `up` makes BEFORE trusted entries; the killed one adds NEW trusted and SUSPICIOUS suspicious. */
const BEFORE = 10;
const NEW = 30;
const SUSPICIOUS = 10;
const trustedIps = addresses(BEFORE + NEW, 71);
const suspiciousIps = addresses(SUSPICIOUS, 72);

/** The declarations: `trusted` TrustedIps, and once there are new ones, SuspiciousIps that wait for them all. */
function declare(trusted: number): void {
  const made = trustedIps
    .slice(0, trusted)
    .map((ip, i) => new cloudlock.TrustedIp(`t${i}`, { name: `Entry ${i}`, ipAddress: ip }));
  if (trusted === BEFORE) return;
  const later = made.slice(BEFORE);
  suspiciousIps.forEach(
    (ip, i) =>
      new cloudlock.SuspiciousIp(`s${i}`, { name: `Suspect ${i}`, ipAddress: ip }, { dependsOn: later }),
  );
}

/** Entries a person made by hand, that no stack manages: destroy must leave exactly these. */
const byHand = (e: IpEntry) => e.name.startsWith("By hand");
function seedByHand(emu: Emulator): string[] {
  const t = emu.seed(
    "trusted",
    [0, 1, 2].map((i) => ({ name: `By hand ${i}`, ip_address: `198.51.100.${i + 1}` })),
  );
  const s = emu.seed(
    "suspicious",
    [0, 1].map((i) => ({ name: `By hand ${i}`, ip_address: `203.0.113.${i + 1}` })),
  );
  return [...t, ...s].map((e) => e.pk).sort();
}

const pks = (emu: Emulator) =>
  [...emu.entries("trusted"), ...emu.entries("suspicious")]
    .filter((e) => !byHand(e))
    .map((e) => e.pk)
    .sort();

/** Lock files of the stack's file backend. */
const locks = (s: EngineStack) => {
  const dir = path.join(s.stateDir, ".pulumi", "locks");
  return fs.existsSync(dir)
    ? fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".json"))
    : [];
};

interface Crash {
  s: EngineStack;
  /** Pks the first, completed `up` made (and recorded). */
  before: string[];
  /** Pks the killed `up` made. */
  made: string[];
}

/**
 * Up BEFORE entries; then up all of them and SIGKILL the CLI and its plugins once the NEW trusted creates are
 * done, with the suspicious POSTs held. The held POSTs are then refused, so the entries the killed run made are
 * exactly its NEW trusted ones. Leaves the backend's lock removed (`pulumi cancel`, as after any crash).
 */
async function upAndKill(name: string, skipCheckpoints: boolean): Promise<Crash> {
  const { emu } = suite;
  let trusted = BEFORE;
  const s = await engineStack(suite.base, name, emu, TOKEN, async () => declare(trusted));
  if (skipCheckpoints) s.stack.workspace.envVars.PULUMI_SKIP_CHECKPOINTS = "true";
  await s.stack.up(s.io);
  const before = pks(emu);
  expect(before).toHaveLength(BEFORE);
  expect(await stateIds(s.stack)).toEqual(before);

  trusted = BEFORE + NEW;
  let arrived = 0;
  let refuse!: (e: Error) => void;
  const held = new Promise<void>((_, reject) => (refuse = reject));
  held.catch(() => undefined);
  emu.onCreate = (collection) => {
    if (collection !== "suspicious") return;
    arrived++;
    return held;
  };
  try {
    const run = s.stack.up(s.io).then(
      () => "finished",
      () => "killed",
    );
    await until(() => arrived > 0);
    killTree(cliPid(name));
    expect(await run).toBe("killed");
  } finally {
    // The client is gone: its held POSTs are answered 500 to nobody and reach no library.
    refuse(new Error("the client that sent this POST was killed"));
    emu.onCreate = undefined;
  }
  const made = pks(emu).filter((pk) => !before.includes(pk));
  expect(made).toHaveLength(NEW);
  expect(emu.entries("suspicious").filter((e) => !byHand(e))).toEqual([]);
  // A crash leaves the file backend's lock (taken at the start, whatever the checkpoint setting): `pulumi cancel`
  // removes it, as the next command's error says.
  expect(locks(s)).not.toEqual([]);
  await s.stack.cancel();
  expect(locks(s)).toEqual([]);
  return { s, before, made };
}

test("with checkpoints on, the same kill moment leaves the killed up's finished creates in state", async () => {
  const { emu } = suite;
  seedByHand(emu);
  const { s, before, made } = await upAndKill(`ckpt-on-${process.pid}`, false);
  // What the skip-checkpoints test below loses: a checkpoint after each step had recorded all 30.
  expect(await stateIds(s.stack)).toEqual([...before, ...made].sort());
  await s.stack.up(s.io); // nothing to adopt: only the never-made suspicious entries are created
  expect(await audit(emu, [s.stack], ["trusted", "suspicious"], byHand)).toEqual({
    count: BEFORE + NEW + SUSPICIOUS,
    duplicates: 0,
    orphans: 0,
    lost: 0,
    shared: 0,
  });
  await s.stack.destroy(s.io);
  expect(pks(emu)).toEqual([]);
});

test("PULUMI_SKIP_CHECKPOINTS: a crash mid-up leaves nothing of it in state; plain up refuses, CLOUDLOCK_ADOPT_IDENTICAL=1 up recovers, 0 duplicated, 0 lost", async () => {
  const { emu } = suite;
  const handMade = seedByHand(emu);
  const name = `ckpt-skip-${process.pid}`;
  const { s, before, made } = await upAndKill(name, true);

  // The cost: state is what the last completed operation wrote; none of the 30 entries the killed up made.
  expect(await stateIds(s.stack)).toEqual(before);

  // A plain up does not take the unrecorded entries over (they could be another stack's): it fails naming them
  // and sends nothing. The suspicious resources wait for the refused ones, so the library is unchanged.
  const library = pks(emu);
  const posts = () => emu.requests().counters.byMethod.POST ?? 0;
  const postsBefore = posts();
  const plain = await s.stack.up(s.io).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(plain?.message).toMatch(
    /an entry identical to this declaration already exists in the trusted library \(entry \w+.*CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up/,
  );
  const named = [...new Set([...plain!.message.matchAll(/library \(entry (\w+),/g)].map((m) => m[1]))];
  expect(named.length).toBeGreaterThan(0);
  expect(named.filter((pk) => !made.includes(pk))).toEqual([]);
  expect(posts()).toBe(postsBefore);
  expect(pks(emu)).toEqual(library);
  expect(await stateIds(s.stack)).toEqual(before);

  // The documented recovery adopts each of the 30 instead of creating it again; only the 10 never made are POSTed.
  s.stack.workspace.envVars.CLOUDLOCK_ADOPT_IDENTICAL = "1";
  try {
    await s.stack.up(s.io);
  } finally {
    delete s.stack.workspace.envVars.CLOUDLOCK_ADOPT_IDENTICAL;
  }
  expect(posts() - postsBefore).toBe(SUSPICIOUS);
  const state = await stateIds(s.stack);
  expect(state).toHaveLength(BEFORE + NEW + SUSPICIOUS);
  expect(made.filter((pk) => !state.includes(pk))).toEqual([]);
  const found = await audit(emu, [s.stack], ["trusted", "suspicious"], byHand);
  expect(found).toEqual({ count: BEFORE + NEW + SUSPICIOUS, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
  expect(pks(emu)).toEqual(state);

  await s.stack.preview({ expectNoChanges: true });
  await s.stack.preview({ refresh: true, expectNoChanges: true });
  rows.push({
    scenario: `crash with PULUMI_SKIP_CHECKPOINTS after ${NEW} of ${NEW + SUSPICIOUS} new entries`,
    faults: 1,
    operations: `up ${BEFORE}, up ${BEFORE + NEW + SUSPICIOUS} (killed), \`pulumi cancel\`, up (refused), up (adopt)`,
    requests: emu.requests().counters.total,
    ...found,
  });

  await s.stack.destroy(s.io);
  expect(await stateIds(s.stack)).toEqual([]);
  const left = [...emu.entries("trusted"), ...emu.entries("suspicious")].map((e) => e.pk).sort();
  expect(left).toEqual(handMade);
});
