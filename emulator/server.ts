/**
 * The Emulator: one object that owns the emulator's state (store, knobs, tokens, rate limits, fault dice, request
 * log) and its HTTP server, and offers both as methods. Each job is a room of its own: the API handlers
 * (./api.ts) and routes (./routes.ts), the control routes (./control.ts), authentication (./auth.ts), the rate
 * limit (./rate-limit.ts), fault injection (./faults.ts), the clock (./clock.ts), and the one adapter that reads
 * requests and writes responses (./http.ts). Handlers return values; only `handle` here hands them to the adapter.
 */
import * as http from "http";
import type { AddressInfo, Socket } from "net";
import { COLLECTIONS, CollectionName, IpEntry } from "../provider/client/types";
import { IndexedStore } from "./address-index";
import { LibraryApi } from "./api";
import { type TokenSpec, Tokens } from "./auth";
import { clockNow, offsetAdvancedBy, offsetSetTo } from "./clock";
import { controlReply, isControlPath } from "./control";
import { Faults } from "./faults";
import { canonical } from "./fields";
import { type SeedEntry, handEdit, seedEntries } from "./hand";
import { writeReply } from "./http";
import { DEFAULT_KNOBS, Knobs, PROFILES, PROFILE_NAMES, ProfileName, knobError } from "./knobs";
import { RateLimiter } from "./rate-limit";
import { type Reply, errorReply } from "./reply";
import { type LoggedRequest, type RequestCounters, RequestLog } from "./requests";
import { type RouteDeps, apiTarget, handleApi } from "./routes";
import { MemoryStore, Store } from "./store";

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

const API_PREFIX = "/api/v2";

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
  private readonly tokens: Tokens;
  private readonly limiter = new RateLimiter();
  private readonly faults: Faults;
  private readonly log = new RequestLog();
  private readonly routes: RouteDeps;
  private readonly sockets = new Set<Socket>();
  private server?: http.Server;
  private address?: AddressInfo;

  /** The server personality it started with (see PROFILES). */
  readonly profile: ProfileName;

  constructor(private readonly options: EmulatorOptions = {}) {
    const profile = options.profile ?? "reference";
    if (!PROFILE_NAMES.includes(profile))
      throw new Error(`unknown profile "${String(profile)}" (expected ${PROFILE_NAMES.join(" or ")})`);
    this.profile = profile;
    const store = new IndexedStore(options.store ?? new MemoryStore(options.dataFile), canonical);
    this.store = store;
    this.initialKnobs = { ...DEFAULT_KNOBS, ...PROFILES[profile], ...options.knobs };
    const err = knobError(options.knobs ?? {});
    if (err) throw new Error(err);
    this.knobValues = { ...this.initialKnobs };
    this.faults = new Faults(this.knobValues.seed);
    this.tokens = new Tokens(options.tokens ?? ["test-token"]);
    this.api = new LibraryApi(store, () => this.knobValues);
    this.routes = {
      knobs: () => this.knobValues,
      now: () => this.now(),
      api: this.api,
      tokens: this.tokens,
      limiter: this.limiter,
      faults: this.faults,
      hooks: this,
    };
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
    if (patch.seed !== undefined) this.faults.reseed(patch.seed);
    if (patch.rateLimit !== undefined) this.limiter.clear();
  }

  /** Request counters and the log of API requests (control routes excluded). */
  requests(): { counters: RequestCounters; log: LoggedRequest[] } {
    return this.log.snapshot();
  }

  clearRequests(): void {
    this.log.clear();
  }

  /** The emulator's clock, ms (real time moved by advanceClock/setClock). Timestamps, expiry and the Date header follow it. */
  now(): number {
    return clockNow(this.knobValues);
  }

  /** Move the emulator's clock by `seconds` (may be negative); returns the new now, ms. The rate limiter keeps real time. */
  advanceClock(seconds: number): number {
    this.setKnobs({ clockOffsetMs: offsetAdvancedBy(this.knobValues.clockOffsetMs, seconds) });
    return this.now();
  }

  /** Set the emulator's clock to a moment (ISO string, ms or Date); it runs on from there. Returns the new now, ms. */
  setClock(at: string | number | Date): number {
    this.setKnobs({ clockOffsetMs: offsetSetTo(at) });
    return this.now();
  }

  /** Empty the libraries, clear the request log and restore the start-up knobs (the profile's, and the clock). */
  reset(): void {
    this.store.clear();
    this.clearRequests();
    this.knobValues = { ...this.initialKnobs };
    this.faults.reseed(this.knobValues.seed);
    this.limiter.clear();
    this.tokens.restore();
  }

  /**
   * Add entries as if someone created them by hand (no auth, no faults, no
   * duplicate check). `pk`, `created_on` and the like may be given for fixtures.
   */
  seed(collection: CollectionName, entries: SeedEntry[]): IpEntry[] {
    return seedEntries(this.api, collection, entries);
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
    return handEdit(this.api, collection, pk, patch);
  }

  /** An out-of-band delete, as in the Cloudlock UI. Returns the pks that existed. */
  remove(collection: CollectionName, pks: readonly string[]): string[] {
    return this.store.remove(collection, pks);
  }

  /**
   * Regenerate a token, as Cloudlock's UI does: `to` takes `from`'s rights and `from` stops working at once.
   * Throws when `from` is not a token of this emulator or `to` already is one.
   */
  rotateToken(from: string, to: string): void {
    this.tokens.rotate(from, to);
    this.limiter.forget(from);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every request: to a control route or an API route, whose outcome is carried out here. */
  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The Date header is written from the emulator's clock, not Node's real time.
    res.sendDate = false;
    const url = new URL(req.url ?? "/", "http://emulator");
    const isControl = isControlPath(url.pathname);
    try {
      if (isControl) return this.send(res, await controlReply(this, req, url), false);
      const method = req.method ?? "GET";
      const target = apiTarget(method, url);
      const entry = this.log.open(method, target.route, url);
      const outcome = await handleApi(this.routes, req, url, target);
      if (outcome.act === "hang") {
        entry.fault = "hang";
        this.log.record(entry);
      } else if (outcome.act === "drop") {
        entry.status = outcome.status;
        entry.fault = outcome.fault;
        this.log.record(entry);
        req.socket.destroy();
      } else {
        entry.status = outcome.reply.status ?? 200;
        if (outcome.fault) entry.fault = outcome.fault;
        this.log.record(entry);
        this.send(res, outcome.reply, true);
      }
    } catch (e) {
      // Never crash on a request: anything unexpected is a 500 with a message.
      if (!res.headersSent && !res.destroyed) this.send(res, errorReply(e), !isControl);
    }
  }

  /** API answers follow the knobs; control routes answer in the default style. */
  private send(res: http.ServerResponse, reply: Reply, api: boolean): void {
    writeReply(res, reply, api ? this.knobValues : DEFAULT_KNOBS, this.now());
  }
}
