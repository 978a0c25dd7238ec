import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fetch from "node-fetch";
import { Emulator } from "../../emulator";
import { parseArgs } from "../../emulator/cli";
import { READ_ONLY_TOKEN, TOKEN, addresses, startEmulator } from "../helpers/emulator";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const auth = { Authorization: `Bearer ${TOKEN}` };

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.apiUrl}${p}`, {
    method,
    headers: { ...auth, ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe("list", () => {
  beforeEach(() => {
    emu.seed(
      "suspicious",
      addresses(60).map((ip, i) => ({ name: `feed ${i}`, ip_address: ip, categories: ["TOR network"] })),
    );
  });

  test("envelope and the documented default limit of 50", async () => {
    const r = await call("GET", "/ip/suspicious");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ limit: 50, offset: 0, total: 60, results: 50 });
    expect(r.body.items).toHaveLength(50);
    expect(r.body.items[0]).toEqual(
      expect.objectContaining({ pk: expect.any(String), type: "suspicious", location: expect.any(String) }),
    );
  });

  test("limit and offset", async () => {
    const r = await call("GET", "/ip/suspicious?limit=100&offset=55");
    expect(r.body).toMatchObject({ limit: 100, offset: 55, total: 60, results: 5 });
  });

  test.each([
    ["limit=101", /"limit" must be an integer from 1 to 100/],
    ["limit=0", /"limit"/],
    ["limit=abc", /"limit"/],
    ["offset=-1", /"offset" must be an integer >= 0/],
    ["offset=1.5", /"offset"/],
    ["page=2", /unknown query parameter "page"/],
  ])("?%s → 400", async (qs, msg) => {
    const r = await call("GET", `/ip/suspicious?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(msg);
  });

  test("q matches name, location, ip_address or categories; name only the name", async () => {
    emu.seed("suspicious", [{ name: "Special", ip_address: "203.0.113.9", categories: ["Malicious"] }]);
    expect((await call("GET", "/ip/suspicious?q=malic")).body.total).toBe(1);
    expect((await call("GET", "/ip/suspicious?q=203.0.113")).body.total).toBe(1);
    expect((await call("GET", "/ip/suspicious?q=tor%20net")).body.total).toBe(60);
    expect((await call("GET", "/ip/suspicious?name=special")).body.total).toBe(1);
    expect((await call("GET", "/ip/suspicious?name=malicious")).body.total).toBe(0);
  });
});

describe("auth", () => {
  test("missing header, malformed header and unknown token → 401", async () => {
    for (const headers of [{}, { Authorization: "Token x" }, { Authorization: "Bearer nope" }] as Record<
      string,
      string
    >[]) {
      const res = await fetch(`${emu.apiUrl}/ip/trusted`, { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).message).toMatch(/Authorization|token/);
    }
  });
  test("read-only token: reads 200, writes 403", async () => {
    const ro = { Authorization: `Bearer ${READ_ONLY_TOKEN}` };
    expect((await call("GET", "/ip/trusted", undefined, ro)).status).toBe(200);
    const w = await call("POST", "/ip/trusted", { name: "x", ip_address: "1.2.3.4" }, ro);
    expect(w.status).toBe(403);
    expect(emu.entries("trusted")).toHaveLength(0);
  });
});

