/**
 * Resources remember the tenant their entries were made in (the output `apiUrl`, in its normal form), and a
 * provider pointed at another tenant refuses to diff, read, update or delete them there, naming both URLs:
 * otherwise a refresh would take them for deleted, `up` would make them again in the new tenant, and the first
 * tenant's entries would be left behind. Another spelling of the same URL is the same tenant. States written
 * before the record existed are taken as they are, and a refresh does not add it.
 */
import type { Emulator } from "../../emulator";
import { isExpectedError } from "../../provider/client/errors";
import type { ProviderRuntime } from "../../provider/dynamic";
import { startEmulator } from "../helpers/emulator";
import { rejection, runtimeFor } from "../helpers/runtime";

let a: Emulator;
let b: Emulator;
beforeAll(async () => {
  a = await startEmulator();
  b = await startEmulator();
});
afterAll(async () => {
  await a.close();
  await b.close();
});
beforeEach(() => {
  a.reset();
  b.reset();
});

/** A runtime for `emu` as another spelling of its URL would reach it. */
const respelled = (emu: Emulator): ProviderRuntime =>
  runtimeFor(emu, { apiUrl: `HTTP://127.0.0.1:${emu.port}/api/v2/` });

async function refusedBoth(p: Promise<unknown>, label: string, id: string): Promise<void> {
  const e = await rejection(p);
  expect(isExpectedError(e) && e.problem).toBe("tenant-changed");
  expect(e.message).toContain(`${label} ${id} was made in the tenant at ${a.apiUrl}`);
  expect(e.message).toContain(`now points at ${b.apiUrl}`);
}

describe("per-entry resources", () => {
  const declared = { name: "HQ", ipAddress: "203.0.113.10" };

  test("record the tenant; another tenant refuses diff, read, update and delete, and sends nothing", async () => {
    const made = await runtimeFor(a)
      .entries("trusted")
      .create(declared as never);
    expect(made.outs).toMatchObject({ apiUrl: a.apiUrl });
    const other = runtimeFor(b).entries("trusted");
    const stored = made.outs as never;
    await refusedBoth(
      other.diff(made.id, stored, { ...declared, name: "HQ 2" } as never),
      "TrustedIp",
      made.id,
    );
    await refusedBoth(other.read(made.id, stored), "TrustedIp", made.id);
    await refusedBoth(
      other.update(made.id, stored, { ...declared, name: "HQ 2" } as never),
      "TrustedIp",
      made.id,
    );
    await refusedBoth(other.delete(made.id, stored), "TrustedIp", made.id);
    expect(b.requests().log).toHaveLength(0);
    // Nothing happened in the first tenant either.
    expect(a.entries("trusted").map((e) => e.name)).toEqual(["HQ"]);
  });

  test("another spelling of the same URL is the same tenant", async () => {
    const made = await runtimeFor(a)
      .entries("trusted")
      .create(declared as never);
    const same = respelled(a).entries("trusted");
    expect(await same.diff(made.id, made.outs as never, declared as never)).toMatchObject({ changes: false });
    expect((await same.read(made.id, made.outs as never)).id).toBe(made.id);
    await same.delete(made.id, made.outs);
    expect(a.entries("trusted")).toHaveLength(0);
  });

  test("a state without the record (an older release's) is read as before, and the refresh does not add it", async () => {
    const made = await runtimeFor(a)
      .entries("trusted")
      .create(declared as never);
    const { apiUrl: _, ...older } = made.outs as unknown as Record<string, unknown>;
    const read = await runtimeFor(a)
      .entries("trusted")
      .read(made.id, older as never);
    expect(read.props).toEqual(older);
    // Nothing recorded, nothing to compare: the guard cannot help such a state, and does not get in its way.
    expect(
      await runtimeFor(b)
        .entries("trusted")
        .diff(made.id, older as never, declared as never),
    ).toMatchObject({ changes: false });
  });

  test("an import (a read with no state) records the tenant it read from", async () => {
    const [seeded] = a.seed("trusted", [{ name: "Legacy", ip_address: "192.0.2.200" }]);
    const read = await runtimeFor(a).entries("trusted").read(seeded.pk, {});
    expect(read.props).toMatchObject({ apiUrl: a.apiUrl, name: "Legacy" });
  });
});

describe("sets", () => {
  const declared = { entries: [{ name: "SaaS A", ipAddress: "203.0.113.64/27" }] };

  test("record the tenant; another tenant refuses diff, read, update and delete, and sends nothing", async () => {
    const sets = runtimeFor(a).sets;
    const { inputs } = await sets.check("trusted", {}, declared);
    const made = await sets.create("trusted", inputs as never);
    expect(made.outs).toMatchObject({ apiUrl: a.apiUrl, count: 1 });
    const other = runtimeFor(b).sets;
    const stored = made.outs as never;
    await refusedBoth(other.diff("trusted", made.id, stored, inputs), "TrustedIpSet", made.id);
    await refusedBoth(other.read("trusted", made.id, stored), "TrustedIpSet", made.id);
    await refusedBoth(other.update("trusted", made.id, stored, inputs as never), "TrustedIpSet", made.id);
    await refusedBoth(other.delete("trusted", made.id, stored), "TrustedIpSet", made.id);
    expect(b.requests().log).toHaveLength(0);
    expect(a.entries("trusted")).toHaveLength(1);
    // The same tenant: a refresh keeps the record and finds nothing changed.
    const again = await respelled(a).sets.read("trusted", made.id, stored);
    expect(again.props).toEqual(made.outs);
  });

  test("a set state without the record is refreshed without adding it", async () => {
    const sets = runtimeFor(a).sets;
    const { inputs } = await sets.check("trusted", {}, declared);
    const made = await sets.create("trusted", inputs as never);
    const { apiUrl: _, ...older } = made.outs as unknown as Record<string, unknown>;
    const read = await sets.read("trusted", made.id, older as never);
    expect(read.props).toEqual(older);
  });
});
