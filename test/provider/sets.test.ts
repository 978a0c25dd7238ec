/**
 * The set resources' provider methods against the emulator, for the cases
 * the engine tests do not reach: renames that need a new entry, entries that
 * vanish or move between the listing and the write, expiry, duplicates.
 */
import { Emulator } from "../../emulator";
import { IpSets } from "../../provider/dynamic/sets";
import type { SetOutputs } from "../../provider/dynamic/set-schema";
import { UNKNOWN } from "../../provider/dynamic/schema";
import { startEmulator } from "../helpers/emulator";
import { logged } from "../helpers/requests";
import { setsFor } from "../helpers/runtime";

let emu: Emulator;
let sets: IpSets;
type Props = Record<string, unknown>;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
/** A provider process of its own: its listing is taken afresh (each engine operation starts one). */
const freshSets = () => setsFor(emu);

beforeEach(() => {
  emu.reset();
  sets = freshSets();
});

/** check then create, as the engine does. */
async function create(kind: "trusted" | "suspicious", args: Props) {
  const { inputs, failures } = await sets.check(kind, {}, args);
  expect(failures).toEqual([]);
  return { inputs, ...(await sets.create(kind, inputs)) };
}

async function update(kind: "trusted" | "suspicious", id: string, olds: SetOutputs, args: Props) {
  const { inputs } = await sets.check(kind, { mode: olds.mode, entries: olds.entries }, args);
  expect(await sets.diff(kind, id, olds, inputs)).toMatchObject({
    changes: true,
    replaces: [],
  });
  return (await sets.update(kind, id, olds, inputs)).outs;
}

const threat = (i: number, extra: Props = {}) => ({
  name: `Threat ${i}`,
  ipAddress: `203.0.113.${i}`,
  expiresOn: "2031-01-01T00:00:00Z",
  ...extra,
});

test("suspicious: a renamed entry is deleted and made again; the others are not touched", async () => {
  const { id, outs } = await create("suspicious", { entries: [threat(1), threat(2)] });
  const before = emu.entries("suspicious");
  emu.clearRequests();
  const after = await update("suspicious", id, outs, {
    entries: [threat(1, { name: "Renamed" }), threat(2)],
  });
  expect(emu.requests().counters.byMethod).toMatchObject({ DELETE: 1, POST: 1 });
  const now = emu.entries("suspicious");
  expect(now.map((e) => e.name).sort()).toEqual(["Renamed", "Threat 2"]);
  expect(now.find((e) => e.name === "Threat 2")!.pk).toBe(before.find((e) => e.name === "Threat 2")!.pk);
  expect(after.entries["203.0.113.1"]).toMatchObject({
    name: "Renamed",
    pk: now.find((e) => e.name === "Renamed")!.pk,
  });
});

test("an entry deleted by hand after the listing is made again when its update finds it gone", async () => {
  const { id, outs } = await create("trusted", { entries: [{ name: "A", ipAddress: "192.0.2.1" }] });
  const pk = outs.entries["192.0.2.1"].pk;
  // The provider process already holds a listing with the entry; it disappears before the PUT.
  emu.remove("trusted", [pk]);
  const after = await update("trusted", id, outs, { entries: [{ name: "A2", ipAddress: "192.0.2.1" }] });
  const [made] = emu.entries("trusted");
  expect(made).toMatchObject({ name: "A2", ip_address: "192.0.2.1" });
  expect(after.entries["192.0.2.1"].pk).toBe(made.pk);
});

test("an entry moved by hand is put back with one PUT, not duplicated", async () => {
  const { id, outs } = await create("trusted", { entries: [{ name: "A", ipAddress: "192.0.2.1" }] });
  const pk = outs.entries["192.0.2.1"].pk;
  emu.edit("trusted", pk, { ip_address: "192.0.2.99" });
  const fresh = freshSets();
  emu.clearRequests();
  const { inputs } = await fresh.check("trusted", {}, { entries: [{ name: "A", ipAddress: "192.0.2.1" }] });
  await fresh.update("trusted", id, outs, inputs);
  expect(emu.requests().counters.byMethod).toMatchObject({ PUT: 1 });
  expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk, ip_address: "192.0.2.1" })]);
});