describe("create", () => {
  test("201-style success is 200 with the entry and a Location header", async () => {
    const r = await call("POST", "/ip/trusted", {
      name: "Bar foo",
      ip_address: "3.3.3.97",
      categories: ["app"],
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("location")).toBe("/ip/trusted");
    expect(r.body).toMatchObject({ name: "Bar foo", type: "trusted", description: "", categories: ["app"] });
    expect(r.body.pk).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(r.body).not.toHaveProperty("expires_on");
  });

  test.each([
    [{ ip_address: "1.2.3.4" }, /"name" is required/],
    [{ name: "  ", ip_address: "1.2.3.4" }, /"name" is required/],
    [{ name: "x" }, /"ip_address" is required/],
    [{ name: "x", ip_address: "1.2.3" }, /"ip_address": "1.2.3" is not a valid IPv4/],
    [{ name: "x", ip_address: "10.0.0.9-10.0.0.1" }, /reversed/],
    [{ name: "x", ip_address: "1.2.3.4", categories: "a,b" }, /"categories" must be a list/],
    [{ name: "x", ip_address: "1.2.3.4", categories: [""] }, /"categories"/],
    [{ name: "x", ip_address: "1.2.3.4", description: 5 }, /"description" must be a string/],
    [
      { name: "x", ip_address: "1.2.3.4", expires_on: "2020-01-01" },
      /"expires_on" is not accepted when you create a trusted/,
    ],
    [{ name: "x", ip_address: "1.2.3.4", location: "here" }, /"location" is set by the server/],
    [{ name: "x", ip_address: "1.2.3.4", colour: "red" }, /"colour" is not accepted/],
    [[1, 2], /must be a JSON object/],
  ])("trusted %j → 400", async (body, msg) => {
    const r = await call("POST", "/ip/trusted", body);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(msg);
  });

  test("suspicious expires_on must be ISO-8601", async () => {
    const r = await call("POST", "/ip/suspicious", {
      name: "x",
      ip_address: "1.2.3.4",
      expires_on: "next week",
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/"expires_on" must be an ISO-8601 timestamp/);
  });

  test("malformed JSON, wrong content type and oversized bodies → 400", async () => {
    expect((await call("POST", "/ip/trusted", "{nope")).body.message).toMatch(/malformed JSON/);
    const r = await call("POST", "/ip/trusted", '{"name":"x"}', { "Content-Type": "text/plain" });
    expect(r).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/Content-Type must be application\/json/) },
    });
    emu.setKnobs({ maxBodyBytes: 100 });
    const big = await call("POST", "/ip/trusted", { name: "x".repeat(200), ip_address: "1.2.3.4" });
    expect(big).toMatchObject({ status: 400, body: { message: "request body is larger than 100 bytes" } });
  });

  test("duplicate ip_address (canonically equal) → 400 by default; allowed with the knob", async () => {
    await call("POST", "/ip/trusted", { name: "a", ip_address: "10.0.0.1" });
    const dup = await call("POST", "/ip/trusted", { name: "b", ip_address: "10.0.0.1/32" });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toMatch(/already exists in the trusted library/);
    // Other collection is independent.
    expect((await call("POST", "/ip/suspicious", { name: "b", ip_address: "10.0.0.1" })).status).toBe(200);
    emu.setKnobs({ duplicates: "allow" });
    expect((await call("POST", "/ip/trusted", { name: "b", ip_address: "10.0.0.1/32" })).status).toBe(200);
    expect(emu.entries("trusted")).toHaveLength(2);
  });
});

describe("update", () => {
  test("per-collection allowed fields; others → 400 naming the field", async () => {
    const [s] = emu.seed("suspicious", [{ name: "S", ip_address: "1.1.1.1" }]);
    const [t] = emu.seed("trusted", [{ name: "T", ip_address: "1.1.1.1" }]);
    const bad = await call("PUT", `/ip/suspicious/${s.pk}`, { name: "renamed" });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        message: expect.stringMatching(/field "name" is not accepted when you update a suspicious entry/),
      },
    });
    const badT = await call("PUT", `/ip/trusted/${t.pk}`, { expires_on: "2099-01-01T00:00:00Z" });
    expect(badT.body.message).toMatch(/"expires_on" is not accepted when you update a trusted entry/);
    const ok = await call("PUT", `/ip/suspicious/${s.pk}`, {
      ip_address: "2.2.2.2",
      expires_on: "2099-01-02T15:52:24.677313+00:00",
      categories: [],
      description: "Still in question",
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      pk: s.pk,
      name: "S",
      ip_address: "2.2.2.2",
      categories: [],
      description: "Still in question",
    });
    expect(ok.body.updated_on > s.updated_on!).toBe(true);
    expect(ok.body.created_on).toBe(s.created_on);
    const okT = await call("PUT", `/ip/trusted/${t.pk}`, { name: "Foobar", categories: ["office"] });
    expect(okT.body).toMatchObject({ name: "Foobar", categories: ["office"] });
  });
  test("unknown id → 404; wrong method on an entry → 405", async () => {
    expect((await call("PUT", "/ip/trusted/nosuchid00", { name: "x" })).status).toBe(404);
    expect((await call("GET", "/ip/trusted/abc")).status).toBe(405);
  });
  test("changing to an address another entry has → 400", async () => {
    const [a] = emu.seed("trusted", [
      { name: "A", ip_address: "1.1.1.1" },
      { name: "B", ip_address: "1.1.1.2" },
    ]);
    expect((await call("PUT", `/ip/trusted/${a.pk}`, { ip_address: "1.1.1.2/32" })).status).toBe(400);
  });
});

