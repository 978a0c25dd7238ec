/**
 * Lifecycle through the real Pulumi engine (Automation API, local backend):
 * create → no-op preview → update / replace / no-change → drift → destroy.
 */
import * as fs from "fs";
import { Emulator } from "../../emulator";
import * as cloudlock from "../../sdk";
import { TOKEN, startEmulator } from "../helpers/emulator";
import { ENGINE_TIMEOUT, EngineStack, engineStack, failure, freshBase, methods } from "./helpers";

jest.setTimeout(ENGINE_TIMEOUT);

interface Spec {
  trusted: { name: string; ipAddress: string; categories?: string[]; description?: string };
  suspicious: { name: string; ipAddress: string; categories?: string[]; expiresOn?: string };
}

let emu: Emulator;
let base: string;
let s: EngineStack;
let spec: Spec;

const program = async () => {
  const t = new cloudlock.TrustedIp("hq", spec.trusted);
  const x = new cloudlock.SuspiciousIp("tor-exit", spec.suspicious);
  return { trustedId: t.id, trustedLocation: t.location, suspiciousId: x.id, suspiciousType: x.type };
};

beforeAll(async () => {
  emu = await startEmulator();
  base = freshBase("lifecycle");
  spec = {
    trusted: {
      name: "HQ Berlin",
      ipAddress: "198.51.100.0/24",
      categories: ["office", "berlin"],
      description: "Main office egress",
    },
    suspicious: {
      name: "TOR exit",
      ipAddress: "203.0.113.7",
      categories: ["TOR network"],
      expiresOn: "2099-01-01T00:00:00Z",
    },
  };
  s = await engineStack(base, "lifecycle", emu, TOKEN, program);
});
afterAll(async () => {
  await emu.close();
  fs.rmSync(base, { recursive: true, force: true });
});

test("1. up creates the entries; the emulator holds exactly them; outputs match", async () => {
  const up = await s.stack.up(s.io);
  // The stack itself is new too.
  expect(up.summary.resourceChanges).toEqual({ create: 3 });
  const [t] = emu.entries("trusted");
  const [x] = emu.entries("suspicious");
  expect(emu.entries("trusted")).toHaveLength(1);
  expect(emu.entries("suspicious")).toHaveLength(1);
  expect(t).toMatchObject({
    name: "HQ Berlin",
    ip_address: "198.51.100.0/24",
    categories: ["office", "berlin"],
    description: "Main office egress",
  });
  expect(x).toMatchObject({
    name: "TOR exit",
    ip_address: "203.0.113.7",
    expires_on: "2099-01-01T00:00:00.000000+00:00",
  });
  expect(up.outputs.trustedId.value).toBe(t.pk);
  expect(up.outputs.trustedLocation.value).toBe(t.location);
  expect(up.outputs.suspiciousId.value).toBe(x.pk);
  expect(up.outputs.suspiciousType.value).toBe("suspicious");
});

test("2. a second preview reports no changes", async () => {
  emu.clearRequests();
  const pv = await s.stack.preview({ expectNoChanges: true, ...s.io });
  expect(pv.changeSummary).toEqual({ same: 3 });
  expect(methods(emu).POST ?? 0).toBe(0);
});

test("3a. an updatable field changes in place: one PUT, pk unchanged", async () => {
  const pk = emu.entries("trusted")[0].pk;
  spec.trusted = { ...spec.trusted, name: "HQ Berlin Mitte" };
  emu.clearRequests();
  const up = await s.stack.up(s.io);
  expect(up.summary.resourceChanges).toEqual({ update: 1, same: 2 });
  expect(methods(emu).PUT).toBe(1);
  expect(methods(emu).POST ?? 0).toBe(0);
  expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk, name: "HQ Berlin Mitte" })]);
});

test("3b. reordered categories and a canonical respelling of the address are no change", async () => {
  spec.trusted = {
    ...spec.trusted,
    categories: ["berlin", "office", "office"],
    ipAddress: "198.51.100.0-198.51.100.255",
  };
  spec.suspicious = {
    ...spec.suspicious,
    ipAddress: "203.0.113.7/32",
    expiresOn: "2099-01-01T00:00:00.000Z",
  };
  const pv = await s.stack.preview({ expectNoChanges: true, ...s.io });
  expect(pv.changeSummary).toEqual({ same: 3 });
});

test("3c. renaming a SuspiciousIp replaces it (deleted first: the old entry holds the address)", async () => {
  const oldPk = emu.entries("suspicious")[0].pk;
  spec.suspicious = { ...spec.suspicious, name: "TOR exit node" };
  const pv = await s.stack.preview({ diff: true, ...s.io });
  expect(pv.changeSummary).toMatchObject({ replace: 1 });
  const up = await s.stack.up(s.io);
  expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
  const all = emu.entries("suspicious");
  expect(all).toHaveLength(1);
  expect(all[0].pk).not.toBe(oldPk);
  expect(all[0].name).toBe("TOR exit node");
  expect(up.outputs.suspiciousId.value).toBe(all[0].pk);
});

test("4a. an out-of-band edit fails the drift check naming the field; refresh then up restores it", async () => {
  const pk = emu.entries("trusted")[0].pk;
  emu.edit("trusted", pk, { description: "edited by hand in the UI" });
  const err = await failure(s.stack.preview({ refresh: true, expectNoChanges: true, diff: true, ...s.io }));
  expect(err.message).toMatch(/description/);
  expect(err.message).toMatch(/edited by hand in the UI/);
  const rf = await s.stack.refresh(s.io);
  expect(rf.summary.resourceChanges).toMatchObject({ update: 1 });
  emu.clearRequests();
  const up = await s.stack.up(s.io);
  expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
  expect(methods(emu).PUT).toBe(1);
  expect(emu.entries("trusted")[0]).toMatchObject({ pk, description: "Main office egress" });
  await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
});

test("4b. an out-of-band delete: refresh drops it, up creates it again", async () => {
  const pk = emu.entries("suspicious")[0].pk;
  emu.store.remove("suspicious", [pk]);
  const rf = await s.stack.refresh(s.io);
  expect(rf.summary.resourceChanges).toMatchObject({ delete: 1 });
  const up = await s.stack.up(s.io);
  expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
  expect(emu.entries("suspicious")).toEqual([
    expect.objectContaining({ name: "TOR exit node", ip_address: "203.0.113.7/32" }),
  ]);
  await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
});

test("7. destroy removes exactly the managed entries; unmanaged ones survive", async () => {
  emu.seed("trusted", [{ name: "Someone else's VPN", ip_address: "192.0.2.200" }]);
  emu.seed("suspicious", [{ name: "Feed entry", ip_address: "192.0.2.201" }]);
  const d = await s.stack.destroy(s.io);
  expect(d.summary.resourceChanges).toEqual({ delete: 3 });
  expect(emu.entries("trusted").map((e) => e.name)).toEqual(["Someone else's VPN"]);
  expect(emu.entries("suspicious").map((e) => e.name)).toEqual(["Feed entry"]);
});
