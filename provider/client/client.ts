import * as http from "http";
import * as https from "https";
import fetch from "node-fetch";
import { sleep } from "../../common/sleep";
import { VERSION } from "../version";
import {
  type Connection,
  type ConnectionSettings,
  type SettingSource,
  isConnection,
  resolveConnection,
} from "./config";
import {
  type ApiContext,
  type AuthenticationError,
  CloudlockError,
  ConnectionError,
  MalformedResponseError,
  TimeoutError,
  isAuthenticationError,
  makeApiError,
  maskSecret,
} from "./errors";
import { IpCollection } from "./collection";
import type { RateLimiter } from "./limiter";
import { DEFAULT_RETRY_POLICY, RetryPolicy, parseRetryAfter, retryDecision } from "./retry";
import { ServerClock, parseHttpDate } from "./clock";
import { CollectionName } from "./types";
import type { ApiResponse, RequestOptions, Requester } from "./request";

export type { ApiResponse, RequestOptions, ResponseHeaders } from "./request";

/** One attempt waits at most this long (within the call's overall bound, RetryPolicy.maxTotalMs). */
export const ATTEMPT_TIMEOUT_MS = 30_000;

export interface ClientOptions extends Partial<ConnectionSettings> {
  /**
   * A connection whose settings were already read and checked (provider/settings.ts `clientOptions`): taken as it
   * is, instead of apiUrl / apiToken / env.
   */
  connection?: Connection;
  /** Per-attempt timeout in ms (default ATTEMPT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Overrides of the default retry policy. */
  retry?: Partial<RetryPolicy>;
  /**
   * Paces every attempt, and is told of each 429 (with the server's Retry-After)
   * and each success. Share one between clients to share a tenant's limit.
   */
  limiter?: RateLimiter;
  /** Environment to read CLOUDLOCK_API_URL / CLOUDLOCK_API_TOKEN from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Appended to the User-Agent, e.g. "pulumi-provider". */
  userAgentSuffix?: string;
  /**
   * Where the token came from and how to set it there, for the message of a 401 (e.g. `stack config
   * "cloudlock:apiToken"` and `pulumi config set --secret cloudlock:apiToken <token>`). Never the token.
   */
  tokenSource?: SettingSource;
}

/** Counts of requests the client has sent, for benchmarks and tests. */
export interface RequestStats {
  /** Attempts sent, retries included. */
  requests: number;
  byMethod: Record<string, number>;
  /** Keyed like "GET /ip/trusted" (no query). */
  byRoute: Record<string, number>;
  retries: number;
  /** Requests that finally failed (after retries). */
  failures: number;
}

/**
 * The Cloudlock API client: the one place that speaks HTTP. Owns auth,
 * timeouts, retries and accounting; `client.suspicious` and `client.trusted`
 * are thin collection views over it.
 *
 * ```ts
 * const client = new CloudlockClient(); // CLOUDLOCK_API_URL / CLOUDLOCK_API_TOKEN
 * for await (const e of client.trusted.list({ q: "office" })) console.log(e.ip_address);
 * ```
 */
export class CloudlockClient implements Requester {
  readonly apiUrl: string;
  readonly suspicious: IpCollection;
  readonly trusted: IpCollection;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly agent: http.Agent;
  private readonly userAgent: string;
  /** The limiter pacing this client's requests, if any. */
  readonly limiter?: RateLimiter;
  private counters: RequestStats = emptyStats();
  /** The server's clock, as its answers' Date headers tell it. */
  readonly clock = new ServerClock();
  /** What a 401 names besides the answer: the API URL and where the token came from. */
  private readonly context: ApiContext;
  /** The 401 that refused this client's token: later requests are not sent (the token cannot change). */
  private refusedToken?: AuthenticationError;

