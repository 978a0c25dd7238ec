/**
 * The rules of a set fed by a feed, as pure functions: the TTL rule, the change limit, the feed's guard rails
 * and the maxChange guard. The same rules against the emulator (its clock moved) are in
 * test/provider/feeds.test.ts.
 */
import { changeGuard, changeLimit, feedInto, ttlExpiry, ttlMs } from "../../provider/dynamic/set-feed";
import { checkSet } from "../../provider/dynamic/set-schema";
import { feedOf, range, v6 } from "../helpers/feeds";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse("2027-03-01T10:20:00Z");
const ENV = "CLOUDLOCK_ALLOW_LARGE_CHANGE";

describe("ttlExpiry: one rule, no churn", () => {
  const ttl = 30 * DAY;
  test("a new entry expires the TTL after now, rounded up to the hour", () => {
    expect(ttlExpiry(undefined, NOW, ttl)).toBe("2027-03-31T11:00:00.000Z");
  });
  test("an expiry with at least half the TTL left is kept as it is, to the character", () => {
    const kept = "2027-03-20T00:00:00+00:00";
    expect(ttlExpiry(kept, NOW, ttl)).toBe(kept);
    // One day later, and fourteen: still more than half left.
    expect(ttlExpiry(kept, NOW + DAY, ttl)).toBe(kept);
    const fresh = ttlExpiry(undefined, NOW, ttl);
    expect(ttlExpiry(fresh, NOW + 14 * DAY, ttl)).toBe(fresh);
  });
  test("with less than half the TTL left, the expiry moves to the TTL from now", () => {
    const fresh = ttlExpiry(undefined, NOW, ttl);
    const later = NOW + 16 * DAY;
    expect(ttlExpiry(fresh, later, ttl)).toBe(new Date(Math.ceil((later + ttl) / HOUR) * HOUR).toISOString());
  });
  test("an expiry further out than the TTL (the TTL was shortened) moves in; one already passed moves out", () => {
    expect(ttlExpiry("2027-12-01T00:00:00Z", NOW, 7 * DAY)).toBe("2027-03-08T11:00:00.000Z");
    expect(ttlExpiry("2027-02-01T00:00:00Z", NOW, ttl)).toBe("2027-03-31T11:00:00.000Z");
  });
  test("durations: days, hours, minutes, or a number of days; anything else is named", () => {
    expect(ttlMs("30d")).toBe(30 * DAY);
    expect(ttlMs("12h")).toBe(12 * HOUR);
    expect(ttlMs("90m")).toBe(90 * 60_000);
    expect(ttlMs(2)).toBe(2 * DAY);
    expect(ttlMs("30 days")).toMatch(/must be a duration such as "30d"/);
    expect(ttlMs(0)).toMatch(/must be positive/);
  });
});

describe("changeLimit", () => {
  test("a count is a count; a percentage is of the set, rounded up, at least one", () => {
    expect(changeLimit(50, 1000)).toBe(50);
    expect(changeLimit("50", 1000)).toBe(50);
    expect(changeLimit("25%", 100)).toBe(25);
    expect(changeLimit("25%", 10)).toBe(3);
    expect(changeLimit("1%", 10)).toBe(1);
    expect(changeLimit("0%", 10)).toBe(0);
    expect(changeLimit(0, 10)).toBe(0);
    expect(changeLimit("120%", 10)).toMatch(/a count \(50\) or a percentage/);
    expect(changeLimit(-1, 10)).toMatch(/whole count/);
  });
});

