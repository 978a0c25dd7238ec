/**
 * The table of expected errors (provider/problems.ts) and how its errors print: one line each, no stack trace,
 * also where Pulumi's dynamic provider host prints `${e}: ${e.stack}`; a per-run kind's fix once per process; a
 * bug keeps its stack.
 */
import * as fs from "fs";
import * as path from "path";
import {
  CloudlockError,
  ConfigError,
  ConnectionError,
  IncompleteListingError,
  MalformedResponseError,
  TimeoutError,
  isAuthenticationError,
  isExpectedError,
  isProblem,
  makeApiError,
  problem,
} from "../../provider/client/errors";
import { configureQuietly, forHost, guarded, guardedCheck } from "../../provider/dynamic/boundary";
import { Connection } from "../../provider/dynamic/connection";
import {
  type ApiFacts,
  PROBLEMS,
  PROBLEM_IDS,
  type ProblemId,
  exitCodeOf,
  isPerRun,
  problemText,
  titleOf,
} from "../../provider/problems";

/** The host's line for an error thrown in check, diff, read or delete (cmd/dynamic-provider/index.js). */
const hostLine = (e: unknown) => `${e}: ${(e as Error).stack}`;

/** No stack frame, no source location: what a user should never see for an expected error. */
const FRAMES = /^\s+at |\.(js|ts):\d+/m;

const API_KINDS: Partial<Record<ProblemId, number>> = {
  authentication: 401,
  permission: 403,
  "refused-request": 400,
  "not-found": 404,
  "rate-limit": 429,
  "server-error": 503,
  redirect: 307,
  "api-error": 405,
};

/** An error of each kind, made the way the code makes it. */
function errorOf(id: ProblemId): CloudlockError {
  const status = API_KINDS[id];
  if (status) {
    const ex = PROBLEMS[id].example as ApiFacts;
    return makeApiError(status, ex.method, ex.path, ex.serverMessage, undefined, [], ex);
  }
  if (id === "unreachable") return new ConnectionError("GET", "/ip/trusted", "network error ECONNREFUSED");
  if (id === "timeout") return new TimeoutError("GET", "/ip/trusted", "no response within 30000 ms");
  if (id === "malformed-answer") return new MalformedResponseError(200, "GET", "/ip/trusted", "an HTML page");
  if (id === "incomplete-listing") return new IncompleteListingError(PROBLEMS[id].example);
  if (id === "configuration") return new ConfigError("cloudlock:timeoutSeconds must be a positive number");
  return problem(id, PROBLEMS[id].example as never);
}

describe("the table", () => {
  test.each(PROBLEM_IDS)("%s: a title, when, one-line message and fix, an exit code", (id) => {
    const s = PROBLEMS[id];
    expect(s.title.length).toBeGreaterThan(5);
    expect(s.when.length).toBeGreaterThan(20);
    const text = problemText(id, s.example as never);
    expect(text).not.toMatch(/\n/);
    expect(text.length).toBeGreaterThan(20);
    // Where the message does not say what to do, the page does.
    const fix = (s.fix as (p: unknown) => string)(s.example);
    expect(fix || (s as { advice?: string }).advice).toBeTruthy();
    expect([1, 2]).toContain(exitCodeOf(id));
  });

  test("usage and configuration exit 2, the rest 1; per-run kinds are the run's shared causes", () => {
    expect(PROBLEM_IDS.filter((id) => exitCodeOf(id) === 2).sort()).toEqual(["configuration", "usage"]);
    expect(PROBLEM_IDS.filter(isPerRun).sort()).toEqual(
      [
        "authentication",
        "configuration",
        "permission",
        "rate-limit",
        "redirect",
        "tenant-changed",
        "timeout",
        "unreachable",
        "wrong-url",
      ].sort(),
    );
  });

  test("every kind is raised somewhere in the code (none is dead), by its id or by its HTTP status", () => {
    const root = path.join(__dirname, "../..");
    const sources = ["common", "provider", "sdk", "cli", "emulator"]
      .flatMap((d) =>
        fs.readdirSync(path.join(root, d), { recursive: true }).map((f) => path.join(root, d, String(f))),
      )
      .filter((f) => f.endsWith(".ts") && !f.endsWith("problems.ts"))
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n");
    const unused = PROBLEM_IDS.filter((id) => !API_KINDS[id] && !sources.includes(`"${id}"`));
    expect(unused).toEqual([]);
    // The API kinds come from the status (errors.ts problemOfStatus).
    for (const [id, status] of Object.entries(API_KINDS))
      expect(makeApiError(status, "GET", "/ip/trusted", undefined).problem).toBe(id);
  });
});

