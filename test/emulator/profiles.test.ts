/**
 * The "lenient" profile, over real HTTP: every point the docs leave open,
 * answered the other plausible way. Each describe block proves one knob of
 * the bundle; the reference answers are in emulator.test.ts. Nothing here
 * waits for a real deadline: the emulator's clock is moved instead.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import fetch from "node-fetch";
import { DEFAULT_KNOBS, Emulator, Knobs, PROFILES } from "../../emulator";
import { parseArgs } from "../../emulator/cli";
import { knobError } from "../../emulator/knobs";
import { TOKEN, startEmulator } from "../helpers/emulator";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ profile: "lenient" });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const DAY = 86_400_000;
const FIXED = /^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/;

interface Answer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  /** The parsed body; undefined when empty or not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
  on: Emulator = emu,
): Promise<Answer> {
  const res = await fetch(`${on.apiUrl}${p}`, {
    method,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

const create = async (collection: string, body: Record<string, unknown>) => {
  const r = await call("POST", `/ip/${collection}`, body);
  expect(r.status).toBe(201);
  return r.body;
};
const listAll = async (collection: string, qs = "") =>
  (await call("GET", `/ip/${collection}?limit=100${qs ? `&${qs}` : ""}`)).body;

function form(csv: string): { body: string; headers: Record<string, string> } {
  const b = "XyZ";
  return {
    body: `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${b}--\r\n`,
    headers: { "Content-Type": `multipart/form-data; boundary=${b}` },
  };
}

describe("profile plumbing", () => {
  test("emu.profile, health, knobs: the lenient bundle on top of the defaults", async () => {
    expect(emu.profile).toBe("lenient");
    const health = await fetch(`${emu.url}/_emulator/health`);
    expect(await health.json()).toEqual({ ok: true, profile: "lenient" });
    const knobs = await (await fetch(`${emu.url}/_emulator/knobs`)).json();
    expect(knobs).toEqual({ ...DEFAULT_KNOBS, ...PROFILES.lenient, rateLimit: null });
    // Every knob of the bundle differs from the reference answer.
    for (const [k, v] of Object.entries(PROFILES.lenient))
      expect(v).not.toEqual(DEFAULT_KNOBS[k as keyof Knobs]);
    expect(PROFILES.reference).toEqual({});
  });

  test("explicit knobs override the profile; reset() restores the profile's knobs", async () => {
    const other = await startEmulator({ profile: "lenient", knobs: { pkLength: 10 } });
    try {
      expect(other.knobs.pkLength).toBe(10);
      expect(other.knobs.createReply).toBe("201-entry");
      other.setKnobs({ createReply: "200-entry", listOrder: "created" });
      other.reset();
      expect(other.knobs).toMatchObject({
        pkLength: 10,
        createReply: "201-entry",
        listOrder: "newest-first",
      });
    } finally {
      await other.close();
    }
  });

  test("an unknown profile is refused; the default is reference", async () => {
    expect(() => new Emulator({ profile: "strict" as "lenient" })).toThrow(/unknown profile "strict"/);
    expect(new Emulator().profile).toBe("reference");
  });

  test("every new knob is validated", () => {
    const bad: Array<[keyof Knobs, unknown]> = [
      ["retryAfterFormat", "minutes"],
      ["defaultExpiryDays", 0],
      ["defaultExpiryDays", "90"],
      ["addressSpelling", "canonical"],
      ["timestampStyle", "iso"],
      ["emptyFields", null],
      ["categoriesFormat", "csv"],
      ["trimStrings", "yes"],
      ["listOrder", "random"],
      ["defaultLimit", 101],
      ["defaultLimit", 0],
      ["limitOverMax", "ignore"],
      ["unknownQuery", "maybe"],
      ["envelopeResults", 1],
      ["searchCase", "fold"],
      ["extraFields", "true"],
      ["pkLength", 12],
      ["createReply", "201"],
      ["updateReply", "none"],
      ["deleteReply", "204"],
      ["importReply", "none"],
      ["updateMode", "merge"],
      ["unknownFields", "warn"],
      ["maxDeleteIds", 0],
      ["maxDeleteIds", 1.5],
      ["errorBody", "problem"],
      ["jsonCharset", "utf-8"],
    ];
    for (const [k, v] of bad) {
      expect(knobError({ [k]: v })).toMatch(new RegExp(`knob ${k} must`));
      expect(() => emu.setKnobs({ [k]: v } as Partial<Knobs>)).toThrow(new RegExp(k));
    }
    expect(knobError({ ...PROFILES.lenient })).toBeUndefined();
    expect(knobError({ defaultExpiryDays: null, maxDeleteIds: null })).toBeUndefined();
  });
});

describe("1. duplicates allowed, unknown delete ids 404, expired entries kept", () => {
  test("same address twice is accepted", async () => {
    await create("trusted", { name: "a", ip_address: "10.0.0.1" });
    await create("trusted", { name: "b", ip_address: "10.0.0.1/32" });
    expect((await listAll("trusted")).total).toBe(2);
  });
  test("an unknown id refuses the whole DELETE with 404", async () => {
    const a = await create("trusted", { name: "a", ip_address: "1.1.1.1" });
    const r = await call("DELETE", `/ip/trusted?ids=${a.pk},unknown0000`);
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/unknown0000/);
    expect(emu.entries("trusted")).toHaveLength(1);
  });
  test("an expired entry stays listed after the clock passes it", async () => {
    await create("suspicious", {
      name: "s",
      ip_address: "1.1.1.1",
      expires_on: new Date(emu.now() + 60_000).toISOString(),
    });
    emu.advanceClock(3600);
    expect((await listAll("suspicious")).total).toBe(1);
  });
});

describe("2. Retry-After as an HTTP date on the emulator clock", () => {
  test("Retry-After − Date is the wait, both on the moved clock", async () => {
    emu.setClock("2032-03-04T05:06:07Z");
    emu.setKnobs({ rateLimit: { perSecond: 0.5, burst: 1 } });
    expect((await call("GET", "/ip/trusted")).status).toBe(200);
    const r = await call("GET", "/ip/trusted");
    expect(r.status).toBe(429);
    const date = r.headers.get("date")!;
    const retry = r.headers.get("retry-after")!;
    expect(retry).toMatch(/^\w{3}, \d{2} \w{3} 2032 \d{2}:\d{2}:\d{2} GMT$/);
    expect(date).toMatch(/ 2032 /);
    expect(Date.parse(retry) - Date.parse(date)).toBe(2_000);
    expect(r.body).toEqual({ detail: "rate limit exceeded, slow down", status: 429 });
  });
});

describe("3. default expiry: now + 90 days on the emulator clock", () => {
  test("POST, CSV import and seed without expires_on get one; an explicit one is kept", async () => {
    const before = emu.now();
    const a = await create("suspicious", { name: "a", ip_address: "1.1.1.1" });
    const b = await create("suspicious", { name: "b", ip_address: "1.1.1.2", expires_on: null });
    const c = await create("suspicious", { name: "c", ip_address: "1.1.1.3", expires_on: "" });
    const d = await create("suspicious", {
      name: "d",
      ip_address: "1.1.1.4",
      expires_on: "2040-01-01T00:00:00+00:00",
    });
    const csv = form("Type,Description,TTL,IP\nSIEM,SF,,10.136.0.11\n");
    expect((await call("POST", "/ip/suspicious", csv.body, csv.headers)).status).toBe(200);
    const [seeded] = emu.seed("suspicious", [{ name: "seeded", ip_address: "1.1.1.5" }]);
    const imported = emu.entries("suspicious").find((e) => e.ip_address === "10.136.0.11")!;
    for (const e of [a, b, c, imported, seeded]) {
      const at = Date.parse(e.expires_on!);
      expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 90 * DAY);
      expect(at).toBeLessThanOrEqual(emu.now() + 90 * DAY);
    }
    expect(d.expires_on).toBe("2040-01-01T00:00:00+00:00");
    // Trusted entries have no expiry to default.
    expect((await create("trusted", { name: "t", ip_address: "1.1.1.1" })).expires_on).toBeNull();
  });

  test("the defaulted entry expires after 90 days (with hiding switched on)", async () => {
    emu.setKnobs({ expired: "hide" });
    emu.setClock("2030-01-01T00:00:00Z");
    await create("suspicious", { name: "ttl", ip_address: "1.1.1.1" });
    emu.advanceClock(89 * 86_400);
    expect((await listAll("suspicious")).total).toBe(1);
    emu.advanceClock(86_400 + 60);
    expect((await listAll("suspicious")).total).toBe(0);
  });

  test("a PUT of expires_on: null re-applies the default from the current clock", async () => {
    const a = await create("suspicious", {
      name: "a",
      ip_address: "1.1.1.1",
      expires_on: "2040-01-01T00:00:00Z",
    });
    emu.advanceClock(10 * 86_400);
    const now = emu.now();
    const r = await call("PUT", `/ip/suspicious/${a.pk}`, { ip_address: "1.1.1.1", expires_on: null });
    expect(r.status).toBe(200);
    const stored = emu.entries("suspicious")[0];
    expect(Math.abs(Date.parse(stored.expires_on!) - (now + 90 * DAY))).toBeLessThan(5_000);
  });
});

describe("4. the server's own address spelling", () => {
  test.each([
    ["10.0.0.1/32", "10.0.0.1"],
    ["10.0.0.0/24", "10.0.0.0/24"],
    ["10.0.0.5-10.0.0.5", "10.0.0.5"],
    ["10.0.0.1 - 10.0.0.9", "10.0.0.1-10.0.0.9"],
    ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["2001:db8::1/128", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["2001:db8::/32", "2001:0db8:0000:0000:0000:0000:0000:0000/32"],
    [
      "2001:db8::1-2001:db8::ff",
      "2001:0db8:0000:0000:0000:0000:0000:0001-2001:0db8:0000:0000:0000:0000:0000:00ff",
    ],
    ["2001:db8::1-2001:0DB8:0:0::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["::ffff:1.2.3.4", "0000:0000:0000:0000:0000:ffff:0102:0304"],
  ])("%s is stored and echoed as %s", async (sent, spelled) => {
    const r = await create("trusted", { name: "x", ip_address: sent });
    expect(r.ip_address).toBe(spelled);
    expect((await listAll("trusted")).items[0].ip_address).toBe(spelled);
    expect(emu.entries("trusted")[0].ip_address).toBe(spelled);
    for (const part of spelled.split(/[-/]/)) if (part.includes(":")) expect(part).toMatch(FIXED);
  });

  test("PUT respells too; duplicate detection (when rejecting) still compares sets", async () => {
    const a = await create("trusted", { name: "a", ip_address: "1.1.1.1" });
    await call("PUT", `/ip/trusted/${a.pk}`, { name: "a", ip_address: "2001:db8::/128" });
    expect(emu.entries("trusted")[0].ip_address).toBe("2001:0db8:0000:0000:0000:0000:0000:0000");
    emu.setKnobs({ duplicates: "reject" });
    const dup = await call("POST", "/ip/trusted", { name: "b", ip_address: "2001:db8::" });
    expect(dup.status).toBe(400);
    expect(dup.body.detail).toMatch(/already exists/);
  });
});

describe("5. varied timestamp styles", () => {
  test("created_on whole seconds Z, updated_on milliseconds Z, expires_on truncated to seconds +00:00", async () => {
    const r = await create("suspicious", {
      name: "a",
      ip_address: "1.1.1.1",
      expires_on: "2027-01-01T00:00:00.677313+00:00",
    });
    expect(r.created_on).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(r.updated_on).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r.expires_on).toBe("2027-01-01T00:00:00+00:00");
    emu.advanceClock(5);
    await call("PUT", `/ip/suspicious/${r.pk}`, {
      ip_address: "1.1.1.1",
      expires_on: "2028-02-03T04:05:06.999Z",
    });
    const [e] = (await listAll("suspicious")).items;
    expect(e.updated_on).toMatch(/\.\d{3}Z$/);
    expect(Date.parse(e.updated_on)).toBeGreaterThan(Date.parse(r.updated_on));
    expect(e.created_on).toBe(r.created_on);
    expect(e.expires_on).toBe("2028-02-03T04:05:06+00:00");
  });
});

describe("6. empty fields as null", () => {
  test("description null, categories left out, location null when private, trusted expires_on null", async () => {
    const priv = await create("trusted", { name: "p", ip_address: "10.1.2.3" });
    expect(priv).toMatchObject({ description: null, location: null, expires_on: null });
    expect(priv).not.toHaveProperty("categories");
    const loop = await create("trusted", { name: "l", ip_address: "127.0.0.1", description: "" });
    expect(loop).toMatchObject({ description: null, location: null });
    const pub = await create("suspicious", { name: "s", ip_address: "3.3.3.97", categories: [] });
    expect(typeof pub.location).toBe("string");
    expect(pub).not.toHaveProperty("categories");
    const listed = (await listAll("trusted")).items;
    for (const e of listed) {
      expect(e).not.toHaveProperty("categories");
      expect(e.description).toBeNull();
    }
  });
});

describe("7. categories as one string", () => {
  test("a list or a comma-separated string in; de-duplicated, sorted, joined out", async () => {
    const a = await create("trusted", {
      name: "a",
      ip_address: "1.1.1.1",
      categories: ["b", "A", "b", "areas"],
    });
    expect(a.categories).toBe("A, areas, b");
    const b = await create("trusted", {
      name: "b",
      ip_address: "1.1.1.2",
      categories: "Locations, areas,Locations",
    });
    expect(b.categories).toBe("areas, Locations");
    const bad = await call("POST", "/ip/trusted", { name: "c", ip_address: "1.1.1.3", categories: [1] });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/categories/);
    // q matches within the joined string.
    expect((await listAll("trusted", "q=areas%2C%20Loc")).total).toBe(1);
    const stored = emu.entries("trusted").find((e) => e.pk === b.pk)!;
    expect(stored.categories).toEqual(["areas", "Locations"]);
  });
});

describe("8. whitespace trimmed", () => {
  test("name trimmed and collapsed, description trimmed", async () => {
    const r = await create("trusted", {
      name: "  Bar \t  foo\n ",
      ip_address: "1.1.1.1",
      description: "  d  e  ",
    });
    expect(r.name).toBe("Bar foo");
    expect(r.description).toBe("d  e");
  });
});

describe("9. newest first", () => {
  test("listing order is by creation, newest first", async () => {
    for (const n of ["first", "second", "third"])
      await create("trusted", { name: n, ip_address: `1.1.1.${n.length}` });
    expect((await listAll("trusted")).items.map((e: { name: string }) => e.name)).toEqual([
      "third",
      "second",
      "first",
    ]);
  });
});

describe("10–12, import: answers of writes", () => {
  test("POST → 201 with Location /ip/<collection>/<pk>", async () => {
    const r = await call("POST", "/ip/suspicious", { name: "a", ip_address: "1.1.1.1" });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`/ip/suspicious/${r.body.pk}`);
  });
  test("PUT → 200 with an empty body", async () => {
    const a = await create("trusted", { name: "a", ip_address: "1.1.1.1" });
    const r = await call("PUT", `/ip/trusted/${a.pk}`, { name: "b", ip_address: "1.1.1.1" });
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    expect(r.headers.get("content-length")).toBe("0");
    expect(emu.entries("trusted")[0].name).toBe("b");
  });
  test("DELETE → 204 with no body", async () => {
    const a = await create("trusted", { name: "a", ip_address: "1.1.1.1" });
    const r = await call("DELETE", `/ip/trusted?ids=${a.pk}`);
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect(r.headers.get("content-type")).toBeNull();
    expect(emu.entries("trusted")).toHaveLength(0);
  });
  test("CSV import → 200 with an empty body", async () => {
    const f = form("Name,Description,Type,Ip\nA,B,C,1.2.3.4\n");
    const r = await call("POST", "/ip/trusted", f.body, f.headers);
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    expect(emu.entries("trusted")).toHaveLength(1);
  });
});

describe("13. problem+json errors, HTML for unknown routes", () => {
  test("errors are {detail, status} as application/problem+json", async () => {
    const r = await call("POST", "/ip/trusted", { name: "x" });
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.body).toEqual({ detail: 'field "ip_address" is required', status: 400 });
    const unauth = await call("GET", "/ip/trusted", undefined, { Authorization: "Bearer nope" });
    expect(unauth.body).toEqual({ detail: "the access token is invalid", status: 401 });
    emu.setKnobs({ errorRate: 1 });
    const five = await call("GET", "/ip/trusted");
    expect(five.body).toEqual({ detail: "injected server error", status: five.status });
  });
  test("an unknown route answers a small HTML page", async () => {
    const r = await call("GET", "/ip/others");
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.text).toMatch(/<html>.*Not Found/s);
    expect(r.body).toBeUndefined();
  });
  test("control routes keep plain {message} errors", async () => {
    const res = await fetch(`${emu.url}/_emulator/nope`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect((await res.json()).message).toMatch(/no control route/);
  });
});

describe("14–16, defaults: listing", () => {
  beforeEach(() => {
    emu.seed(
      "trusted",
      Array.from({ length: 130 }, (_, i) => ({
        name: `Office ${i}`,
        ip_address: `11.0.${Math.floor(i / 200)}.${i % 200}`,
      })),
    );
  });
  test("limit over 100 is clamped; negative or fractional is still 400", async () => {
    const r = await call("GET", "/ip/trusted?limit=500");
    expect(r.status).toBe(200);
    expect(r.body.limit).toBe(100);
    expect(r.body.items).toHaveLength(100);
    for (const bad of ["limit=-1", "limit=1.5", "limit=0", "offset=-1"])
      expect((await call("GET", `/ip/trusted?${bad}`)).status).toBe(400);
  });
  test("the envelope has no results; the default limit is 20; unknown query parameters are ignored", async () => {
    const r = await call("GET", "/ip/trusted?page=3");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(["items", "limit", "next", "offset", "total"]);
    expect(r.body).toMatchObject({ limit: 20, offset: 0, total: 130 });
    expect(r.body.items).toHaveLength(20);
  });
  test("q and name match case-sensitively", async () => {
    expect((await listAll("trusted", "name=Office%2012")).total).toBe(11); // 12, 120–129
    expect((await listAll("trusted", "name=office")).total).toBe(0);
    expect((await listAll("trusted", "q=OFFICE")).total).toBe(0);
    expect((await listAll("trusted", "q=Office")).total).toBe(130);
  });
});

describe("17. fields a client does not know", () => {
  test("entries carry org_id and source; the envelope a next link, null on the last page", async () => {
    const a = await create("trusted", { name: "a", ip_address: "1.1.1.1" });
    expect(a).toMatchObject({ org_id: "org-1", source: "api" });
    await create("trusted", { name: "b", ip_address: "1.1.1.2" });
    const first = await call("GET", "/ip/trusted?limit=1");
    expect(first.body.items[0]).toMatchObject({ org_id: "org-1", source: "api" });
    expect(first.body.next).toBe("/ip/trusted?limit=1&offset=1");
    const last = await call("GET", "/ip/trusted?limit=1&offset=1");
    expect(last.body.next).toBeNull();
    // The stored entry does not have them: they exist on the wire only.
    expect(emu.entries("trusted")[0]).not.toHaveProperty("org_id");
  });
});

describe("18–19. pk length and charset", () => {
  test("pks have 11 characters; JSON answers say charset=utf-8", async () => {
    const r = await call("POST", "/ip/trusted", { name: "a", ip_address: "1.1.1.1" });
    expect(r.body.pk).toMatch(/^[A-Za-z0-9]{11}$/);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect((await call("GET", "/ip/trusted")).headers.get("content-type")).toBe(
      "application/json; charset=utf-8",
    );
  });
});

describe("extra silences: full PUT, unknown fields ignored, delete id cap", () => {
  test("PUT is a full replacement: ip_address (and a trusted name) required, absent fields reset", async () => {
    const s = await create("suspicious", {
      name: "s",
      ip_address: "1.1.1.1",
      description: "keep me?",
      categories: ["a"],
      expires_on: "2040-01-01T00:00:00Z",
    });
    const partial = await call("PUT", `/ip/suspicious/${s.pk}`, { description: "only this" });
    expect(partial.status).toBe(400);
    expect(partial.body.detail).toMatch(/"ip_address" is required: a PUT replaces/);
    const t = await create("trusted", { name: "t", ip_address: "1.1.1.1" });
    expect((await call("PUT", `/ip/trusted/${t.pk}`, { ip_address: "1.1.1.1" })).body.detail).toMatch(
      /"name" is required/,
    );
    expect((await call("PUT", `/ip/suspicious/${s.pk}`, { ip_address: "1.1.1.1" })).status).toBe(200);
    const [e] = (await listAll("suspicious")).items;
    expect(e.description).toBeNull();
    expect(e).not.toHaveProperty("categories");
    expect(Date.parse(e.expires_on)).toBeLessThan(Date.parse("2040-01-01T00:00:00Z")); // the 90-day default
  });

  test("fields a request may not write are dropped silently, not refused", async () => {
    const r = await call("POST", "/ip/trusted", {
      name: "a",
      ip_address: "1.1.1.1",
      pk: "chosen0000",
      location: "here",
      expires_on: "2030-01-01T00:00:00Z",
      colour: "red",
    });
    expect(r.status).toBe(201);
    expect(r.body.pk).not.toBe("chosen0000");
    expect(r.body).not.toHaveProperty("colour");
    expect(r.body.expires_on).toBeNull();
    const s = await create("suspicious", { name: "s", ip_address: "2.2.2.2" });
    const put = await call("PUT", `/ip/suspicious/${s.pk}`, { ip_address: "2.2.2.2", name: "renamed" });
    expect(put.status).toBe(200);
    expect(emu.entries("suspicious")[0].name).toBe("s");
  });

  test("one DELETE carries at most 100 ids", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id${String(i).padStart(9, "0")}`).join(",");
    const r = await call("DELETE", `/ip/trusted?ids=${ids}`);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/at most 100 ids per request, got 101/);
  });
});

describe("command line", () => {
  test("--profile lenient, --profile=lenient, --knob", () => {
    expect(parseArgs(["--profile", "lenient"]).profile).toBe("lenient");
    expect(parseArgs(["--profile=lenient", "--port=0"])).toMatchObject({ profile: "lenient", port: 0 });
    expect(parseArgs([]).profile).toBeUndefined();
    expect(parseArgs(["--knob", "listOrder=newest-first", "--knob=pkLength=11"]).knobs).toEqual({
      listOrder: "newest-first",
      pkLength: 11,
    });
    expect(() => parseArgs(["--profile", "strict"])).toThrow(/--profile must be reference or lenient/);
    expect(() => parseArgs(["--knob", "pkLength=12"])).toThrow(/pkLength/);
    expect(() => parseArgs(["--knob", "nope"])).toThrow(/NAME=VALUE/);
    expect(() => parseArgs(["--no-retry-after=1"])).toThrow(/takes no value/);
  });

  test("the command starts with --profile=lenient", async () => {
    const cli = path.join(__dirname, "../../dist/emulator/cli.js");
    expect(fs.existsSync(cli)).toBe(true);
    const child = spawn(process.execPath, [cli, "--port", "0", "--profile=lenient"], {
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
      const health = await fetch(`${url.replace(/\/api\/v2$/, "")}/_emulator/health`);
      expect(await health.json()).toEqual({ ok: true, profile: "lenient" });
    } finally {
      child.kill("SIGTERM");
    }
  });
});