describe("feedInto", () => {
  test("merges the feed after the declared entries; a declared address wins, and is said", () => {
    const r = feedInto(
      "suspicious",
      {},
      { entries: [{ name: "Mine", ipAddress: v6(1) }], feed: feedOf(range(3)) },
      NOW,
    );
    expect(r.failures).toEqual([]);
    expect((r.news.entries as { name: string }[]).map((e) => e.name)).toEqual(["Mine", "DROP", "DROP"]);
    expect(r.news).not.toHaveProperty("feed");
    expect(r.notes.map((n) => n.text).join("\n")).toMatch(
      /1 address\(es\) of feed drop.txt are also declared/,
    );
  });

  test("the read is said, with source, size, content id, time and how many records became entries", () => {
    const f = feedOf(range(8), { records: 12, duplicates: 3, contained: 1 });
    const note = feedInto("suspicious", {}, { feed: f }, NOW).notes[0];
    expect(note).toEqual({
      level: "info",
      text:
        "feed drop.txt (https://feeds.example/drop.txt): 100 bytes, sha256:00000000000000aa, read " +
        "2027-03-01T10:19:00Z; 12 record(s) became 8 entries (3 duplicate(s), 1 inside another block)",
    });
  });

  test("an empty feed, and one that parsed to nothing, never empty a set", () => {
    const empty = feedInto("suspicious", {}, { feed: feedOf([], { bytes: 0 }) }, NOW);
    expect(empty.failures).toEqual([
      {
        property: "",
        reason: expect.stringMatching(/^feed drop.txt is empty \(0 bytes.*never empties a set/),
      },
    ]);
    const nothing = feedInto("suspicious", {}, { feed: feedOf([], { records: 40, badCount: 40 }) }, NOW);
    expect(nothing.failures[0].reason).toMatch(
      /parsed to nothing \(none of its 40 records holds an address\)/,
    );
  });

  test("bad records: named in a warning up to the stated share, refused beyond it", () => {
    const bad = [{ where: "line 3", text: "<html>", reason: "not an address" }];
    const few = feedInto(
      "suspicious",
      {},
      { feed: feedOf(range(19), { records: 20, badCount: 1, bad }) },
      NOW,
    );
    expect(few.failures).toEqual([]);
    expect(few.notes[1]).toEqual({
      level: "warning",
      text: '1 record(s) of feed drop.txt are not addresses and were skipped: line 3 "<html>": not an address',
    });
    const many = feedInto(
      "suspicious",
      {},
      { feed: feedOf(range(8), { records: 10, badCount: 2, bad }) },
      NOW,
    );
    expect(many.failures[0].reason).toMatch(
      /2 of the 10 records of feed drop.txt are not addresses, more than 10%; first: line 3/,
    );
  });

  test("every address is refused in any feed; a suspicious feed refuses blocks wider than /8 and /32", () => {
    const t = feedInto("trusted", {}, { feed: feedOf(["0.0.0.0/0", "10.0.0.0/7"]) }, NOW);
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0].reason).toMatch(
      /holds 2 address block\(s\) wider than a \/8 \(IPv4\) or \/20 \(IPv6\): 0.0.0.0\/0; 10.0.0.0\/7.*allow: \["broad"\]/,
    );
    const s = feedInto(
      "suspicious",
      {},
      { feed: feedOf(["45.0.0.0/7", "45.0.0.0/8", "2a00::/31", "2a00::/32"]) },
      NOW,
    );
    expect(s.failures[0].reason).toMatch(
      /holds 2 address block\(s\) wider than a \/8 \(IPv4\) or \/32 \(IPv6\).*: 44.0.0.0\/7; 2a00::\/31/,
    );
    const allowed = feedInto("suspicious", {}, { feed: feedOf(["45.0.0.0/7"]), allow: ["broad"] }, NOW);
    expect(allowed.failures).toEqual([]);
  });

  test("a trusted feed cannot trust everything in pieces: /1 halves, an IPv4-wide NAT64 block, 256 /8s", () => {
    const halves = feedInto(
      "trusted",
      {},
      { feed: feedOf(["0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"]) },
      NOW,
    );
    expect(halves.failures[0].reason).toMatch(
      /holds 4 address block\(s\) wider than a \/8 \(IPv4\) or \/20 \(IPv6\)/,
    );
    const nat64 = feedInto("trusted", {}, { feed: feedOf(["64:ff9b::/96"]) }, NOW);
    expect(nat64.failures[0].reason).toMatch(/wider than a \/8.*: 64:ff9b::\/96/);
    const eights = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
    const all = feedInto("trusted", {}, { feed: feedOf(eights) }, NOW);
    expect(all.failures).toHaveLength(1);
    expect(all.failures[0].reason).toMatch(
      /entries that together cover more than a \/4 of IPv4 or a \/16 of IPv6/,
    );
    expect(feedInto("trusted", {}, { feed: feedOf(eights), allow: ["broad"] }, NOW).failures).toEqual([]);
    // A vendor's ordinary published ranges pass.
    expect(
      feedInto("trusted", {}, { feed: feedOf(["3.5.140.0/22", "52.94.0.0/15", "2600:1f00::/24"]) }, NOW)
        .failures,
    ).toEqual([]);
  });

  test("a suspicious feed refuses private and reserved ranges unless allowed; documentation ranges pass", () => {
    const s = feedInto("suspicious", {}, { feed: feedOf(["10.1.2.3", "240.0.0.1", "192.0.2.1"]) }, NOW);
    expect(s.failures).toHaveLength(1);
    expect(s.failures[0].reason).toMatch(
      /holds 2 private or reserved range\(s\): 10.1.2.3 \(10.0.0.0\/8, private \(RFC 1918\)\); 240.0.0.1/,
    );
    expect(
      feedInto("suspicious", {}, { feed: feedOf(["10.1.2.3"]), allow: ["private"] }, NOW).failures,
    ).toEqual([]);
    // A trusted feed may hold a private range (an office's VPN pool behind NAT is the user's business).
    expect(feedInto("trusted", {}, { feed: feedOf(["10.1.2.3"]) }, NOW).failures).toEqual([]);
  });

  test("TTL: entries without an expiry get one; an explicit expiry is kept; the previous inputs decide churn", () => {
    const r = feedInto("suspicious", {}, { feed: feedOf(range(2)), ttl: "30d" }, NOW);
    const first = r.news.entries as { expiresOn: string }[];
    expect(first.map((e) => e.expiresOn)).toEqual(["2027-03-31T11:00:00.000Z", "2027-03-31T11:00:00.000Z"]);
    const olds = checkSet("suspicious", {}, r.news, NOW).inputs;
    const dayLater = feedInto("suspicious", olds as never, { feed: feedOf(range(2)), ttl: "30d" }, NOW + DAY);
    expect(checkSet("suspicious", olds as never, dayLater.news, NOW + DAY).inputs).toEqual(olds);
    const explicit = feedInto(
      "suspicious",
      {},
      { entries: [{ name: "X", ipAddress: v6(99), expiresOn: "2027-05-01T00:00:00Z" }], ttl: "30d" },
      NOW,
    );
    expect((explicit.news.entries as { expiresOn: string }[])[0].expiresOn).toBe("2027-05-01T00:00:00Z");
  });

  test("a feed entry the set cannot declare is named by its address, not an index; one already expired is left out", () => {
    const withExpiry = feedOf([v6(1), v6(2)]);
    withExpiry.entries[0] = { ...withExpiry.entries[0], expiresOn: "2027-01-01T00:00:00Z" } as never;
    const s = feedInto("suspicious", {}, { feed: withExpiry }, NOW);
    expect(s.failures).toEqual([]);
    expect((s.news.entries as unknown[]).length).toBe(1);
    expect(s.notes.map((n) => n.text)).toContain(
      "Left out 1 entry of feed drop.txt whose expiry has passed.",
    );
    // A suspicious feed's expiries given to a trusted set: refused, naming the address.
    const t = feedInto(
      "trusted",
      {},
      { feed: { ...withExpiry, entries: [{ ...withExpiry.entries[0], expiresOn: "2028-01-01T00:00:00Z" }] } },
      NOW,
    );
    expect(t.failures).toHaveLength(1);
    expect(t.failures[0].property).toBe("");
    expect(t.failures[0].reason).toMatch(
      /^1 entry of feed drop.txt cannot be declared and was skipped: 2001:db8::1: expiresOn .*more than 10% of the feed is refused/,
    );
    expect(checkSet("trusted", {}, t.news, NOW).failures).toEqual([]);
  });

  test("a TTL longer than ten years is refused naming ttl, once", () => {
    const r = feedInto("suspicious", {}, { feed: feedOf(range(3)), ttl: "99999999999d" }, NOW);
    expect(r.failures).toEqual([
      { property: "ttl", reason: 'must be at most 3650 days, got "99999999999d"' },
    ]);
  });

  test("bad guard inputs are named, field by field", () => {
    const r = feedInto(
      "trusted",
      {},
      { entries: [], ttl: "30d", maxChange: "lots", allow: ["everything"] },
      NOW,
    );
    expect(r.failures.map((f) => f.property).sort()).toEqual(["allow", "maxChange", "ttl"]);
    expect(r.failures.find((f) => f.property === "ttl")!.reason).toMatch(/suspicious entries only/);
    const notFeed = feedInto("trusted", {}, { feed: { entries: 3 } }, NOW);
    expect(notFeed.failures[0]).toEqual({
      property: "",
      reason: "feed must be the result of the feed function (getFeed); it lacks label, source, hash",
    });
  });

  test("a set without a feed and without entries is still refused by the set's check", () => {
    const r = feedInto("trusted", {}, {}, NOW);
    expect(checkSet("trusted", {}, r.news, NOW).failures[0].reason).toMatch(/entries must be a list/);
  });
});

