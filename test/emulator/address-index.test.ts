/**
 * The emulator's duplicate check asks the address index, not the library: a create reads only the entries holding
 * its address, so creating n entries costs O(n) store reads. And the index follows every way an entry moves.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CollectionName, IpEntry } from "../../provider/client/types";
import { Emulator } from "../../emulator";
import { IndexedStore } from "../../emulator/address-index";
import { LibraryApi } from "../../emulator/api";
import { canonical } from "../../emulator/fields";
import { DEFAULT_KNOBS, type Knobs } from "../../emulator/knobs";
import { MemoryStore } from "../../emulator/store";
import { addresses } from "../helpers/emulator";

/** A memory store that counts what is read from it. */
class CountingStore extends MemoryStore {
  reads = { all: 0, get: 0 };
  all(collection: CollectionName): IpEntry[] {
    this.reads.all++;
    return super.all(collection);
  }
  get(collection: CollectionName, pk: string): IpEntry | undefined {
    this.reads.get++;
    return super.get(collection, pk);
  }
}

function apiOver(inner: MemoryStore, knobs: Partial<Knobs> = {}) {
  const k = { ...DEFAULT_KNOBS, ...knobs };
  return new LibraryApi(new IndexedStore(inner, canonical), () => k);
}

function status(f: () => unknown): number | "ok" {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as { status: number }).status;
  }
}

test("a create reads no whole library, and at most one entry per holder of its address", () => {
  for (const n of [100, 1000]) {
    const inner = new CountingStore();
    const api = apiOver(inner);
    inner.reads = { all: 0, get: 0 };
    for (const [i, ip] of addresses(n).entries()) api.create("trusted", { name: `e${i}`, ip_address: ip });
    expect(inner.reads.all).toBe(0);
    // No address is held yet when each is created: the check reads no entry at all.
    expect(inner.reads.get).toBe(0);
    expect(inner.all("trusted")).toHaveLength(n);
  }
});

test("a second spelling of a held address is refused, naming the holder", () => {
  const api = apiOver(new MemoryStore());
  api.create("trusted", { name: "Office", ip_address: "10.0.0.0/24" });
  expect(() => api.create("trusted", { name: "Again", ip_address: "10.0.0.0-10.0.0.255" })).toThrow(
    /already exists in the trusted library \(entry \w+, "Office"\)/,
  );
  // The other library has its own index.
  expect(status(() => api.create("suspicious", { name: "x", ip_address: "10.0.0.0/24" }))).toBe("ok");
});

test("the index follows a PUT, a hand edit, a delete and a clear", () => {
  const api = apiOver(new MemoryStore());
  const pk = (api.create("trusted", { name: "A", ip_address: "10.0.0.1" }).body as IpEntry).pk;
  const make = (ip: string) => status(() => api.create("trusted", { name: "B", ip_address: ip }));

  api.update("trusted", pk, { ip_address: "10.0.0.2" });
  expect(make("10.0.0.1")).toBe("ok"); // freed by the PUT
  expect(make("10.0.0.2")).toBe(400); // taken by it

  const other = api.store.all("trusted").find((e) => e.ip_address === "10.0.0.1")!;
  api.store.replace("trusted", { ...other, ip_address: "10.0.0.3" }); // as a hand edit does
  expect(make("10.0.0.1")).toBe("ok");
  expect(make("10.0.0.3")).toBe(400);

  // A PUT onto an address another entry holds is refused; onto its own is not.
  expect(status(() => api.update("trusted", pk, { ip_address: "10.0.0.3" }))).toBe(400);
  expect(status(() => api.update("trusted", pk, { ip_address: "10.0.0.2", name: "A2" }))).toBe("ok");

  api.store.remove("trusted", [pk]);
  expect(make("10.0.0.2")).toBe("ok");
  api.store.clear();
  expect(make("10.0.0.3")).toBe("ok");
});

test("an expired holder blocks a create only where expired entries stay visible", () => {
  for (const [expired, expected] of [
    ["hide", "ok"],
    ["keep", 400],
  ] as const) {
    const inner = new MemoryStore();
    const api = apiOver(inner, { expired });
    api.create("suspicious", { name: "old", ip_address: "198.51.100.7", expires_on: "2999-01-01T00:00:00Z" });
    const [e] = inner.all("suspicious");
    api.store.replace("suspicious", { ...e, expires_on: "2000-01-01T00:00:00Z" });
    expect(status(() => api.create("suspicious", { name: "new", ip_address: "198.51.100.7" }))).toBe(
      expected,
    );
  }
});

test("a store given with entries in it is indexed from the start", async () => {
  const inner = new MemoryStore();
  inner.insert("trusted", {
    pk: "given1",
    type: "trusted",
    name: "Given",
    description: "",
    ip_address: "192.0.2.0/24",
    location: "",
    categories: [],
    created_on: "2026-01-01T00:00:00.000000Z",
    updated_on: "2026-01-01T00:00:00.000000Z",
  });
  const emu = new Emulator({ store: inner });
  expect(status(() => emu.api.create("trusted", { name: "x", ip_address: "192.0.2.0-192.0.2.255" }))).toBe(
    400,
  );
  // load() replaces the libraries through the index too.
  emu.load({ trusted: [] });
  expect(status(() => emu.api.create("trusted", { name: "x", ip_address: "192.0.2.0/24" }))).toBe("ok");
});

test("a write the store cannot save leaves the index as it was", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cl-index-"));
  const file = path.join(dir, "data.json");
  const api = apiOver(new MemoryStore(file));
  const pk = (api.create("trusted", { name: "A", ip_address: "10.0.0.1" }).body as IpEntry).pk;
  fs.mkdirSync(`${file}.tmp`); // the next save cannot write its temporary file
  expect(() => api.update("trusted", pk, { ip_address: "10.0.0.2" })).toThrow();
  fs.rmdirSync(`${file}.tmp`);
  expect(status(() => api.create("trusted", { name: "B", ip_address: "10.0.0.1" }))).toBe(400);
  expect(status(() => api.create("trusted", { name: "C", ip_address: "10.0.0.2" }))).toBe("ok");
  fs.rmSync(dir, { recursive: true, force: true });
});
