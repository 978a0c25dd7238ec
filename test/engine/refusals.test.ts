/**
 * Through the real engine: duplicates and bad input are refused before any
 * write. Kept in a file of their own: under Jest, an engine operation that
 * follows one whose inline program was aborted (a failed check or create) in
 * the same file can hang, which plain Node does not show; these refusals are
 * therefore the only operations here.
 */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import * as cloudlock from "../../sdk";
import { READ_ONLY_TOKEN, TOKEN, addresses } from "../helpers/emulator";
import { project, projectFolder, removeProject } from "../helpers/project";
import { writes } from "../helpers/requests";
import { audit, engineStack, engineSuite, failure, reliabilityRows } from "./helpers";

const suite = engineSuite("refusals");
const rows = reliabilityRows("refusals");
const run = promisify(execFile);
beforeEach(() => suite.emu.reset());

test("5b. without adoptId, a duplicate is refused with the guiding message and nothing is created", async () => {
  const [t] = suite.emu.seed("trusted", [{ name: "VPN", ip_address: "192.0.2.50" }]);
  const s = await engineStack(suite.base, "dup", suite.emu, TOKEN, async () => {
    new cloudlock.TrustedIp("vpn", { name: "VPN gateway", ipAddress: "192.0.2.50" });
  });
  const err = await failure(s.stack.up(s.io));
  expect(err.message).toContain(`already exists in the trusted library as entry ${t.pk}`);
  expect(err.message).toContain(`set adoptId: "${t.pk}"`);
  expect(suite.emu.entries("trusted")).toHaveLength(1);
});

test.each([
  [
    "bad-range",
    () => new cloudlock.TrustedIp("bad-range", { name: "Bad", ipAddress: "10.0.0.9-10.0.0.1" }),
    /ipAddress range "10.0.0.9-10.0.0.1" is reversed/,
  ],
  [
    "garbage",
    () => new cloudlock.TrustedIp("garbage", { name: "Bad", ipAddress: "not-an-ip" }),
    /ipAddress "not-an-ip" is not a valid IPv4 or IPv6 address/,
  ],
  [
    "past-expiry",
    () =>
      new cloudlock.SuspiciousIp("stale", {
        name: "Stale",
        ipAddress: "203.0.113.9",
        expiresOn: "2020-01-01T00:00:00Z",
      }),
    /expiresOn 2020-01-01T00:00:00Z is in the past; a new entry must expire in the future/,
  ],
])(
  "6. invalid input (%s) fails at preview with a field-specific message and zero API writes",
  async (name, declare, message) => {
    const s = await engineStack(suite.base, `invalid-${name}`, suite.emu, TOKEN, async () => {
      declare();
    });
    suite.emu.clearRequests();
    const err = await failure(s.stack.preview(s.io));
    expect(err.message).toMatch(message);
    await failure(s.stack.up(s.io));
    const c = suite.emu.requests().counters.byMethod;
    expect((c.POST ?? 0) + (c.PUT ?? 0) + (c.DELETE ?? 0)).toBe(0);
    expect(suite.emu.entries("trusted")).toHaveLength(0);
    expect(suite.emu.entries("suspicious")).toHaveLength(0);
  },
);

