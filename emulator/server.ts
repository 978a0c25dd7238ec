import * as http from "http";
import type { AddressInfo, Socket } from "net";
import { COLLECTIONS, CollectionName, IpEntry } from "../provider/client/types";
import { HttpError, LibraryApi, Reply, handEditable } from "./api";
import { DEFAULT_KNOBS, Knobs, PROFILES, PROFILE_NAMES, ProfileName, knobError } from "./knobs";
import { sleep } from "../common/sleep";
import { multipartPart } from "./multipart";
import { MemoryStore, Store } from "./store";

export interface TokenSpec {
  token: string;
  /** Writes with this token get 403. */
  readOnly?: boolean;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to bind; loopback by default. */
  host?: string;
  /** Accepted bearer tokens (default: one read-write token "test-token"). */
  tokens?: (string | TokenSpec)[];
  /** A named bundle of knobs (default "reference"); `knobs` override its values. */
  profile?: ProfileName;
  knobs?: Partial<Knobs>;
  /** Persist entries to this JSON file after every write. */
  dataFile?: string;
  store?: Store;
}

/** Both libraries as stored: the shape of the `--data` file. */
export type LibraryDump = Record<CollectionName, IpEntry[]>;

export interface LoggedRequest {
  seq: number;
  method: string;
  /** "GET /ip/trusted" style, without query or ids. */
  route: string;
  path: string;
  query: string;
  /** HTTP status, or 0 when the connection was dropped or hung. */
  status: number;
  fault?: "error" | "drop" | "drop-after-commit" | "hang" | "rate-limited" | "bad-answer";
}

export interface RequestCounters {
  total: number;
  byMethod: Record<string, number>;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  faults: Record<string, number>;
}

/** Reserved prefix of the test-only control routes. */
export const CONTROL_PREFIX = "/_emulator";
const API_PREFIX = "/api/v2";
const LOG_LIMIT = 20_000;

/**
 * A faithful Cloudlock IP Libraries API on a real HTTP server. Start it in
 * process with `Emulator.start()` (port 0 by default) or as the
 * `cloudlock-emulator` command.
 */
export class Emulator {
  readonly store: Store;
  readonly api: LibraryApi;
  /**
   * In-process tests only: called before each listing page is served, with the
   * page's offset, so a test can change the library between two pages.
   */
  onList?: (collection: CollectionName, offset: number) => void;
  /**
   * In-process tests only: called (and awaited) before each create (POST) is
   * applied, so a test can play another writer that gets in between a client's
   * check and its POST, or hold creates until two writers have both looked.
   */
  onCreate?: (collection: CollectionName) => void | Promise<void>;
  private knobValues: Knobs;
  private readonly initialKnobs: Knobs;
  private readonly tokens: Map<string, TokenSpec>;
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private readonly sockets = new Set<Socket>();
  private log: LoggedRequest[] = [];
  private counters: RequestCounters = emptyCounters();
  private seq = 0;
  private rand: () => number;
  private server?: http.Server;
  private address?: AddressInfo;

  /** The server personality it started with (see PROFILES). */
  readonly profile: ProfileName;

  constructor(private readonly options: EmulatorOptions = {}) {
    const profile = options.profile ?? "reference";
    if (!PROFILE_NAMES.includes(profile))
      throw new Error(`unknown profile "${String(profile)}" (expected ${PROFILE_NAMES.join(" or ")})`);
    this.profile = profile;
    this.store = options.store ?? new MemoryStore(options.dataFile);
    this.initialKnobs = { ...DEFAULT_KNOBS, ...PROFILES[profile], ...options.knobs };
    const err = knobError(options.knobs ?? {});
    if (err) throw new Error(err);
    this.knobValues = { ...this.initialKnobs };
    this.rand = mulberry32(this.knobValues.seed);
    this.tokens = new Map();
    this.restoreTokens();
    this.api = new LibraryApi(this.store, () => this.knobValues);
  }

