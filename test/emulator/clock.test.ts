/**
 * The emulator's movable clock, over real HTTP: control routes, the Date
 * header on every answer, timestamps and expiry following it, and the rate
 * limiter staying on real time. Nothing here waits for a real deadline.
 */
import fetch from "node-fetch";
import { Emulator } from "../../emulator";
import { TOKEN, startEmulator } from "../helpers/emulator";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const HOUR = 3_600_000;

async function api(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.apiUrl}${p}`, {
    method,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function ctl(method: string, p: string, body?: unknown) {
  const res = await fetch(`${emu.url}/_emulator${p}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** The Date header as ms. */
const dateOf = (h: { get(name: string): string | null }) => Date.parse(h.get("date") ?? "");

describe("clock control", () => {
  test("GET /_emulator/clock starts at real time with no offset", async () => {
    const r = await ctl("GET", "/clock");
    expect(r.status).toBe(200);
    expect(r.body.offsetMs).toBe(0);
    expect(Math.abs(Date.parse(r.body.now) - Date.now())).toBeLessThan(2_000);
    expect(r.body.now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  test("POST advanceSeconds moves the clock; Emulator.advanceClock and now() agree", async () => {
    const r = await ctl("POST", "/clock", { advanceSeconds: 3600 });
    expect(r.status).toBe(200);
    expect(r.body.offsetMs).toBe(HOUR);
    expect(Math.abs(Date.parse(r.body.now) - (Date.now() + HOUR))).toBeLessThan(2_000);
    const now = emu.advanceClock(-1800);
    expect(Math.abs(now - (Date.now() + HOUR / 2))).toBeLessThan(2_000);
    expect(Math.abs(emu.now() - now)).toBeLessThan(2_000);
    expect((await ctl("GET", "/clock")).body.offsetMs).toBe(HOUR / 2);
  });

  test("POST set moves the clock to a moment, and it runs on from there", async () => {
    const r = await ctl("POST", "/clock", { set: "2030-05-06T07:08:09Z" });
    expect(r.status).toBe(200);
    const at = Date.parse(r.body.now);
    expect(at - Date.parse("2030-05-06T07:08:09Z")).toBeGreaterThanOrEqual(0);
    expect(at - Date.parse("2030-05-06T07:08:09Z")).toBeLessThan(2_000);
    expect(r.body.offsetMs).toBeCloseTo(Date.parse("2030-05-06T07:08:09Z") - Date.now(), -4);
    // Date header of the control answer itself is on the new clock.
    expect(r.headers.get("date")).toMatch(/^Mon, 06 May 2030 07:08:(09|1\d) GMT$/);
  });

  test.each([
    [{}, /exactly one of/],
    [{ advanceSeconds: 1, set: "2030-01-01T00:00:00Z" }, /exactly one of/],
    [{ forward: 10 }, /exactly one of/],
    [{ advanceSeconds: "10" }, /advanceSeconds must be a finite number/],
    [{ advanceSeconds: null }, /advanceSeconds must be a finite number/],
    [{ set: "next tuesday" }, /set must be an ISO-8601 timestamp/],
    [{ set: 1893456000000 }, /set must be an ISO-8601 timestamp/],
    [{ advanceSeconds: 1e15 }, /clockOffsetMs must be a number of ms within/],
    [{ set: "9999-01-01T00:00:00Z" }, /clockOffsetMs must be a number of ms within/],
    [[1], /body must be/],
    ["{nope", /malformed JSON/],
  ])("POST /_emulator/clock %j → 400", async (body, msg) => {
    const r = await ctl("POST", "/clock", body);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(msg);
    expect(emu.knobs.clockOffsetMs).toBe(0);
  });

  test("advanceClock refuses a non-number; reset() puts the clock back", () => {
    expect(() => emu.advanceClock(Number.NaN)).toThrow(/finite/);
    expect(() => emu.setClock("whenever")).toThrow(/timestamp/);
    expect(() => emu.advanceClock(1e12)).toThrow(/clockOffsetMs must be a number of ms within/);
    emu.advanceClock(86_400);
    emu.reset();
    expect(emu.knobs.clockOffsetMs).toBe(0);
  });
});

describe("Date header", () => {
  test("every answer carries the emulator's time: API success, API errors, unknown routes, control routes", async () => {
    emu.setClock("2031-02-03T04:05:06Z");
    const answers = [
      (await api("GET", "/ip/trusted")).headers,
      (await api("POST", "/ip/trusted", { name: "x" })).headers, // 400
      (await api("GET", "/ip/trusted", undefined, { Authorization: "Bearer wrong" })).headers, // 401
      (await api("GET", "/ip/nowhere")).headers, // 404 route
      (await ctl("GET", "/health")).headers,
      (await ctl("GET", "/no-such-control")).headers, // control 404
    ];
    for (const h of answers) {
      expect(h.get("date")).toMatch(/^Mon, 03 Feb 2031 04:05:\d\d GMT$/);
      expect(dateOf(h) - Date.parse("2031-02-03T04:05:06Z")).toBeLessThan(5_000);
    }
  });

  test("one Date header only, in the IMF-fixdate form", async () => {
    const res = await fetch(`${emu.apiUrl}/ip/trusted`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.headers.raw().date).toHaveLength(1);
    expect(res.headers.get("date")).toBe(new Date(dateOf(res.headers)).toUTCString());
  });

  test("timestamps the server writes follow the clock", async () => {
    emu.setClock("2030-05-05T00:00:00Z");
    const r = await api("POST", "/ip/trusted", { name: "a", ip_address: "1.2.3.4" });
    expect(r.body.created_on).toMatch(/^2030-05-05T00:00:0\d\.\d{6}\+00:00$/);
    emu.advanceClock(86_400);
    const u = await api("PUT", `/ip/trusted/${r.body.pk}`, { description: "later" });
    expect(u.body.updated_on).toMatch(/^2030-05-06T00:00:0\d\.\d{6}\+00:00$/);
    expect(u.body.created_on).toBe(r.body.created_on);
  });
});

describe("expiry follows the clock (reference profile)", () => {
  test("an entry listed now is hidden, and no longer updatable, once the clock passes its expires_on", async () => {
    const [e] = emu.seed("suspicious", [
      { name: "soon", ip_address: "1.1.1.2", expires_on: new Date(emu.now() + HOUR).toISOString() },
    ]);
    emu.seed("suspicious", [{ name: "never", ip_address: "1.1.1.3" }]);
    const names = async () =>
      (await api("GET", "/ip/suspicious")).body.items.map((x: { name: string }) => x.name);
    expect(await names()).toEqual(["soon", "never"]);
    emu.advanceClock(3_599);
    expect(await names()).toEqual(["soon", "never"]);
    await ctl("POST", "/clock", { advanceSeconds: 2 });
    expect(await names()).toEqual(["never"]);
    expect((await api("PUT", `/ip/suspicious/${e.pk}`, { description: "x" })).status).toBe(404);
    // Moving the clock back brings it back: expiry is computed, not a deletion.
    emu.advanceClock(-10);
    expect(await names()).toEqual(["soon", "never"]);
  });
});

describe("rate limiting stays on real time", () => {
  test("moving the clock neither refills the bucket nor changes Retry-After seconds", async () => {
    emu.setKnobs({ rateLimit: { perSecond: 1, burst: 1 } });
    expect((await api("GET", "/ip/trusted")).status).toBe(200);
    const limited = await api("GET", "/ip/trusted");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    emu.advanceClock(3600);
    const still = await api("GET", "/ip/trusted");
    expect(still.status).toBe(429);
    expect(still.headers.get("retry-after")).toBe("1");
    expect(dateOf(still.headers) - Date.now()).toBeGreaterThan(HOUR - 5_000);
  });
});
