/**
 * Behaviour switches. The defaults are the choices in shared/NOTES.md §1 (the
 * "reference" server); each alternative is the other plausible reading of the
 * docs, so clients can be tested against both. A profile (see PROFILES) is a
 * named bundle of knob values.
 */
export interface Knobs {
  /** Added to every API request, ms. */
  latencyMs: number;
  /** Token bucket per API token; null = unlimited. Over the limit → 429. Paced in real time. */
  rateLimit: { perSecond: number; burst: number } | null;
  /** Whether a 429 carries Retry-After. */
  retryAfterHeader: boolean;
  /**
   * Docs: 429 exists, but not how long to wait. "seconds": `Retry-After: 3`;
   * "http-date": `Retry-After: <emulator clock + wait, as an HTTP date>` (RFC 9110 allows both).
   */
  retryAfterFormat: "seconds" | "http-date";
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
  /** Docs: silent on duplicates. Same ip_address twice in one collection: "reject" (400) or "allow". */
  duplicates: "reject" | "allow";
  /** Docs: silent on unknown ids. Unknown ids in DELETE: "ignore" (200) or "404" (whole request refused). */
  unknownDeleteIds: "ignore" | "404";
  /** Docs: "time to expire item from library". Suspicious entries past expires_on: "hide" from listings or "keep". */
  expired: "hide" | "keep";
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Shifts the emulator's clock, ms (tests of expiry). See Emulator.advanceClock(). */
  clockOffsetMs: number;
  /**
   * Fraction of 2xx API answers (of faultMethods) replaced by a body that is
   * not the documented shape: a misbehaving proxy or server.
   */
  badAnswerRate: number;
  /** What such an answer is: an HTML page, `{}`, or the real JSON cut off half-way. */
  badAnswer: "html" | "empty-object" | "truncated";
  /** The list envelope's `total`: "exact"; left out ("missing"); a string ("string"); half the truth ("low"). */
  listTotal: "exact" | "missing" | "string" | "low";
  /**
   * Docs: silent on a suspicious entry created without expires_on (absent,
   * null or ""). null: it never expires; N: it gets now + N days (a TTL
   * policy), and a PUT of `expires_on: null` re-applies it.
   */
  defaultExpiryDays: number | null;
  /**
   * Docs: silent on whether ip_address is stored as sent. "as-sent"; or
   * "normalised": the server's own spelling (IPv4 /32 and IPv6 /128 dropped,
   * IPv6 fully expanded lowercase, `a-a` → `a`, spaces around "-" accepted and removed).
   */
  addressSpelling: "as-sent" | "normalised";
  /**
   * Docs: every sample is `2016-06-20T13:05:23.034264+00:00`, but the field is
   * only typed "timestamp". "micro-offset": that form everywhere; "varied":
   * created_on `…:23Z`, updated_on `…:23.034Z`, expires_on truncated to whole seconds `…:23+00:00`.
   */
  timestampStyle: "micro-offset" | "varied";
  /**
   * Docs: silent on empty values. "empty": description "" and categories [];
   * "null": description null, categories left out, location null for
   * private/loopback addresses, and trusted entries carry `expires_on: null`.
   */
  emptyFields: "empty" | "null";
  /**
   * Docs: the Fields table types categories as a string ("Locations, areas"),
   * the JSON samples show lists. "list"; or "string": a list or a
   * comma-separated string is accepted, de-duplicated, sorted case-insensitively
   * and answered as one ", "-joined string.
   */
  categoriesFormat: "list" | "string";
  /** Docs: silent on whitespace. true: name and description trimmed, runs of spaces in name collapsed. */
  trimStrings: boolean;
  /** Docs: silent on list order. "created" (oldest first) or "newest-first". */
  listOrder: "created" | "newest-first";
  /**
   * Docs: the general page says the default limit is 20, the IP Libraries page says 50.
   * The limit used when the request has none.
   */
  defaultLimit: number;
  /** Docs: max limit is 100, silent on more. "reject" (400) or "clamp" to 100. */
  limitOverMax: "reject" | "clamp";
  /** Docs: silent on unknown query parameters. "reject" (400) or "ignore". */
  unknownQuery: "reject" | "ignore";
  /** Docs: the envelope sample has `results` (a count of items); true sends it, false leaves it out. */
  envelopeResults: boolean;
  /** Docs: "match string"/"match a substring", silent on case. q and name matching. */
  searchCase: "insensitive" | "sensitive";
  /**
   * Docs: the samples show only the documented fields. true: every entry also
   * has fields a client does not know (`org_id`, `source`), the envelope a `next`.
   */
  extraFields: boolean;
  /** Docs: pks of 10 (`6yj3gQxaqo`) and 11 (`J83euASvnDF`) characters both appear. Length of new pks. */
  pkLength: 10 | 11;
  /** Docs: POST "Response 200" with `Location: /ip/suspicious`. Or 201 with `Location: /ip/<collection>/<pk>`. */
  createReply: "200-entry" | "201-entry";
  /** Docs: PUT "Response 200 (application/json)" with no body shown. "entry" answers the entry; "empty" nothing. */
  updateReply: "entry" | "empty";
  /** Docs: DELETE "Response 200 (application/json)" with no body shown. "summary" `{deleted: N}` or "no-content" (204). */
  deleteReply: "summary" | "no-content";
  /** Docs: CSV import "Response 200 (application/json)" with no body shown. "summary" or "empty" (200, no body). */
  importReply: "summary" | "empty";
  /** Docs: silent on PUT without some fields. "partial": absent fields keep their values; "full": a full replacement (ip_address required, absent description/categories/expires_on reset). */
  updateMode: "partial" | "full";
  /** Docs: silent on fields a request may not write. "reject" (400 naming the field) or "ignore" them. */
  unknownFields: "reject" | "ignore";
  /** Docs: silent on how many ids one DELETE may carry. null = no cap; N: more → 400. */
  maxDeleteIds: number | null;
  /**
   * Docs: "include an error response object", shape not given. "message":
   * `{"message": …}`; "detail": `{"detail": …, "status": N}` as
   * application/problem+json, and unknown routes answer a text/html page.
   */
  errorBody: "message" | "detail";
  /** Docs: "application/json". true: JSON answers say `application/json; charset=utf-8`. */
  jsonCharset: boolean;
}