  constructor(options: ClientOptions = {}) {
    const conn = isConnection(options.connection)
      ? options.connection
      : resolveConnection(options, options.env);
    this.apiUrl = conn.apiUrl;
    // Non-enumerable, so the token never shows in inspect/JSON/serialised closures.
    Object.defineProperty(this, "token", { value: conn.apiToken, enumerable: false });
    // Keep only what is needed: `options` holds the token.
    this.limiter = options.limiter;
    this.timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.agent = this.apiUrl.startsWith("https:")
      ? new https.Agent({ keepAlive: true, maxSockets: 16 })
      : new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.context = {
      apiUrl: this.apiUrl,
      tokenFrom: options.tokenSource?.from,
      tokenHow: options.tokenSource?.how,
      tokenKind: options.tokenSource?.kind,
    };
    this.userAgent = `pulumi-cloudlock/${VERSION} node/${process.versions.node}${options.userAgentSuffix ? ` ${options.userAgentSuffix}` : ""}`;
    this.suspicious = new IpCollection(this, "suspicious");
    this.trusted = new IpCollection(this, "trusted");
  }

  /** Now by the server's clock (the local clock until an answer carried a Date header). */
  now(): number {
    return this.clock.now();
  }

  /** The collection view by name. */
  collection(name: CollectionName): IpCollection {
    return name === "suspicious" ? this.suspicious : this.trusted;
  }