  /** Create and start an emulator. */
  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    const emu = new Emulator(options);
    await emu.listen();
    return emu;
  }

  async listen(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    // Idle keep-alive connections last a minute, as behind a typical load balancer. Node's 5 s default has
    // clients close at 4 s: on a loaded machine a late timer reuses a socket the server is closing, and a
    // POST's answer is lost (recovered, but at the price of a listing).
    server.keepAliveTimeout = 60_000;
    server.headersTimeout = 61_000;
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.address = server.address() as AddressInfo;
  }

  /** Base URL of the server, e.g. http://127.0.0.1:41234 */
  get url(): string {
    if (!this.address) throw new Error("emulator is not listening");
    const host = this.address.family === "IPv6" ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  /** The API base to give clients: `<url>/api/v2`. */
  get apiUrl(): string {
    return `${this.url}${API_PREFIX}`;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  get knobs(): Readonly<Knobs> {
    return this.knobValues;
  }

  /** Change knobs at run time. Throws on an invalid value. */
  setKnobs(patch: Partial<Knobs>): void {
    const err = knobError(patch);
    if (err) throw new Error(err);
    this.knobValues = { ...this.knobValues, ...patch };
    if (patch.seed !== undefined) this.rand = mulberry32(patch.seed);
    if (patch.rateLimit !== undefined) this.buckets.clear();
  }

  /** Request counters and the log of API requests (control routes excluded). */
  requests(): { counters: RequestCounters; log: LoggedRequest[] } {
    return { counters: structuredClone(this.counters), log: [...this.log] };
  }

  clearRequests(): void {
    this.log = [];
    this.counters = emptyCounters();
  }

  /** The emulator's clock, ms (real time moved by advanceClock/setClock). Timestamps, expiry and the Date header follow it. */
  now(): number {
    return this.api.now();
  }

  /** Move the emulator's clock by `seconds` (may be negative); returns the new now, ms. The rate limiter keeps real time. */
  advanceClock(seconds: number): number {
    if (typeof seconds !== "number" || !Number.isFinite(seconds))
      throw new Error("advanceClock needs a finite number of seconds");
    this.setKnobs({ clockOffsetMs: this.knobValues.clockOffsetMs + seconds * 1000 });
    return this.now();
  }

  /** Set the emulator's clock to a moment (ISO string, ms or Date); it runs on from there. Returns the new now, ms. */
  setClock(at: string | number | Date): number {
    const ms = typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime();
    if (!Number.isFinite(ms)) throw new Error(`setClock needs a timestamp, got ${String(at)}`);
    this.setKnobs({ clockOffsetMs: ms - Date.now() });
    return this.now();
  }

  /** Empty the libraries, clear the request log and restore the start-up knobs (the profile's, and the clock). */
  reset(): void {
    this.store.clear();
    this.clearRequests();
    this.knobValues = { ...this.initialKnobs };
    this.rand = mulberry32(this.knobValues.seed);
    this.buckets.clear();
    this.restoreTokens();
  }

  /** The tokens it started with (a reset undoes rotations). */
  private restoreTokens(): void {
    this.tokens.clear();
    for (const t of this.options.tokens ?? ["test-token"]) {
      const spec = typeof t === "string" ? { token: t } : t;
      this.tokens.set(spec.token, spec);
    }
  }

  /**
   * Add entries as if someone created them by hand (no auth, no faults, no
   * duplicate check). `pk`, `created_on` and the like may be given for fixtures.
   */
  seed(
    collection: CollectionName,
    entries: Array<Partial<IpEntry> & { name: string; ip_address: string }>,
  ): IpEntry[] {
    return entries.map((e) => {
      const { pk, created_on, updated_on, location, ...input } = e;
      delete (input as Record<string, unknown>).type;
      if (collection === "trusted") delete input.expires_on;
      const built = this.api.buildEntry(collection, input as Record<string, unknown>, pk);
      const entry = {
        ...built,
        ...(created_on ? { created_on } : {}),
        ...(updated_on ? { updated_on } : {}),
        ...(location ? { location } : {}),
      };
      this.store.insert(collection, entry);
      return entry;
    });
  }

  /** Every stored entry of a collection, expired ones included. */
  entries(collection: CollectionName): IpEntry[] {
    return this.store.all(collection);
  }

  /** Both libraries, every field as stored, in the `--data` file's shape (what {@link load} takes back). */
  dump(): LibraryDump {
    return { suspicious: this.store.all("suspicious"), trusted: this.store.all("trusted") };
  }

  /**
   * Replace both libraries with `data` (a {@link dump}, or a `--data` file of this or an earlier release), entries
   * kept exactly as given: a recorded library is loaded as it was, not rebuilt as `seed` would.
   */
  load(data: Partial<LibraryDump>): void {
    this.store.clear();
    for (const c of COLLECTIONS) for (const e of data[c] ?? []) this.store.insert(c, e);
  }

  /** An out-of-band edit, as a person in the Cloudlock UI would make: any field, no PUT restrictions. */
  edit(collection: CollectionName, pk: string, patch: Partial<IpEntry>): IpEntry {
    const existing = this.store.get(collection, pk);
    if (!existing) throw new HttpError(404, `no ${collection} entry with id "${pk}"`);
    // A misspelt field (the SDK's `ipAddress` for the API's `ip_address`) would be stored beside the real one and
    // change nothing a client reads: refused, so a test or a demo never believes it edited what it did not.
    const editable = handEditable(collection);
    const unknown = Object.keys(patch).filter((k) => !editable.includes(k));
    if (unknown.length)
      throw new HttpError(
        400,
        `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for a ${collection} entry: an edit ` +
          `names the API's fields (${editable.join(", ")})`,
      );
    const next = { ...existing, ...patch, pk, updated_on: this.api.editStamp() };
    // Cloudlock derives location from the address, so an edit that moves the address moves it too (unless the
    // edit sets a location itself, as a fixture may).
    if (patch.location === undefined && next.ip_address !== existing.ip_address)
      next.location = this.api.location(next.ip_address);
    this.store.replace(collection, next);
    return next;
  }

  /** An out-of-band delete, as in the Cloudlock UI. Returns the pks that existed. */
  remove(collection: CollectionName, pks: readonly string[]): string[] {
    return this.store.remove(collection, pks);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- request handling ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The Date header is written from the emulator's clock, not Node's real time.
    res.sendDate = false;
    const url = new URL(req.url ?? "/", "http://emulator");
    const isControl = url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`);
    try {
      if (isControl) {
        const reply = await this.control(req, url);
        return this.send(res, reply, false);
      }
      await this.handleApi(req, res, url);
    } catch (e) {
      // Never crash on a request: anything unexpected is a 500 with a message.
      if (!res.headersSent && !res.destroyed) this.send(res, errorReply(e), !isControl);
    }
  }

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const m = /^\/api\/v2\/ip\/(suspicious|trusted)(?:\/([^/]*))?\/?$/.exec(url.pathname);
    const collection = m?.[1] as CollectionName | undefined;
    const id = m?.[2] ? decodeURIComponent(m[2]) : undefined;
    const route = collection
      ? `${method} /ip/${collection}${id !== undefined ? "/{id}" : ""}`
      : `${method} ${url.pathname}`;
    const entry: LoggedRequest = {
      seq: ++this.seq,
      method,
      route,
      path: url.pathname,
      query: url.search,
      status: 0,
    };
    const finish = (reply: Reply, fault?: LoggedRequest["fault"]) => {
      entry.status = reply.status ?? 200;
      if (fault) entry.fault = fault;
      this.record(entry);
      this.send(res, reply, true);
    };

    const k = this.knobValues;
    if (k.latencyMs > 0) await sleep(k.latencyMs);

    const faultable = k.faultMethods.length === 0 || k.faultMethods.includes(method);
    if (faultable && k.hangRate > 0 && this.rand() < k.hangRate) {
      entry.fault = "hang";
      this.record(entry);
      req.resume();
      return; // never answered; the socket dies when the client gives up or the emulator closes
    }
    if (faultable && k.dropRate > 0 && this.rand() < k.dropRate) {
      entry.fault = "drop";
      this.record(entry);
      req.socket.destroy();
      return;
    }
    if (faultable && k.errorRate > 0 && this.rand() < k.errorRate) {
      req.resume();
      const status = [500, 502, 503][Math.floor(this.rand() * 3)];
      return finish({ status, error: "injected server error" }, "error");
    }

    if (faultable && k.writeBudget !== null && method !== "GET" && method !== "HEAD" && collection) {
      if (k.writeBudget === 0) {
        req.resume();
        return finish({ status: 503, error: "injected outage: writes are unavailable" }, "error");
      }
      k.writeBudget--;
    }

    try {
      if (!collection) throw new HttpError(404, `no such endpoint: ${method} ${url.pathname}`, true);
      const spec = this.authenticate(req);
      const limited = this.rateLimit(spec.token);
      if (limited !== undefined) {
        req.resume();
        // One reading of the clock for Date and Retry-After, so Retry-After - Date is the wait exactly.
        const now = this.now();
        const headers: Record<string, string> = { Date: httpDate(now) };
        if (k.retryAfterHeader) {
          headers["Retry-After"] =
            k.retryAfterFormat === "http-date" ? httpDate(now + limited * 1000) : String(limited);
        }
        return finish({ status: 429, headers, error: "rate limit exceeded, slow down" }, "rate-limited");
      }
      const write = method !== "GET" && method !== "HEAD";
      if (write && spec.readOnly) {
        throw new HttpError(
          403,
          "this API token is read-only; writes need a token whose user may manage IP libraries",
        );
      }
      if (method === "GET" && id === undefined)
        this.onList?.(collection, Number(url.searchParams.get("offset") ?? 0));
      if (method === "POST" && id === undefined) await this.onCreate?.(collection);
      const reply = await this.dispatch(req, method, collection, id, url);
      if (faultable && k.badAnswerRate > 0 && (reply.status ?? 200) < 300 && this.rand() < k.badAnswerRate) {
        return finish({ ...reply, raw: badAnswer(k.badAnswer, reply.body) }, "bad-answer");
      }
      if (write && faultable && k.dropAfterCommitRate > 0 && this.rand() < k.dropAfterCommitRate) {
        entry.status = reply.status ?? 200;
        entry.fault = "drop-after-commit";
        this.record(entry);
        req.socket.destroy();
        return;
      }
      finish(reply);
    } catch (e) {
      req.resume();
      finish(errorReply(e));
    }
  }

  private authenticate(req: http.IncomingMessage): TokenSpec {
    const header = req.headers.authorization;
    if (!header)
      throw new HttpError(401, "the Authorization header is missing; send Authorization: Bearer <token>");
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, "the Authorization header must be: Bearer <token>");
    const spec = this.tokens.get(m[1]);
    if (!spec) throw new HttpError(401, "the access token is invalid");
    return spec;
  }

  /**
   * Regenerate a token, as Cloudlock's UI does: `to` takes `from`'s rights and `from` stops working at once.
   * Throws when `from` is not a token of this emulator or `to` already is one.
   */
  rotateToken(from: string, to: string): void {
    const spec = this.tokens.get(from);
    if (!spec) throw new Error(`no token ${JSON.stringify(from)} to rotate`);
    if (this.tokens.has(to)) throw new Error(`token ${JSON.stringify(to)} is already in use`);
    if (!/^\S+$/.test(to)) throw new Error("a token cannot be empty or contain white space");
    this.tokens.delete(from);
    this.tokens.set(to, { ...spec, token: to });
    this.buckets.delete(from);
  }

  /** Token bucket per API token; returns seconds to wait when empty. */
  private rateLimit(token: string): number | undefined {
    const limit = this.knobValues.rateLimit;
    if (!limit) return undefined;
    const now = Date.now();
    const b = this.buckets.get(token) ?? { tokens: limit.burst, last: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.last) / 1000) * limit.perSecond);
    b.last = now;
    this.buckets.set(token, b);
    if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
    b.tokens -= 1;
    return undefined;
  }

  private async dispatch(
    req: http.IncomingMessage,
    method: string,
    collection: CollectionName,
    id: string | undefined,
    url: URL,
  ): Promise<Reply> {
    if (id !== undefined) {
      if (method !== "PUT")
        throw new HttpError(405, `${method} is not supported on an entry; use PUT to update`);
      if (id === "") throw new HttpError(404, "entry id is missing");
      return this.api.update(collection, id, await this.readJson(req));
    }
    switch (method) {
      case "GET":
        req.resume();
        return { body: this.api.list(collection, url.searchParams) };
      case "POST": {
        const type = req.headers["content-type"] ?? "";
        if (/^multipart\/form-data/i.test(type)) {
          const body = await this.readBody(req);
          let file: Buffer | undefined;
          try {
            file = multipartPart(body, type, "file");
          } catch (e) {
            throw new HttpError(400, `malformed multipart body: ${(e as Error).message}`);
          }
          if (!file) throw new HttpError(400, 'multipart body has no "file" field with the CSV');
          return this.api.importCsv(collection, file.toString("utf8"));
        }
        return this.api.create(collection, await this.readJson(req));
      }
      case "DELETE":
        req.resume();
        return this.api.remove(collection, url.searchParams);
      default:
        throw new HttpError(405, `${method} is not supported on /ip/${collection}`);
    }
  }

  private async readBody(req: http.IncomingMessage): Promise<Buffer> {
    const max = this.knobValues.maxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > max) {
        req.resume();
        throw new HttpError(400, `request body is larger than ${max} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private async readJson(req: http.IncomingMessage): Promise<unknown> {
    const type = req.headers["content-type"] ?? "";
    const body = await this.readBody(req);
    if (!/^application\/json/i.test(type)) {
      throw new HttpError(400, `Content-Type must be application/json, got "${type || "none"}"`);
    }
    try {
      return JSON.parse(body.toString("utf8"));
    } catch (e) {
      throw new HttpError(400, `malformed JSON: ${(e as Error).message}`);
    }
  }

  private record(entry: LoggedRequest): void {
    const c = this.counters;
    c.total++;
    c.byMethod[entry.method] = (c.byMethod[entry.method] ?? 0) + 1;
    c.byRoute[entry.route] = (c.byRoute[entry.route] ?? 0) + 1;
    c.byStatus[String(entry.status)] = (c.byStatus[String(entry.status)] ?? 0) + 1;
    if (entry.fault) c.faults[entry.fault] = (c.faults[entry.fault] ?? 0) + 1;
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  /**
   * The one place that writes a response. API answers follow the knobs (error
   * style, charset); control routes always answer plain JSON with `{"message"}`
   * errors. Every answer carries a Date from the emulator's clock.
   */
  private send(res: http.ServerResponse, reply: Reply, api: boolean): void {
    if (res.destroyed) return;
    const k = api ? this.knobValues : DEFAULT_KNOBS;
    const status = reply.status ?? 200;
    const headers: http.OutgoingHttpHeaders = {};
    let body = "";
    if (status !== 204) {
      let type = k.jsonCharset ? "application/json; charset=utf-8" : "application/json";
      if (reply.error !== undefined && k.errorBody === "detail") {
        if (reply.unknownRoute) {
          type = "text/html; charset=utf-8";
          body = notFoundPage(res.req?.url?.split("?")[0] ?? "/");
        } else {
          type = "application/problem+json";
          body = JSON.stringify({ detail: reply.error, status });
        }
      } else if (reply.raw !== undefined) {
        type = reply.raw.startsWith("<") ? "text/html" : type;
        body = reply.raw;
      } else if (reply.error !== undefined) {
        body = JSON.stringify({ message: reply.error });
      } else if (reply.body !== undefined) {
        body = JSON.stringify(reply.body);
      }
      headers["Content-Type"] = type;
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    Object.assign(headers, reply.headers);
    headers.Date ??= httpDate(this.now());
    res.writeHead(status, headers);
    res.end(body);
  }

  // ---- test-only control routes ----

  private clock(): { now: string; offsetMs: number } {
    return { now: new Date(this.now()).toISOString(), offsetMs: this.knobValues.clockOffsetMs };
  }

  private async control(req: http.IncomingMessage, url: URL): Promise<Reply> {
    const method = req.method ?? "GET";
    const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
    const json = async () => {
      const body = await this.readBody(req);
      if (body.length === 0) return {};
      try {
        return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      } catch (e) {
        throw new HttpError(400, `malformed JSON: ${(e as Error).message}`);
      }
    };
    const coll = (v: unknown): CollectionName => {
      if (!COLLECTIONS.includes(v as CollectionName))
        throw new HttpError(400, 'collection must be "suspicious" or "trusted"');
      return v as CollectionName;
    };
    const entryRoute = /^\/entries\/([^/]+)\/([^/]+)$/.exec(path);
    switch (`${method} ${entryRoute ? "/entries/:c/:pk" : path}`) {
      case "GET /health":
        return { body: { ok: true, profile: this.profile } };
      case "GET /clock":
        return { body: this.clock() };
      case "POST /clock": {
        const b = await json();
        if (typeof b !== "object" || b === null || Array.isArray(b))
          throw new HttpError(400, 'body must be {"advanceSeconds": N} or {"set": "<ISO timestamp>"}');
        const keys = Object.keys(b);
        if (keys.length !== 1 || !["advanceSeconds", "set"].includes(keys[0]))
          throw new HttpError(
            400,
            'body must be exactly one of {"advanceSeconds": N} or {"set": "<ISO timestamp>"}',
          );
        if ("advanceSeconds" in b) {
          if (typeof b.advanceSeconds !== "number" || !Number.isFinite(b.advanceSeconds))
            throw new HttpError(400, "advanceSeconds must be a finite number of seconds");
          try {
            this.advanceClock(b.advanceSeconds);
          } catch (e) {
            throw new HttpError(400, (e as Error).message);
          }
        } else {
          if (
            typeof b.set !== "string" ||
            !/^\d{4}-\d{2}-\d{2}/.test(b.set) ||
            Number.isNaN(Date.parse(b.set))
          )
            throw new HttpError(400, `set must be an ISO-8601 timestamp, got ${JSON.stringify(b.set)}`);
          try {
            this.setClock(b.set);
          } catch (e) {
            throw new HttpError(400, (e as Error).message);
          }
        }
        return { body: this.clock() };
      }
      case "POST /reset":
        this.reset();
        return { body: { ok: true } };
      case "POST /seed": {
        const b = await json();
        if (!Array.isArray(b.entries)) throw new HttpError(400, "entries must be a list");
        return { body: { items: this.seed(coll(b.collection), b.entries) } };
      }
      case "GET /entries":
        return { body: { items: this.entries(coll(url.searchParams.get("collection"))) } };
      case "PATCH /entries/:c/:pk":
        return {
          body: this.edit(
            coll(entryRoute![1]),
            decodeURIComponent(entryRoute![2]),
            (await json()) as Partial<IpEntry>,
          ),
        };
      case "DELETE /entries/:c/:pk":
        return {
          body: {
            deleted: this.store.remove(coll(entryRoute![1]), [decodeURIComponent(entryRoute![2])]).length,
          },
        };
      case "POST /tokens/rotate": {
        const b = await json();
        if (typeof b.from !== "string" || typeof b.to !== "string")
          throw new HttpError(400, 'body must be {"from": "<token>", "to": "<new token>"}');
        try {
          this.rotateToken(b.from, b.to);
        } catch (e) {
          throw new HttpError(400, (e as Error).message);
        }
        return { body: { ok: true } };
      }
      case "GET /requests":
        return { body: this.requests() };
      case "DELETE /requests":
        this.clearRequests();
        return { body: { ok: true } };
      case "GET /knobs":
        return { body: this.knobValues };
      case "PATCH /knobs": {
        const patch = await json();
        const err = knobError(patch);
        if (err) throw new HttpError(400, err);
        this.setKnobs(patch as Partial<Knobs>);
        return { body: this.knobValues };
      }
      default:
        throw new HttpError(404, `no control route ${method} ${CONTROL_PREFIX}${path}`);
    }
  }
}

function emptyCounters(): RequestCounters {
  return { total: 0, byMethod: {}, byRoute: {}, byStatus: {}, faults: {} };
}

function errorReply(e: unknown): Reply {
  if (e instanceof HttpError) return { status: e.status, error: e.message, unknownRoute: e.unknownRoute };
  return { status: 500, error: `internal emulator error: ${(e as Error)?.message ?? String(e)}` };
}

/** An HTTP date (RFC 9110 IMF-fixdate), as Date and Retry-After carry it. */
function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function notFoundPage(path: string): string {
  const safe = path.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL ${safe} was not found on this server.</p></body></html>\n`;
}

/** Small seeded PRNG so fault runs are repeatable. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An answer that is not the documented shape (badAnswer knob). */
function badAnswer(kind: Knobs["badAnswer"], body: unknown): string {
  if (kind === "html") return "<html><body><h1>Service temporarily unavailable</h1></body></html>";
  if (kind === "empty-object") return "{}";
  const json = JSON.stringify(body ?? { ok: true });
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}