test("refresh: a moved entry is reported under its new address; a gone one is dropped; an expired one is kept", async () => {
  const { id, outs } = await create("suspicious", {
    entries: [threat(1), threat(2), threat(3, { expiresOn: "2027-01-01T00:00:00Z" })],
  });
  const pk = (k: string) => outs.entries[k].pk;
  emu.edit("suspicious", pk("203.0.113.1"), { ip_address: "203.0.113.101" });
  emu.remove("suspicious", [pk("203.0.113.2")]);
  emu.setKnobs({ clockOffsetMs: Date.parse("2028-01-01T00:00:00Z") - Date.now() });
  const fresh = freshSets();
  // An entry past its expiry leaves listings on schedule: state keeps it, as the per-entry resources do.
  const realNow = Date.now;
  Date.now = () => Date.parse("2028-01-01T00:00:00Z");
  try {
    const read = await fresh.read("suspicious", id, outs);
    const entries = read.props.entries;
    expect(Object.keys(entries).sort()).toEqual(["203.0.113.101", "203.0.113.3"]);
    expect(entries["203.0.113.101"].pk).toBe(pk("203.0.113.1"));
    expect(read.inputs!.entries).not.toHaveProperty("203.0.113.2");
  } finally {
    Date.now = realNow;
  }
});

test("destroy deletes only what the set manages, in chunks of 50; ids already gone do not fail it", async () => {
  emu.setKnobs({ unknownDeleteIds: "404" });
  const [other] = emu.seed("trusted", [{ name: "Not ours", ip_address: "198.51.100.250" }]);
  const entries = Array.from({ length: 120 }, (_, i) => ({
    name: `E${i}`,
    ipAddress: `10.9.${i >> 8}.${i & 255}`,
  }));
  const { id, outs } = await create("trusted", { entries });
  emu.remove("trusted", [outs.entries["10.9.0.7"].pk]);
  emu.clearRequests();
  await sets.delete("trusted", id, outs);
  expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk: other.pk })]);
  // 3 batches; the one holding the vanished id is halved until that id alone answers 404 (log2(50) ≈ 6 levels).
  const deletes = logged(emu, { method: "DELETE" });
  const refused = deletes.filter((r) => r.status === 404).length;
  expect(refused).toBeGreaterThanOrEqual(2);
  expect(refused).toBeLessThanOrEqual(7);
  expect(deletes.length).toBeLessThanOrEqual(3 + 2 * 6);
});

test("additive: a duplicate already in the library at a declared address is adopted once and the other left alone", async () => {
  emu.setKnobs({ duplicates: "allow" });
  const [a, b] = emu.seed("trusted", [
    { name: "A", ip_address: "192.0.2.1" },
    { name: "A copy", ip_address: "192.0.2.1/32" },
  ]);
  const { outs } = await create("trusted", { entries: [{ name: "A", ipAddress: "192.0.2.1" }] });
  expect(outs.entries["192.0.2.1"].pk).toBe(a.pk);
  expect(
    emu
      .entries("trusted")
      .map((e) => e.pk)
      .sort(),
  ).toEqual([a.pk, b.pk].sort());
});

test("authoritative: read reports entries added by hand; update removes them and keeps the declared ones", async () => {
  const { id, outs } = await create("trusted", {
    entries: [{ name: "A", ipAddress: "192.0.2.1" }],
    mode: "authoritative",
  });
  const [stray] = emu.seed("trusted", [{ name: "Stray", ip_address: "192.0.2.50" }]);
  sets = freshSets();
  const read = await sets.read("trusted", id, outs);
  expect(read.props.removeUndeclared).toEqual({
    "192.0.2.50": `"Stray" 192.0.2.50, id ${stray.pk}`,
  });
  const { inputs } = await sets.check("trusted", read.inputs!, {
    entries: [{ name: "A", ipAddress: "192.0.2.1" }],
    mode: "authoritative",
  });
  expect(await sets.diff("trusted", id, read.props, inputs)).toMatchObject({ changes: true });
  await sets.update("trusted", id, read.props, inputs);
  expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk: outs.entries["192.0.2.1"].pk })]);
});

