/**
 * The dynamic providers' implementation. The serialised provider object in
 * state is a few lines that `require("pulumi-cloudlock/provider")` at call
 * time and forward here, so this code can change without rewriting state and
 * nothing in it (client, token, cache) is ever serialised.
 */
import { sameAddress, searchTermsFor } from "../address";
import { CloudlockClient } from "../client/client";
import { ConfigSource, Settings, clientOptions, resolveSettings } from "../settings";
import { COMPUTED, FIELDS, LABEL, apiValue, fieldsOf } from "../model";
import {
  CloudlockError,
  isApiError,
  isDuplicateRefusal,
  isConnectionError,
  isMalformedResponseError,
  isNotFoundError,
  isPermissionDeniedError,
  type PermissionDeniedError,
} from "../client/errors";
import type { RetryPolicy } from "../client/retry";
import type { CollectionName, IpEntry, NewEntry } from "../client/types";
import { DeleteQueue } from "./delete-queue";
import { type AtAddress, LibraryCache, type Posted } from "./cache";
import {
  CheckFailure,
  EntryInputs,
  EntryOutputs,
  UPDATABLE,
  decideDiff,
  entryFields,
  hasExpired,
  matchesEntry,
  outputsFromEntry,
  patchFor,
  pickInputs,
  sameValue,
  storedView,
  UNKNOWN,
  createBody,
  validate,
  viewEntry,
  outputsOf,
} from "./schema";
import { engineLog } from "./pulumi-internals";

type Props = Record<string, unknown>;

export type { ConfigSource };

/** Explicit settings (they win over stack config and the environment), for tests and embedders. */
export interface RuntimeSettings extends Partial<Settings> {
  /** Environment to fall back on (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Client retry overrides (tests). */
  retry?: Partial<RetryPolicy>;
}

/** POSTs per create when earlier ones failed without an answer and a listing showed no entry was made. */
const CREATE_ATTEMPTS = 4;

export class ProviderRuntime {
  private readonly explicit: RuntimeSettings;
  private settings: Settings;
  private clientInstance?: CloudlockClient;
  private caches = new Map<CollectionName, LibraryCache>();
  /** Per library, the 403 that stopped writes in this run, and the operation it answered. */
  private refusedWrites = new Map<CollectionName, Refusal>();
  private deleters = new Map<CollectionName, DeleteQueue>();
  /** The one request that asks Cloudlock's clock, when an expiry must be judged before any other answer. */
  private clockProbe?: Promise<void>;
  /** Per library, settles when the first write of this run has been answered. */
  private firstWrite = new Map<CollectionName, Promise<void>>();

  constructor(explicit: RuntimeSettings = {}) {
    this.explicit = explicit;
    this.settings = resolveSettings(undefined, explicit.env ?? process.env, explicit);
  }

  /**
   * Take the settings from stack config (see provider/settings.ts). Synchronous
   * on purpose: the provider host may start other calls before configure's
   * promise settles, and they must already see the settings.
   */
  configure(config: ConfigSource): void {
    const next = resolveSettings(config, this.explicit.env ?? process.env, this.explicit);
    // Both providers (TrustedIp, SuspiciousIp) configure this one runtime, each on its first call: the
    // second must not drop a client (and its requests in flight) that the first is already using.
    const same = (Object.keys(next) as (keyof Settings)[]).every((k) => next[k] === this.settings[k]);
    this.settings = next;
    if (same) return;
    this.clientInstance?.close();
    this.clientInstance = undefined;
    this.clockProbe = undefined;
    this.caches.clear();
    this.refusedWrites.clear();
    this.firstWrite.clear();
  }

  /** The client, made on first use (so a missing token fails the operation that needs it, clearly). */
  get client(): CloudlockClient {
    if (!this.clientInstance) {
      // One client, so one limiter, for every resource of this provider process: the tenant's limit is shared.
      const opts = clientOptions(this.settings, { config: true });
      this.clientInstance = new CloudlockClient({
        ...opts,
        retry: { ...opts.retry, ...this.explicit.retry },
        userAgentSuffix: "pulumi-dynamic-provider",
      });
    }
    return this.clientInstance;
  }

