/**
 * Adopting entries that already exist (adoptId), and the duplicate check that refuses a second entry at an
 * address, on create, on update and on adopt.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { writes } from "../helpers/requests";
import { rejection, providerSuite } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

describe("adopting existing entries", () => {
  test("adoptId adopts without POST, updating the fields that differ", async () => {
    const [e] = emu.seed("trusted", [{ name: "Office", ip_address: "198.51.100.9", categories: ["old"] }]);
    emu.clearRequests();
    const { id, outs } = await rt.entries("trusted").create({
      name: "Office Paris",
      ipAddress: "198.51.100.9/32",
      categories: ["office"],
      adoptId: e.pk,
    });
    expect(id).toBe(e.pk);
    expect(emu.requests().counters.byMethod).toEqual({ GET: 1, PUT: 1 });
    expect(emu.entries("trusted")).toEqual([
      expect.objectContaining({
        pk: e.pk,
        name: "Office Paris",
        categories: ["office"],
        ip_address: "198.51.100.9",
      }),
    ]);
    expect(outs).toMatchObject({ adoptId: e.pk, ipAddress: "198.51.100.9/32" });
    // Removing adoptId later is not a change.
    expect(
      (
        await rt
          .entries("trusted")
          .diff(id, { ...outs }, { name: "Office Paris", ipAddress: "198.51.100.9", categories: ["office"] })
      ).changes,
    ).toBe(false);
  });

  test("adopting an identical entry makes no write at all", async () => {
    const [e] = emu.seed("suspicious", [
      { name: "Feed", ip_address: "203.0.113.0/24", expires_on: "2099-01-01T00:00:00Z" },
    ]);
    emu.clearRequests();
    await rt.entries("suspicious").create({
      name: "Feed",
      ipAddress: "203.0.113.0/24",
      expiresOn: "2099-01-01T00:00:00Z",
      adoptId: e.pk,
    });
    expect(writes(emu)).toBe(0);
  });

  test("a replacement-only field that differs is an error that explains the choice", async () => {
    const [e] = emu.seed("suspicious", [{ name: "Feed", ip_address: "203.0.113.5" }]);
    const err = await rejection(
      rt.entries("suspicious").create({ name: "Other", ipAddress: "203.0.113.5", adoptId: e.pk }),
    );
    expect(err.message).toMatch(
      /adoptId "\w+": the existing entry has name "Feed" but the declaration says "Other".*cannot change a suspicious entry's name in place/,
    );
    expect(writes(emu)).toBe(0);
  });

  test("an unknown adoptId is a clear error", async () => {
    const err = await rejection(
      rt.entries("trusted").create({ name: "x", ipAddress: "1.1.1.1", adoptId: "nosuchpk00" }),
    );
    expect(err.message).toMatch(/adoptId "nosuchpk00": no trusted entry with that id exists/);
  });

  test("without adoptId, a duplicate address is refused with the guiding message, before any POST", async () => {
    const [e] = emu.seed("trusted", [{ name: "Office", ip_address: "10.1.1.1" }]);
    emu.setKnobs({ duplicates: "allow" }); // even where the server would accept a duplicate
    const err = await rejection(rt.entries("trusted").create({ name: "Office 2", ipAddress: "10.1.1.1/32" }));
    expect(err.message).toBe(
      `TrustedIp ipAddress "10.1.1.1/32" already exists in the trusted library as entry ${e.pk} ("Office", 10.1.1.1). ` +
        `To manage that entry, set adoptId: "${e.pk}" on this resource. If this resource was renamed, give it ` +
        `aliases: [{ name: "<its old name>" }] instead, and the entry stays as it is.`,
    );
    expect(emu.entries("trusted")).toHaveLength(1);
  });

  test("two resources declaring one address at once: one is created, the other refused", async () => {
    emu.setKnobs({ duplicates: "allow" });
    const results = await Promise.allSettled([
      rt.entries("trusted").create({ name: "a", ipAddress: "10.2.2.2" }),
      rt.entries("trusted").create({ name: "b", ipAddress: "10.2.2.2/32" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(emu.entries("trusted")).toHaveLength(1);
  });
});

test("moving an entry, or adopting one, onto an address another entry holds is refused before the PUT (#14)", async () => {
  emu.setKnobs({ duplicates: "allow" });
  const [other, mine] = emu.seed("trusted", [
    { name: "Other team's VPN", ip_address: "192.0.2.80" },
    { name: "Mine", ip_address: "192.0.2.81" },
  ]);
  const { id, outs } = await rt.entries("trusted").create({
    name: "Mine",
    ipAddress: "192.0.2.81",
    adoptId: mine.pk,
  });
  emu.clearRequests();
  const e = await rejection(
    rt.entries("trusted").update(id, outs, {
      name: "Mine",
      ipAddress: "192.0.2.80/32",
    }),
  );
  expect(e.message).toContain(`already exists in the trusted library as entry ${other.pk}`);
  const adopt = await rejection(
    rt.entries("trusted").create({ name: "Mine", ipAddress: "192.0.2.80", adoptId: mine.pk }),
  );
  expect(adopt.message).toContain(`as entry ${other.pk}`);
  expect(emu.requests().counters.byMethod.PUT).toBeUndefined();
  expect(
    emu
      .entries("trusted")
      .map((x) => x.ip_address)
      .sort(),
  ).toEqual(["192.0.2.80", "192.0.2.81"]);
});
