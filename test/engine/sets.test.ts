/**
 * TrustedIpSet / SuspiciousIpSet through the real engine: a 1,000-entry set
 * is created (adopting what already exists at its addresses), previewed with
 * no changes and no API call, edited, drifted by hand and refreshed, and
 * destroyed in ceil(N/50) requests; an authoritative set names at preview the
 * undeclared entries its `up` removes.
 */
import { canonicalAddress } from "../../provider/address";
import * as cloudlock from "../../sdk";
import { TOKEN, addresses } from "../helpers/emulator";
import { writes } from "../helpers/requests";
import { engineStack, engineSuite, methods } from "./helpers";

const suite = engineSuite("sets");

const N = 1000;
const ips = addresses(N + 10, 61);

interface Declared {
  name: string;
  ipAddress: string;
  categories?: string[];
  description?: string;
}

/** The entries of the 1,000-entry set, as a function of the edits made so far. */
let declared: Declared[] = ips.slice(0, N).map((ipAddress, i) => ({
  name: `Office ${i}`,
  ipAddress,
  categories: ["office"],
}));

const byAddress = () => new Map(suite.emu.entries("trusted").map((e) => [canonicalAddress(e.ip_address), e]));

test("a 1,000-entry set: adopt existing, up, no-op preview, edit, drift, destroy", async () => {
  // Already in the library: 3 entries at declared addresses (2 identical, 1 with another description) and 20 others.
  const adopted = suite.emu.seed("trusted", [
    { name: "Office 0", ip_address: ips[0], categories: ["office"] },
    { name: "Office 1", ip_address: ips[1], categories: ["office"] },
    { name: "Office 2", ip_address: ips[2], categories: ["office"], description: "made by hand" },
  ]);
  const others = suite.emu.seed(
    "trusted",
    addresses(20, 199).map((ip, i) => ({ name: `Not ours ${i}`, ip_address: ip })),
  );
  const s = await engineStack(suite.base, "set-1000", suite.emu, TOKEN, async () => {
    const set = new cloudlock.TrustedIpSet("offices", { entries: declared, mode: "additive" });
    return { count: set.count };
  });

  suite.emu.clearRequests();
  const up = await s.stack.up(s.io);
  expect(up.outputs.count.value).toBe(N);
  let c = methods(suite.emu);
  expect(c.POST).toBe(N - 3);
  expect(c.PUT).toBe(1); // the adopted entry with a different description
  // The listing, plus one listing that checks all N - 3 new entries are alone at their addresses (cheaper than
  // a search each).
  expect(c.GET).toBeLessThanOrEqual(Math.ceil(23 / 100) + 2 + Math.ceil((N + 20) / 100));
  expect(suite.emu.requests().log.filter((r) => r.status >= 400)).toEqual([]);
  let lib = byAddress();
  expect(lib.size).toBe(N + 20);
  expect(suite.emu.entries("trusted")).toHaveLength(N + 20); // no duplicates
  for (const a of adopted) expect(lib.get(canonicalAddress(a.ip_address))?.pk).toBe(a.pk);
  expect(lib.get(canonicalAddress(ips[2]))?.description).toBe("");

  // No-op preview: nothing to do, and no API call at all.
  suite.emu.clearRequests();
  const pv = await s.stack.preview({ expectNoChanges: true });
  expect(pv.changeSummary).toEqual({ same: 2 });
  expect(suite.emu.requests().log).toHaveLength(0);

  // Edit: rename one, recategorise one, remove three, add two.
  declared = declared.map((d, i) =>
    i === 10 ? { ...d, name: "Office ten" } : i === 11 ? { ...d, categories: ["office", "vpn"] } : d,
  );
  const removed = declared.splice(20, 3);
  declared.push({ name: "New A", ipAddress: ips[N] }, { name: "New B", ipAddress: ips[N + 1] });
  let out = "";
  // With --diff the engine prints diagnostics on stderr.
  await s.stack.preview({ diff: true, onOutput: (t) => (out += t), onError: (t) => (out += t) });
  // The engine's own diff shows each change under its address.
  expect(out).toMatch(new RegExp(`\\+ *"?${escape(canonicalAddress(ips[N]))}`));
  expect(out).toMatch(new RegExp(`- *"?${escape(canonicalAddress(removed[0].ipAddress))}`));
  expect(out).toContain('"Office ten"');
  // ...and the provider's one-line summary, which stays short however big the set is.
  expect(out).toContain(
    `TrustedIpSet: +2 added: ${canonicalAddress(ips[N])}, ${canonicalAddress(ips[N + 1])}; ` +
      `~2 changed: ${canonicalAddress(ips[10])} (name), ${canonicalAddress(ips[11])} (categories); ` +
      `-3 removed: ${removed.map((r) => canonicalAddress(r.ipAddress)).join(", ")}`,
  );
  suite.emu.clearRequests();
  await s.stack.up(s.io);
  c = methods(suite.emu);
  expect(c).toMatchObject({ POST: 2, PUT: 2, DELETE: 1 });
  lib = byAddress();
  expect(lib.get(canonicalAddress(ips[10]))?.name).toBe("Office ten");
  expect(lib.get(canonicalAddress(ips[11]))?.categories).toEqual(["office", "vpn"]);
  for (const r of removed) expect(lib.has(canonicalAddress(r.ipAddress))).toBe(false);
  expect(lib.get(canonicalAddress(ips[N + 1]))?.name).toBe("New B");

  // Drift by hand: one renamed, one deleted. refresh sees both; up puts them back.
  const renamed = lib.get(canonicalAddress(ips[30]))!;
  const gone = lib.get(canonicalAddress(ips[31]))!;
  suite.emu.edit("trusted", renamed.pk, { name: "Renamed in the UI" });
  suite.emu.remove("trusted", [gone.pk]);
  await expect(s.stack.preview({ refresh: true, expectNoChanges: true })).rejects.toThrow();
  suite.emu.clearRequests();
  const rf = await s.stack.refresh(s.io);
  expect(rf.summary.resourceChanges?.update).toBe(1);
  expect(methods(suite.emu).GET).toBeLessThanOrEqual(Math.ceil((N + 20) / 100) + 2);
  await s.stack.up(s.io);
  lib = byAddress();
  expect(lib.get(canonicalAddress(ips[30]))).toMatchObject({ pk: renamed.pk, name: "Office 30" });
  expect(lib.get(canonicalAddress(ips[31]))?.name).toBe("Office 31");
  await s.stack.preview({ refresh: true, expectNoChanges: true });

  // Destroy: ceil(N/50) DELETE requests; entries the set never managed stay.
  suite.emu.clearRequests();
  await s.stack.destroy(s.io);
  expect(methods(suite.emu).DELETE).toBeLessThanOrEqual(Math.ceil(declared.length / 50));
  expect(
    suite.emu
      .entries("trusted")
      .map((e) => e.pk)
      .sort(),
  ).toEqual(others.map((o) => o.pk).sort());
});