describe("delete", () => {
  test("?ids= removes listed entries; the documented trailing-slash form works", async () => {
    const made = emu.seed(
      "trusted",
      addresses(3).map((ip, i) => ({ name: `t${i}`, ip_address: ip })),
    );
    expect((await call("DELETE", `/ip/trusted?ids=${made[0].pk},${made[1].pk}`)).body).toEqual({
      deleted: 2,
    });
    expect((await call("DELETE", `/ip/trusted/?ids=${made[2].pk}`)).body).toEqual({ deleted: 1 });
    expect(emu.entries("trusted")).toHaveLength(0);
  });
  test("missing ids → 400", async () => {
    expect((await call("DELETE", "/ip/trusted")).body.message).toMatch(/"ids" is required/);
  });
  test("unknown ids: ignored by default, 404 for the whole request with the knob", async () => {
    const [a] = emu.seed("trusted", [{ name: "A", ip_address: "1.1.1.1" }]);
    expect((await call("DELETE", "/ip/trusted?ids=unknown000")).status).toBe(200);
    emu.setKnobs({ unknownDeleteIds: "404" });
    const r = await call("DELETE", `/ip/trusted?ids=${a.pk},unknown000`);
    expect(r.status).toBe(404);
    expect(r.body.message).toMatch(/unknown000/);
    expect(emu.entries("trusted")).toHaveLength(1);
  });
});

describe("CSV import", () => {
  const form = (csv: string, field = "file") => {
    const b = "XyZ";
    return {
      body: `--${b}\r\nContent-Disposition: form-data; name="${field}"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${b}--\r\n`,
      headers: { "Content-Type": `multipart/form-data; boundary=${b}` },
    };
  };
  test("wrong header names the expected columns", async () => {
    const f = form("Name,Description,Type,Ip\nA,B,C,1.2.3.4\n");
    const r = await call("POST", "/ip/suspicious", f.body, f.headers);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/must have columns Type,Description,TTL,IP; missing TTL/);
  });
  test("no file field, malformed multipart, bad TTL, duplicate rows → 400 and nothing imported", async () => {
    const noFile = form("x", "other");
    expect((await call("POST", "/ip/trusted", noFile.body, noFile.headers)).body.message).toMatch(
      /no "file" field/,
    );
    expect(
      (await call("POST", "/ip/trusted", "garbage", { "Content-Type": "multipart/form-data; boundary=Q" }))
        .status,
    ).toBe(400);
    const ttl = form("Type,Description,TTL,IP\nX,Y,13/45/2096,1.2.3.4\n");
    expect((await call("POST", "/ip/suspicious", ttl.body, ttl.headers)).body.message).toMatch(
      /line 2: TTL "13\/45\/2096"/,
    );
    const dup = form('Name,Description,Type,Ip\nA,B,C,"1.2.3.4,1.2.3.4/32"\n');
    expect((await call("POST", "/ip/trusted", dup.body, dup.headers)).body.message).toMatch(/already exists/);
    expect(emu.entries("trusted")).toHaveLength(0);
    expect(emu.entries("suspicious")).toHaveLength(0);
  });
});

