/**
 * The provider process's connection to one Cloudlock tenant: settings, the
 * one client (so one rate limit for every resource), Cloudlock's clock, the
 * per-library stores and delete queues, and the write gate (a token that may
 * not write stops at its first write).
 */
import { canonicalAddress } from "../address";
import { CloudlockClient } from "../client/client";
import {
  type CloudlockError,
  isAuthenticationError,
  isExpectedError,
  isPermissionDeniedError,
  type PermissionDeniedError,
  problem,
  repeatError,
  withRecordedSettings,
} from "../client/errors";
import type { RetryPolicy } from "../client/retry";
import type { CollectionName } from "../client/types";
import { LABEL } from "../tokens";
import { type ProblemId, isPerRun } from "../problems";
import { ConfigSource, type Read, Settings, clientOptions, readSettings } from "../settings";
import { AddressCheck } from "./address-check";
import { DeleteQueue } from "./delete-queue";
import { EngineLog } from "../pulumi-internals";
import { EntryStore } from "./store";
import type { Route } from "./forecast";

/** Explicit settings (they win over stack config and the environment), for tests and embedders. */
export interface RuntimeSettings extends Partial<Settings> {
  /** Environment to fall back on (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Client retry overrides (tests). */
  retry?: Partial<RetryPolicy>;
  /** Where diagnostics go: the engine's address, as a plugin is given it (default: the dynamic provider host's). */
  engineAddress?: string;
  /** Who calls, in the User-Agent (default: the dynamic provider). */
  agent?: string;
  /** How resources are declared, for the fixes messages name (default: the dynamic SDK). */
  route?: Route;
}

/** Keys noted per library during one run (entries taken over or replaced, addresses forecast). */
class PerLibrary {
  private readonly sets = new Map<CollectionName, Set<string>>();

  add(kind: CollectionName, keys: Iterable<string>): void {
    let set = this.sets.get(kind);
    if (!set) this.sets.set(kind, (set = new Set()));
    for (const k of keys) set.add(k);
  }

  has(kind: CollectionName, key: string): boolean {
    return this.sets.get(kind)?.has(key) ?? false;
  }

  clear(): void {
    this.sets.clear();
  }
}

interface Refusal {
  verb: string;
  error: PermissionDeniedError;
}

export class Connection {
  /** The settings as last read, and where each came from. */
  private current: Read;
  private clientInstance?: CloudlockClient;
  private stores = new Map<CollectionName, EntryStore>();
  private checks = new Map<CollectionName, AddressCheck>();
  private deleters = new Map<CollectionName, DeleteQueue>();
  /** Per library, the 403 that stopped writes in this run, and the operation it answered. */
  private refusedWrites = new Map<CollectionName, Refusal>();
  /** Per library, the entries a resource of this run took over from whoever held them (see claim). */
  private readonly claims = new PerLibrary();
  /** Per library, the addresses whose create this process forecast to be refused. */
  private readonly forecasts = new PerLibrary();
  /** Per library, the entries a replacement in this run deletes before it creates their successor. */
  private readonly replacing = new PerLibrary();
  /** Per library, settles when the first write of this run has been answered. */
  private firstWrite = new Map<CollectionName, Promise<void>>();
  /** Diagnostics in the engine's output (when this process is Pulumi's provider host or a plugin). */
  readonly engine: EngineLog;
  /** The one request that asks Cloudlock's clock, when an expiry must be judged before any other answer. */
  private clockProbe?: Promise<void>;

  /** Why the settings could not be taken: every call that needs the API fails with it, none falls back. */
  private refused?: Error;
  /** Causes of expected errors whose fix this process has given (see report). */
  private readonly told = new Set<string>();

  constructor(private readonly explicit: RuntimeSettings = {}) {
    this.engine = explicit.engineAddress ? new EngineLog(() => explicit.engineAddress) : new EngineLog();
    // Loaded by every serialised provider: a bad environment value fails the calls that need it, not the load.
    this.current = this.resolve(undefined) ?? readSettings(undefined, {});
  }

  private resolve(config: ConfigSource | undefined): Read | undefined {
    try {
      const s = readSettings(config, this.explicit.env ?? process.env, this.explicit);
      this.refused = undefined;
      return s;
    } catch (e) {
      this.refused = e as Error;
      return undefined;
    }
  }

