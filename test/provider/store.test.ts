/** The store's reads against the emulator, as exact request sequences (see read-plan.ts for the rule). */
import type { Emulator } from "../../emulator";
import type { IpEntry } from "../../provider/client/types";
import { addresses, startEmulator } from "../helpers/emulator";
import { pool, runtimeFor } from "../helpers/runtime";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const seed = (n: number) =>
  emu.seed(
    "trusted",
    addresses(n, 70).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
  );
const queries = () => emu.requests().log.map((r) => `${r.method} ${r.query}`);
const page = (n: number) => `GET ?offset=${n * 100}&limit=100`;
const search = (e: IpEntry) => `GET ?q=${e.ip_address}&offset=0&limit=100`;

async function readAll(entries: IpEntry[], parallel: number) {
  const store = runtimeFor(emu).cache("trusted");
  emu.clearRequests();
  await pool(entries, parallel, async (e) => {
    expect((await store.byPk(e.pk, e.ip_address))?.pk).toBe(e.pk);
  });
  return queries();
}

test("reads in the listing's order: page 0 answers its own, then the listing (S = 2 leaves no room to search)", async () => {
  const lib = seed(450); // 5 pages: S = max(2, 2) = 2
  // Eight at a time: lib[100..103] are undecided together with no search made, 0 + 4 > S, so the first lists;
  // the listing (pages 0–4, the last one short) answers every read after it.
  expect(await readAll(lib, 8)).toEqual([page(0), ...[0, 1, 2, 3, 4].map(page)]);
});

test("one read in a big library: page 0, then one search", async () => {
  const lib = seed(1000);
  expect(await readAll([lib[777]], 1)).toEqual([page(0), search(lib[777])]);
});

test("one at a time, sparse reads search until S = max(2, (pages − 1) / 2), then take the listing", async () => {
  const lib = seed(1000); // 10 pages: S = 4.5
  const picked = [150, 250, 350, 450, 550, 650, 750].map((i) => lib[i]);
  const seen = await readAll(picked, 1);
  expect(seen.slice(0, 5)).toEqual([page(0), ...picked.slice(0, 4).map(search)]);
  // The fifth read lists the library (a proven walk: the listing may take a second walk); nothing after it.
  expect(seen.slice(5, 15)).toEqual([...Array(10).keys()].map(page).map((q) => q));
  expect(seen.filter((q) => q.includes("q="))).toHaveLength(4);
});

test("30 early reads and a late one: page 0 answers the 30, the late one searches (0 + 1 ≤ S = 24.5)", async () => {
  const lib = seed(5000);
  expect(await readAll([...lib.slice(0, 30), lib[4999]], 8)).toEqual([page(0), search(lib[4999])]);
});

test("a page read before our own write is not trusted after it", async () => {
  const lib = seed(300);
  const rt = runtimeFor(emu);
  const store = rt.cache("trusted");
  await store.byPk(lib[0].pk, lib[0].ip_address);
  emu.edit("trusted", lib[1].pk, { name: "edited" });
  await rt.entries("trusted").update(
    lib[2].pk,
    { name: lib[2].name, ipAddress: lib[2].ip_address },
    {
      name: "renamed",
      ipAddress: lib[2].ip_address,
    },
  );
  emu.clearRequests();
  // Page 0 (read before the write) said "e1"; the read goes to the server again.
  expect((await store.byPk(lib[1].pk, lib[1].ip_address))?.name).toBe("edited");
  expect(queries().length).toBeGreaterThan(0);
});

test("a page 0 in flight across our own write is not kept: a read after it goes to the server", async () => {
  const lib = seed(300);
  const rt = runtimeFor(emu);
  const store = rt.cache("trusted");
  // Page 0 is asked, then held back until our update has been answered.
  const realPage = store.collection.page.bind(store.collection);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  store.collection.page = async (q) => {
    const p = await realPage(q);
    if (q.offset === 0 && !q.q) await gate;
    return p;
  };
  const first = store.byPk(lib[0].pk, lib[0].ip_address);
  const declared = { name: lib[5].name, ipAddress: lib[5].ip_address };
  await rt.entries("trusted").update(lib[5].pk, declared, { ...declared, name: "renamed" });
  release();
  expect((await first)?.pk).toBe(lib[0].pk);
  store.collection.page = realPage;
  emu.clearRequests();
  // Page 0 said "e5"; not kept, so the read searches (3 pages: S = 2).
  expect((await store.byPk(lib[5].pk, lib[5].ip_address))?.name).toBe("renamed");
  expect(queries()).toEqual([search(lib[5])]);
});
