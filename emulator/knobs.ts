/**
 * Behaviour switches. The defaults are the choices in shared/NOTES.md §1;
 * each alternative is the other plausible reading of the docs, so clients can
 * be tested against both.
 */
export interface Knobs {
  /** Added to every API request, ms. */
  latencyMs: number;
  /** Token bucket per API token; null = unlimited. Over the limit → 429. */
  rateLimit: { perSecond: number; burst: number } | null;
  /** Whether a 429 carries Retry-After (seconds). */
  retryAfterHeader: boolean;
  /** Fraction of API requests answered with a 5xx. */
  errorRate: number;
  /** Fraction of API requests whose connection is dropped before anything is done. */
  dropRate: number;
  /** Fraction of writes (POST/PUT/DELETE) applied, then the connection dropped (a lost response). */
  dropAfterCommitRate: number;
  /** Fraction of API requests that never get an answer (a hung server). */
  hangRate: number;
  /** Methods the fault rates apply to (all when empty). */
  faultMethods: string[];
  /**
   * Writes (POST/PUT/DELETE, of faultMethods) that still succeed; once spent,
   * every write is answered 503 until the knob is set again (an outage that
   * starts part-way through a run). null = unlimited.
   */
  writeBudget: number | null;
  /** Seed of the fault dice, for repeatable runs. */
  seed: number;
  /** Same ip_address twice in one collection: "reject" (400) or "allow". */
  duplicates: "reject" | "allow";
  /** Unknown ids in DELETE: "ignore" (200) or "404" (whole request refused). */
  unknownDeleteIds: "ignore" | "404";
  /** Suspicious entries past expires_on: "hide" from listings or "keep". */
  expired: "hide" | "keep";
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Shifts the emulator's clock, ms (tests of expiry). */
  clockOffsetMs: number;
}

export const DEFAULT_KNOBS: Readonly<Knobs> = Object.freeze({
  latencyMs: 0,
  // No figure is published; 100 req/s with a burst of 200 is a plausible tenant limit.
  rateLimit: { perSecond: 100, burst: 200 },
  retryAfterHeader: true,
  errorRate: 0,
  dropRate: 0,
  dropAfterCommitRate: 0,
  hangRate: 0,
  faultMethods: [],
  writeBudget: null,
  seed: 1,
  duplicates: "reject",
  unknownDeleteIds: "ignore",
  expired: "hide",
  maxBodyBytes: 1024 * 1024,
  clockOffsetMs: 0,
});

/** Check a partial knob update; returns an error message or undefined. */
export function knobError(patch: Record<string, unknown>): string | undefined {
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in DEFAULT_KNOBS)) return `unknown knob "${k}"`;
    const rate = ["errorRate", "dropRate", "dropAfterCommitRate", "hangRate"].includes(k);
    if (rate && (typeof v !== "number" || v < 0 || v > 1)) return `knob ${k} must be a number from 0 to 1`;
    if (["latencyMs", "maxBodyBytes", "seed"].includes(k) && (typeof v !== "number" || v < 0))
      return `knob ${k} must be a non-negative number`;
    if (k === "writeBudget" && v !== null && (typeof v !== "number" || v < 0 || !Number.isInteger(v)))
      return "knob writeBudget must be null or a non-negative integer";
    if (k === "clockOffsetMs" && typeof v !== "number") return "knob clockOffsetMs must be a number";
    if (k === "duplicates" && v !== "reject" && v !== "allow")
      return 'knob duplicates must be "reject" or "allow"';
    if (k === "unknownDeleteIds" && v !== "ignore" && v !== "404")
      return 'knob unknownDeleteIds must be "ignore" or "404"';
    if (k === "expired" && v !== "hide" && v !== "keep") return 'knob expired must be "hide" or "keep"';
    if (k === "retryAfterHeader" && typeof v !== "boolean") return "knob retryAfterHeader must be a boolean";
    if (k === "faultMethods" && !(Array.isArray(v) && v.every((m) => typeof m === "string")))
      return "knob faultMethods must be a list of methods";
    if (k === "rateLimit" && v !== null) {
      const r = v as { perSecond?: unknown; burst?: unknown };
      if (
        typeof r !== "object" ||
        typeof r.perSecond !== "number" ||
        r.perSecond <= 0 ||
        typeof r.burst !== "number" ||
        r.burst < 1
      )
        return "knob rateLimit must be null or {perSecond > 0, burst >= 1}";
    }
  }
  return undefined;
}
