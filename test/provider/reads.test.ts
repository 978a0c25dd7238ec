/**
 * What reads cost: the listing shared by concurrent reads and duplicate checks, and the choice between
 * searches and a listing, whichever is cheaper.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { addresses } from "../helpers/emulator";
import { gets, searches } from "../helpers/requests";
import { pool, providerSuite } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

describe("shared listing", () => {
  test("200 concurrent reads cost at most ceil(200/100)+1 list requests", async () => {
    const made = emu.seed(
      "trusted",
      addresses(200).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
    emu.clearRequests();
    const results = await Promise.all(
      made.map((e) => rt.entries("trusted").read(e.pk, { name: e.name, ipAddress: e.ip_address })),
    );
    expect(results.every((r, i) => r.id === made[i].pk)).toBe(true);
    // A listing ends on a short page: 200 entries take floor(200/100) + 1 pages; the read plan one more.
    expect(gets(emu)).toBeLessThanOrEqual(Math.floor(200 / 100) + 1 + 1);
  });

  test("50 concurrent creates share one listing for their duplicate checks; each is checked alone once, after", async () => {
    emu.seed(
      "trusted",
      addresses(150, 30).map((ip, i) => ({ name: `pre${i}`, ip_address: ip })),
    );
    emu.clearRequests();
    await Promise.all(
      addresses(50).map((ip, i) => rt.entries("trusted").create({ name: `n${i}`, ipAddress: ip })),
    );
    const log = emu.requests().log;
    const firstPost = log.findIndex((r) => r.method === "POST");
    expect(log.slice(0, firstPost).map((r) => r.query)).toEqual([
      "?offset=0&limit=100",
      "?offset=100&limit=100",
    ]);
    expect(emu.requests().counters.byMethod.POST).toBe(50);
    // The checks after the POSTs: at most one search each, fewer where checks waiting together share a listing.
    expect(emu.requests().counters.byMethod.GET - 2).toBeLessThanOrEqual(50);
  });

  test("checks that wait together go as one round, at the cost of the cheaper of their searches and a listing", async () => {
    const seeded = emu.seed(
      "trusted",
      addresses(150, 33).map((ip, i) => ({ name: `pre${i}`, ip_address: ip })),
    );
    const cache = rt.cache("trusted");
    await cache.all(); // the duplicate check's listing, held
    emu.clearRequests();
    const others = await Promise.all(
      seeded.slice(0, 50).map((e) => rt.connection.check("trusted").othersAtOne(e, e.ip_address)),
    );
    expect(others.every((o) => o.others.length === 0 && o.ours)).toBe(true);
    expect(emu.requests().log.map((r) => r.query)).toEqual(["?offset=0&limit=100", "?offset=100&limit=100"]);
    emu.clearRequests();
    // Two waiting: two searches cost no more than the 2-page listing, so searches.
    await Promise.all(
      seeded.slice(0, 2).map((e) => rt.connection.check("trusted").othersAtOne(e, e.ip_address)),
    );
    expect(emu.requests().log.map((r) => r.query)).toEqual([
      `?q=${seeded[0].ip_address}&offset=0&limit=100`,
      `?q=${seeded[1].ip_address}&offset=0&limit=100`,
    ]);
  });

  test("a read after our own write sees it (the listing is kept current, not stale)", async () => {
    const { id } = await rt.entries("trusted").create({ name: "a", ipAddress: "1.1.1.1" });
    expect((await rt.entries("trusted").read(id, {})).id).toBe(id);
    await rt.entries("trusted").delete(id);
    expect((await rt.entries("trusted").read(id, {})).id).toBe("");
  });
});

describe("read strategy: search or list, whichever is cheaper", () => {
  const seedLibrary = (n: number) =>
    emu.seed(
      "trusted",
      addresses(n, 70).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
  const readAll = (entries: { pk: string; ip_address: string; name: string }[]) =>
    pool(entries, 8, async (e) => {
      const r = await rt.entries("trusted").read(e.pk, { name: e.name, ipAddress: e.ip_address });
      expect(r.id).toBe(e.pk);
    });

  test("10 managed entries in a library of 5,000: targeted searches, GETs ≤ min(50, 10) + 2", async () => {
    const lib = seedLibrary(5000);
    emu.clearRequests();
    await readAll([0, 499, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4999].map((i) => lib[i]));
    expect(gets(emu)).toBeLessThanOrEqual(12);
    expect(searches(emu)).toBeGreaterThanOrEqual(9);
  });

  test("1,000 managed entries in a library of 1,000: the rule's bound, page 0 + S searches + one listing", async () => {
    const lib = seedLibrary(1000);
    emu.clearRequests();
    await readAll(lib);
    // 10 pages: S = 4.5. Page 0 answers the first 100; the reads after it search while searches + undecided reads
    // ≤ S (⌊S⌋ = 4 searches), then one lists: 11 GETs (the 10 pages and the empty one that ends the listing).
    expect(searches(emu)).toBe(4);
    expect(gets(emu)).toBe(1 + 4 + 11);
  });

  test("5,000 of 5,000 read in the listing's order, 8 at a time: the rule's bound, page 0 + S searches + the listing", async () => {
    const lib = seedLibrary(5000);
    emu.clearRequests();
    await readAll(lib);
    // 50 pages: S = 24.5. Page 0 answers the first 100; the reads after it search while searches + undecided
    // reads ≤ S (⌊S⌋ = 24 searches), then one lists: 51 GETs (the 50 pages and the empty one that ends the listing).
    expect(searches(emu)).toBe(24);
    expect(gets(emu)).toBe(1 + 24 + 51);
  });

  test("30 early entries and one late one cost 2 GETs: page 0 answers the 30, one search the late one", async () => {
    const lib = seedLibrary(5000);
    emu.clearRequests();
    await readAll([...lib.slice(0, 30), lib[4999]]);
    expect(gets(emu)).toBe(2);
    expect(searches(emu)).toBe(1);
  });

  test("page 0 is not trusted after our own write", async () => {
    const lib = seedLibrary(300);
    await rt.entries("trusted").read(lib[0].pk, { name: lib[0].name, ipAddress: lib[0].ip_address });
    await rt.entries("trusted").read(lib[1].pk, { name: lib[1].name, ipAddress: lib[1].ip_address });
    const declared = { name: lib[2].name, ipAddress: lib[2].ip_address };
    await rt.entries("trusted").update(lib[2].pk, declared, { ...declared, name: "renamed" });
    // Page 0, read before the update, still holds the old name.
    const r = await rt.entries("trusted").read(lib[2].pk, declared);
    expect(r.inputs).toMatchObject({ name: "renamed" });
  });

  test("an entry whose address changed by hand is found by falling back to the listing", async () => {
    const lib = seedLibrary(400);
    const moved = lib[7];
    emu.edit("trusted", moved.pk, { ip_address: "198.18.0.1" });
    const r = await rt.entries("trusted").read(moved.pk, { name: moved.name, ipAddress: moved.ip_address });
    expect(r.inputs).toMatchObject({ ipAddress: "198.18.0.1" });
    const gone = await rt.entries("trusted").read("zzzzzzzzzz", { name: "x", ipAddress: "198.18.9.9" });
    expect(gone.id).toBe("");
  });
});