test("refresh: two managed entries moved onto one address are both kept; the next up leaves exactly the declared ones", async () => {
  const declared = {
    entries: [
      { name: "A", ipAddress: "192.0.2.1" },
      { name: "B", ipAddress: "192.0.2.2" },
    ],
  };
  const { id, outs } = await create("trusted", declared);
  emu.edit("trusted", outs.entries["192.0.2.2"].pk, { ip_address: "192.0.2.1" });
  const read = await freshSets().read("trusted", id, outs);
  const state = read.props;
  // Neither is forgotten: a dropped one would stay in the library, unmanaged, for ever.
  expect(
    Object.values(state.entries)
      .map((m) => m.pk)
      .sort(),
  ).toEqual(
    Object.values(outs.entries)
      .map((m) => m.pk)
      .sort(),
  );
  const fresh = freshSets();
  const { inputs } = await fresh.check("trusted", { mode: state.mode, entries: state.entries }, declared);
  await fresh.update("trusted", id, state, inputs);
  expect(
    emu
      .entries("trusted")
      .map((e) => [e.name, e.ip_address])
      .sort(),
  ).toEqual([
    ["A", "192.0.2.1"],
    ["B", "192.0.2.2"],
  ]);
});

test("refresh without drift hands back the state as it was and no inputs (the engine keeps the declaration)", async () => {
  const { id, outs } = await create("trusted", {
    entries: [
      { name: "A", ipAddress: "192.0.2.1/32", description: "HQ" },
      { name: "B", ipAddress: "192.0.2.2" },
    ],
  });
  const state = { ...outs, __provider: "serialised provider" };
  const same = await freshSets().read("trusted", id, state);
  expect(same.props).toBe(state);
  expect(same.inputs).toBeUndefined();
  emu.edit("trusted", outs.entries["192.0.2.2"].pk, { description: "edited by hand" });
  const drifted = await freshSets().read("trusted", id, state);
  expect(drifted.props.entries["192.0.2.2"].description).toBe("edited by hand");
  expect(drifted.inputs).toMatchObject({
    entries: { "192.0.2.1": { ipAddress: "192.0.2.1/32" }, "192.0.2.2": { description: "edited by hand" } },
  });
});

test("additive refresh of 10 entries in a library of 5,000: searches, GETs ≤ min(50, 10) + 2; a moved one still found", async () => {
  emu.seed(
    "trusted",
    Array.from({ length: 4990 }, (_, i) => ({
      name: `other ${i}`,
      ip_address: `10.${Math.floor(i / 256)}.${i % 256}.7`,
    })),
  );
  const declared = Array.from({ length: 10 }, (_, i) => ({
    name: `Office ${i}`,
    ipAddress: `192.0.2.${i + 1}/32`,
  }));
  const { id, outs } = await create("trusted", { entries: declared });
  const state = outs;
  const gets = () => emu.requests().counters.byMethod.GET ?? 0;

  emu.clearRequests();
  const same = await freshSets().read("trusted", id, state);
  expect(same.props).toBe(state);
  expect(gets()).toBeLessThanOrEqual(12);

  emu.edit("trusted", outs.entries["192.0.2.3"].pk, { ip_address: "198.51.100.3" });
  emu.clearRequests();
  const moved = await freshSets().read("trusted", id, state);
  const entries = moved.props.entries;
  expect(Object.keys(entries)).toHaveLength(10);
  expect(entries["198.51.100.3"].pk).toBe(outs.entries["192.0.2.3"].pk);
  expect(entries).not.toHaveProperty("192.0.2.3");
});

test("another writer makes one of the set's addresses while the set creates it (#14): that entry fails naming both, ours is deleted again, the rest is saved", async () => {
  emu.setKnobs({ duplicates: "allow" });
  let theirs: string | undefined;
  emu.onCreate = (c) => {
    if (c === "suspicious" && !theirs)
      theirs = emu.seed("suspicious", [{ name: "Other writer", ip_address: "203.0.113.2" }])[0].pk;
  };
  try {
    const { inputs } = await sets.check("suspicious", {}, { entries: [threat(1), threat(2), threat(3)] });
    let err: (Error & { properties?: SetOutputs; reasons?: string[] }) | undefined;
    await sets.create("suspicious", inputs).catch((e) => (err = e));
    expect(theirs).toBeDefined();
    expect(err?.message).toContain("1 change(s) failed");
    const why = err!.reasons!.find((r) => r.includes("another writer"))!;
    expect(why).toContain(`another writer created entry ${theirs}`);
    const ours = /this run created entry (\w+)/.exec(why)![1];
    expect(why).toContain(`Entry ${ours}, the one this run made, was deleted again`);
    // Saved: the two entries that are alone; the library holds each address once.
    expect(Object.keys(err!.properties!.entries).sort()).toEqual(["203.0.113.1", "203.0.113.3"]);
    const live = emu.entries("suspicious");
    expect(live.map((e) => e.ip_address).sort()).toEqual(["203.0.113.1", "203.0.113.2", "203.0.113.3"]);
    expect(live.find((e) => e.ip_address === "203.0.113.2")!.pk).toBe(theirs);
  } finally {
    emu.onCreate = undefined;
  }
});

