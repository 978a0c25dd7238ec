/**
 * Feeds through the real engine, on both routes: examples/feeds/threat-feed (the dynamic SDK, a TypeScript
 * project folder) and examples/feeds/yaml (Pulumi YAML, `fn::invoke` of the plugin's getFeed), each reading its
 * feed from a local feed server. The same story on each: up; an unchanged feed previews clean; +10 and -5
 * preview as exactly that; a day later (the emulator's clock moved) `up` sends no write; past half the TTL every
 * entry is extended; an empty feed, a 500, a truncated body and an 80% drop each fail preview with nothing
 * written, each said once and without a stack trace; the drop passes with the allowance its message prints.
 * examples/feeds/published-ranges runs once: a JSON selector with filters into a TrustedIpSet.
 */
import * as fs from "fs";
import * as path from "path";
import { pulumiRoot } from "../../scripts/lib/engine";
import { TOKEN } from "../helpers/emulator";
import { type FeedServer, startFeedServer } from "../helpers/feed-server";
import {
  type CliResult,
  type Project,
  TARBALL,
  installed,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { engineSuite, expectClean, methods } from "./helpers";

const suite = engineSuite("feeds");
const DAY_S = 86_400;

let feeds: FeedServer;
let bin: string;
beforeAll(async () => {
  feeds = await startFeedServer();
  bin = path.join(installed({ "pulumi-cloudlock": TARBALL }), "node_modules", ".bin");
});
afterAll(() => feeds.close());
const folders: string[] = [];
afterAll(() => folders.forEach(removeProject));

const v6 = (i: number) => `2001:db8:f00d::${i.toString(16)}`;
/** A plain-list feed of addresses `from`..`from+n-1`, with a header block and trailing comments. */
const plainFeed = (n: number, from = 0) =>
  "# Test feed\n# Updated: today\n" +
  Array.from({ length: n }, (_, i) => `${v6(from + i)} ; T-${from + i}`).join("\n") +
  "\n";

const writes = () => {
  const m = methods(suite.emu);
  return (m.POST ?? 0) + (m.PUT ?? 0) + (m.DELETE ?? 0);
};
const output = (r: CliResult) => r.stdout + r.stderr;

/** A project folder of the route, its stack configured for the emulator and a feed at `feedPath`. */
async function routeProject(route: "sdk" | "yaml", feedPath: string): Promise<Project> {
  const { emu } = suite;
  if (route === "sdk") {
    const dir = projectFolder("examples/feeds/threat-feed", "threat-feed");
    folders.push(dir);
    return project(dir, "dev", {
      "cloudlock:apiUrl": emu.apiUrl,
      "cloudlock:apiToken": TOKEN,
      "cloudlock-feed-threats:feedUrl": feeds.at(feedPath),
    });
  }
  const dir = projectFolder("examples/feeds/yaml", "feed-yaml", { deps: { "pulumi-cloudlock": TARBALL } });
  folders.push(dir);
  return project(
    dir,
    "dev",
    {
      "cloudlock:apiUrl": emu.apiUrl,
      "cloudlock:apiToken": TOKEN,
      "cloudlock-feed-yaml:feedUrl": feeds.at(feedPath),
    },
    { PATH: [path.join(pulumiRoot({ yaml: true }), "bin"), bin, process.env.PATH].join(path.delimiter) },
  );
}

describe.each(["sdk", "yaml"] as const)("%s route", (route) => {
  const feedPath = `/${route}/drop.txt`;
  let p: Project;

  test("up, a clean preview, +10 -5 previewed as exactly that, a TTL that sends no write a day later and extends past half", async () => {
    const { emu } = suite;
    emu.reset();
    feeds.put(feedPath, plainFeed(100));
    p = await routeProject(route, feedPath);
    const up = await p.ok(["up", "--yes"]);
    expect(emu.entries("suspicious")).toHaveLength(100);
    expect(output(up)).toMatch(
      /feed example-drop \(http:\/\/127\.0\.0\.1:\d+\/\w+\/drop\.txt\): \d+ bytes, sha256:[0-9a-f]{16}, read \S+; 100 record\(s\) became 100 entries/,
    );
    const first = emu.entries("suspicious").find((e) => e.ip_address === v6(7))!;
    expect(first).toMatchObject({ name: "Threat feed", description: "T-7", categories: ["threat-feed"] });

    // Unchanged feed: no change, though the read (its time) differs.
    emu.clearRequests();
    await p.ok(["preview", "--expect-no-changes", "--diff"]);
    expect(writes()).toBe(0);

    // +10 -5.
    feeds.put(feedPath, plainFeed(105, 5));
    const change = await p.ok(["preview", "--diff"]);
    const text = output(change);
    expect(text).toMatch(
      /SuspiciousIpSet: \+10 added: 2001:db8:f00d::64, .*; -5 removed: 2001:db8:f00d::, 2001:db8:f00d::1, 2001:db8:f00d::2, 2001:db8:f00d::3, 2001:db8:f00d::4/,
    );
    emu.clearRequests();
    await p.ok(["up", "--yes"]);
    expect(methods(emu)).toMatchObject({ POST: 10, DELETE: 1 });
    expect(methods(emu).PUT ?? 0).toBe(0);
    expect(emu.entries("suspicious")).toHaveLength(105);

    // A day later: nothing to write.
    emu.advanceClock(DAY_S);
    emu.clearRequests();
    await p.ok(["preview", "--expect-no-changes"]);
    await p.ok(["up", "--yes"]);
    expect(writes()).toBe(0);

    // 16 days after the first up: less than half of 30 days left for every entry, each extended once.
    emu.advanceClock(15 * DAY_S);
    emu.clearRequests();
    await p.ok(["up", "--yes"]);
    expect(methods(emu).PUT).toBe(105);
    for (const e of emu.entries("suspicious"))
      expect(Date.parse(e.expires_on!) - emu.now()).toBeGreaterThan(28 * DAY_S * 1000);
    emu.clearRequests();
    await p.ok(["preview", "--expect-no-changes"]);
  });

  test.each([
    [
      "an empty feed",
      () => feeds.put(feedPath, ""),
      /feed example-drop is empty \(0 bytes, no line holds an address\); a feed never empties a set/,
    ],
    [
      "a 500",
      () => feeds.put(feedPath, { status: 500, body: "down" }),
      /feed example-drop \(http:\/\/127\.0\.0\.1:\d+\/\w+\/drop\.txt\): the server answered 500 Internal Server Error/,
    ],
    [
      "a truncated body",
      () => feeds.put(feedPath, { body: plainFeed(105, 5), truncateAt: 300 }),
      /feed example-drop \(\S+\): the body was cut short/,
    ],
  ])("%s fails preview, said once, with nothing written", async (_what, arrange, message) => {
    arrange();
    suite.emu.clearRequests();
    const r = await p.run(["preview"]);
    const said = message.exec(output(r));
    expect(said).not.toBeNull();
    // Once under Diagnostics, no stack trace, and never the feed's whole value beside it.
    expectClean(r, said![0]);
    expect(output(r)).not.toContain("value {map[");
    expect(writes()).toBe(0);
    expect(suite.emu.entries("suspicious")).toHaveLength(105);
  });

  test("an 80% drop fails preview with its content id; the allowance for that content passes preview and up", async () => {
    const { emu } = suite;
    feeds.put(feedPath, plainFeed(21, 5));
    emu.clearRequests();
    const r = await p.run(["preview"]);
    expect(r.code).not.toBe(0);
    const m =
      /would change 84 of the set's 105 entries \(80%: -84 removed\), more than maxChange 25%\. .*CLOUDLOCK_ALLOW_LARGE_CHANGE=(sha256:[0-9a-f]{16}) pulumi up/.exec(
        output(r),
      );
    expect(m).not.toBeNull();
    expect(writes()).toBe(0);
    const allow = { CLOUDLOCK_ALLOW_LARGE_CHANGE: m![1] };
    await p.ok(["preview"], allow);
    await p.ok(["up", "--yes"], allow);
    expect(emu.entries("suspicious")).toHaveLength(21);
    // The allowance names that content only: another drop is refused again.
    feeds.put(feedPath, plainFeed(3, 5));
    expect((await p.run(["preview"], allow)).code).not.toBe(0);
  });
});

test("examples/feeds/published-ranges: a JSON selector with filters into a TrustedIpSet, then a clean preview", async () => {
  const { emu } = suite;
  emu.reset();
  const dir = projectFolder("examples/feeds/published-ranges", "published-ranges");
  folders.push(dir);
  const p = await project(dir, "dev", { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN });
  await p.ok(["up", "--yes"]);
  const byAddress = Object.fromEntries(emu.entries("trusted").map((e) => [e.ip_address, e.name]));
  expect(byAddress).toEqual({
    "203.0.113.0/27": "Example SaaS api (eu)",
    "203.0.113.32/27": "Example SaaS api (us)",
    "2001:db8:5aa5::/48": "Example SaaS api (eu)",
  });
  await p.ok(["preview", "--expect-no-changes"]);
  expect(fs.existsSync(path.join(dir, "ranges.json"))).toBe(true);
});
