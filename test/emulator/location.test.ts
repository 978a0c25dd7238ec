/**
 * `location` is derived from the address, as Cloudlock's geolocation is: the same address always gets the same
 * location, whichever write made the entry (POST, PUT, a hand edit), across restarts with --data and across
 * emulator instances, so a refresh or a demo's drift never shows a location change the address did not make.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fetch from "node-fetch";
import { Emulator } from "../../emulator";
import type { CollectionName, IpEntry } from "../../provider/client/types";
import { TOKEN, startEmulator } from "../helpers/emulator";

const ADDRESSES = Array.from({ length: 24 }, (_, i) => `203.0.113.${i + 1}`);
const started: Emulator[] = [];
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-location-"));
});
afterAll(async () => {
  await Promise.all(started.map((e) => e.close()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const emu = await startEmulator(opts);
  started.push(emu);
  return emu;
}

async function call(emu: Emulator, method: string, p: string, body?: unknown) {
  const res = await fetch(`${emu.apiUrl}${p}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const create = async (emu: Emulator, kind: CollectionName, ip: string): Promise<IpEntry> =>
  call(emu, "POST", `/ip/${kind}`, { name: `at ${ip}`, ip_address: ip });
const stored = (emu: Emulator, kind: CollectionName, pk: string) =>
  emu.entries(kind).find((e) => e.pk === pk)!;

/** The location each address gets when created in a fresh library. */
async function placesIn(emu: Emulator): Promise<Map<string, string | null | undefined>> {
  const out = new Map<string, string | null | undefined>();
  for (const ip of ADDRESSES) out.set(ip, (await create(emu, "trusted", ip)).location);
  return out;
}

test("the same address gets the same location from every kind of write, in both libraries", async () => {
  const emu = await start();
  const places = await placesIn(emu);
  // Addresses do differ: the location is not one constant.
  expect(new Set(places.values()).size).toBeGreaterThan(1);
  const a = ADDRESSES[0];
  const b = ADDRESSES.find((ip) => places.get(ip) !== places.get(a))!;
  emu.reset();

  // Created, deleted, created again.
  const first = await create(emu, "trusted", a);
  await call(emu, "DELETE", `/ip/trusted?ids=${first.pk}`);
  const again = await create(emu, "trusted", a);
  expect(again.location).toBe(places.get(a));
  // The other library places it the same way.
  expect((await create(emu, "suspicious", a)).location).toBe(places.get(a));
  // A PUT to another address moves it; a PUT back restores it; a PUT of other fields leaves it.
  await call(emu, "PUT", `/ip/trusted/${again.pk}`, { ip_address: b });
  expect(stored(emu, "trusted", again.pk).location).toBe(places.get(b));
  await call(emu, "PUT", `/ip/trusted/${again.pk}`, { ip_address: a });
  expect(stored(emu, "trusted", again.pk).location).toBe(places.get(a));
  await call(emu, "PUT", `/ip/trusted/${again.pk}`, { description: "renamed", name: "other" });
  expect(stored(emu, "trusted", again.pk).location).toBe(places.get(a));
  // A hand edit (as in the Cloudlock UI) of the address moves it as the API would, and back.
  emu.edit("trusted", again.pk, { ip_address: b });
  expect(stored(emu, "trusted", again.pk).location).toBe(places.get(b));
  emu.edit("trusted", again.pk, { ip_address: a, description: "back" });
  expect(stored(emu, "trusted", again.pk).location).toBe(places.get(a));
  // A hand edit of other fields keeps it.
  emu.edit("trusted", again.pk, { name: "edited by hand" });
  expect(stored(emu, "trusted", again.pk).location).toBe(places.get(a));
  // So does a seeded entry (no fixture location given).
  expect(emu.seed("trusted", [{ name: "seeded", ip_address: b }])[0].location).toBe(places.get(b));
});

test("another emulator instance, whatever its seed, places every address the same way", async () => {
  const one = await placesIn(await start());
  const other = await placesIn(await start({ knobs: { seed: 987654321 } }));
  expect([...other]).toEqual([...one]);
});

test("an entry keeps its location across a restart with --data, and a new write there agrees", async () => {
  const file = path.join(tmp, "data.json");
  const before = await start({ dataFile: file });
  const made = await create(before, "trusted", ADDRESSES[3]);
  await before.close();
  const after = await start({ dataFile: file });
  expect(stored(after, "trusted", made.pk).location).toBe(made.location);
  expect((await create(after, "suspicious", ADDRESSES[3])).location).toBe(made.location);
});