  /** How this process's resources are declared (the plugin's, or the dynamic SDK's). */
  get route(): Route {
    return this.explicit.route ?? "sdk";
  }

  get settings(): Readonly<Settings> {
    return this.current.settings;
  }

  /** Why the settings could not be taken, if they could not (every call that needs the API fails with it). */
  get refusal(): Error | undefined {
    return this.refused;
  }

  /**
   * The error to hand the engine for `error`, which ends call `op`. An expected error says what to do once per process:
   * the calls after the first that fail for the same cause (one per resource) get a short error naming what
   * happened. The same cause is the same kind for a cause the whole run shares (a refused token, a bad setting,
   * an unreachable server), else the same account of what happened (one listing failing every resource waiting
   * on it).
   */
  report(error: unknown, op?: string): unknown {
    if (!isExpectedError(error)) return error;
    // A refresh or destroy may read and delete with the settings recorded at the last `up`: a 401 there says
    // so, as a possibility. Not for a token from the environment, which is read afresh by every run.
    const e: CloudlockError & { problem: ProblemId } =
      (op === "read" || op === "delete") &&
      isAuthenticationError(error) &&
      !error.context.recordedSettings &&
      error.context.tokenKind !== "env"
        ? (withRecordedSettings(error) as CloudlockError & { problem: ProblemId })
        : error;
    // What happened as first said: "gave up after 4 attempts in 1.2 s" differs between two such calls.
    const cause = isPerRun(e.problem) ? e.problem : `${e.problem}: ${e.account}`;
    if (!this.told.has(cause)) {
      this.told.add(cause);
      return e;
    }
    return repeatError(e);
  }

  /**
   * Take the settings from stack config (see provider/settings.ts). Synchronous
   * on purpose: the provider host may start other calls before configure's
   * promise settles, and they must already see the settings.
   */
  configure(config: ConfigSource): void {
    const next = this.resolve(config);
    if (!next) {
      // Not the environment's settings instead: they may name another tenant.
      this.drop();
      throw this.refused;
    }
    // Every provider of the process configures this one connection, each on its first call: a second must
    // not drop a client (and its requests in flight) that the first is already using.
    const same = (Object.keys(next.settings) as (keyof Settings)[]).every(
      (k) => next.settings[k] === this.current.settings[k],
    );
    this.current = next;
    if (!same) this.drop();
  }

  /** Forget the client and everything learnt through it. */
  private drop(): void {
    this.clientInstance?.close();
    this.clientInstance = undefined;
    this.clockProbe = undefined;
    this.stores.clear();
    this.checks.clear();
    this.deleters.clear();
    this.refusedWrites.clear();
    this.firstWrite.clear();
    this.claims.clear();
    this.replacing.clear();
    this.forecasts.clear();
  }

  /**
   * Entries a resource of this run took over (adoptId, an identical entry adopted, a set adopting by address).
   * The engine deletes removed resources after it has created and updated the rest, so when a resource takes over
   * another's entry (per-entry resources into a set, a rename with adoptId, an entry moved between sets) the old
   * owner's delete would remove what the new one holds: no DELETE of this run ever sends a claimed id.
   */
  claim(kind: CollectionName, pks: Iterable<string>): void {
    this.claims.add(kind, pks);
  }

  /**
   * Entries this run replaces (a diff that answered a replacement): their old entry is deleted before the
   * replacement is created, so it does not hold its address against the replacement's create. The engine checks
   * a replacement again as a new resource, after its diff, in the same provider process.
   */
  noteReplacing(kind: CollectionName, pk: string): void {
    this.replacing.add(kind, [pk]);
  }

  /** A create at `address` was forecast at check to be refused, with its fix (see EntryProvider.forecast). */
  noteForecast(kind: CollectionName, address: string): void {
    this.forecasts.add(kind, [canonicalAddress(address)]);
  }

  /** Whether the refusal of a create at `address` was forecast in this process (its fix then said once). */
  wasForecast(kind: CollectionName, address: string): boolean {
    return this.forecasts.has(kind, canonicalAddress(address));
  }

  /** Whether this run replaces the entry `pk` (see noteReplacing). */
  isReplacing(kind: CollectionName, pk: string): boolean {
    return this.replacing.has(kind, pk);
  }