test("a managed entry a shifting listing missed is looked for, then deleted as asked, not dropped into an orphan (#14)", async () => {
  const fillers = emu.seed(
    "trusted",
    Array.from({ length: 100 }, (_, i) => ({ name: `filler ${i}`, ip_address: `10.1.${i}.1` })),
  );
  const { id, outs } = await create("trusted", { entries: [{ name: "B", ipAddress: "192.0.2.99" }] });
  const b = outs.entries["192.0.2.99"].pk;
  // Between the next listing's two pages, a hand edit deletes an entry of page 0 and adds one: B, at index 100,
  // slides onto page 0, already read, and the total stays the same.
  let fired = false;
  emu.onList = (_c, offset) => {
    if (offset === 100 && !fired) {
      fired = true;
      emu.remove("trusted", [fillers[5].pk]);
      emu.seed("trusted", [{ name: "C (by hand)", ip_address: "203.0.113.77" }]);
    }
  };
  try {
    sets = freshSets();
    const after = await update("trusted", id, outs, { entries: [{ name: "D", ipAddress: "192.0.2.100" }] });
    expect(fired).toBe(true);
    expect(Object.keys(after.entries)).toEqual(["192.0.2.100"]);
    expect(emu.entries("trusted").some((e) => e.pk === b)).toBe(false); // deleted, as the declaration asks
  } finally {
    emu.onList = undefined;
  }
});

test("an entry moved away by hand is not moved back onto an address someone else now holds (#14)", async () => {
  emu.setKnobs({ duplicates: "allow" });
  const { id, outs } = await create("trusted", { entries: [{ name: "HQ", ipAddress: "192.0.2.10" }] });
  const p = outs.entries["192.0.2.10"].pk;
  emu.edit("trusted", p, { ip_address: "192.0.2.11" });
  const [q] = emu.seed("trusted", [{ name: "Someone else's", ip_address: "192.0.2.10" }]);
  sets = freshSets();
  const { inputs } = await sets.check(
    "trusted",
    { mode: outs.mode, entries: outs.entries },
    {
      entries: [
        { name: "HQ", ipAddress: "192.0.2.10" },
        { name: "Branch", ipAddress: "192.0.2.20" },
      ],
    },
  );
  let err: (Error & { reasons?: string[]; properties?: SetOutputs }) | undefined;
  await sets.update("trusted", id, outs, inputs).catch((e) => (err = e));
  expect(err?.reasons?.join("\n")).toContain(`entry ${p} was moved to 192.0.2.11 by hand, and entry ${q.pk}`);
  expect(
    emu
      .entries("trusted")
      .filter((e) => e.ip_address === "192.0.2.10")
      .map((e) => e.pk),
  ).toEqual([q.pk]);
  // Nothing of the set is applied while one of its entries cannot be: the set keeps what it had.
  expect(Object.keys(err!.properties!.entries)).toEqual(["192.0.2.10"]);
  expect(emu.entries("trusted").some((e) => e.ip_address === "192.0.2.20")).toBe(false);
});

test("preview of a set whose entry takes its address from another resource: no failure, entries known after apply", async () => {
  // The SDK's conflict guard and log URN are outputs too, unknown in such a preview (the marker is a string).
  const { inputs, failures } = await sets.check(
    "trusted",
    {},
    { entries: [{ name: "u", ipAddress: UNKNOWN }], addressConflict: UNKNOWN, logUrn: UNKNOWN },
  );
  expect(failures).toEqual([]);
  expect(inputs.entries).toBe(UNKNOWN);
  expect(emu.requests().counters.total).toBe(0);
});
