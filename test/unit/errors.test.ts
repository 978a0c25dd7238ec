import * as errors from "../../provider/client/errors";
import { isDuplicateRefusal, makeApiError } from "../../provider/client/errors";
import { parseCsv } from "../../common/csv";

describe("error hierarchy", () => {
  test.each([
    [400, "BadRequestError", errors.isBadRequestError],
    [401, "AuthenticationError", errors.isApiError],
    [403, "PermissionDeniedError", errors.isPermissionDeniedError],
    [404, "NotFoundError", errors.isNotFoundError],
    [429, "RateLimitError", errors.isRateLimitError],
    [500, "ServerError", errors.isApiError],
    [503, "ServerError", errors.isApiError],
    [418, "ApiError", errors.isApiError],
  ])("status %d makes a %s", (status, kind, check) => {
    const e = errors.makeApiError(status, "GET", "/ip/trusted", "boom", 1000);
    expect(e.kind).toBe(kind);
    expect(e.name).toBe(kind);
    expect(check(e)).toBe(true);
    expect(errors.isCloudlockError(e)).toBe(true);
    expect(e).toMatchObject({
      status,
      method: "GET",
      path: "/ip/trusted",
      serverMessage: "boom",
      retryAfterMs: 1000,
    });
    expect(e.message).toContain(`GET /ip/trusted returned ${status}`);
    expect(e.message).toContain("boom");
  });

  test("checks work on a structurally separate copy (no instanceof)", () => {
    // A second copy of the module, as a reloaded dynamic provider would have.
    jest.isolateModules(() => {
      const copy = require("../../provider/client/errors") as typeof errors;
      const e = copy.makeApiError(404, "PUT", "/ip/trusted/x", undefined);
      expect(e instanceof errors.ApiError).toBe(false);
      expect(errors.isNotFoundError(e)).toBe(true);
      expect(errors.isApiError(e)).toBe(true);
    });
  });

  test("plain errors and look-alikes are not Cloudlock errors", () => {
    expect(errors.isApiError(new Error("x"))).toBe(false);
    expect(errors.isApiError({ kind: "ApiError", status: 400 })).toBe(false);
    expect(errors.isCloudlockError(null)).toBe(false);
  });

  test("401 and 403 explain what to do", () => {
    expect(errors.makeApiError(401, "GET", "/ip/trusted", undefined).message).toMatch(/token/);
    expect(errors.makeApiError(403, "POST", "/ip/trusted", undefined).message).toMatch(/read-only token/);
  });

  test("maskSecret removes every occurrence", () => {
    expect(errors.maskSecret("a sekret-123 b sekret-123", "sekret-123")).toBe("a [token] b [token]");
    expect(errors.maskSecret("abc", undefined)).toBe("abc");
    // A text cut short elsewhere, ending in the token's first characters.
    expect(errors.maskSecret("auth: Bearer sekret…", "sekret-123")).toBe("auth: Bearer [token]…");
    expect(errors.maskSecret("ends sek", "sekret-123")).toBe("ends sek");
  });
});

describe("isDuplicateRefusal: by status and structure, the wording only as a fallback", () => {
  const bad = (body: Record<string, unknown>, fields: string[] = []) =>
    makeApiError(400, "POST", "/ip/trusted", body.message as string | undefined, undefined, fields);
  test.each([
    ["a 409", makeApiError(409, "POST", "/ip/trusted", undefined), true],
    ["a 400 naming ip_address", bad({}, ["ip_address"]), true],
    ["a 400 naming another field, whatever it says", bad({ message: "already exists" }, ["name"]), false],
    [
      "a 400 naming no field, saying so in words (the fallback)",
      bad({ message: "ip_address already exists" }),
      true,
    ],
    ["a 400 naming no field, saying something else", bad({ message: "invalid address" }), false],
    ["a 500 that says so", makeApiError(500, "POST", "/ip/trusted", "duplicate"), false],
    ["not an API error", new Error("already exists"), false],
  ])("%s → %s", (_label, e, expected) => {
    expect(isDuplicateRefusal(e)).toBe(expected);
  });
});

test("the published types know the kinds: a misspelt problem or class kind does not compile; CSV errors are CloudlockErrors", () => {
  const e = new errors.CloudlockError("x", "rate-limit", "wait");
  // @ts-expect-error "no-such-kind" is not a kind of the table of expected errors
  const misspelt = e.problem === "no-such-kind";
  // @ts-expect-error "NotAClass" is not a class of this package
  const wrongClass = e.kind === "NotAClass";
  expect([misspelt, wrongClass, e.problem, e.kind]).toEqual([false, false, "rate-limit", "CloudlockError"]);
  const csv = (() => {
    try {
      parseCsv('a,b\n"unclosed');
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  expect(csv).toBeInstanceOf(errors.CloudlockError);
  expect(errors.isExpectedError(csv) && csv.problem).toBe("csv-file");
});
