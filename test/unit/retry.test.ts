import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDecision } from "../../provider/client/retry";

const policy = {
  ...DEFAULT_RETRY_POLICY,
  backoffBaseMs: 100,
  backoffMaxMs: 1000,
  retries: 3,
  maxTotalMs: 10_000,
};

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  test.each([
    ["3", 3000],
    ["0", 0],
    ["1.5", 1500],
    [" 7 ", 7000],
    ["Thu, 01 Jan 2026 00:00:10 GMT", 10_000],
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
  ])("%j → %d ms", (h, ms) => expect(parseRetryAfter(h, now)).toBe(ms));
  test.each([[null], [undefined], [""], ["soon"], ["-5"]])("%p → undefined", (h) =>
    expect(parseRetryAfter(h as string, now)).toBeUndefined(),
  );
});

describe("retryDecision", () => {
  const half = () => 0.5;
  test("429 is retried for every method, POST included, honouring Retry-After", () => {
    for (const method of ["GET", "POST", "PUT", "DELETE"]) {
      expect(retryDecision(policy, { method, status: 429, retryAfterMs: 2000 }, 1, 0, half)).toEqual({
        retry: true,
        delayMs: 2000,
      });
    }
  });
  test("5xx is retried for idempotent methods only", () => {
    for (const status of [500, 502, 503, 504]) {
      expect(retryDecision(policy, { method: "GET", status }, 1, 0, half).retry).toBe(true);
      expect(retryDecision(policy, { method: "PUT", status }, 1, 0, half).retry).toBe(true);
      expect(retryDecision(policy, { method: "DELETE", status }, 1, 0, half).retry).toBe(true);
      expect(retryDecision(policy, { method: "POST", status }, 1, 0, half).retry).toBe(false);
    }
  });
  test("network failures: idempotent retried; POST only when nothing was sent", () => {
    expect(retryDecision(policy, { method: "GET" }, 1, 0, half).retry).toBe(true);
    expect(retryDecision(policy, { method: "POST" }, 1, 0, half).retry).toBe(false);
    expect(retryDecision(policy, { method: "POST", notSent: true }, 1, 0, half).retry).toBe(true);
  });
  test("client errors are never retried", () => {
    for (const status of [400, 401, 403, 404]) {
      expect(retryDecision(policy, { method: "GET", status }, 1, 0, half).retry).toBe(false);
    }
  });
  test("exponential backoff with jitter, capped", () => {
    const d = (attempt: number, r: number) =>
      retryDecision(policy, { method: "GET", status: 503 }, attempt, 0, () => r);
    expect(d(1, 1)).toEqual({ retry: true, delayMs: 100 });
    expect(d(2, 1)).toEqual({ retry: true, delayMs: 200 });
    expect(d(3, 1)).toEqual({ retry: true, delayMs: 400 });
    expect(d(1, 0)).toEqual({ retry: true, delayMs: 10 }); // jitter floor: a tenth of the ceiling
    const big = { ...policy, retries: 10 };
    expect(retryDecision(big, { method: "GET", status: 503 }, 8, 0, () => 1)).toEqual({
      retry: true,
      delayMs: 1000,
    });
  });
  test("attempts and total time are bounded", () => {
    expect(retryDecision(policy, { method: "GET", status: 503 }, 4, 0, half).retry).toBe(false);
    expect(retryDecision(policy, { method: "GET", status: 503 }, 1, 9_990, half).retry).toBe(false);
  });
  test("a Retry-After beyond the cap fails fast", () => {
    expect(
      retryDecision(policy, { method: "GET", status: 429, retryAfterMs: 3_600_000 }, 1, 0, half).retry,
    ).toBe(false);
  });
});

test("429 is retried past the general count (the server acted on nothing), up to rateLimitRetries", () => {
  const p = DEFAULT_RETRY_POLICY;
  const zero = () => 0;
  expect(retryDecision(p, { method: "POST", status: 429 }, p.retries + 3, 0, zero).retry).toBe(true);
  expect(retryDecision(p, { method: "GET", status: 503 }, p.retries + 3, 0, zero).retry).toBe(false);
  expect(retryDecision(p, { method: "POST", status: 429 }, p.rateLimitRetries + 1, 0, zero).retry).toBe(
    false,
  );
});
