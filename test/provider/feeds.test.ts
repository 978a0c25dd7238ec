/**
 * A set fed by a feed, through the set provider against the emulator, its clock moved (never the wall clock's):
 * the TTL rule sends no write while entries have more than half their TTL left and extends them after; a
 * refused feed or change writes nothing; an allowance passes one content only.
 */
import type { Emulator } from "../../emulator";
import type { IpSets } from "../../provider/dynamic/sets";
import type { SetOutputs } from "../../provider/dynamic/set-schema";
import { startEmulator } from "../helpers/emulator";
import { setsFor } from "../helpers/runtime";
import { feedOf as feedResult, range, v6 } from "../helpers/feeds";

type Props = Record<string, unknown>;
const DAY_S = 86_400;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

let hashes = 0;
/** A feed function's result for these addresses (each call a new content id, as a changed feed has). */
const feedOf = (addresses: string[]) =>
  feedResult(addresses, { hash: `sha256:${(++hashes).toString(16).padStart(16, "0")}` });

/** One engine operation: a fresh provider process checks; `up` diffs and updates or creates. */
interface State {
  id?: string;
  inputs?: object;
  outs?: SetOutputs;
}
async function run(
  sets: IpSets,
  state: State,
  args: Props,
): Promise<{ failures: { reason: string }[]; state: State; changed?: boolean }> {
  const { inputs, failures } = await sets.check("suspicious", (state.inputs ?? {}) as Props, args);
  if (failures.length) return { failures, state };
  if (!state.id) {
    const made = await sets.create("suspicious", inputs);
    return { failures, state: { id: made.id, inputs, outs: made.outs }, changed: true };
  }
  const { changes } = await sets.diff("suspicious", state.id, state.outs!, inputs);
  if (!changes) return { failures, state: { ...state, inputs }, changed: false };
  const { outs } = await sets.update("suspicious", state.id, state.outs!, inputs);
  return { failures, state: { id: state.id, inputs, outs }, changed: true };
}

const writes = () => {
  const m = emu.requests().counters.byMethod;
  return (m.POST ?? 0) + (m.PUT ?? 0) + (m.DELETE ?? 0);
};

test("TTL 30 days: a run a day later sends no write; past half the TTL every entry is extended, once", async () => {
  const addresses = range(40);
  let r = await run(setsFor(emu), {}, { feed: feedOf(addresses), ttl: "30d" });
  expect(r.failures).toEqual([]);
  const made = emu.entries("suspicious");
  expect(made).toHaveLength(40);
  const expiry = Date.parse(made[0].expires_on!);
  // By the emulator's clock: 30 days on, rounded up to the hour.
  expect(expiry - emu.now()).toBeGreaterThan(30 * DAY_S * 1000 - 60_000);
  expect(expiry - emu.now()).toBeLessThanOrEqual(30 * DAY_S * 1000 + 3_600_000);

  emu.advanceClock(DAY_S);
  emu.clearRequests();
  r = await run(setsFor(emu), r.state, { feed: feedOf(addresses), ttl: "30d" });
  expect(r).toMatchObject({ failures: [], changed: false });
  expect(writes()).toBe(0);

  // 16 days in: less than half of 30 left.
  emu.advanceClock(15 * DAY_S);
  emu.clearRequests();
  r = await run(setsFor(emu), r.state, { feed: feedOf(addresses), ttl: "30d" });
  expect(r).toMatchObject({ failures: [], changed: true });
  expect(emu.requests().counters.byMethod).toEqual({ GET: expect.any(Number), PUT: 40 });
  for (const e of emu.entries("suspicious"))
    expect(Date.parse(e.expires_on!) - emu.now()).toBeGreaterThan(29 * DAY_S * 1000);

  // And the next day nothing again.
  emu.advanceClock(DAY_S);
  emu.clearRequests();
  r = await run(setsFor(emu), r.state, { feed: feedOf(addresses), ttl: "30d" });
  expect(r).toMatchObject({ failures: [], changed: false });
  expect(writes()).toBe(0);
});