  cache(kind: CollectionName): LibraryCache {
    let c = this.caches.get(kind);
    if (!c) {
      c = new LibraryCache(this.client.collection(kind));
      this.caches.set(kind, c);
    }
    return c;
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

  async check(
    kind: CollectionName,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const isNew = olds === undefined || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    const dated = kind === "suspicious" && typeof news.expiresOn === "string" && news.expiresOn !== UNKNOWN;
    const failures = validate(kind, news, isNew, dated ? await this.serverNow() : this.now());
    return { inputs: { ...pickInputs(kind, news) }, failures };
  }

  async diff(kind: CollectionName, _id: string, olds: Props, news: Props) {
    const dated = kind === "suspicious" && (olds.expiresOn !== undefined || news.expiresOn !== undefined);
    const d = decideDiff(kind, olds, news, dated ? await this.serverNow() : this.now());
    return {
      changes: d.changes,
      replaces: d.replaces,
      // The old entry holds the address: it must go before its replacement is created.
      deleteBeforeReplace: d.replaces.length > 0,
    };
  }

  async create(kind: CollectionName, props: Props): Promise<{ id: string; outs: EntryOutputs }> {
    const inputs = pickInputs(kind, props);
    const adoptIdentical = this.settings.adoptIdentical;
    const entry = inputs.adoptId
      ? await this.adopt(kind, inputs)
      : await this.createNew(kind, inputs, { adoptIdentical });
    return { id: entry.pk, outs: this.written(kind, entry, inputs) };
  }

  /**
   * Create one entry; also used by the set resources. An entry this process
   * made although the answer was lost is found and kept. An identical entry
   * that was already there is adopted only when `adoptIdentical` says so (a
   * set adopts by address by contract); otherwise it is refused, naming it.
   */
  async createNew(
    kind: CollectionName,
    inputs: EntryInputs,
    {
      adoptIdentical = true,
      deferCheck,
    }: {
      adoptIdentical?: boolean;
      /** Given: the caller checks the new entry is alone at its address (see aloneAt), e.g. a set for all at once. */
      deferCheck?: (made: IpEntry, ownKnown: boolean) => void;
    } = {},
  ): Promise<IpEntry> {
    const cache = this.cache(kind);
    return cache.withAddress(inputs.ipAddress, async () => {
      const existing = await this.existing(kind, inputs, adoptIdentical);
      if (existing) return existing;
      const body = createBody(kind, inputs);
      // By Cloudlock's clock: an entry created before this is not one our POSTs made.
      const since = this.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const created = await this.write(kind, "create", () => this.client.collection(kind).create(body));
          const entry = { ...fallbackEntry(kind, body), ...created };
          cache.noteWritten(entry);
          await this.alone(kind, entry, inputs, true, deferCheck);
          return entry;
        } catch (e) {
          // The POST may have been applied although its answer was lost (or unusable): look before trying again.
          if (isConnectionError(e) || isMalformedResponseError(e) || (isApiError(e) && e.status >= 500)) {
            const lost = await this.lostCreate(kind, inputs, since, adoptIdentical);
            // An older identical entry, adopted as asked (adoptIdentical): not ours to check.
            if (lost?.adopted) return lost.made;
            if (lost) {
              await this.alone(kind, lost.made, inputs, false, deferCheck, {
                others: lost.others,
                ours: true,
              });
              return lost.made;
            }
            // Verified absent: another POST cannot duplicate.
            if (attempt < CREATE_ATTEMPTS) {
              await sleep(Math.min(2_000, 100 * 2 ** attempt));
              continue;
            }
            throw new CloudlockError(
              `${LABEL[kind]} "${inputs.name}" (${inputs.ipAddress}): creating it failed ${attempt} times ` +
                `(last: ${(e as Error).message}). After each failure a search of the ${kind} library showed ` +
                `no entry was made, so nothing was created: running \`pulumi up\` again is safe.`,
            );
          }
          if (isDuplicateRefusal(e)) {
            await cache.refresh();
            const made = await this.existing(kind, inputs, adoptIdentical);
            if (made) return made;
          }
          throw e;
        }
      }
    });
  }

  /**
   * After our POST: no other writer made an entry at the same address between
   * our duplicate check and the POST (a server that allows duplicates lets two
   * writers both succeed). For each entry that has company the create fails
   * naming every pk, so no run exits 0 leaving a duplicate; ours is deleted
   * again only when it is surely ours (the POST answered with it, and it was
   * seen at the address we sent). Returns why, by our pk, for each entry that
   * was not alone.
   */
  async aloneAt(
    kind: CollectionName,
    made: Made[],
    ownKnown: boolean,
    found?: Map<string, AtAddress>,
  ): Promise<Map<string, string>> {
    const at = found ?? (await this.cache(kind).othersAt(made));
    const now = this.now();
    const failed = new Map<string, string>();
    const company = (m: Made) =>
      (at.get(m.entry.pk)?.others ?? []).filter((e) => !hasExpired(e.expires_on, now));
    const crowded = made.filter((m) => company(m).length > 0);
    // Ours for sure: the POST answered with this pk, and the entry under it at our address has the name we sent.
    const surelyOurs = crowded.filter(
      (m) => ownKnown && at.get(m.entry.pk)?.ours && sameValue("name", at.get(m.entry.pk)?.oursName, m.name),
    );
    const gone = surelyOurs.length
      ? await this.write(kind, "delete", () =>
          this.client.collection(kind).delete(surelyOurs.map((m) => m.entry.pk)),
        ).then(
          () => undefined,
          (e: Error) => e.message,
        )
      : undefined;
    if (surelyOurs.length && gone === undefined)
      this.cache(kind).noteDeleted(surelyOurs.map((m) => m.entry.pk));
    for (const m of crowded) {
      const theirs = company(m);
      const named = theirs.map((e) => `${e.pk} ("${e.name}", ${e.ip_address})`).join(", ");
      const all = [m.entry.pk, ...theirs.map((e) => e.pk)].join(", ");
      const outcome = !surelyOurs.includes(m)
        ? `${ownKnown ? `Cloudlock's answer named entry ${m.entry.pk}, which a fresh look did not find at this address` : "This run's POST lost its answer"}, so which entry it made is not known: none was deleted, and the ` +
          `library holds entries ${all} at this address. Delete the one no one manages, then set adoptId to the other`
        : gone === undefined
          ? `Entry ${m.entry.pk}, the one this run made, was deleted again so the library holds no duplicate. ` +
            `Set adoptId: "${theirs[0].pk}" to manage the other writer's entry, or stop the other writer and run ` +
            `\`pulumi up\` again`
          : `Deleting entry ${m.entry.pk}, the one this run made, failed too (${gone}): delete it by hand, then set ` +
            `adoptId: "${theirs[0].pk}" or run \`pulumi up\` again`;
      failed.set(
        m.entry.pk,
        `${LABEL[kind]} "${m.name}" (${m.sent}): another writer created entry ${named} at the same address while ` +
          `this run created entry ${m.entry.pk} (Cloudlock accepted both). ${outcome}.`,
      );
    }
    return failed;
  }

  private async alone(
    kind: CollectionName,
    entry: IpEntry,
    inputs: EntryInputs,
    ownKnown: boolean,
    deferCheck?: (made: IpEntry, ownKnown: boolean) => void,
    seen?: AtAddress,
  ): Promise<void> {
    if (deferCheck) return deferCheck(entry, ownKnown);
    const at =
      seen ??
      (await this.cache(kind)
        .othersAtOne(entry, inputs.ipAddress)
        .catch((e: Error) => {
          throw new CloudlockError(
            `${LABEL[kind]} "${inputs.name}" (${inputs.ipAddress}): Cloudlock made entry ${entry.pk}, but checking that ` +
              `no other writer made the same address meanwhile failed (${e.message}). The entry is not in the ` +
              `stack's state: run \`CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up\` to adopt it, or delete it by hand.`,
          );
        }));
    const made = [{ entry, sent: inputs.ipAddress, name: inputs.name }];
    const failed = await this.aloneAt(kind, made, ownKnown, new Map([[entry.pk, at]]));
    for (const why of failed.values()) throw new CloudlockError(why);
  }

  /**
   * The entry this declaration may already have: one identical to it at the
   * same address (made by an interrupted run, or a POST whose answer was lost)
   * is adopted. Any other live entry at the address is refused as a duplicate.
   */
  private async existing(
    kind: CollectionName,
    inputs: EntryInputs,
    adoptIdentical: boolean,
  ): Promise<IpEntry | undefined> {
    const live = (await this.cache(kind).byAddress(inputs.ipAddress)).filter(
      (e) => !hasExpired(e.expires_on, this.now()),
    );
    const same = live.find((e) => matchesEntry(kind, e, inputs));
    if (same && adoptIdentical) return same;
    if (same) throw identicalError(kind, inputs, same);
    if (live.length > 0) throw duplicateError(kind, inputs, live[0]);
    return undefined;
  }

  /**
   * After a POST whose answer was lost: the entry it may have made, found
   * fresh at the address (a search per usual spelling, or a new listing). Only
   * an identical entry created since our first POST was sent can be ours; an
   * older one is another writer's and is refused as before the POST (or
   * adopted, where adopting identical entries is asked for). Undefined when
   * the address is verified free: another POST cannot duplicate.
   */
  private async lostCreate(
    kind: CollectionName,
    inputs: EntryInputs,
    since: number,
    adoptIdentical: boolean,
  ): Promise<{ made: IpEntry; others: IpEntry[]; adopted?: boolean } | undefined> {
    const cache = this.cache(kind);
    const terms = searchTermsFor(inputs.ipAddress);
    let seen: IpEntry[];
    if (terms) {
      seen = await cache.searchAll(terms);
    } else {
      cache.invalidate();
      seen = await cache.byAddress(inputs.ipAddress);
    }
    const now = this.now();
    const at = (list: IpEntry[]) =>
      list.filter((e) => sameAddress(e.ip_address, inputs.ipAddress) && !hasExpired(e.expires_on, now));
    let live = at(seen);
    if (terms && live.length === 0) {
      // Nothing found: be sure (another spelling?) with a new listing before another POST.
      cache.invalidate();
      live = at(await cache.byAddress(inputs.ipAddress));
    }
    // created_on has a finer grain than the Date header our clock comes from: allow its one second.
    const recent = (e: IpEntry) => !(Date.parse(e.created_on ?? "") < since - 1_000);
    const made = live.find((e) => matchesEntry(kind, e, inputs) && recent(e));
    if (made) {
      cache.noteWritten(made);
      return { made, others: live.filter((e) => e.pk !== made.pk) };
    }
    const same = live.find((e) => matchesEntry(kind, e, inputs));
    if (same && adoptIdentical)
      return { made: same, others: live.filter((e) => e.pk !== same.pk), adopted: true };
    if (same) throw identicalError(kind, inputs, same);
    if (live.length > 0) throw duplicateError(kind, inputs, live[0]);
    return undefined;
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

  private async adopt(kind: CollectionName, inputs: EntryInputs): Promise<IpEntry> {
    const cache = this.cache(kind);
    const pk = inputs.adoptId!;
    const entry = (await cache.byPk(pk)) ?? (await cache.refresh()).get(pk);
    if (!entry) {
      throw new CloudlockError(
        `${LABEL[kind]} adoptId "${pk}": no ${kind} entry with that id exists in Cloudlock. ` +
          `Check the id (cloudlock-pulumi import lists them), or remove adoptId to create a new entry.`,
      );
    }
    const current = entryFields(entry);
    const fixed = fieldsOf(kind).filter(
      (f) => !UPDATABLE[kind].includes(f) && !sameValue(f, current[f], inputs[f]),
    );
    if (fixed.length > 0) {
      const f = fixed[0];
      throw new CloudlockError(
        `${LABEL[kind]} adoptId "${pk}": the existing entry has ${f} ${JSON.stringify(current[f])} but the declaration says ` +
          `${JSON.stringify(inputs[f])}. Cloudlock cannot change a ${kind} entry's ${f} in place, so adopting would ` +
          `replace the entry. Declare ${f}: ${JSON.stringify(current[f])} to adopt it as it is (you can rename it later ` +
          `by replacement), or remove adoptId and delete the existing entry to create a new one.`,
      );
    }
    const patch = patchFor(kind, current, inputs);
    if (Object.keys(patch).length === 0) return entry;
    await this.addressFree(kind, pk, current.ipAddress, inputs);
    const updated =
      (await this.write(kind, "update", () => this.client.collection(kind).update(pk, patch))) ??
      applyPatch(entry, patch);
    cache.noteWritten(updated);
    await this.stillAlone(kind, updated, current.ipAddress, inputs);
    return updated;
  }

  async read(
    kind: CollectionName,
    id: string,
    props: Props = {},
  ): Promise<{ id: string; props: Props; inputs?: Props }> {
    const declared = pickInputs(kind, props);
    const cache = this.cache(kind);
    const address = typeof props.ipAddress === "string" ? props.ipAddress : undefined;
    const entry = (await cache.byPk(id, address)) ?? (await cache.confirmGone(id, address));
    if (!entry) {
      // An entry that expired on schedule is not drift: keep the state as it is.
      if (kind === "suspicious" && hasExpired(props.expiresOn, this.now())) {
        void engineLog(
          "warning",
          `${LABEL[kind]} ${id} ("${String(props.name)}"): its expiry ${String(props.expiresOn)} has passed by ` +
            `Cloudlock's clock, and Cloudlock removed it on schedule. That is not drift; you can delete the declaration.`,
        );
        return { id, props: stripProvider(props), inputs: { ...declaredOnly(props, declared) } };
      }
      return { id: "", props: {} };
    }
    const v = viewEntry(kind, entry, declared, storedView(props));
    return { id, props: { ...outputsOf(kind, entry, v) }, inputs: { ...v.inputs } };
  }

  async update(kind: CollectionName, id: string, olds: Props, news: Props): Promise<{ outs: EntryOutputs }> {
    const inputs = pickInputs(kind, news);
    const patch = patchFor(kind, olds, inputs);
    const col = this.client.collection(kind);
    if (Object.keys(patch).length) await this.addressFree(kind, id, olds.ipAddress, inputs);
    let updated: IpEntry | undefined;
    try {
      updated = Object.keys(patch).length
        ? await this.write(kind, "update", () => col.update(id, patch))
        : undefined;
    } catch (e) {
      if (isNotFoundError(e)) {
        throw new CloudlockError(
          `${LABEL[kind]} ${id} no longer exists in Cloudlock (deleted by hand, or expired). Run \`pulumi refresh\` to ` +
            `drop it from the stack, then \`pulumi up\` to create it again.`,
        );
      }
      throw e;
    }
    const entry =
      updated ?? (await this.cache(kind).refresh()).get(id) ?? applyPatch(toEntry(kind, id, olds), patch);
    this.cache(kind).noteWritten(entry);
    if (Object.keys(patch).length) await this.stillAlone(kind, entry, olds.ipAddress, inputs);
    if (Object.keys(patch).length) return { outs: this.written(kind, entry, inputs) };
    return {
      outs: outputsFromEntry(kind, entry, inputs, { serverSpelling: storedView(olds).serverSpelling }),
    };
  }

  /**
   * Before a PUT that moves an entry to another address: no other live entry
   * may hold it (a server that allows duplicates would take the PUT).
   */
  private async addressFree(
    kind: CollectionName,
    pk: string,
    from: unknown,
    inputs: EntryInputs,
  ): Promise<void> {
    if (typeof from === "string" && sameAddress(from, inputs.ipAddress)) return;
    const now = this.now();
    const other = (await this.cache(kind).byAddress(inputs.ipAddress)).find(
      (e) => e.pk !== pk && !hasExpired(e.expires_on, now),
    );
    if (other) throw duplicateError(kind, inputs, other);
  }

  /** After such a PUT: no other writer moved or made an entry there meanwhile (see aloneAt). */
  private async stillAlone(
    kind: CollectionName,
    entry: IpEntry,
    from: unknown,
    inputs: EntryInputs,
  ): Promise<void> {
    if (typeof from === "string" && sameAddress(from, inputs.ipAddress)) return;
    const { others } = await this.cache(kind).othersAtOne(entry, inputs.ipAddress);
    const now = this.now();
    const live = others.filter((e) => !hasExpired(e.expires_on, now));
    if (live.length === 0) return;
    throw new CloudlockError(
      `${LABEL[kind]} ${entry.pk} ("${inputs.name}"): it was moved to ${inputs.ipAddress}, and another writer holds ` +
        `that address too (entry ${live.map((e) => e.pk).join(", ")}; Cloudlock accepted both). Delete one of ` +
        `them, or set adoptId on this resource to manage the other, then run \`pulumi refresh\` and \`pulumi up\`.`,
    );
  }

  /**
   * Outputs for Cloudlock's answer to our own write: where it holds a declared
   * value in a spelling of its own, that spelling is recorded (not drift from
   * now on), and the engine's output says so once.
   */
  private written(kind: CollectionName, entry: IpEntry, inputs: EntryInputs): EntryOutputs {
    const v = viewEntry(kind, entry, inputs, {}, true);
    const spelt = Object.entries(v.view.serverSpelling ?? {});
    if (spelt.length) {
      const what = spelt
        .map(
          ([f, val]) =>
            `${f} ${JSON.stringify(val)} for the declared ${JSON.stringify(inputs[f as keyof EntryInputs])}`,
        )
        .join(", ");
      void engineLog(
        "warning",
        `${LABEL[kind]} ${entry.pk}: Cloudlock stored ${what}. Pulumi takes that as Cloudlock's spelling of the ` +
          `declared value: it is no change now, and a later edit away from it is drift.`,
      );
    }
    return outputsOf(kind, entry, v);
  }

  async delete(kind: CollectionName, id: string): Promise<void> {
    await this.deleter(kind).delete(id);
    this.cache(kind).noteDeleted([id]);
  }

  /** Deletes of one library, by group commit. */
  private deleter(kind: CollectionName): DeleteQueue {
    let d = this.deleters.get(kind);
    if (!d) {
      const send = (ids: string[]) =>
        this.write(kind, "delete", () => this.client.collection(kind).delete(ids));
      d = new DeleteQueue(send);
      this.deleters.set(kind, d);
    }
    return d;
  }
}

