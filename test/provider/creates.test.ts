/**
 * Creates when answers go wrong: lost after the server committed, 5xx before it acted, unusable bodies; an
 * identical entry already there; and the cost of 1,000 creates.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { addresses } from "../helpers/emulator";
import { writes } from "../helpers/requests";
import { pool, rejection, runtimeFor, providerSuite } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

test("a POST whose answer is lost is adopted, not duplicated", async () => {
  emu.setKnobs({ dropAfterCommitRate: 1, faultMethods: ["POST"] });
  const { id } = await rt.entries("trusted").create({ name: "lost", ipAddress: "192.0.2.44" });
  expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk: id, name: "lost" })]);
});

describe("faults on create", () => {
  test("100 POSTs whose answers are lost after the server committed: 100 entries, zero duplicates", async () => {
    emu.setKnobs({ dropAfterCommitRate: 1, faultMethods: ["POST"] });
    const ips = addresses(100, 31);
    const made = await Promise.all(
      ips.map((ip, i) => rt.entries("trusted").create({ name: `lost ${i}`, ipAddress: ip })),
    );
    expect(emu.requests().counters.faults["drop-after-commit"]).toBe(100);
    expect(emu.entries("trusted")).toHaveLength(100);
    expect(new Set(made.map((m) => m.id))).toEqual(new Set(emu.entries("trusted").map((e) => e.pk)));
    expect(emu.requests().counters.byMethod.POST).toBe(100);
    // One listing for the duplicate checks, then one address search per lost answer: no re-listing.
    expect(emu.requests().counters.byMethod.GET).toBe(1 + 100);
  });

  test("a 5xx before the server acted: the entry is verified absent, then POSTed again", async () => {
    emu.setKnobs({ errorRate: 0.5, faultMethods: ["POST"], seed: 7 });
    const ips = addresses(40, 32);
    await Promise.all(
      ips.map((ip, i) => rt.entries("trusted").create({ name: `retry ${i}`, ipAddress: ip })),
    );
    const c = emu.requests().counters;
    expect(c.faults.error).toBeGreaterThan(5);
    expect(emu.entries("trusted")).toHaveLength(40);
    expect(c.byMethod.POST).toBe(40 + c.faults.error);
  });

  test("a POST that never succeeds stops after 4 attempts, each after a listing showed nothing was made", async () => {
    emu.setKnobs({ errorRate: 1, faultMethods: ["POST"] });
    const err = await rejection(rt.entries("trusted").create({ name: "never", ipAddress: "192.0.2.77" }));
    expect(err.message).toMatch(
      /^TrustedIp "never" \(192\.0\.2\.77\): creating it failed 4 times \(last: Cloudlock API POST \/ip\/trusted returned 50\d.*\)\. After each failure a search of the trusted library showed no entry was made, so nothing was created\. Running `pulumi up` again is safe\.$/,
    );
    expect(emu.requests().counters.byMethod.POST).toBe(4);
    expect(emu.entries("trusted")).toEqual([]);
  });

  test("an identical entry already there is refused by default, naming it: it may be another stack's (#14)", async () => {
    const [e] = emu.seed("trusted", [{ name: "Shared", ip_address: "203.0.113.70" }]);
    emu.clearRequests();
    const err = await rejection(rt.entries("trusted").create({ name: "Shared", ipAddress: "203.0.113.70" }));
    expect(err.message).toMatch(
      new RegExp(
        `^TrustedIp "Shared" \\(203\\.0\\.113\\.70\\): an entry identical to this declaration already exists in the trusted library \\(entry ${e.pk}, .*run \`CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up\` once to adopt it\\. .*set adoptId: "${e.pk}"`,
      ),
    );
    expect(writes(emu)).toBe(0);
  });

  test("with CLOUDLOCK_ADOPT_IDENTICAL=1, an identical entry (left by an interrupted run) is adopted without a POST", async () => {
    rt = runtimeFor(emu, { env: { CLOUDLOCK_ADOPT_IDENTICAL: "1" } });
    const [e] = emu.seed("suspicious", [
      {
        name: "Feed",
        ip_address: "203.0.113.60",
        categories: ["b", "a"],
        expires_on: "2031-01-01T00:00:00.000000+00:00",
      },
    ]);
    emu.clearRequests();
    const { id } = await rt.entries("suspicious").create({
      name: "Feed",
      ipAddress: "203.0.113.60/32",
      categories: ["a", "b"],
      expiresOn: "2031-01-01T00:00:00Z",
    });
    expect(id).toBe(e.pk);
    expect(writes(emu)).toBe(0);
    // Any difference (here the description) is still refused: it may be someone else's entry.
    const err = await rejection(
      rt
        .entries("trusted")
        .create({ name: "Feed", ipAddress: "203.0.113.61" })
        .then(() =>
          rt.entries("trusted").create({ name: "Feed", ipAddress: "203.0.113.61", description: "x" }),
        ),
    );
    expect(err.message).toContain("already exists in the trusted library");
  });
});

test("1,000 creates into an empty library: exactly 1,000 POSTs, one listing, at most one check each", async () => {
  const fast = runtimeFor(emu, { maxRequestsPerSecond: 10_000 });
  emu.setKnobs({ rateLimit: null }); // about 2,000 requests: the emulator's tenant limit alone would take 20 s
  await pool(addresses(1000, 90), 8, (ip) => fast.entries("trusted").create({ name: ip, ipAddress: ip }));
  const c = emu.requests().counters.byMethod;
  const log = emu.requests().log;
  expect(
    log
      .slice(
        0,
        log.findIndex((r) => r.method === "POST"),
      )
      .filter((r) => r.method === "GET"),
  ).toHaveLength(1);
  expect(c.POST).toBe(1000);
  expect(c.GET).toBeLessThanOrEqual(1 + 1000);
}, 120_000);

describe("answers that cannot be used (#14)", () => {
  test.each(["html", "empty-object", "truncated"] as const)(
    "a POST answered %s: the entry it made is found and adopted, never an empty id, never a second POST",
    async (badAnswer) => {
      emu.setKnobs({ badAnswerRate: 1, badAnswer, faultMethods: ["POST"] });
      const made = await rt.entries("trusted").create({ name: "Made", ipAddress: "192.0.2.30" });
      expect(emu.entries("trusted")).toHaveLength(1);
      expect(made.id).toBe(emu.entries("trusted")[0].pk);
      expect(emu.requests().counters.byMethod.POST).toBe(1);
    },
  );

  test("an entry missed by a listing that shifted under it is confirmed by a search, not reported gone", async () => {
    const made = emu.seed(
      "trusted",
      addresses(200, 41).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
    const ours = made[100];
    // Between page 0 and page 1: one entry of page 0 deleted and one added, so the total stays 200 and the
    // entry at index 100 slides onto page 0, already served.
    let once = false;
    emu.onList = (_c, offset) => {
      if (offset === 100 && !once) {
        once = true;
        emu.remove("trusted", [made[14].pk]);
        emu.seed("trusted", [{ name: "late", ip_address: "192.0.2.250" }]);
      }
    };
    const deleted = made[150];
    emu.remove("trusted", [deleted.pk]);
    try {
      // Force the full-listing path (a snapshot), as a big refresh takes.
      await rt.cache("trusted").refresh();
      emu.clearRequests();
      const r = await rt.entries("trusted").read(ours.pk, { name: ours.name, ipAddress: ours.ip_address });
      expect(r.id).toBe(ours.pk);
      // An entry really gone is still reported gone, after its one search.
      const gone = await rt.entries("trusted").read(deleted.pk, {
        name: deleted.name,
        ipAddress: deleted.ip_address,
      });
      expect(gone.id).toBe("");
      expect(emu.requests().log.map((l) => l.query)).toEqual([
        `?q=${ours.ip_address}&offset=0&limit=100`,
        `?q=${deleted.ip_address}&offset=0&limit=100`,
      ]);
    } finally {
      emu.onList = undefined;
    }
  });
});