describe("changeGuard", () => {
  const before = (n: number) => checkSet("suspicious", {}, { entries: feedOf(range(n)).entries }, NOW).inputs;
  const after = (addresses: string[]) =>
    checkSet("suspicious", {}, { entries: feedOf(addresses).entries }, NOW).inputs;

  test("a feed's +10 -5 on 100 entries is within the default 25%; an 80% drop is refused with the content id", () => {
    const olds = before(100);
    const ok = changeGuard(olds as never, { feed: feedOf([]) }, after(range(105, 5)), undefined, ENV, NOW);
    expect(ok).toEqual({ failures: [], notes: [] });
    const drop = changeGuard(olds as never, { feed: feedOf([]) }, after(range(20)), undefined, ENV, NOW);
    expect(drop.failures).toEqual([
      {
        property: "",
        reason: expect.stringMatching(
          new RegExp(
            "^this run would change 80 of the set's 100 entries \\(80%: -80 removed\\), more than maxChange 25% " +
              "\\(the default for a set fed by a feed\\)\\. Nothing was changed\\. If this change is wanted, allow " +
              "it for this one run: CLOUDLOCK_ALLOW_LARGE_CHANGE=sha256:[0-9a-f]{16} pulumi up \\(the id names this " +
              "content and this change: once either differs, the allowance no longer applies\\); or raise maxChange\\.$",
          ),
        ),
      },
    ]);
  });

  /** The id a refusal prints. */
  const idOf = (r: ReturnType<typeof changeGuard>) =>
    /CLOUDLOCK_ALLOW_LARGE_CHANGE=(sha256:[0-9a-f]{16})/.exec(r.failures[0].reason)![1];

  test("the allowance passes only the content and the change it names", () => {
    const olds = before(100);
    const refused = changeGuard(olds as never, { feed: feedOf([]) }, after(range(20)), undefined, ENV, NOW);
    const id = idOf(refused);
    const allowed = changeGuard(olds as never, { feed: feedOf([]) }, after(range(20)), id, ENV, NOW);
    expect(allowed.failures).toEqual([]);
    expect(allowed.notes[0].text).toContain(`allowed for content ${id} by CLOUDLOCK_ALLOW_LARGE_CHANGE`);
    // Another feed content: another id, and the refusal says the variable names something else.
    const other = changeGuard(
      olds as never,
      { feed: feedOf([], { hash: "sha256:00000000000000bb" }) },
      after(range(20)),
      id,
      ENV,
      NOW,
    );
    expect(other.failures).toHaveLength(1);
    expect(other.failures[0].reason).toContain(
      `(CLOUDLOCK_ALLOW_LARGE_CHANGE is set, but to ${id}, not this content's id)`,
    );
    // The same feed content making another change (other entries before, a changed template after): another id.
    expect(
      idOf(changeGuard(before(90) as never, { feed: feedOf([]) }, after(range(10)), id, ENV, NOW)),
    ).not.toBe(id);
    const renamed = checkSet(
      "suspicious",
      {},
      { entries: feedOf(range(20)).entries.map((e) => ({ ...e, name: "Other" })) },
      NOW,
    ).inputs;
    expect(idOf(changeGuard(olds as never, { feed: feedOf([]) }, renamed, id, ENV, NOW))).not.toBe(id);
    // Expiries are not part of it: the hour a TTL rounds to must not give preview and up different ids.
    const later = checkSet(
      "suspicious",
      {},
      { entries: feedOf(range(20)).entries.map((e) => ({ ...e, expiresOn: "2027-06-01T00:00:00Z" })) },
      NOW,
    ).inputs;
    expect(idOf(changeGuard(olds as never, { feed: feedOf([]) }, later, undefined, ENV, NOW))).toBe(id);
  });

  test("an authoritative set's removals of undeclared entries count as change", () => {
    const olds = before(10);
    const inputs = {
      ...after(range(10)),
      removeUndeclared: Object.fromEntries(range(40, 100).map((a) => [a, `"Hand" ${a}`])),
    };
    const r = changeGuard(olds as never, { maxChange: "25%" }, inputs, undefined, ENV, NOW);
    expect(r.failures[0].reason).toMatch(/would change 40 of the set's 10 entries \(400%: -40 removed\)/);
  });

  test("expiry extensions are upkeep, not change; a first run (nothing before) is not limited", () => {
    const olds = before(10);
    const extended = checkSet(
      "suspicious",
      {},
      { entries: feedOf(range(10)).entries.map((e) => ({ ...e, expiresOn: "2027-06-01T00:00:00Z" })) },
      NOW,
    ).inputs;
    expect(changeGuard(olds as never, { feed: feedOf([]) }, extended, undefined, ENV, NOW).failures).toEqual(
      [],
    );
    expect(changeGuard({}, { feed: feedOf([]) }, after(range(1000)), undefined, ENV, NOW).failures).toEqual(
      [],
    );
  });

  test("a set without a feed is limited only by its own maxChange, with an id of its declared content", () => {
    const olds = before(10);
    expect(changeGuard(olds as never, {}, after([]), undefined, ENV, NOW).failures).toEqual([]);
    const r = changeGuard(olds as never, { maxChange: 2 }, after(range(7)), undefined, ENV, NOW);
    expect(r.failures[0].property).toBe("");
    expect(r.failures[0].reason).toMatch(
      /would change 3 of the set's 10 entries \(30%: -3 removed\), more than maxChange 2\. .*=sha256:[0-9a-f]{16} pulumi up/,
    );
  });
});