/** An entry our POST made, with the address and name we sent. */
export interface Made extends Posted {
  name: string;
}

interface Refusal {
  verb: string;
  error: PermissionDeniedError;
}

/** The 403 message for this operation: the refused request itself, or the earlier one that stopped writes. */
function refusal(kind: CollectionName, verb: string, first: Refusal): CloudlockError {
  const e = first.error;
  const earlier =
    first.verb === verb ? "" : `, when this run tried to ${first.verb} an entry; this ${verb} was not sent`;
  return new CloudlockError(
    `${LABEL[kind]}: Cloudlock refused to ${verb} an entry in the ${kind} IP library (403 Forbidden on ` +
      `${e.method} ${e.path}${e.serverMessage ? `: ${e.serverMessage}` : ""}${earlier}). The API token lacks write ` +
      `permission for IP libraries: use a token of a user allowed to edit them (Settings > Authentication & API). ` +
      `No further writes to this library were attempted.`,
  );
}

function identicalError(kind: CollectionName, inputs: EntryInputs, same: IpEntry): CloudlockError {
  return new CloudlockError(
    `${LABEL[kind]} "${inputs.name}" (${inputs.ipAddress}): an entry identical to this declaration already exists in ` +
      `the ${kind} library (entry ${same.pk}, created ${same.created_on ?? "at an unknown time"}). Pulumi does not take ` +
      `it over silently: another stack may manage it. If a run of this stack was interrupted after Cloudlock made it ` +
      `(a crash or a cancelled \`pulumi up\`), run \`CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up\` once to adopt it; to ` +
      `manage an existing entry on purpose, set adoptId: "${same.pk}" on this resource.`,
  );
}