test("authoritative: preview names the undeclared entries, up removes them and nothing else", async () => {
  suite.emu.reset();
  const stray = suite.emu.seed("suspicious", [
    { name: "Hand-added", ip_address: "203.0.113.77", expires_on: "2031-01-01T00:00:00Z" },
    { name: "Old feed", ip_address: "203.0.113.0/28" },
  ]);
  const entries = ["198.51.100.1", "198.51.100.2"].map((ipAddress, i) => ({
    name: `Threat ${i}`,
    ipAddress,
    expiresOn: "2031-06-01T00:00:00Z",
  }));
  const s = await engineStack(suite.base, "set-authoritative", suite.emu, TOKEN, async () => {
    new cloudlock.SuspiciousIpSet("feed", { entries, mode: "authoritative" });
  });
  let out = "";
  suite.emu.clearRequests();
  // With --diff the engine prints diagnostics on stderr.
  await s.stack.preview({ diff: true, onOutput: (t) => (out += t), onError: (t) => (out += t) });
  expect(writes(suite.emu)).toBe(0);
  expect(out).toContain("removeUndeclared");
  expect(out).toContain(
    "warning: SuspiciousIpSet is authoritative: `pulumi up` will REMOVE 2 suspicious entries",
  );
  for (const e of stray) expect(out).toContain(`id ${e.pk}`);
  expect(suite.emu.entries("suspicious")).toHaveLength(2);

  await s.stack.up(s.io);
  expect(
    suite.emu
      .entries("suspicious")
      .map((e) => e.name)
      .sort(),
  ).toEqual(["Threat 0", "Threat 1"]);
  await s.stack.preview({ refresh: true, expectNoChanges: true });

  // Drift: an entry added by hand shows in refresh, and the next up removes it.
  const [late] = suite.emu.seed("suspicious", [{ name: "Added later", ip_address: "192.0.2.99" }]);
  await expect(s.stack.preview({ refresh: true, expectNoChanges: true })).rejects.toThrow();
  await s.stack.up({ ...s.io, refresh: true });
  expect(suite.emu.entries("suspicious").map((e) => e.pk)).not.toContain(late.pk);
  expect(suite.emu.entries("suspicious")).toHaveLength(2);
  await s.stack.destroy(s.io);
  expect(suite.emu.entries("suspicious")).toHaveLength(0);
});

test("a failure part-way through up keeps the progress in state; the next up resumes without duplicates", async () => {
  suite.emu.reset();
  const entries = addresses(400, 71).map((ipAddress, i) => ({ name: `Egress ${i}`, ipAddress }));
  const s = await engineStack(suite.base, "set-resume", suite.emu, TOKEN, async () => {
    new cloudlock.TrustedIpSet("egress", { entries });
  });
  // An outage after 150 writes.
  suite.emu.setKnobs({ writeBudget: 150 });
  await expect(s.stack.up(s.io)).rejects.toThrow(/the set is saved with the 150 entries that exist/);
  const made = suite.emu.entries("trusted");
  expect(made).toHaveLength(150);
  // The resource is in state with exactly what exists.
  const saved = await setState(s.stack);
  expect(
    Object.values(saved)
      .map((e) => e.pk)
      .sort(),
  ).toEqual(made.map((e) => e.pk).sort());

  suite.emu.setKnobs({ writeBudget: null });
  suite.emu.clearRequests();
  await s.stack.up(s.io);
  expect(methods(suite.emu).POST).toBe(250);
  const all = suite.emu.entries("trusted");
  expect(all).toHaveLength(400);
  expect(new Set(all.map((e) => canonicalAddress(e.ip_address))).size).toBe(400);
  expect(all.map((e) => e.pk)).toEqual(expect.arrayContaining(made.map((e) => e.pk)));
  await s.stack.preview({ refresh: true, expectNoChanges: true });
});

/** The managed entries recorded in the state of the stack's only set. */
async function setState(stack: import("@pulumi/pulumi/automation").Stack) {
  const resources = (await stack.exportStack()).deployment.resources as {
    type: string;
    outputs?: { entries?: Record<string, { pk: string }> };
  }[];
  return resources.find((r) => r.type.endsWith("IpSet"))!.outputs!.entries!;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