export const DEFAULT_KNOBS: Readonly<Knobs> = Object.freeze({
  latencyMs: 0,
  // No figure is published; 100 req/s with a burst of 200 is a plausible tenant limit.
  rateLimit: { perSecond: 100, burst: 200 },
  retryAfterHeader: true,
  retryAfterFormat: "seconds",
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
  badAnswerRate: 0,
  badAnswer: "html",
  listTotal: "exact",
  defaultExpiryDays: null,
  addressSpelling: "as-sent",
  timestampStyle: "micro-offset",
  emptyFields: "empty",
  categoriesFormat: "list",
  trimStrings: false,
  listOrder: "created",
  defaultLimit: 50,
  limitOverMax: "reject",
  unknownQuery: "reject",
  envelopeResults: true,
  searchCase: "insensitive",
  extraFields: false,
  pkLength: 10,
  createReply: "200-entry",
  updateReply: "entry",
  deleteReply: "summary",
  importReply: "summary",
  updateMode: "partial",
  unknownFields: "reject",
  maxDeleteIds: null,
  errorBody: "message",
  jsonCharset: false,
} satisfies Knobs);

export type ProfileName = "reference" | "lenient";

/**
 * Server personalities. "reference" is the default knobs (shared/NOTES.md §1);
 * "lenient" answers every point the docs leave open the other plausible way, all at once.
 */
