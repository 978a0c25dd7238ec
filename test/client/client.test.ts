import { Emulator } from "../../emulator";
import {
  CloudlockClient,
  DELETE_CHUNK,
  IpEntry,
  isApiError,
  isAuthenticationError,
  isBadRequestError,
  isCloudlockError,
  isConnectionError,
  isNotFoundError,
  isPermissionDeniedError,
  isRateLimitError,
  isTimeoutError,
  RateLimiter,
} from "../../provider/client";
import { READ_ONLY_TOKEN, TOKEN, addresses, clientFor, startEmulator } from "../helpers/emulator";
import { logged } from "../helpers/requests";

let emu: Emulator;
let client: CloudlockClient;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  emu.setKnobs({ rateLimit: null });
  client = clientFor(emu);
});
afterEach(() => client.close());

/** Run fn and return what it throws (failing if it does not). */
async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("endpoints", () => {
  test("create returns the full entry with server-computed fields", async () => {
    const e = await client.suspicious.create({
      name: "Bar foo",
      description: "Lorem ipsum",
      ip_address: "3.3.3.97",
      categories: ["foo", "bar"],
      expires_on: "2096-01-02T15:52:24.677313+00:00",
    });
    expect(e.pk).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(e).toMatchObject({
      type: "suspicious",
      name: "Bar foo",
      ip_address: "3.3.3.97",
      categories: ["foo", "bar"],
    });
    expect(e.expires_on).toBe("2096-01-02T15:52:24.677313+00:00");
    expect(e.location).toEqual(expect.any(String));
    expect(e.created_on).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(emu.entries("suspicious")).toEqual([e]);
  });

  test("trusted entries refuse expires_on before sending", async () => {
    const err = await thrown(() =>
      client.trusted.create({ name: "x", ip_address: "1.2.3.4", expires_on: "2096-01-01" }),
    );
    expect(isCloudlockError(err) && !isApiError(err)).toBe(true);
    expect(emu.requests().counters.total).toBe(0);
  });

  test("update sends only accepted fields and returns the entry", async () => {
    const e = await client.trusted.create({ name: "HQ", ip_address: "198.51.100.0/24" });
    const u = await client.trusted.update(e.pk, {
      name: "HQ Berlin",
      categories: ["office"],
      description: undefined,
    });
    expect(u).toMatchObject({ pk: e.pk, name: "HQ Berlin", categories: ["office"] });
    expect(emu.requests().log.at(-1)).toMatchObject({
      method: "PUT",
      route: "PUT /ip/trusted/{id}",
      status: 200,
    });
  });

  test("update refuses fields the collection's PUT does not accept, before any request", async () => {
    const err = await thrown(() => client.suspicious.update("abcdefghij", { name: "renamed" }));
    expect(err.message).toMatch(/suspicious entries cannot change name in place/);
    expect(emu.requests().counters.total).toBe(0);
  });

  test("update of an unknown id is a NotFoundError", async () => {
    const err = await thrown(() => client.trusted.update("nosuchid00", { description: "x" }));
    expect(isNotFoundError(err)).toBe(true);
    expect(err.message).toContain("PUT /ip/trusted/nosuchid00 returned 404 Not Found");
  });

  test("delete chunks long id lists", async () => {
    const made = emu.seed(
      "trusted",
      addresses(120).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
    await client.trusted.delete(made.map((e) => e.pk));
    expect(emu.entries("trusted")).toHaveLength(0);
    const deletes = logged(emu, { method: "DELETE" });
    expect(deletes).toHaveLength(Math.ceil(120 / DELETE_CHUNK));
    for (const d of deletes) expect(d.query.length).toBeLessThan(1000);
  });

  test("delete of unknown ids succeeds (default knob)", async () => {
    await expect(client.trusted.delete(["gone000000"])).resolves.toBeUndefined();
  });

  test("User-Agent names the package and version", async () => {
    const seen: string[] = [];
    const http = await import("http");
    const srv = http.createServer((req, res) => {
      seen.push(String(req.headers["user-agent"]));
      res.end('{"limit":100,"offset":0,"total":0,"results":0,"items":[]}');
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    const c = new CloudlockClient({ apiUrl: `http://127.0.0.1:${port}/api/v2`, apiToken: TOKEN, env: {} });
    await c.trusted.listAll();
    c.close();
    srv.close();
    expect(seen[0]).toMatch(/^pulumi-cloudlock\/\d+\.\d+\.\d+ node\//);
  });
});

describe("pagination", () => {
  test("walks every page of 250+ entries with limit 100 and exact totals", async () => {
    emu.seed(
      "trusted",
      addresses(257).map((ip, i) => ({ name: `office ${i}`, ip_address: ip })),
    );
    const all = await client.trusted.listAll();
    expect(all).toHaveLength(257);
    expect(new Set(all.map((e) => e.pk)).size).toBe(257);
    const gets = logged(emu, { method: "GET" });
    expect(gets.map((g) => g.query)).toEqual([
      "?offset=0&limit=100",
      "?offset=100&limit=100",
      "?offset=200&limit=100",
    ]);
    const page = await client.trusted.page({ offset: 200 });
    expect(page).toMatchObject({ limit: 100, offset: 200, total: 257, results: 57 });
  });

  test("entries removed while paging do not make it skip others; nothing is yielded twice", async () => {
    const seeded = emu.seed(
      "trusted",
      addresses(250).map((ip, i) => ({ name: `n${i}`, ip_address: ip })),
    );
    const got: IpEntry[] = [];
    let removed: string[] = [];
    for await (const e of client.trusted.list()) {
      got.push(e);
      if (got.length === 100) {
        // Someone deletes ten entries of the first page: later entries shift left by ten.
        removed = seeded.slice(0, 10).map((s) => s.pk);
        emu.store.remove("trusted", removed);
      }
    }
    const ids = got.map((e) => e.pk);
    expect(new Set(ids).size).toBe(ids.length);
    const survivors = seeded.filter((s) => !removed.includes(s.pk)).map((s) => s.pk);
    for (const pk of survivors) expect(ids).toContain(pk);
  });

  test("entries added while paging are picked up by a second walk", async () => {
    emu.seed(
      "trusted",
      addresses(150).map((ip, i) => ({ name: `n${i}`, ip_address: ip })),
    );
    let added: IpEntry[] = [];
    // Added after the first page was served, before the second.
    const onPage = () => {
      if (!added.length) added = emu.seed("trusted", [{ name: "late", ip_address: "9.9.9.9" }]);
    };
    const got = (await client.trusted.listAll({}, { onPage })).map((e) => e.pk);
    expect(got).toContain(added[0].pk);
    expect(new Set(got).size).toBe(151);
  });

  test("search: q and name are sent and filtered server-side", async () => {
    emu.seed("trusted", [
      { name: "Berlin office", ip_address: "198.51.100.1", categories: ["office"] },
      { name: "VPN", ip_address: "198.51.100.2", categories: ["vpn"] },
      { name: "Dublin office", ip_address: "203.0.113.5", categories: ["office"] },
    ]);
    expect((await client.trusted.listAll({ q: "office" })).map((e) => e.name).sort()).toEqual([
      "Berlin office",
      "Dublin office",
    ]);
    expect((await client.trusted.listAll({ q: "198.51.100" })).map((e) => e.name).sort()).toEqual([
      "Berlin office",
      "VPN",
    ]);
    expect((await client.trusted.listAll({ name: "vpn" })).map((e) => e.name)).toEqual(["VPN"]);
    expect(emu.requests().log.at(-1)?.query).toBe("?name=vpn&offset=0&limit=100");
  });
});

describe("CSV import (the two samples from the spec)", () => {
  test("suspicious: ranges, quoted lists and empty TTL", async () => {
    const csv = [
      "Type,Description,TTL,IP",
      "Internal ELK,Jia Inc-20987,3/25/2096,192.168.1.15",
      "Internal ELK,Jia Inc-20555,3/24/2096,192.168.7.5-192.168.7.10",
      'SIEM,SF 00005958,,"10.136.0.11,10.45.160.1,10.152.128.155"',
    ].join("\n");
    await client.suspicious.importCsv(csv);
    const all = await client.suspicious.listAll();
    expect(all.map((e) => [e.name, e.ip_address, e.categories, e.expires_on?.slice(0, 10) ?? null])).toEqual([
      ["Internal ELK", "192.168.1.15", ["Internal ELK"], "2096-03-25"],
      ["Internal ELK", "192.168.7.5-192.168.7.10", ["Internal ELK"], "2096-03-24"],
      ["SIEM", "10.136.0.11", ["SIEM"], null],
      ["SIEM", "10.45.160.1", ["SIEM"], null],
      ["SIEM", "10.152.128.155", ["SIEM"], null],
    ]);
    expect(emu.requests().log[0]).toMatchObject({
      method: "POST",
      route: "POST /ip/suspicious",
      status: 200,
    });
  });

  test("trusted: names, types as categories", async () => {
    const csv = [
      "Name,Description,Type,Ip",
      "Brussel Office,Range IPs of Brussel Office,Remote office,192.168.7.5-192.168.7.10",
      "Germany Office,Single IP of Germany Office,Remote office,192.168.15.68",
      'Spain Office,Multiple IPs of Spain office,Remote office,"10.136.0.11,10.45.160.1,10.152.128.155"',
      "Lucidchart,Dev tool,Remote App,198.168.1.65",
    ].join("\n");
    await client.trusted.importCsv(csv);
    const all = await client.trusted.listAll();
    expect(all.map((e) => [e.name, e.ip_address, e.categories])).toEqual([
      ["Brussel Office", "192.168.7.5-192.168.7.10", ["Remote office"]],
      ["Germany Office", "192.168.15.68", ["Remote office"]],
      ["Spain Office", "10.136.0.11", ["Remote office"]],
      ["Spain Office", "10.45.160.1", ["Remote office"]],
      ["Spain Office", "10.152.128.155", ["Remote office"]],
      ["Lucidchart", "198.168.1.65", ["Remote App"]],
    ]);
  });

  test("a bad row fails the whole import with its line number", async () => {
    const err = await thrown(() =>
      client.trusted.importCsv("Name,Description,Type,Ip\nA,d,t,1.2.3.4\nB,d,t,nope\n"),
    );
    expect(isBadRequestError(err)).toBe(true);
    expect(err.message).toMatch(/CSV line 3: field "ip_address"/);
    expect(emu.entries("trusted")).toHaveLength(0);
  });
});

describe("errors", () => {
  test("400 carries the server's message, field-specific", async () => {
    const err = await thrown(() => client.trusted.create({ name: "x", ip_address: "10.0.0.300" }));
    expect(isBadRequestError(err)).toBe(true);
    expect(err.message).toMatch(
      /POST \/ip\/trusted returned 400 Bad Request: field "ip_address": "10.0.0.300"/,
    );
  });

  test("401 for a wrong token, without the token in the text", async () => {
    const secret = "wrong-token-abcdef-SECRET";
    const c = clientFor(emu, { apiToken: secret });
    const err = await thrown(() => c.trusted.listAll());
    c.close();
    expect(err).toMatchObject({ status: 401, kind: "AuthenticationError" });
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(secret);
  });

  test("a 401 names the URL and where the token came from; later requests of the client are not sent", async () => {
    const secret = "wrong-token-abcdef-SECRET";
    const c = clientFor(emu, {
      apiToken: secret,
      tokenSource: {
        from: "the environment variable CLOUDLOCK_API_TOKEN",
        how: "export CLOUDLOCK_API_TOKEN=<token>",
      },
    });
    emu.clearRequests();
    const first = await thrown(() => c.trusted.listAll());
    expect(first.message).toBe(
      "Cloudlock API GET /ip/trusted?offset=0&limit=100 returned 401 Unauthorized: the access token is invalid. " +
        `${emu.apiUrl} did not accept the API token from the environment variable CLOUDLOCK_API_TOKEN. Create a ` +
        "token in Cloudlock (Settings > Authentication & API > Generate) for the tenant of that URL, and set it: " +
        "export CLOUDLOCK_API_TOKEN=<token>.",
    );
    // The token cannot change within a client: another request would only be refused again.
    const second = await thrown(() => c.suspicious.create({ name: "x", ip_address: "192.0.2.1" }));
    c.close();
    expect(isAuthenticationError(second)).toBe(true);
    expect(second.message).toMatch(
      /^Cloudlock API POST \/ip\/suspicious was not sent: Cloudlock refused this API token earlier in this run \(401 on GET \/ip\/trusted\?offset=0&limit=100\)\./,
    );
    expect(emu.requests().counters.total).toBe(1);
    expect(`${first.message} ${second.message} ${first.stack} ${second.stack}`).not.toContain(secret);
  });

  test("403 for a write with a read-only token; reads still work", async () => {
    const c = clientFor(emu, { apiToken: READ_ONLY_TOKEN });
    await expect(c.trusted.listAll()).resolves.toEqual([]);
    const err = await thrown(() => c.trusted.create({ name: "x", ip_address: "1.2.3.4" }));
    c.close();
    expect(isPermissionDeniedError(err)).toBe(true);
    expect(err.message).toMatch(/read-only/);
  });

  test("a 404 of an endpoint (a wrong API URL) says to correct the URL, not to refresh", async () => {
    const wrong = clientFor(emu, { apiUrl: emu.apiUrl.replace(/\/api\/v2$/, "/api") });
    const err = await thrown(() => wrong.trusted.listAll());
    expect(isNotFoundError(err)).toBe(true);
    expect(err.message).toContain(
      `The API has no such endpoint: correct the API URL (${emu.apiUrl.replace(/\/api\/v2$/, "/api")}, which does ` +
        "not end in /api/v2); it should be https://<server>/api/v2.",
    );
    expect(err.message).not.toMatch(/pulumi refresh/);
    wrong.close();
  });

  test("a 404 of an entry at the right URL: refresh, then up", async () => {
    const err = await thrown(() => client.trusted.update("nosuchid00", { description: "x" }));
    expect(err.message).toMatch(/404 Not Found.*\. Run `pulumi refresh`, then `pulumi up`\.$/);
  });

  test("404 for an unknown route is an ApiError", async () => {
    const err = await thrown(() => client.request("GET", "/ip/unknown"));
    expect(err).toMatchObject({ status: 404, kind: "NotFoundError" });
  });

  test("5xx after retries is a ServerError; GET was retried", async () => {
    emu.setKnobs({ errorRate: 1 });
    const err = await thrown(() => client.trusted.listAll());
    expect(err).toMatchObject({ kind: "ServerError" });
    expect(client.stats()).toMatchObject({ requests: 6, retries: 5, failures: 1 });
  });

  test("POST is not retried on 5xx", async () => {
    emu.setKnobs({ errorRate: 1 });
    const err = await thrown(() => client.trusted.create({ name: "x", ip_address: "1.2.3.4" }));
    expect(isApiError(err) && err.status >= 500).toBe(true);
    expect(emu.requests().counters.byMethod).toEqual({ POST: 1 });
  });

  test("PUT and DELETE are retried on 5xx and succeed once the server recovers", async () => {
    const [e] = emu.seed("trusted", [{ name: "a", ip_address: "1.2.3.4" }]);
    emu.setKnobs({ errorRate: 0.5, seed: 7 });
    await client.trusted.update(e.pk, { description: "changed" });
    await client.trusted.delete([e.pk]);
    expect(emu.entries("trusted")).toHaveLength(0);
  });

  test("a dropped connection is a ConnectionError for POST (no retry), retried for GET", async () => {
    emu.setKnobs({ dropRate: 1 });
    const err = await thrown(() => client.trusted.create({ name: "x", ip_address: "1.2.3.4" }));
    expect(isConnectionError(err)).toBe(true);
    expect(err.message).toMatch(/^Cloudlock API POST \/ip\/trusted failed: network error/);
    expect(emu.requests().counters.byMethod.POST).toBe(1);
    emu.setKnobs({ dropRate: 0.5, seed: 3 });
    await expect(client.trusted.listAll()).resolves.toEqual([]);
  });

  test("a hung server times out with a clear message", async () => {
    emu.setKnobs({ hangRate: 1 });
    const c = clientFor(emu, { timeoutMs: 200, retry: { retries: 1 } });
    const err = await thrown(() => c.trusted.listAll());
    c.close();
    expect(isTimeoutError(err)).toBe(true);
    expect(err.message).toMatch(
      /^Cloudlock API GET \/ip\/trusted\?offset=0&limit=100 failed: no response within 200 ms \(gave up after 2 attempts in 0\.\d s\)\. Check that the server answers/,
    );
    expect(emu.requests().counters.faults.hang).toBe(2);
  });

  test("a call never outlasts the retry budget: the last attempt is cut to what remains", async () => {
    emu.setKnobs({ hangRate: 1 });
    const c = clientFor(emu, { timeoutMs: 300, retry: { retries: 10, maxTotalMs: 700 } });
    const err = await thrown(() => c.trusted.listAll());
    c.close();
    expect(isTimeoutError(err)).toBe(true);
    // 300 + backoff + 300 + backoff + the rest: never 11 attempts of 300 ms (counted, not timed: no race with a loaded machine).
    expect(emu.requests().counters.faults.hang).toBeLessThanOrEqual(3);
  });

  test("connection refused is retried even for POST (nothing was sent)", async () => {
    const dead = await startEmulator();
    const url = dead.apiUrl;
    await dead.close();
    const c = new CloudlockClient({
      apiUrl: url,
      apiToken: TOKEN,
      env: {},
      retry: { retries: 2, backoffBaseMs: 1 },
    });
    const err = await thrown(() => c.trusted.create({ name: "x", ip_address: "1.2.3.4" }));
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(c.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  test("empty and non-JSON error bodies still make clear errors", async () => {
    const http = await import("http");
    const bodies = ["", "<html>Bad gateway</html>", "plain text oops"];
    const srv = http.createServer((_req, res) => {
      res.writeHead(400);
      res.end(bodies.shift());
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const c = new CloudlockClient({
      apiUrl: `http://127.0.0.1:${(srv.address() as { port: number }).port}/api/v2`,
      apiToken: TOKEN,
      env: {},
    });
    const a = await thrown(() => c.trusted.listAll());
    const b = await thrown(() => c.trusted.listAll());
    const d = await thrown(() => c.trusted.listAll());
    c.close();
    srv.close();
    // Nothing of the HTML body: the status, then the table's fix (provider/problems.ts).
    expect(a.message).toMatch(
      /^Cloudlock API GET \/ip\/trusted\?offset=0&limit=100 returned 400 Bad Request\. [^<]*$/,
    );
    expect(b.message).toBe(a.message);
    expect(d.message).toMatch(/400 Bad Request: plain text oops\. Change the value/);
  });

  test("a server that echoes the token back has it masked", async () => {
    const http = await import("http");
    const srv = http.createServer((req, res) => {
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ message: `bad header ${req.headers.authorization}` }));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const c = new CloudlockClient({
      apiUrl: `http://127.0.0.1:${(srv.address() as { port: number }).port}/api/v2`,
      apiToken: TOKEN,
      env: {},
    });
    const err = await thrown(() => c.trusted.listAll());
    c.close();
    srv.close();
    expect(err.message).toContain("bad header Bearer [token]");
    expect(err.message).not.toContain(TOKEN);
  });

  test("the token is not enumerable on the client", () => {
    const util = require("util");
    expect(util.inspect(client, { depth: 6 })).not.toContain(TOKEN);
    expect(util.inspect(client, { depth: 6, showHidden: false })).toContain("apiUrl");
    expect(
      JSON.stringify(Object.entries(client).filter(([k]) => k !== "suspicious" && k !== "trusted")),
    ).not.toContain(TOKEN);
  });
});

describe("rate limits", () => {
  test("429 with Retry-After: waits and succeeds, POST included", async () => {
    emu.setKnobs({ rateLimit: { perSecond: 2, burst: 1 } });
    const seen: (number | undefined)[] = [];
    const limiter = new RateLimiter({ perSecond: 1000 });
    limiter.throttled = (ms) => void seen.push(ms);
    const c = clientFor(emu, { limiter });
    await c.trusted.create({ name: "a", ip_address: "1.1.1.1" });
    await c.trusted.create({ name: "b", ip_address: "1.1.1.2" }); // bounced once, then retried
    c.close();
    expect(emu.entries("trusted")).toHaveLength(2);
    expect(emu.requests().counters.byStatus["429"]).toBeGreaterThanOrEqual(1);
    expect(seen[0]).toBe(1000);
    expect(isRateLimitError(undefined)).toBe(false);
  });

  test("time queued behind the pacing limiter does not count against the time bound: a POST still gets its time", async () => {
    // A queue of 10 minutes per request (a moved clock, not a real wait) against a 5 s bound: before, the POST was
    // sent with 1 ms to answer and given up on, though the server applied it.
    let offset = 0;
    const realNow = Date.now.bind(Date);
    const now = jest.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
    const limiter = new RateLimiter({ perSecond: 1000 });
    const take = limiter.take.bind(limiter);
    limiter.take = async () => {
      await take();
      offset += 10 * 60_000;
    };
    try {
      const c = clientFor(emu, { limiter, retry: { maxTotalMs: 5_000 } });
      const made = await c.trusted.create({ name: "queued", ip_address: "198.51.100.77" });
      c.close();
      expect(emu.entries("trusted").map((e) => e.pk)).toEqual([made.pk]);
    } finally {
      now.mockRestore();
    }
  });

  test("429 without Retry-After: exponential backoff until it passes", async () => {
    emu.setKnobs({ rateLimit: { perSecond: 20, burst: 1 }, retryAfterHeader: false });
    const c = clientFor(emu, { retry: { backoffBaseMs: 40, retries: 8 } });
    await c.trusted.listAll();
    await c.trusted.listAll();
    c.close();
    const s = c.stats();
    expect(s.failures).toBe(0);
    expect(s.retries).toBeGreaterThanOrEqual(1);
    expect(logged(emu, { status: 429 }).length).toBe(s.retries);
  });

  test("a persistent 429 ends in a RateLimitError carrying Retry-After", async () => {
    emu.setKnobs({ rateLimit: { perSecond: 0.001, burst: 1 } });
    await client.trusted.listAll();
    const err = await thrown(() => client.trusted.listAll());
    expect(isRateLimitError(err)).toBe(true);
    expect((err as unknown as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(60_000);
  });
});

test("request accounting counts by method and route", async () => {
  const e = await client.trusted.create({ name: "a", ip_address: "1.1.1.1" });
  await client.trusted.update(e.pk, { description: "d" });
  await client.trusted.listAll();
  await client.trusted.delete([e.pk]);
  expect(client.stats()).toEqual({
    requests: 4,
    byMethod: { POST: 1, PUT: 1, GET: 1, DELETE: 1 },
    byRoute: {
      "POST /ip/trusted": 1,
      "PUT /ip/trusted/{id}": 1,
      "GET /ip/trusted": 1,
      "DELETE /ip/trusted": 1,
    },
    retries: 0,
    failures: 0,
  });
  client.resetStats();
  expect(client.stats().requests).toBe(0);
});
