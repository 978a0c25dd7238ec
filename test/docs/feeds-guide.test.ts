/**
 * docs/guides/feeds.md says what the code does: every guard rail's message as the table of expected errors
 * writes it, the bounds and defaults as FEED_LIMITS holds them, every argument of the feed function, and the TTL
 * rule in the same words as its JSDoc.
 */
import * as fs from "fs";
import * as path from "path";
import { PROBLEMS, problemText } from "../../provider/problems";
import { FEED_ARGS } from "../../provider/feed/get";
import { FEED_ALLOWANCES, FEED_LIMITS } from "../../provider/feed/limits";

const root = path.resolve(__dirname, "../..");
const guide = fs.readFileSync(path.join(root, "docs/guides/feeds.md"), "utf8");
const oneLine = (s: string) => s.replace(/\s*\n\s*(> )?/g, " ");

test.each([
  "feed-source",
  "feed-format",
  "feed-empty",
  "feed-bad-lines",
  "feed-change",
  "feed-address",
] as const)("the guide shows the %s message as the provider prints it", (id) => {
  expect(guide).toContain(problemText(id, PROBLEMS[id].example as never));
});

test("the bounds and defaults are FEED_LIMITS'", () => {
  expect(guide).toContain(`more than ${FEED_LIMITS.maxBadShare * 100}% of the records`);
  expect(guide).toContain(`default \`"${FEED_LIMITS.maxChange}"\``);
  expect(guide).toContain(
    `wider than a /${FEED_LIMITS.broadestPrefix.ipv4} (IPv4) or /${FEED_LIMITS.broadestPrefix.ipv6} (IPv6)`,
  );
  const { broadestTrustedPrefix: t, broadestTotal: all } = FEED_LIMITS;
  expect(guide).toContain(`in a trusted feed, wider than a /${t.ipv4} (IPv4) or /${t.ipv6} (IPv6)`);
  expect(guide).toContain(`more than a /${all.ipv4} of IPv4 or a /${all.ipv6} of IPv6`);
  expect(guide).toContain(`more than ${FEED_LIMITS.maxEntries} entries from one feed`);
  expect(guide).toContain(
    `Default ${FEED_LIMITS.timeoutSeconds} (at most ${FEED_LIMITS.maxTimeoutSeconds}).`,
  );
  expect(guide).toContain(`Default ${FEED_LIMITS.maxBytes / 1024 / 1024} MiB.`);
  for (const a of FEED_ALLOWANCES) expect(guide).toContain(`allow: ["${a}"]`);
});

test("every argument of the feed function is in the guide's table", () => {
  for (const a of FEED_ARGS)
    expect(guide).toMatch(new RegExp("\\| `" + a + "`|`" + a + "` or|or `" + a + "`"));
});

test("the TTL rule is stated in the words of its JSDoc", () => {
  const src = fs.readFileSync(path.join(root, "provider/dynamic/set-feed.ts"), "utf8");
  const doc = /The TTL rule, in one sentence: (.*?)\./s.exec(src)![1].replace(/\s*\n\s*\*\s*/g, " ");
  const rule = doc.split(", so ")[0];
  expect(oneLine(guide)).toContain(rule.charAt(0).toUpperCase() + rule.slice(1));
});
