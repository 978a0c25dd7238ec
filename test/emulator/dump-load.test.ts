/**
 * dump() and load(): a library recorded by one emulator (or a `--data` file) is loaded into another exactly as it
 * was, every field and spelling kept, so the upgrade tests can compare it byte for byte.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Emulator } from "../../emulator";
import { startEmulator } from "../helpers/emulator";

test("load(dump()) gives the same library; load replaces what was there; seed-built fields are not rebuilt", async () => {
  const a = await startEmulator();
  const b = await startEmulator();
  try {
    a.seed("trusted", [{ pk: "Hand000001", name: " Spaced ", ip_address: "10.0.0.0/24", categories: ["x"] }]);
    a.seed("suspicious", [{ name: "S", ip_address: "192.0.2.1", expires_on: "2035-01-01T00:00:00Z" }]);
    // Fields no API write would produce (a location of its own, an old timestamp) stay as given.
    a.edit("trusted", "Hand000001", { location: "Nowhere", created_on: "2020-01-01T00:00:00.000000+00:00" });
    b.seed("trusted", [{ name: "gone", ip_address: "10.9.9.9" }]);
    b.load(a.dump());
    expect(JSON.stringify(b.dump())).toBe(JSON.stringify(a.dump()));
    expect(b.entries("trusted").map((e) => e.name)).toEqual([" Spaced "]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("dump() has the shape of the --data file, which load() takes back", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-dump-"));
  const file = path.join(dir, "data.json");
  const a = await Emulator.start({ tokens: ["t"], dataFile: file });
  const b = await startEmulator();
  try {
    a.seed("trusted", [{ name: "kept", ip_address: "10.0.0.1" }]);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual(a.dump());
    b.load(JSON.parse(fs.readFileSync(file, "utf8")));
    expect(b.dump()).toEqual(a.dump());
  } finally {
    await Promise.all([a.close(), b.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
