/**
 * Regressions found by a hostile review of the provider core: each test is one
 * finding, against the emulator (and a misbehaving proxy where the docs allow
 * an answer the emulator does not give).
 */
import type { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { TOKEN, addresses, startEmulator } from "../helpers/emulator";
import { rewritingProxy } from "../helpers/proxy";
import { logged } from "../helpers/requests";
import { pool, rejection, runtimeFor, setsFor } from "../helpers/runtime";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const seed = (n: number, kind: "trusted" | "suspicious" = "trusted") =>
  emu.seed(
    kind,
    addresses(n, 70).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
  );
const gets = () => logged(emu, { method: "GET" }).length;

test("a page 0 that failed is read again by the next read, not answered with the old error", async () => {
  const lib = seed(300);
  emu.setKnobs({ errorRate: 1 });
  const rt = runtimeFor(emu, { retry: { retries: 0 } });
  await expect(rt.cache("trusted").byPk(lib[5].pk, lib[5].ip_address)).rejects.toThrow();
  emu.setKnobs({ errorRate: 0 });
  expect((await rt.cache("trusted").byPk(lib[5].pk, lib[5].ip_address))?.pk).toBe(lib[5].pk);
});

test("three sparse reads at once in a library of 1,000: a search each, not searches and then a listing", async () => {
  const lib = seed(1000);
  const store = runtimeFor(emu).cache("trusted");
  emu.clearRequests();
  await Promise.all([250, 550, 850].map((i) => store.byPk(lib[i].pk, lib[i].ip_address)));
  expect(gets()).toBe(4);
});

test("page 0 read before our own write is not held as the library: a rename is read as renamed", async () => {
  const lib = seed(20);
  const rt = runtimeFor(emu);
  const store = rt.cache("trusted");
  // Page 0 is asked, then held back until our update has been answered.
  const page = store.collection.page.bind(store.collection);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  store.collection.page = async (q) => {
    const p = await page(q);
    await gate;
    return p;
  };
  const first = store.byPk(lib[0].pk, lib[0].ip_address);
  const declared = { name: lib[5].name, ipAddress: lib[5].ip_address };
  await rt.entries("trusted").update(lib[5].pk, declared, { ...declared, name: "renamed" });
  release();
  await first;
  store.collection.page = page;
  const r = await rt.entries("trusted").read(lib[5].pk, { ...declared, name: "renamed" });
  expect(r.inputs).toMatchObject({ name: "renamed" });
});

test("a short page 0 whose total counts more is not the whole library (a server capping pages unannounced)", async () => {
  const lib = seed(300);
  const proxy = await rewritingProxy(emu.url, {
    url: (u) => u.replace("limit=100", "limit=30"),
    body: (b, m) => (m === "GET" ? b.replace(/"limit":\s*30/, '"limit":100') : b),
  });
  try {
    const store = runtimeFor(emu, { apiUrl: `${proxy.url}/api/v2` }).cache("trusted");
    // Page 0 holds 30 of 300 (the server caps pages at 30 and says limit 100): held as the library, the other
    // reads would say "gone"; the listing walks on past short pages while fewer than the total are read.
    const found = await Promise.all(lib.map((e) => store.byPk(e.pk, e.ip_address)));
    expect(found.filter((e) => e === undefined)).toHaveLength(0);
  } finally {
    await proxy.close();
  }
});

test("a PUT answered without a body costs one search, not a listing per update", async () => {
  emu.setKnobs({ updateReply: "empty" });
  const lib = seed(2000);
  const rt = runtimeFor(emu);
  emu.clearRequests();
  await pool(lib.slice(0, 20), 8, async (e) => {
    const declared = { name: e.name, ipAddress: e.ip_address };
    const { outs } = await rt
      .entries("trusted")
      .update(e.pk, declared, { ...declared, name: `${e.name}-renamed` });
    expect(outs.name).toBe(`${e.name}-renamed`);
  });
  expect(logged(emu, { method: "PUT" })).toHaveLength(20);
  expect(gets()).toBeLessThanOrEqual(20 * 2);
});

test("an additive set does not delete another writer's suspicious entry to rename it: it is blocked, named", async () => {
  const [theirs] = emu.seed("suspicious", [{ name: "stack-A", ip_address: "40.0.0.1", description: "A's" }]);
  const sets = setsFor(emu);
  const { inputs } = await sets.check(
    "suspicious",
    {},
    {
      mode: "additive",
      entries: [{ name: "stack-B", ipAddress: "40.0.0.1" }],
    },
  );
  const err = await rejection(sets.create("suspicious", inputs));
  expect(err.message).toContain(`entry ${theirs.pk} ("stack-A") already holds 40.0.0.1 with name "stack-A"`);
  expect(emu.entries("suspicious")).toEqual([expect.objectContaining({ pk: theirs.pk, name: "stack-A" })]);
});

test("a configure that fails leaves every later call failing with its error, not on the environment's tenant", async () => {
  const other = await startEmulator();
  try {
    const [mine] = seed(1);
    const rt = new ProviderRuntime({ env: { CLOUDLOCK_API_URL: other.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN } });
    const config = new Map([
      ["cloudlock:apiUrl", emu.apiUrl],
      ["cloudlock:apiToken", TOKEN],
      ["cloudlock:timeoutSeconds", "0"],
    ]);
    expect(() => rt.configure({ get: (k) => config.get(k) })).toThrow(/cloudlock:timeoutSeconds/);
    await expect(
      rt.entries("trusted").read(mine.pk, { name: mine.name, ipAddress: mine.ip_address }),
    ).rejects.toThrow(/cloudlock:timeoutSeconds/);
    expect(other.requests().log).toHaveLength(0);
  } finally {
    await other.close();
  }
});

test("a bad environment value fails the calls that need it, not the provider's load; a stack setting overrides it", async () => {
  const env = { CLOUDLOCK_TIMEOUT_SECONDS: "-1", CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN };
  const rt = new ProviderRuntime({ env });
  await expect(
    rt.entries("trusted").read("abcdefghij", { name: "x", ipAddress: "10.1.1.1" }),
  ).rejects.toThrow(/CLOUDLOCK_TIMEOUT_SECONDS/);
  rt.configure({ get: (k) => (k === "cloudlock:timeoutSeconds" ? "30" : undefined) });
  expect((await rt.entries("trusted").read("abcdefghij", { name: "x", ipAddress: "10.1.1.1" })).id).toBe("");
});

describe("an entry another resource of the same run took over is not deleted by its old owner (plugin review)", () => {
  const deletes = () => logged(emu, { method: "DELETE" }).length;

  test("per-entry resources folded into a set: the set adopts them, the old resources' deletes send nothing", async () => {
    // Run 1: two per-entry resources.
    const first = runtimeFor(emu);
    const a = await first.entries("trusted").create({ name: "Paris", ipAddress: "203.0.113.1" });
    const b = await first.entries("trusted").create({ name: "Berlin", ipAddress: "203.0.113.2" });
    // Run 2 (a process of its own): the set is created first, then the engine deletes the removed resources.
    const rt = runtimeFor(emu);
    const entries = [
      { name: "Paris", ipAddress: "203.0.113.1" },
      { name: "Berlin", ipAddress: "203.0.113.2" },
    ];
    const { inputs } = await rt.sets.check("trusted", {}, { entries });
    const set = await rt.sets.create("trusted", inputs);
    expect(
      Object.values(set.outs.entries)
        .map((e) => e.pk)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    emu.clearRequests();
    await Promise.all([rt.entries("trusted").delete(a.id), rt.entries("trusted").delete(b.id)]);
    expect(deletes()).toBe(0);
    expect(
      emu
        .entries("trusted")
        .map((e) => e.pk)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });

  test("a rename that adopts by id: the new resource holds the entry, the old one's delete sends nothing", async () => {
    const made = await runtimeFor(emu).entries("trusted").create({ name: "HQ", ipAddress: "203.0.113.9" });
    const rt = runtimeFor(emu);
    await rt.entries("trusted").create({ name: "HQ", ipAddress: "203.0.113.9", adoptId: made.id });
    emu.clearRequests();
    await rt.entries("trusted").delete(made.id);
    expect(deletes()).toBe(0);
    expect(emu.entries("trusted")).toHaveLength(1);
  });

  test("an entry moved from one set to another: the set that lets it go does not delete it", async () => {
    const rt1 = runtimeFor(emu);
    const both = [
      { name: "Paris", ipAddress: "203.0.113.1" },
      { name: "Berlin", ipAddress: "203.0.113.2" },
    ];
    const offices = await rt1.sets.create(
      "trusted",
      (await rt1.sets.check("trusted", {}, { entries: both })).inputs,
    );
    const rt = runtimeFor(emu);
    // vendors takes Berlin first, then offices drops it.
    const vendors = (await rt.sets.check("trusted", {}, { entries: [both[1]] })).inputs;
    await rt.sets.create("trusted", vendors);
    const fewer = (await rt.sets.check("trusted", offices.outs, { entries: [both[0]] })).inputs;
    emu.clearRequests();
    await rt.sets.update("trusted", offices.id, offices.outs, fewer);
    expect(deletes()).toBe(0);
    expect(
      emu
        .entries("trusted")
        .map((e) => e.name)
        .sort(),
    ).toEqual(["Berlin", "Paris"]);
  });

  test("a plain delete still deletes (nothing of this run holds the entry)", async () => {
    const made = await runtimeFor(emu).entries("trusted").create({ name: "Gone", ipAddress: "203.0.113.50" });
    const rt = runtimeFor(emu);
    await rt.entries("trusted").delete(made.id);
    expect(emu.entries("trusted")).toHaveLength(0);
  });
});

test("a set whose entries or mode are not known until apply: preview sees a change, no crash (plugin review)", async () => {
  const rt = runtimeFor(emu);
  const { UNKNOWN } = await import("../../provider/pulumi-internals");
  const entries = [{ name: "A", ipAddress: "203.0.113.64/27" }];
  const made = await rt.sets.create("trusted", (await rt.sets.check("trusted", {}, { entries })).inputs);
  const unknownEntries = await rt.sets.check("trusted", made.outs, { entries: UNKNOWN });
  expect(unknownEntries.failures).toEqual([]);
  expect(await rt.sets.diff("trusted", made.id, made.outs, unknownEntries.inputs)).toEqual({
    changes: true,
    replaces: [],
  });
  const unknownMode = await rt.sets.check("trusted", made.outs, { entries, mode: UNKNOWN });
  expect(unknownMode.failures).toEqual([]);
  expect(await rt.sets.diff("trusted", made.id, made.outs, unknownMode.inputs)).toEqual({
    changes: true,
    replaces: [],
  });
});
