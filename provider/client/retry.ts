/**
 * Retry policy as data, and the pure functions that apply it. The client is
 * the only consumer; tests drive these functions directly.
 */
export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Attempts after the first when the server keeps answering 429 (it acted on nothing; time is the real bound). */
  rateLimitRetries: number;
  /** Methods retried after a 5xx or a network failure (the request may have been applied). */
  idempotentMethods: readonly string[];
  /** Statuses worth retrying. 429 is retried for every method: the server refused before acting. */
  statusCodes: readonly number[];
  /** Base and ceiling of exponential backoff, ms. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Longest Retry-After we honour, ms; a longer one fails fast with the server's answer. */
  maxRetryAfterMs: number;
  /** Give up once this much time has passed since the first attempt, ms. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 5,
  rateLimitRetries: 20,
  idempotentMethods: ["GET", "HEAD", "PUT", "DELETE"],
  // Cisco's own sample scripts retry 429/500/502/504; 503 is the same kind of failure.
  statusCodes: [429, 500, 502, 503, 504],
  backoffBaseMs: 250,
  backoffMaxMs: 8_000,
  maxRetryAfterMs: 60_000,
  maxTotalMs: 120_000,
});

/**
 * Parse a Retry-After header: delta-seconds or an HTTP date. Returns ms from
 * `now`, or undefined when absent or unparseable. A date in the past is 0.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header == null) return undefined;
  const text = header.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names a weekday and month; anything else (e.g. "-5", which Date.parse reads as a year) is garbage.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

export interface AttemptOutcome {
  method: string;
  /** HTTP status, or undefined for a network failure. */
  status?: number;
  /** True when the failure happened before anything was sent (connection refused). */
  notSent?: boolean;
  retryAfterMs?: number;
  /** A 2xx answer that was not the documented shape: a server failure, retried like a 5xx. */
  malformed?: boolean;
}

/**
 * Decide whether to retry after `attempt` (1-based count of attempts made) and
 * how long to wait. `random` is injectable for tests (full jitter).
 */
export function retryDecision(
  policy: RetryPolicy,
  outcome: AttemptOutcome,
  attempt: number,
  elapsedMs: number,
  random: () => number = Math.random,
): RetryDecision {
  if (attempt > (outcome.status === 429 ? policy.rateLimitRetries : policy.retries)) return { retry: false };
  const idempotent = policy.idempotentMethods.includes(outcome.method);
  if (outcome.malformed) {
    if (!idempotent) return { retry: false };
  } else if (outcome.status === undefined) {
    if (!idempotent && !outcome.notSent) return { retry: false };
  } else {
    if (!policy.statusCodes.includes(outcome.status)) return { retry: false };
    if (outcome.status !== 429 && !idempotent) return { retry: false };
  }
  let delayMs: number;
  if (outcome.retryAfterMs !== undefined) {
    if (outcome.retryAfterMs > policy.maxRetryAfterMs) return { retry: false };
    delayMs = outcome.retryAfterMs;
  } else {
    const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 1));
    // Full jitter, never below a tenth of the ceiling so a tight loop cannot form.
    delayMs = Math.round(ceiling * (0.1 + 0.9 * random()));
  }
  if (elapsedMs + delayMs > policy.maxTotalMs) return { retry: false };
  return { retry: true, delayMs };
}