function duplicateError(kind: CollectionName, inputs: EntryInputs, other: IpEntry): CloudlockError {
  return new CloudlockError(
    `${LABEL[kind]} ipAddress "${inputs.ipAddress}" already exists in the ${kind} library as entry ${other.pk} ` +
      `("${other.name}", ${other.ip_address}). To manage that entry with Pulumi instead of creating a duplicate, ` +
      `set adoptId: "${other.pk}" on this resource.`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The entry a POST made, from what it sent (when the answer lacks fields). */
function fallbackEntry(kind: CollectionName, body: NewEntry): Omit<IpEntry, "pk"> {
  const e: Record<string, unknown> = { type: kind };
  for (const f of fieldsOf(kind)) e[FIELDS[f].api] = apiValue(body, f);
  return e as Omit<IpEntry, "pk">;
}

function applyPatch(e: IpEntry, patch: Record<string, unknown>): IpEntry {
  return { ...e, ...patch } as IpEntry;
}

/** Rebuild an entry from stored outputs (last resort when the server does not echo a PUT). */
function toEntry(kind: CollectionName, id: string, o: Props): IpEntry {
  const e: Record<string, unknown> = { pk: id };
  for (const f of fieldsOf(kind)) e[FIELDS[f].api] = o[f];
  for (const [sdk, api] of Object.entries(COMPUTED)) e[api] = o[sdk];
  return {
    ...e,
    type: o.type ?? kind,
    description: o.description ?? "",
    categories: o.categories ?? [],
  } as IpEntry;
}

/** The declared inputs of stored outputs: without the values a declaration left to the server. */
function declaredOnly(props: Props, declared: EntryInputs): EntryInputs {
  const owned = storedView(props).serverOwned ?? [];
  const out: Record<string, unknown> = { ...declared };
  for (const f of owned) delete out[f];
  return out as unknown as EntryInputs;
}

function stripProvider(p: Props): Props {
  const { __provider: _, ...rest } = p;
  return rest;
}
