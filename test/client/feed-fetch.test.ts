/**
 * Reading a feed's bytes (provider/feed/fetch.ts) from a local feed server and from files: each way a read can
 * fail is one `feed-source` error naming the feed, and the URL rule is the API's.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hopProblem, readFeed } from "../../provider/feed/fetch";
import { isExpectedError } from "../../provider/client/errors";
import { type FeedServer, startFeedServer } from "../helpers/feed-server";
import { rejection } from "../helpers/runtime";

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(() => feeds.close());

const BODY = "# a list\n192.0.2.1\n192.0.2.2 ; two\n";

test("a URL: the body, its size and content id (the same content, the same id)", async () => {
  feeds.put("/ok.txt", BODY);
  const a = await readFeed({ url: feeds.at("/ok.txt") }, "ok");
  expect(a).toMatchObject({ source: feeds.at("/ok.txt"), text: BODY, bytes: BODY.length });
  expect(a.hash).toMatch(/^sha256:[0-9a-f]{16}$/);
  expect((await readFeed({ url: feeds.at("/ok.txt") }, "ok")).hash).toBe(a.hash);
  feeds.put("/ok.txt", BODY + "192.0.2.3\n");
  expect((await readFeed({ url: feeds.at("/ok.txt") }, "ok")).hash).not.toBe(a.hash);
});

test.each<[string, { body: string; status?: number; truncateAt?: number }, RegExp]>([
  [
    "an error answer",
    { status: 500, body: "oops" },
    /^feed f \(http:\/\/127\.0\.0\.1:\d+\/f\): the server answered 500 Internal Server Error\. Nothing was written to Cloudlock and the set keeps its entries/,
  ],
  [
    "a body cut short",
    { body: BODY.repeat(50), truncateAt: 40 },
    /^feed f \(http:\/\/127\.0\.0\.1:\d+\/f\): the body was cut short/,
  ],
  [
    "a body over the size bound",
    { body: BODY.repeat(50) },
    /^feed f \(\S+\): the feed is larger than maxBytes \(1750 bytes, bound 100\)\. .*raise maxBytes/,
  ],
])("%s is one expected error naming the feed", async (_what, answer, message) => {
  feeds.put("/f", answer);
  const e = await rejection(
    readFeed({ url: feeds.at("/f"), maxBytes: answer.truncateAt ? undefined : 100 }, "f"),
  );
  expect(isExpectedError(e)).toBe(true);
  expect(e.message).toMatch(message);
  expect(e.stack).not.toMatch(/\n\s+at /);
});

test("no answer within the time bound", async () => {
  feeds.put("/hang", { hang: true });
  const e = await rejection(readFeed({ url: feeds.at("/hang"), timeoutSeconds: 0.2 }, "slow"));
  expect(e.message).toMatch(/^feed slow \(\S+\): no complete answer within 0.2 s\. .*raise timeoutSeconds/);
});

test("the URL rule is the API's: plain http beyond this machine, other schemes and credentials are refused unread", async () => {
  const refused = async (url: string) => (await rejection(readFeed({ url }, "x"))).message;
  expect(await refused("http://feeds.example/drop.txt")).toMatch(
    /plain http to a non-loopback host; use https/,
  );
  expect(await refused("ftp://feeds.example/drop.txt")).toMatch(/must use https/);
  expect(await refused(`http://user:secret@127.0.0.1:1/x`)).toMatch(/holds credentials/);
  expect(await refused(`http://user:secret@127.0.0.1:1/x`)).not.toContain("secret");
  // A query may hold a key: messages mask it.
  feeds.put("/q", { status: 404 });
  const e = await rejection(readFeed({ url: feeds.at("/q?key=s3cret") }, "q"));
  expect(e.message).not.toContain("s3cret");
});

test("a redirect is followed only where the rule allows", async () => {
  feeds.put("/ok.txt", BODY);
  feeds.put("/moved", { status: 302, location: "/ok.txt" });
  expect((await readFeed({ url: feeds.at("/moved") }, "m")).text).toBe(BODY);
  feeds.put("/away", { status: 301, location: "http://feeds.example/drop.txt" });
  expect((await rejection(readFeed({ url: feeds.at("/away") }, "m"))).message).toMatch(
    /^feed m \(\S+\): the URL http:\/\/feeds.example\/drop.txt uses plain http to a non-loopback host/,
  );
  feeds.put("/loop", { status: 302, location: "/loop" });
  expect((await rejection(readFeed({ url: feeds.at("/loop") }, "m"))).message).toMatch(
    /more than 5 redirects/,
  );
  // A 3xx without a Location is an error answer.
  feeds.put("/nowhere", { status: 302 });
  expect((await rejection(readFeed({ url: feeds.at("/nowhere") }, "m"))).message).toMatch(/answered 302/);
});

test("files: a path, a relative file: URL, an absolute one; a missing file is named", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "feed-"));
  const file = path.join(dir, "drop.txt");
  fs.writeFileSync(file, BODY);
  expect((await readFeed({ file }, "d")).text).toBe(BODY);
  expect((await readFeed({ url: `file://${file}` }, "d")).text).toBe(BODY);
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    expect((await readFeed({ url: "file:drop.txt" }, "d")).text).toBe(BODY);
    expect((await readFeed({ file: "drop.txt" }, "d")).text).toBe(BODY);
  } finally {
    process.chdir(cwd);
  }
  const e = await rejection(readFeed({ file: path.join(dir, "nope.txt") }, "d"));
  expect(e.message).toMatch(/^feed d \(\S+nope.txt\): cannot read .*nope.txt \(ENOENT\)\. Correct the path/);
  fs.rmSync(dir, { recursive: true });
});

test("a feed elsewhere cannot redirect the reader to this machine; a local feed may redirect locally", () => {
  const u = (s: string) => new URL(s);
  expect(hopProblem(u("https://feeds.example/a"), u("http://127.0.0.1:8080/admin"))).toMatch(
    /^a redirect to this machine \(http:\/\/127\.0\.0\.1:8080\/admin\) from a feed elsewhere is refused$/,
  );
  expect(hopProblem(u("https://feeds.example/a"), u("https://localhost/x"))).toBeDefined();
  expect(hopProblem(u("http://127.0.0.1:1/a"), u("http://localhost:2/b"))).toBeUndefined();
  expect(hopProblem(u("https://feeds.example/a"), u("https://cdn.example/b"))).toBeUndefined();
});