describe("how an expected error prints", () => {
  test.each(PROBLEM_IDS)(
    "%s: one line, no stack, branded; in the host's line, the call and the title",
    (id) => {
      const e = errorOf(id);
      expect(isExpectedError(e)).toBe(true);
      expect(isProblem(e, id)).toBe(true);
      expect(e.message).not.toMatch(/\n/);
      expect(e.stack).toBe(`${e.name}: ${e.message}`);
      expect(hostLine(e)).not.toMatch(FRAMES);

      const shaped = forHost(e, "TrustedIp read of 7nLzJYxR5Z") as CloudlockError;
      expect(hostLine(shaped)).toBe(`TrustedIp read of 7nLzJYxR5Z: ${titleOf(id)}`);
      // What the engine prints on the resource is the whole message, and checks still recognise it.
      expect(shaped.message).toBe(e.message);
      expect(isProblem(shaped, id)).toBe(true);
      expect(shaped.kind).toBe(e.kind);
    },
  );

  test("a bug keeps its stack, in the host's line too", () => {
    const bug = new TypeError("x is undefined");
    expect(forHost(bug, "TrustedIp read of x")).toBe(bug);
    expect(hostLine(bug)).toMatch(FRAMES);
    // A CloudlockError without a kind is a guard against a bug: it keeps its stack.
    expect(new CloudlockError("should not happen").stack).toMatch(FRAMES);
    expect(isExpectedError(new CloudlockError("should not happen"))).toBe(false);
  });

  test("a remark keeps the fix last", () => {
    const e = new TimeoutError("GET", "/ip/trusted", "no response within 200 ms");
    e.note(" (gave up after 2 attempts in 0.4 s)");
    expect(e.message).toMatch(
      /^Cloudlock API GET \/ip\/trusted failed: no response within 200 ms \(gave up after 2 attempts in 0\.4 s\)\. Check that/,
    );
    expect(e.stack).toBe(`TimeoutError: ${e.message}`);
  });
});

