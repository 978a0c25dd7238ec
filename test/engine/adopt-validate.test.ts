/**
 * Through the real engine: adopting existing entries, looking entries up with
 * get(), and entries that expire on schedule.
 */
import * as cloudlock from "../../sdk";
import { TOKEN } from "../helpers/emulator";
import { engineStack, engineSuite, methods } from "./helpers";

const suite = engineSuite("adopt");
beforeEach(() => suite.emu.reset());

test("5a. adoptId adopts existing entries without POST; the next preview has no changes", async () => {
  const [t] = suite.emu.seed("trusted", [
    { name: "Dublin office", ip_address: "198.51.100.77", categories: ["office"] },
  ]);
  const [x] = suite.emu.seed("suspicious", [
    { name: "Botnet C2", ip_address: "203.0.113.0/28", description: "old note" },
  ]);
  const s = await engineStack(suite.base, "adopt", suite.emu, TOKEN, async () => {
    new cloudlock.TrustedIp("dublin", {
      name: "Dublin office",
      ipAddress: "198.51.100.77/32",
      categories: ["office"],
      adoptId: t.pk,
    });
    new cloudlock.SuspiciousIp("c2", {
      name: "Botnet C2",
      ipAddress: "203.0.113.0/28",
      description: "seen in proxy logs",
      adoptId: x.pk,
    });
  });
  suite.emu.clearRequests();
  const up = await s.stack.up(s.io);
  expect(up.summary.resourceChanges).toEqual({ create: 3 });
  expect(methods(suite.emu).POST ?? 0).toBe(0);
  expect(methods(suite.emu).PUT).toBe(1); // only the suspicious description differed
  expect(suite.emu.entries("trusted")).toEqual([expect.objectContaining({ pk: t.pk })]);
  expect(suite.emu.entries("suspicious")).toEqual([
    expect.objectContaining({ pk: x.pk, description: "seen in proxy logs" }),
  ]);
  const pv = await s.stack.preview({ expectNoChanges: true, refresh: true, ...s.io });
  expect(pv.changeSummary).toEqual({ same: 3 });
});

test("get(name, pk) reads an existing entry through the engine without managing it", async () => {
  const [x] = suite.emu.seed("suspicious", [
    { name: "Known bad", ip_address: "203.0.113.99", categories: ["Malicious"] },
  ]);
  const s = await engineStack(suite.base, "get", suite.emu, TOKEN, async () => {
    const e = cloudlock.SuspiciousIp.get("known-bad", x.pk);
    return { name: e.name, ip: e.ipAddress, categories: e.categories };
  });
  const up = await s.stack.up(s.io);
  expect(up.outputs.name.value).toBe("Known bad");
  expect(up.outputs.ip.value).toBe("203.0.113.99");
  expect(up.outputs.categories.value).toEqual(["Malicious"]);
  await s.stack.destroy(s.io);
  expect(suite.emu.entries("suspicious")).toHaveLength(1); // read-only: destroy leaves it
});

test("an entry that expires on schedule is not drift: no failure, no re-create, a warning", async () => {
  // A day ahead by the server's clock, which the test then moves two days on: nothing waits for real time.
  const expiresOn = new Date(suite.emu.now() + 86_400_000).toISOString();
  const s = await engineStack(suite.base, "expiry", suite.emu, TOKEN, async () => {
    new cloudlock.SuspiciousIp("short-lived", { name: "Short lived", ipAddress: "203.0.113.120", expiresOn });
  });
  await s.stack.up(s.io);
  expect(suite.emu.entries("suspicious")).toHaveLength(1);
  suite.emu.advanceClock(2 * 86_400);
  try {
    let out = "";
    const pv = await s.stack.preview({ refresh: true, expectNoChanges: true, onOutput: (t) => (out += t) });
    expect(pv.changeSummary).toEqual({ same: 2 });
    expect(out).toMatch(/has passed by Cloudlock's clock, and Cloudlock removed it on schedule/);
    await s.stack.refresh({ expectNoChanges: true, ...s.io });
    suite.emu.clearRequests();
    const up = await s.stack.up(s.io);
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    expect(methods(suite.emu).POST ?? 0).toBe(0);
  } finally {
    suite.emu.advanceClock(-2 * 86_400);
  }
});