  /** The client, made on first use (so a missing token fails the operation that needs it, clearly). */
  get client(): CloudlockClient {
    if (this.refused) throw this.refused;
    if (!this.clientInstance) {
      const opts = clientOptions(this.current, { config: true });
      this.clientInstance = new CloudlockClient({
        ...opts,
        retry: { ...opts.retry, ...this.explicit.retry },
        userAgentSuffix: this.explicit.agent ?? "pulumi-dynamic-provider",
      });
    }
    return this.clientInstance;
  }

  /** The store of one library (listing, reads, searches). */
  store(kind: CollectionName): EntryStore {
    let s = this.stores.get(kind);
    if (!s) this.stores.set(kind, (s = new EntryStore(this.client.collection(kind))));
    return s;
  }

  /** The after-write checks of one library (is a new entry alone at its address?). */
  check(kind: CollectionName): AddressCheck {
    let c = this.checks.get(kind);
    if (!c) this.checks.set(kind, (c = new AddressCheck(this.store(kind))));
    return c;
  }

  /** Deletes of one library by group commit (see DeleteQueue). */
  deletes(kind: CollectionName): DeleteQueue {
    let d = this.deleters.get(kind);
    if (!d) this.deleters.set(kind, (d = this.deleteQueue(kind)));
    return d;
  }

  /** A delete queue of its own (a set's deletes are handed over together, apart from per-entry ones). */
  deleteQueue(kind: CollectionName): DeleteQueue {
    return new DeleteQueue(async (ids) => {
      const kept = ids.filter((id) => this.claims.has(kind, id));
      if (kept.length)
        void this.engine.log(
          "info",
          `${LABEL[kind]}: kept ${kept.join(", ")} in Cloudlock: another resource of this stack holds ` +
            `${kept.length === 1 ? "it" : "them"} now, so the resource that held ${kept.length === 1 ? "it" : "them"} ` +
            `before lets go without deleting.`,
        );
      const go = ids.filter((id) => !this.claims.has(kind, id));
      if (go.length) await this.write(kind, "delete", () => this.client.collection(kind).delete(go));
    });
  }

  /** Now, by the server's clock once an answer has told it (expiry is the server's to judge). */
  now(): number {
    return this.clientInstance?.now() ?? Date.now();
  }

  /**
   * Now by the server's clock for a decision about expiry: a process that has
   * not heard from Cloudlock yet asks it once (one GET of one entry), so a
   * machine whose clock is off never judges an expiry differently from Cloudlock.
   */
  async serverNow(): Promise<number> {
    const c = this.client;
    // One probe however many calls ask at once (the engine sends checks and diffs concurrently).
    if (!c.clock.known)
      await (this.clockProbe ??= c.suspicious.page({ offset: 0, limit: 1 }).then(
        () => undefined,
        () => undefined,
      ));
    return c.now();
  }

  /** serverNow where an expiry is to be judged, else now (no request). */
  async nowFor(dated: boolean): Promise<number> {
    return dated ? this.serverNow() : this.now();
  }

  /**
   * Run a write. A 403 means this token may not write to the library: say so
   * plainly, and refuse further writes to that library in this run without
   * sending them, so a read-only token stops at its first write.
   */
  async write<T>(kind: CollectionName, verb: string, send: () => Promise<T>): Promise<T> {
    // The first write to a library goes alone: if the token may not write, one request finds out, not all.
    const gate = this.firstWrite.get(kind);
    let open: (() => void) | undefined;
    if (gate) await gate;
    else this.firstWrite.set(kind, new Promise<void>((resolve) => (open = resolve)));
    const refused = this.refusedWrites.get(kind);
    if (refused) {
      open?.();
      throw refusal(kind, verb, refused);
    }
    try {
      return await send();
    } catch (e) {
      if (!isPermissionDeniedError(e)) throw e;
      this.refusedWrites.set(kind, { verb, error: e });
      throw refusal(kind, verb, { verb, error: e });
    } finally {
      open?.();
    }
  }
}

/** The 403 message for this operation: the refused request itself, or the earlier one that stopped writes. */
function refusal(kind: CollectionName, verb: string, first: Refusal): CloudlockError {
  const e = first.error;
  return problem("permission", {
    label: LABEL[kind],
    status: 403,
    statusText: "Forbidden",
    method: e.method,
    path: e.path,
    serverMessage: e.serverMessage,
    library: kind,
    verb,
    earlier:
      first.verb === verb
        ? undefined
        : `when this run tried to ${first.verb} an entry; this ${verb} was not sent`,
  });
}