describe("once per run", () => {
  const conn = () => new Connection({ env: {} });
  const unauthorized = (path: string) =>
    makeApiError(401, "GET", path, "the access token is invalid", undefined, [], {
      apiUrl: "https://tenant.example/api/v2",
      tokenFrom: 'stack config "cloudlock:apiToken"',
      tokenHow: "pulumi config set --secret cloudlock:apiToken <token>",
    });

  test("a per-run kind says what to do once; later errors of it say what happened, briefly", () => {
    const c = conn();
    const first = unauthorized("/ip/trusted?offset=0&limit=100");
    expect(c.report(first)).toBe(first);
    const later = c.report(unauthorized("/ip/suspicious?offset=0&limit=100")) as CloudlockError;
    expect(later.message).toBe(
      "Cloudlock API GET /ip/suspicious?offset=0&limit=100 returned 401 Unauthorized: the access token is invalid. " +
        'https://tenant.example/api/v2 did not accept the API token from stack config "cloudlock:apiToken" (what ' +
        "to do is in the first error about it in this run).",
    );
    expect(later.message).not.toContain("Settings > Authentication");
    expect(isAuthenticationError(later)).toBe(true);
    expect(later.stack).toBe(`AuthenticationError: ${later.message}`);
    // The same error object handed to several waiters: the first report is whole, the rest brief.
    expect((c.report(first) as Error).message).not.toBe(first.message);
  });

  test("other kinds are shortened only when the same thing happened again (one listing failing every waiter)", () => {
    const c = conn();
    const malformed = () =>
      new MalformedResponseError(200, "GET", "/ip/trusted?offset=0&limit=100", "an HTML page");
    const first = malformed();
    expect(c.report(first)).toBe(first);
    expect((c.report(malformed()) as Error).message).toBe(
      "Cloudlock API GET /ip/trusted?offset=0&limit=100 answered 200 with an HTML page, which is not the " +
        "documented shape (what to do is in the first error about it in this run).",
    );
    // How long each gave up after differs between two calls: still the same thing happening again.
    const later = malformed();
    later.note(" (gave up after 3 attempts in 1.1 s)");
    expect((c.report(later) as Error).message).toMatch(
      /in 1\.1 s\) \(what to do is in the first error about it/,
    );
    // Two different addresses taken: each says what to do (each has its own adoptId to set).
    const taken = (pk: string) => problem("address-taken", { ...PROBLEMS["address-taken"].example, pk });
    const a = taken("aaaaaaaaaa");
    const b = taken("bbbbbbbbbb");
    expect(c.report(a)).toBe(a);
    expect(c.report(b)).toBe(b);
    const bug = new Error("boom");
    expect(c.report(bug)).toBe(bug);
    expect(c.report(bug)).toBe(bug);
  });

  test("each provider process (Connection) gives the fix once of its own", () => {
    const e = unauthorized("/ip/trusted");
    expect(conn().report(e)).toBe(e);
    expect(conn().report(e)).toBe(e);
  });
});

describe("the dynamic providers' calls", () => {
  test("check: an expected error is a check failure; settings that could not be taken fail every check", async () => {
    const c = new Connection({ env: {} });
    const failed = await guardedCheck(c, () => Promise.reject(errorOf("authentication")));
    expect(failed).toEqual({ failures: [{ property: "", reason: errorOf("authentication").message }] });
    configureQuietly(() => c.configure({ get: (k) => (k === "cloudlock:timeoutSeconds" ? "0" : undefined) }));
    const refused = await guardedCheck(c, () => Promise.resolve({ inputs: {}, failures: [] }));
    expect(refused).toEqual({
      failures: [
        {
          property: "",
          reason: expect.stringMatching(/^cloudlock:timeoutSeconds must be a positive number, got "0"\. /),
        },
      ],
    });
    // Said once: the next check failing for it is brief.
    expect(await guardedCheck(c, () => Promise.resolve({ failures: [] }))).toEqual({
      failures: [
        { property: "", reason: expect.stringMatching(/got "0" \(what to do is in the first error/) },
      ],
    });
    const fresh = new Connection({ env: {} });
    await expect(guardedCheck(fresh, () => Promise.reject(new TypeError("bug")))).rejects.toThrow(TypeError);
  });

  test("diff, read and delete shape expected errors for the host; create and update pass them on whole", async () => {
    const c = new Connection({ env: {} });
    const e = errorOf("address-taken");
    const read = await guarded(c, "read", "TrustedIp read of p1", () => Promise.reject(e)).catch(
      (x: unknown) => x,
    );
    expect(hostLine(read)).toBe(`TrustedIp read of p1: ${titleOf("address-taken")}`);
    const created = await guarded(new Connection({ env: {} }), "create", "TrustedIp", () =>
      Promise.reject(e),
    ).catch((x: unknown) => x);
    expect(created).toBe(e);
    const bug = new RangeError("bug");
    expect(
      await guarded(c, "delete", "TrustedIp delete of p1", () => Promise.reject(bug)).catch((x) => x),
    ).toBe(bug);
  });

  test("configure keeps an expected refusal for check to report, and lets a bug through", () => {
    expect(() =>
      configureQuietly(() => {
        throw errorOf("configuration");
      }),
    ).not.toThrow();
    expect(() =>
      configureQuietly(() => {
        throw new TypeError("bug");
      }),
    ).toThrow(TypeError);
  });
});