  /** A copy of the request counters. */
  stats(): RequestStats {
    return structuredClone(this.counters);
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  /** Release pooled connections (tests, CLIs); the client stays usable. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Send one request with retries per the policy. Resolves with the parsed JSON
   * body (undefined when empty); rejects with a CloudlockError whose message
   * carries method, path and the server's message, never the token. Once the
   * server refused the token (401), no later request is sent: each fails at
   * once, naming that answer.
   */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const search = qs.toString() ? `?${qs.toString()}` : "";
    // Commas in ?ids= are left readable; they are legal in a query.
    const shown = `${path}${search.replace(/%2C/g, ",")}`;
    const url = `${this.apiUrl}${shown}`;
    const route = `${method} ${path.replace(/^(\/ip\/\w+)\/.+$/, "$1/{id}")}`;
    const refused = this.refusedToken;
    if (refused)
      throw makeApiError(401, method, shown, undefined, undefined, [], {
        ...this.context,
        notSent: `Cloudlock refused this API token earlier in this run (401 on ${refused.method} ${refused.path})`,
      });
    const token = (this as unknown as { token: string }).token;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: "application/json",
      "User-Agent": this.userAgent,
    };
    let body: string | Buffer | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["Content-Type"] = "application/json";
    } else if (opts.body) {
      body = opts.body;
      headers["Content-Type"] = opts.contentType ?? "application/octet-stream";
    }

    const started = Date.now();
    // Time queued behind the pacing limiter is not the server's: it never counts against the time bound (a long
    // queue would otherwise give a request too little time to be answered, though the server applies it).
    let queued = 0;
    const spent = () => Date.now() - started - queued;
    for (let attempt = 1; ; attempt++) {
      const before = Date.now();
      await this.limiter?.take();
      queued += Date.now() - before;
      this.counters.requests++;
      this.counters.byMethod[method] = (this.counters.byMethod[method] ?? 0) + 1;
      this.counters.byRoute[route] = (this.counters.byRoute[route] ?? 0) + 1;

      let error: CloudlockError;
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let notSent = false;
      let malformed = false;
      // An attempt never runs past the policy's total budget: a hung server costs at most maxTotalMs.
      const attemptMs = Math.max(1, Math.min(this.timeoutMs, this.policy.maxTotalMs - spent()));
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), attemptMs);
      try {
        // Redirects are not followed: the token goes to apiUrl and nowhere else (another port or host included).
        const res = await fetch(url, {
          method,
          headers,
          body,
          agent: this.agent,
          signal: abort.signal,
          redirect: "manual",
        });
        const serverDate = res.headers.get("date");
        this.clock.observe(serverDate);
        const text = await res.text();
        if (res.ok) {
          this.limiter?.succeeded();
          const data = parseJson(text);
          const problem = opts.expect?.(data);
          if (problem === undefined) return { status: res.status, headers: res.headers, data: data as T };
          malformed = true;
          throw new MalformedResponseError(res.status, method, shown, maskSecret(problem, token));
        }
        status = res.status;
        // An HTTP-date Retry-After is on the server's clock: measure it from the answer's own Date.
        retryAfterMs = parseRetryAfter(
          res.headers.get("retry-after"),
          parseHttpDate(serverDate) ?? Date.now(),
        );
        if (status === 429) this.limiter?.throttled(retryAfterMs);
        const location = status >= 300 && status < 400 ? res.headers.get("location") : null;
        error = makeApiError(
          status,
          method,
          shown,
          location !== null
            ? `a redirect to ${maskSecret(location, token)}, not followed (the API token is sent only to the ` +
                `configured API URL)`
            : serverMessage(text, token),
          retryAfterMs,
          fieldsNamed(text),
          this.context,
        );
        if (isAuthenticationError(error)) this.refusedToken ??= error;
      } catch (e) {
        const err = e as { name?: string; code?: string; message?: string };
        if (malformed) {
          error = e as MalformedResponseError;
        } else if (err.name === "AbortError") {
          error = new TimeoutError(method, shown, `no response within ${attemptMs} ms`, this.apiUrl);
        } else {
          notSent = err.code === "ECONNREFUSED";
          error = new ConnectionError(
            method,
            shown,
            maskSecret(describeNetworkError(err), token),
            this.apiUrl,
          );
        }
      } finally {
        clearTimeout(timer);
      }
      const decision = retryDecision(
        this.policy,
        { method, status, notSent, retryAfterMs, malformed },
        attempt,
        spent(),
      );
      if (!decision.retry) {
        this.counters.failures++;
        if (attempt > 1) {
          error.note(
            ` (gave up after ${attempt} attempts in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
          );
        }
        throw error;
      }
      this.counters.retries++;
      await sleep(decision.delayMs);
    }
  }
}

function emptyStats(): RequestStats {
  return { requests: 0, byMethod: {}, byRoute: {}, retries: 0, failures: 0 };
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Tolerant reader: a 200 with a non-JSON body is not an error of ours.
    return text;
  }
}

/** The server's `message`, or a short excerpt of a non-JSON body; masked. */
function serverMessage(text: string, token: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let msg: string | undefined;
  try {
    const parsed = JSON.parse(trimmed) as { message?: unknown; error?: unknown; detail?: unknown };
    const m = parsed?.message ?? parsed?.error ?? parsed?.detail;
    msg = typeof m === "string" ? m : JSON.stringify(parsed);
  } catch {
    msg = trimmed.startsWith("<") ? undefined : trimmed;
  }
  if (msg === undefined) return undefined;
  // Mask before cutting: a cut could leave part of the token that no longer matches it whole.
  msg = maskSecret(msg, token);
  return msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
}

/** Keys of an error body that say something about the error as a whole, not about one request field. */
const ENVELOPE_KEYS = new Set([
  "message",
  "error",
  "detail",
  "code",
  "status",
  "errors",
  "field",
  "non_field_errors",
]);

/** Request fields an error body names: its own keys (`{"ip_address": [...]}`), those of `errors`, or `field`. */
function fieldsNamed(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return [];
  const body = parsed as Record<string, unknown>;
  if (typeof body.field === "string") return [body.field];
  const errors =
    body.errors && typeof body.errors === "object" && !Array.isArray(body.errors) ? body.errors : body;
  return Object.keys(errors).filter((k) => !ENVELOPE_KEYS.has(k));
}

function describeNetworkError(err: { code?: string; message?: string }): string {
  // node-fetch's message repeats the full URL; the code is what matters.
  if (err.code) return `network error ${err.code}`;
  return err.message ?? "network error";
}