// A project folder run by the CLI: its program is a process of its own, so no earlier aborted inline program of
// this file can leave a stale engine connection behind (seen once under load: the preview then "succeeded").
test("7. the same address declared twice in one library fails at preview, naming both resources; nothing written", async () => {
  const dir = projectFolder("examples/offices", "conflict", {
    files: {
      "index.ts": [
        'import * as cloudlock from "pulumi-cloudlock";',
        'new cloudlock.TrustedIp("office-a", { name: "Office A", ipAddress: "198.51.100.7" });',
        'new cloudlock.TrustedIp("office-b", { name: "Office B", ipAddress: "198.51.100.7/32" });',
        "",
      ].join("\n"),
    },
  });
  try {
    const p = await project(dir, "dev", {
      "cloudlock:apiUrl": suite.emu.apiUrl,
      "cloudlock:apiToken": TOKEN,
    });
    suite.emu.clearRequests();
    const pv = await p.run(["preview"], { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
    expect(pv.code).not.toBe(0);
    expect(pv.stdout + pv.stderr).toContain(
      'ipAddress "198.51.100.7/32" is the same address as TrustedIp "office-a" (198.51.100.7), declared in this program. The trusted library holds one entry per address',
    );
    // The second declaration is refused before any call; the first one's check looks its address up once.
    expect(writes(suite.emu)).toBe(0);
    expect(suite.emu.requests().counters.total).toBeLessThanOrEqual(1);
  } finally {
    removeProject(dir);
  }
});

test("a hung server: the call times out within cloudlock:timeoutSeconds and the engine names the resource and why", async () => {
  const s = await engineStack(
    suite.base,
    "hung",
    suite.emu,
    TOKEN,
    async () => {
      new cloudlock.TrustedIp("stuck", { name: "Stuck", ipAddress: "192.0.2.99" });
    },
    { "cloudlock:timeoutSeconds": "3" },
  );
  suite.emu.setKnobs({ hangRate: 1 });
  suite.emu.clearRequests();
  const err = await failure(s.stack.up(s.io));
  suite.emu.setKnobs({ hangRate: 0 });
  // The wait is what is left of the 3 s budget when the attempt starts: 3000 ms, or a little less on a busy machine.
  // The first call is the check's look-up of the address (what `up` will do with it): a check failure, which the
  // engine prints under the resource as one message.
  const m =
    /TrustedIp \(stuck\):\s*\n\s*error: .*'stuck' has a problem: Cloudlock API GET \/ip\/trusted\?offset=0&limit=100 failed: no response within (\d+) ms/.exec(
      err.message,
    );
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBeGreaterThan(2_000);
  expect(Number(m![1])).toBeLessThanOrEqual(3_000);
  // The bound is 3 s per API call, retries included: the few attempts that fit, not the policy's ten.
  expect(suite.emu.requests().counters.faults.hang).toBeLessThanOrEqual(3);
  expect(suite.emu.entries("trusted")).toEqual([]);
});

test("a read-only token: up stops at the first write with a message naming the missing permission; nothing is created", async () => {
  const s = await engineStack(suite.base, "read-only", suite.emu, READ_ONLY_TOKEN, async () => {
    addresses(12, 61).forEach(
      (ip, i) => new cloudlock.TrustedIp(`ro${i}`, { name: `RO ${i}`, ipAddress: ip }),
    );
  });
  suite.emu.clearRequests();
  const err = await failure(s.stack.up(s.io));
  expect(err.message).toContain(
    "Cloudlock refused to create an entry in the trusted IP library (403 Forbidden on POST /ip/trusted",
  );
  expect(err.message).toContain("The API token lacks write permission for IP libraries");
  expect(err.message).not.toContain(READ_ONLY_TOKEN);
  expect(suite.emu.requests().counters.byMethod.POST).toBe(1);
  expect(suite.emu.entries("trusted")).toEqual([]);
});

test("sets: an authoritative set beside a per-entry resource of its library is refused while the program runs; nothing written", async () => {
  suite.emu.clearRequests();
  const script = path.join(__dirname, "../fixtures/program-error.js");
  const { stdout } = await run(process.execPath, [script, suite.base, suite.emu.apiUrl, TOKEN]);
  const result = JSON.parse(stdout.trim().split("\n").pop()!);
  expect(result.ok).toBe(false);
  expect(result.message).toContain(
    'TrustedIpSet "all" is authoritative: it owns the whole trusted IP library, so this program cannot also declare TrustedIp "hq"',
  );
  // The set is refused before any call; the valid TrustedIp's check looks its address up once (page 0).
  expect(writes(suite.emu)).toBe(0);
  expect(suite.emu.requests().counters.total).toBeLessThanOrEqual(1);
});

test("sets: a bad entry, or an address another resource declares, fails at preview naming the entry; nothing written", async () => {
  const s = await engineStack(suite.base, "set-invalid", suite.emu, TOKEN, async () => {
    new cloudlock.TrustedIp("hq", { name: "HQ", ipAddress: "198.51.100.1" });
    new cloudlock.TrustedIpSet("offices", {
      entries: [
        { name: "HQ again", ipAddress: "198.51.100.1/32" },
        { name: "Broken", ipAddress: "198.51.100.300" },
      ],
    });
  });
  suite.emu.clearRequests();
  const err = await failure(s.stack.preview(s.io));
  expect(err.message).toContain(
    'entries[1] "Broken": ipAddress "198.51.100.300" is not a valid IPv4 address',
  );
  expect(err.message).toContain(
    'entry "HQ again": ipAddress "198.51.100.1/32" is the same address as TrustedIp "hq" (198.51.100.1), declared in this program',
  );
  // The set is refused before any call; the valid TrustedIp's check looks its address up once (page 0).
  expect(writes(suite.emu)).toBe(0);
  expect(suite.emu.requests().counters.total).toBeLessThanOrEqual(1);
});

test("two stacks declaring one identical entry: the second is refused naming it, and neither destroys the other's (#14)", async () => {
  const program = async () => {
    new cloudlock.TrustedIp("shared", { name: "Shared office", ipAddress: "192.0.2.140" });
  };
  const a = await engineStack(suite.base, "owner-a", suite.emu, TOKEN, program);
  const b = await engineStack(suite.base, "owner-b", suite.emu, TOKEN, program);
  await a.stack.up(a.io);
  const [entry] = suite.emu.entries("trusted").filter((e) => e.ip_address === "192.0.2.140");
  const err = await failure(b.stack.up(b.io));
  expect(err.message).toContain(
    `an entry identical to this declaration already exists in the trusted library (entry ${entry.pk}`,
  );
  expect(err.message).toContain(`set adoptId: "${entry.pk}"`);
  expect(suite.emu.entries("trusted").filter((e) => e.ip_address === "192.0.2.140")).toHaveLength(1);
  const found = await audit(suite.emu, [a.stack, b.stack]);
  expect(found).toEqual({ count: 1, duplicates: 0, orphans: 0, lost: 0, shared: 0 });
  rows.push({
    scenario: "two stacks declare one identical entry",
    faults: 0,
    operations: "up (A), up (B, refused)",
    requests: suite.emu.requests().counters.total,
    ...found,
  });
  // B holds nothing, so destroying B leaves A's entry alone.
  await b.stack.destroy(b.io);
  expect(suite.emu.entries("trusted").map((e) => e.pk)).toContain(entry.pk);
  await a.stack.destroy(a.io);
  expect(suite.emu.entries("trusted").filter((e) => e.ip_address === "192.0.2.140")).toEqual([]);
});