export const PROFILES: Readonly<Record<ProfileName, Readonly<Partial<Knobs>>>> = Object.freeze({
  reference: Object.freeze({}),
  lenient: Object.freeze({
    duplicates: "allow",
    unknownDeleteIds: "404",
    expired: "keep",
    retryAfterFormat: "http-date",
    defaultExpiryDays: 90,
    addressSpelling: "normalised",
    timestampStyle: "varied",
    emptyFields: "null",
    categoriesFormat: "string",
    trimStrings: true,
    listOrder: "newest-first",
    defaultLimit: 20,
    limitOverMax: "clamp",
    unknownQuery: "ignore",
    envelopeResults: false,
    searchCase: "sensitive",
    extraFields: true,
    pkLength: 11,
    createReply: "201-entry",
    updateReply: "empty",
    deleteReply: "no-content",
    importReply: "empty",
    updateMode: "full",
    unknownFields: "ignore",
    maxDeleteIds: 100,
    errorBody: "detail",
    jsonCharset: true,
  } satisfies Partial<Knobs>),
});

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Knobs that take one of a few strings (or booleans / numbers): allowed values. */
const CHOICES: Partial<Record<keyof Knobs, readonly unknown[]>> = {
  duplicates: ["reject", "allow"],
  unknownDeleteIds: ["ignore", "404"],
  expired: ["hide", "keep"],
  retryAfterFormat: ["seconds", "http-date"],
  addressSpelling: ["as-sent", "normalised"],
  timestampStyle: ["micro-offset", "varied"],
  emptyFields: ["empty", "null"],
  categoriesFormat: ["list", "string"],
  listOrder: ["created", "newest-first"],
  limitOverMax: ["reject", "clamp"],
  unknownQuery: ["reject", "ignore"],
  searchCase: ["insensitive", "sensitive"],
  pkLength: [10, 11],
  createReply: ["200-entry", "201-entry"],
  updateReply: ["entry", "empty"],
  deleteReply: ["summary", "no-content"],
  importReply: ["summary", "empty"],
  updateMode: ["partial", "full"],
  unknownFields: ["reject", "ignore"],
  errorBody: ["message", "detail"],
};
const BOOLEANS: (keyof Knobs)[] = [
  "retryAfterHeader",
  "trimStrings",
  "envelopeResults",
  "extraFields",
  "jsonCharset",
];

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
    // Within ±1e14 ms (about 3,000 years) every timestamp stays a valid Date.
    if (k === "badAnswerRate" && (typeof v !== "number" || v < 0 || v > 1))
      return "knob badAnswerRate must be a number from 0 to 1";
    if (k === "badAnswer" && !["html", "empty-object", "truncated"].includes(v as string))
      return 'knob badAnswer must be "html", "empty-object" or "truncated"';
    if (k === "listTotal" && !["exact", "missing", "string", "low"].includes(v as string))
      return 'knob listTotal must be "exact", "missing", "string" or "low"';
    if (k === "clockOffsetMs" && (typeof v !== "number" || !(Math.abs(v) <= 1e14)))
      return "knob clockOffsetMs must be a number of ms within ±1e14 (about 3,000 years)";
    if (k === "defaultExpiryDays" && v !== null && (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)))
      return "knob defaultExpiryDays must be null or a positive number";
    if (k === "maxDeleteIds" && v !== null && (typeof v !== "number" || v < 1 || !Number.isInteger(v)))
      return "knob maxDeleteIds must be null or a positive integer";
    if (k === "defaultLimit" && (typeof v !== "number" || v < 1 || v > 100 || !Number.isInteger(v)))
      return "knob defaultLimit must be an integer from 1 to 100";
    const choices = CHOICES[k as keyof Knobs];
    if (choices && !choices.includes(v))
      return `knob ${k} must be ${choices.map((c) => JSON.stringify(c)).join(" or ")}`;
    if (BOOLEANS.includes(k as keyof Knobs) && typeof v !== "boolean") return `knob ${k} must be a boolean`;
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

/**
 * Knobs from `NAME=VALUE` strings (the emulator's `--knob`): VALUE as JSON, else as a plain string
 * (`listOrder=newest-first`). Throws naming the string when it has no `NAME=`; values are checked by
 * {@link knobError}.
 */
export function parseKnobs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const raw of pairs) {
    const at = raw.indexOf("=");
    if (at <= 0) throw new KnobSyntaxError(`--knob needs NAME=VALUE, got "${raw}"`);
    const text = raw.slice(at + 1);
    let v: unknown = text;
    try {
      v = JSON.parse(text);
    } catch {
      // not JSON: a plain string such as newest-first
    }
    out[raw.slice(0, at)] = v;
  }
  return out;
}

/** A `--knob` argument that is not `NAME=VALUE`. */
export class KnobSyntaxError extends Error {}