describe("expiry", () => {
  test("expired suspicious entries vanish from listings; the knob keeps them", async () => {
    emu.seed("suspicious", [
      { name: "old", ip_address: "1.1.1.1", expires_on: "2020-01-01T00:00:00Z" },
      { name: "soon", ip_address: "1.1.1.2", expires_on: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    expect((await call("GET", "/ip/suspicious")).body.items.map((e: { name: string }) => e.name)).toEqual([
      "soon",
    ]);
    emu.setKnobs({ clockOffsetMs: 2 * 3_600_000 });
    expect((await call("GET", "/ip/suspicious")).body.total).toBe(0);
    emu.setKnobs({ expired: "keep" });
    expect((await call("GET", "/ip/suspicious")).body.total).toBe(2);
  });
});

describe("knobs", () => {
  test("latency is added to API requests", async () => {
    emu.setKnobs({ latencyMs: 150 });
    const t0 = Date.now();
    await call("GET", "/ip/trusted");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
  test("rate limit → 429 with Retry-After, or without it", async () => {
    // One token per 1,000 s: no refill can land between these calls, however loaded the machine.
    emu.setKnobs({ rateLimit: { perSecond: 0.001, burst: 2 } });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await call("GET", "/ip/trusted")).status);
    expect(codes).toEqual([200, 200, 429]);
    const limited = await call("GET", "/ip/trusted");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(999);
    expect(limited.body.message).toMatch(/rate limit/);
    emu.setKnobs({ retryAfterHeader: false });
    await call("GET", "/ip/trusted");
    expect((await call("GET", "/ip/trusted")).headers.get("retry-after")).toBeNull();
  });
  test("error rate answers 5xx with a message; drop rate closes the socket", async () => {
    emu.setKnobs({ errorRate: 1 });
    const r = await call("GET", "/ip/trusted");
    expect([500, 502, 503]).toContain(r.status);
    expect(r.body.message).toBe("injected server error");
    emu.setKnobs({ errorRate: 0, dropRate: 1 });
    await expect(call("GET", "/ip/trusted")).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(emu.requests().counters.faults).toEqual({ error: 1, drop: 1 });
  });
  test("faults can target some methods only", async () => {
    emu.setKnobs({ errorRate: 1, faultMethods: ["POST"] });
    expect((await call("GET", "/ip/trusted")).status).toBe(200);
    expect(
      (await call("POST", "/ip/trusted", { name: "a", ip_address: "1.1.1.1" })).status,
    ).toBeGreaterThanOrEqual(500);
  });
  test("drop-after-commit applies the write, then drops the response", async () => {
    emu.setKnobs({ dropAfterCommitRate: 1 });
    await expect(call("POST", "/ip/trusted", { name: "a", ip_address: "1.1.1.1" })).rejects.toThrow();
    expect(emu.entries("trusted")).toHaveLength(1);
  });
  test("the same seed gives the same faults", async () => {
    const run = async () => {
      emu.reset();
      emu.setKnobs({ errorRate: 0.5, seed: 42 });
      const s = [];
      for (let i = 0; i < 12; i++) s.push((await call("GET", "/ip/trusted")).status >= 500);
      return s;
    };
    expect(await run()).toEqual(await run());
  });
  test("invalid knob values are refused", () => {
    expect(() => emu.setKnobs({ errorRate: 2 })).toThrow(/from 0 to 1/);
    expect(() => emu.setKnobs({ duplicates: "maybe" as "allow" })).toThrow(/duplicates/);
    expect(() => emu.setKnobs({ nope: 1 } as object)).toThrow(/unknown knob/);
  });
});

describe("control routes", () => {
  const ctl = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${emu.url}/_emulator${p}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  test("seed, entries, edit, delete, requests, knobs, reset", async () => {
    expect((await ctl("GET", "/health")).body).toEqual({ ok: true, profile: "reference" });
    const seeded = await ctl("POST", "/seed", {
      collection: "trusted",
      entries: [{ name: "A", ip_address: "1.1.1.1" }],
    });
    const pk = seeded.body.items[0].pk;
    expect(
      (await ctl("PATCH", `/entries/trusted/${pk}`, { description: "hand edit" })).body.description,
    ).toBe("hand edit");
    expect((await ctl("GET", "/entries?collection=trusted")).body.items[0].description).toBe("hand edit");
    // A field the API does not have (the SDK's spelling) is refused, naming it, and nothing changes.
    const misspelt = await ctl("PATCH", `/entries/trusted/${pk}`, { ipAddress: "2.2.2.2", name: "B" });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.message).toMatch(/^unknown field ipAddress for a trusted entry: .*ip_address/);
    expect((await ctl("GET", "/entries?collection=trusted")).body.items[0]).toMatchObject({
      name: "A",
      ip_address: "1.1.1.1",
    });
    expect((await ctl("GET", "/entries?collection=trusted")).body.items[0]).not.toHaveProperty("ipAddress");
    await call("GET", "/ip/trusted");
    const reqs = await ctl("GET", "/requests");
    expect(reqs.body.counters).toMatchObject({
      total: 1,
      byMethod: { GET: 1 },
      byRoute: { "GET /ip/trusted": 1 },
    });
    expect((await ctl("PATCH", "/knobs", { latencyMs: 5 })).body.latencyMs).toBe(5);
    expect((await ctl("PATCH", "/knobs", { latencyMs: -5 })).status).toBe(400);
    expect((await ctl("DELETE", `/entries/trusted/${pk}`)).body).toEqual({ deleted: 1 });
    await ctl("POST", "/reset");
    expect(emu.knobs.latencyMs).toBe(0);
    expect(emu.requests().counters.total).toBe(0);
    expect((await ctl("GET", "/nope")).status).toBe(404);
    expect((await ctl("GET", "/entries?collection=x")).status).toBe(400);
  });
});

test("unknown routes → 404 with a message", async () => {
  const r = await call("GET", "/ip/others");
  expect(r).toMatchObject({ status: 404, body: { message: expect.stringMatching(/no such endpoint/) } });
});

test("persists to a JSON file across restarts", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "emu-")), "state.json");
  const a = await startEmulator({ dataFile: file });
  a.seed("trusted", [{ name: "kept", ip_address: "1.1.1.1" }]);
  await a.close();
  const b = await startEmulator({ dataFile: file });
  expect(b.entries("trusted").map((e) => e.name)).toEqual(["kept"]);
  await b.close();
});

describe("command line", () => {
  test("parseArgs maps flags to knobs", () => {
    expect(
      parseArgs([
        "--port",
        "0",
        "--token",
        "demo",
        "--read-only-token",
        "ro",
        "--rate-limit",
        "5",
        "--duplicates",
        "allow",
      ]),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      tokens: [{ token: "demo" }, { token: "ro", readOnly: true }],
      data: undefined,
      knobs: { rateLimit: { perSecond: 5, burst: 10 }, duplicates: "allow" },
    });
    expect(parseArgs(["--rate-limit", "0"]).knobs.rateLimit).toBeNull();
    expect(() => parseArgs(["--latency", "x"])).toThrow(/non-negative number/);
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown option/);
  });

  test("starts as a command and serves the API", async () => {
    // The shipped command is the compiled one; `npm test` builds first (pretest).
    const cli = path.join(__dirname, "../../dist/emulator/cli.js");
    expect(fs.existsSync(cli)).toBe(true);
    const child = spawn(process.execPath, [cli, "--port", "0", "--token", "demo"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /CLOUDLOCK_API_URL=(\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const res = await fetch(`${url}/ip/trusted`, { headers: { Authorization: "Bearer demo" } });
      expect(res.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