test("an entry that left the feed is removed; an entry the feed dropped then brought back expires afresh", async () => {
  let r = await run(setsFor(emu), {}, { feed: feedOf(range(10)), ttl: "30d" });
  r = await run(setsFor(emu), r.state, { feed: feedOf(range(9)), ttl: "30d" });
  expect(emu.entries("suspicious")).toHaveLength(9);
  emu.advanceClock(3 * DAY_S);
  r = await run(setsFor(emu), r.state, { feed: feedOf(range(10)), ttl: "30d" });
  expect(r.failures).toEqual([]);
  const back = emu.entries("suspicious").find((e) => e.ip_address === v6(9))!;
  expect(Date.parse(back.expires_on!) - emu.now()).toBeGreaterThan(29 * DAY_S * 1000);
});

test("an empty feed and an 80% drop are refused with nothing written; the drop passes for its own id only", async () => {
  let r = await run(setsFor(emu), {}, { feed: feedOf(range(100)), ttl: "30d" });
  emu.clearRequests();
  const empty = await run(setsFor(emu), r.state, { feed: feedOf([]), ttl: "30d" });
  expect(empty.failures[0].reason).toMatch(
    /feed drop.txt is empty .*never empties a set, so nothing was changed/,
  );
  const dropped = feedOf(range(20));
  const drop = await run(setsFor(emu), r.state, { feed: dropped, ttl: "30d" });
  const id = /CLOUDLOCK_ALLOW_LARGE_CHANGE=(sha256:[0-9a-f]{16}) pulumi up/.exec(drop.failures[0].reason)![1];
  expect(writes()).toBe(0);
  expect(emu.entries("suspicious")).toHaveLength(100);

  // An allowance for other content does not pass this one; the allowance for this content does.
  const other = await run(setsFor(emu, { allowLargeChange: "sha256:ffffffffffffffff" }), r.state, {
    feed: dropped,
    ttl: "30d",
  });
  expect(other.failures).toHaveLength(1);
  r = await run(setsFor(emu, { allowLargeChange: id }), r.state, { feed: dropped, ttl: "30d" });
  expect(r.failures).toEqual([]);
  expect(emu.entries("suspicious")).toHaveLength(20);
});

test("a feed never takes over an entry the set did not make (so never later deletes it), unless the set allows it", async () => {
  let r = await run(setsFor(emu), {}, { feed: feedOf(range(10)), ttl: "30d" });
  const [byHand] = emu.seed("suspicious", [
    { name: "DROP", ip_address: v6(50), description: "made by hand", expires_on: "2031-01-01T00:00:00Z" },
  ]);
  emu.clearRequests();
  const taken = await run(setsFor(emu), r.state, { feed: feedOf(range(11).concat(v6(50))), ttl: "30d" });
  expect(taken.failures).toHaveLength(1);
  expect(taken.failures[0].reason).toMatch(
    new RegExp(
      `^the feed lists 1 address\\(es\\) held by entries this set did not make: ${v6(50)} \\(entry ${byHand.pk} .*allow: \\["adopt"\\]`,
    ),
  );
  expect(writes()).toBe(0);
  r = await run(setsFor(emu), r.state, {
    feed: feedOf(range(11).concat(v6(50))),
    ttl: "30d",
    allow: ["adopt"],
  });
  expect(r.failures).toEqual([]);
  expect(emu.entries("suspicious").filter((e) => e.ip_address === v6(50))).toHaveLength(1);
});

test("a feed change of +10 and -5 on 100 entries passes the default limit and sends exactly that", async () => {
  let r = await run(setsFor(emu), {}, { feed: feedOf(range(100)), ttl: "30d" });
  emu.clearRequests();
  r = await run(setsFor(emu), r.state, { feed: feedOf(range(105, 5)), ttl: "30d" });
  expect(r.failures).toEqual([]);
  const m = emu.requests().counters.byMethod;
  expect(m.POST).toBe(10);
  // Deletes go by ids in batches: 5 ids, one request.
  expect(m.DELETE).toBe(1);
  expect(m.PUT ?? 0).toBe(0);
  expect(emu.entries("suspicious")).toHaveLength(105);
});
