/**
 * The whole-library resources (TrustedIpSet, SuspiciousIpSet): one resource
 * manages many entries of one library. Create and update are one reconcile:
 * list the library once, adopt what already exists at each declared address,
 * then delete, update and create through the same client, limiter, delete
 * coalescing and create safeguards as the per-entry resources.
 *
 * A failure part-way does not lose the progress made: the reconcile finishes
 * what it started, then reports an initialisation failure carrying the
 * entries that exist, which the engine saves in state. The next `up` resumes
 * from there, and adopts by address anything it cannot tell apart, so nothing
 * is created twice.
 */
import { randomBytes } from "crypto";
import { isDeepStrictEqual } from "util";
import { CloudlockError, isNotFoundError } from "../client/errors";
import type { CollectionName, IpEntry } from "../client/types";
import { DeleteQueue } from "./delete-queue";
import { engineLog, initFailure } from "./pulumi-internals";
import type { Listing } from "./cache";
import type { ProviderRuntime } from "./runtime";
import {
  CheckFailure,
  ServerView,
  entryFields,
  hasExpired,
  patchFor,
  sameValue,
  storedView,
  UNKNOWN,
  viewEntry,
} from "./schema";
import {
  ManagedEntry,
  SetEntry,
  SetInputs,
  SetOutputs,
  checkSet,
  describeChanges,
  cleanEntry,
  expiredDeclaration,
  hasChanges,
  keyOf,
  setChanges,
  sortedByKey,
  summarize,
} from "./set-schema";
import { LABEL as ENTRY_LABEL } from "../model";

type Props = Record<string, unknown>;

/** The set resource of each library. */
const LABEL: Record<CollectionName, string> = {
  suspicious: `${ENTRY_LABEL.suspicious}Set`,
  trusted: `${ENTRY_LABEL.trusted}Set`,
};
/** Updates and creates in flight at once; the shared rate limiter paces them. */
const CONCURRENCY = 16;

export class IpSets {
  constructor(private readonly rt: ProviderRuntime) {}

  /**
   * Validate, key the entries by address, and for an authoritative set list
   * the library, so preview names every entry `up` would remove.
   */
  async check(
    kind: CollectionName,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const now = kind === "suspicious" ? await this.rt.serverNow() : this.rt.now();
    const { inputs, failures } = checkSet(kind, olds, news, now);
    // Either may be unknown during preview (the marker is a string too): only a known value counts.
    const urn = typeof news.logUrn === "string" && news.logUrn !== UNKNOWN ? news.logUrn : undefined;
    if (typeof news.addressConflict === "string" && news.addressConflict !== UNKNOWN)
      failures.push({ property: "entries", reason: news.addressConflict });
    if (failures.length || typeof inputs.entries !== "object") return { inputs: { ...inputs }, failures };
    const before = olds as Partial<SetOutputs>;
    if (inputs.mode === "authoritative") {
      // Addresses the set declared before are its own removals, shown under entries.
      const known = new Set([...Object.keys(inputs.entries), ...Object.keys(before.entries ?? {})]);
      const undeclared = undeclaredIn(await this.rt.cache(kind).all(), known, new Set(), this.rt.now());
      if (undeclared.length) {
        inputs.removeUndeclared = describeEntries(undeclared);
        const shown = Object.values(inputs.removeUndeclared).slice(0, 10);
        const more = undeclared.length - shown.length;
        await engineLog(
          "warning",
          `${LABEL[kind]} is authoritative: \`pulumi up\` will REMOVE ${undeclared.length} ${kind} ` +
            `entr${undeclared.length === 1 ? "y" : "ies"} that nobody declared: ${shown.join("; ")}` +
            `${more > 0 ? `; and ${more} more` : ""}. Declare them in the set to keep them.`,
          urn,
        );
      }
    }
    const c = setChanges(before, inputs, now);
    if (c.added.length + c.changed.length + c.removed.length > 0 || c.modeChanged) {
      await engineLog("info", `${LABEL[kind]}: ${describeChanges(before, inputs, c, 10, now)}`, urn);
    }
    return { inputs: { ...inputs }, failures };
  }

  async diff(kind: CollectionName, _id: string, olds: Props, news: Props) {
    // Never a replacement: replacing a set would delete and recreate every entry.
    return {
      changes: hasChanges(
        setChanges(
          olds as Partial<SetOutputs>,
          news as unknown as SetInputs,
          kind === "suspicious" ? await this.rt.serverNow() : this.rt.now(),
        ),
      ),
      replaces: [],
    };
  }

  async create(kind: CollectionName, props: Props): Promise<{ id: string; outs: SetOutputs }> {
    const id = `${kind}-set-${randomBytes(5).toString("hex")}`;
    return { id, outs: await this.reconcile(kind, id, {}, props) };
  }

  async update(kind: CollectionName, id: string, olds: Props, news: Props): Promise<{ outs: SetOutputs }> {
    return { outs: await this.reconcile(kind, id, olds as Partial<SetOutputs>, news) };
  }

  /** The managed entries as they are now (declared spelling kept where it means the same). */
  async read(
    kind: CollectionName,
    id: string,
    props: Props,
  ): Promise<{ id: string; props: Props; inputs?: Props }> {
    const old = props as Partial<SetOutputs>;
    const mode = old.mode ?? "additive";
    const cache = this.rt.cache(kind);
    const managed = Object.values(old.entries ?? {});
    // Authoritative: the whole library is needed anyway; additive: only what the set manages, maybe by search.
    const listing = mode === "authoritative" ? await cache.all() : undefined;
    const found =
      listing?.byPk ?? (await cache.byPks(managed.map((m) => ({ pk: m.pk, address: m.ipAddress }))));
    const entries: Record<string, ManagedEntry> = {};
    for (const [key, m] of Object.entries(old.entries ?? {})) {
      const live = found.get(m.pk) ?? (await cache.confirmGone(m.pk, m.ipAddress));
      // Gone: dropped from the set (the next up creates it again), unless it expired on schedule.
      if (!live) {
        if (kind === "suspicious" && expiredDeclaration(m, this.rt.now())) entries[key] = m;
        continue;
      }
      const at = keyOf(live.ip_address);
      // Two of ours moved onto one address by hand: keep both in state (the second under its pk), so neither
      // is forgotten; the next up removes the one whose key nobody declares.
      entries[at in entries ? `${at} (${m.pk})` : at] = managedFrom(kind, live, m, storedView(m));
    }
    const outs: SetOutputs = { mode, entries: sortedByKey(entries), count: Object.keys(entries).length };
    if (listing) {
      const undeclared = undeclaredIn(listing, new Set(Object.keys(entries)), pksOf(entries), this.rt.now());
      if (undeclared.length) outs.removeUndeclared = describeEntries(undeclared);
    }
    const { __provider: _, ...before } = props;
    // Nothing drifted: the engine keeps the stored inputs (the declaration itself), and the host is spared
    // turning thousands of entries into Structs twice over (a drift check is the refresh users run most).
    if (isDeepStrictEqual(before, outs)) return { id, props };
    const inputs = {
      mode,
      entries: Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, declaredOf(e)])),
    };
    return { id, props: { ...outs }, inputs };
  }

  /** Delete every managed entry: ceil(N/50) requests; an entry already gone counts as deleted. */
  async delete(kind: CollectionName, _id: string, props: Props): Promise<void> {
    const managed = Object.values((props as Partial<SetOutputs>).entries ?? {});
    await this.deleter(kind).deleteAll(managed.map((m) => m.pk));
    this.rt.cache(kind).noteDeleted(managed.map((m) => m.pk));
  }

  private deleter(kind: CollectionName): DeleteQueue {
    // Ids are handed over together, so they form full groups; one queue per call keeps sets apart from per-entry deletes.
    return new DeleteQueue((ids) =>
      this.rt.write(kind, "delete", () => this.rt.client.collection(kind).delete(ids)),
    );
  }

  private async reconcile(
    kind: CollectionName,
    id: string,
    olds: Partial<SetOutputs>,
    news: Props,
  ): Promise<SetOutputs> {
    const want = news as unknown as SetInputs;
    const cache = this.rt.cache(kind);
    const col = this.rt.client.collection(kind);
    const listing = await cache.all();
    // After the listing, so by the server's clock.
    const now = this.rt.now();
    const managed = olds.entries ?? {};
    // A managed entry the listing lacks may have slid between its pages: look for it before concluding it gone.
    for (const m of Object.values(managed)) {
      if (listing.byPk.has(m.pk)) continue;
      const found = await cache.confirmGone(m.pk, m.ipAddress);
      if (found) listing.set(found);
    }
    /** What the set manages and exists, kept current as work completes: saved even if the run fails. */
    const current: Record<string, ManagedEntry> = { ...managed };
    const claimed = new Set<string>();
    const deletes: { pk: string; key?: string }[] = [];
    const updates: { key: string; pk: string; entry: SetEntry; known: ServerView }[] = [];
    const creates: string[] = [];
    /** Declared entries that cannot be reconciled without a duplicate: failures, nothing sent. */
    const blocked: string[] = [];

    for (const [key, entry] of Object.entries(want.entries)) {
      const mine = managed[key] && listing.byPk.get(managed[key].pk);
      // Ours if it still exists (even moved by hand), else adopt a live entry at the address instead of duplicating.
      const live =
        mine ??
        listing.atAddress(entry.ipAddress).find((e) => !claimed.has(e.pk) && !hasExpired(e.expires_on, now));
      if (!live) {
        // A declared expiry that passed: Cloudlock dropped the entry on schedule; nothing to do.
        if (kind === "suspicious" && expiredDeclaration(entry, now)) continue;
        delete current[key];
        creates.push(key);
        continue;
      }
      claimed.add(live.pk);
      if (!mine) adopted(kind, entry.ipAddress, live);
      const known: ServerView = {
        serverSpelling: managed[key]?.pk === live.pk ? managed[key].serverSpelling : undefined,
      };
      current[key] = managedFrom(kind, live, entry, known);
      if (kind === "suspicious" && !sameValue("name", live.name, entry.name)) {
        // A suspicious entry's name cannot change in place: the old entry goes, then the new one is made.
        deletes.push({ pk: live.pk, key });
        creates.push(key);
        continue;
      }
      const patch = patchFor(kind, entryFields(live), entry, known.serverSpelling);
      // Moving an entry (moved away by hand) back onto its declared address: only if no one else holds it now.
      const holder =
        "ip_address" in patch &&
        listing.atAddress(entry.ipAddress).find((e) => e.pk !== live.pk && !hasExpired(e.expires_on, now));
      if (holder) {
        blocked.push(
          `${key}: entry ${live.pk} was moved to ${live.ip_address} by hand, and entry ${holder.pk} ("${holder.name}") ` +
            `now holds ${entry.ipAddress}; moving it back would make a duplicate. Delete one of them, then run ` +
            `\`pulumi up\` again`,
        );
        continue;
      }
      if (Object.keys(patch).length) updates.push({ key, pk: live.pk, entry, known });
    }
    for (const [key, m] of Object.entries(managed)) {
      if (key in want.entries || claimed.has(m.pk)) continue;
      if (listing.byPk.has(m.pk)) deletes.push({ pk: m.pk, key });
      else delete current[key];
    }
    if (want.mode === "authoritative") {
      const known = new Set([...Object.keys(want.entries), ...Object.keys(managed)]);
      for (const e of undeclaredIn(listing, known, claimed, now)) deletes.push({ pk: e.pk });
    }

    const failures: string[] = [];
    const fail = (key: string, e: unknown): void => {
      failures.push(`${key}: ${(e as Error).message ?? e}`);
    };
    // Deletes first: they free addresses the creates may need.
    const deleter = this.deleter(kind);
    const deleted = Promise.all(
      deletes.map(({ pk, key }) =>
        deleter.delete(pk).then(
          () => {
            cache.noteDeleted([pk]);
            if (key && current[key]?.pk === pk) delete current[key];
          },
          (e) => fail(key ?? pk, e),
        ),
      ),
    );
    await deleted;
    const made: Made[] = [];
    const tasks = [
      ...updates.map(({ key, pk, entry, known }) => async () => {
        try {
          const patch = patchFor(kind, entryFields(listing.byPk.get(pk)!), entry, known.serverSpelling);
          const updated = await this.rt.write(kind, "update", () => col.update(pk, patch));
          const fresh = updated ?? ({ ...listing.byPk.get(pk)!, ...patch } as IpEntry);
          cache.noteWritten(fresh);
          current[key] = managedFrom(kind, fresh, entry, {}, true);
        } catch (e) {
          if (!isNotFoundError(e)) return fail(key, e);
          // Deleted since the listing: make it again.
          cache.noteDeleted([pk]);
          delete current[key];
          await this.createInto(kind, key, entry, current, made).catch((err) => fail(key, err));
        }
      }),
      ...creates.map(
        (key) => () =>
          this.createInto(kind, key, want.entries[key], current, made).catch((e) => fail(key, e)),
      ),
    ];
    // After a failure, start nothing new: the library or the token is in trouble, and what is done is saved.
    await pool(tasks, CONCURRENCY, () => failures.length > 0);
    failures.push(...blocked);
    // Another writer may have made one of our addresses while we did (a server that allows duplicates).
    for (const ownKnown of [true, false]) {
      const ours = made.filter((m) => m.ownKnown === ownKnown);
      const crowded = await this.rt.aloneAt(kind, ours, ownKnown).catch((e: Error) => {
        fail("checking the new entries are alone at their addresses", e);
        return new Map<string, string>();
      });
      for (const m of ours) {
        const why = crowded.get(m.entry.pk);
        if (why === undefined) continue;
        if (current[m.key]?.pk === m.entry.pk) delete current[m.key];
        failures.push(why);
      }
    }

    const outs: SetOutputs = {
      mode: want.mode,
      entries: sortedByKey(current),
      count: Object.keys(current).length,
    };
    if (failures.length) {
      // The engine prints the reasons (not the message): the first one says what happened and what to do.
      const message =
        `${LABEL[kind]}: ${failures.length} change(s) failed (${summarize(setChanges(olds, want))} were to be ` +
        `applied); the set is saved with the ${outs.count} entries that exist, and \`pulumi up\` resumes from there`;
      const shown = failures.slice(0, 10);
      const reasons = [
        message,
        ...shown,
        ...(failures.length > shown.length ? [`and ${failures.length - shown.length} more`] : []),
      ];
      // Saved by the engine as the resource's state, so progress is kept.
      throw initFailure(
        new CloudlockError(`${message}. First failure: ${failures[0]}`),
        id,
        { ...outs, __provider: news.__provider },
        reasons,
      );
    }
    return outs;
  }

  private async createInto(
    kind: CollectionName,
    key: string,
    entry: SetEntry,
    current: Record<string, ManagedEntry>,
    made: Made[],
  ): Promise<void> {
    let posted = false;
    const live = await this.rt.createNew(kind, entry, {
      deferCheck: (e, ownKnown) => {
        posted = true;
        // The POST's answer was lost: the identical entry found is taken as the one it made; it may not be.
        if (!ownKnown) adopted(kind, entry.ipAddress, e);
        made.push({ key, entry: e, sent: entry.ipAddress, name: entry.name, ownKnown });
      },
    });
    // Found at the address after all (another writer made it since the listing): adopted, and said so.
    if (!posted) adopted(kind, entry.ipAddress, live);
    current[key] = managedFrom(kind, live, entry, {}, true);
  }
}

/**
 * A live entry as the set records it: the declared spelling wherever the
 * server's value means the same (see viewEntry), the values left to the server,
 * and the server view.
 */
function managedFrom(
  kind: CollectionName,
  live: IpEntry,
  declared: Partial<SetEntry>,
  known: ServerView = {},
  wrote = false,
): ManagedEntry {
  const v = viewEntry(kind, live, declared, known, wrote);
  const { adoptId: _, ...fields } = v.inputs;
  return { ...cleanEntry(fields), ...v.owned, pk: live.pk, ...v.view };
}

/** Say that a set adopts an entry it did not make: another stack or resource may manage it too. */
function adopted(kind: CollectionName, address: string, live: IpEntry): void {
  void engineLog(
    "warning",
    `${LABEL[kind]}: the entry at ${address} already exists (entry ${live.pk}, "${live.name}"), so this set ` +
      `adopts it instead of making a duplicate. If another stack or resource manages it, both now do: remove it ` +
      `from one of them.`,
  );
}

/** An entry this run's POST made, to check it is alone at its address once all creates are done. */
interface Made {
  key: string;
  entry: IpEntry;
  sent: string;
  name: string;
  ownKnown: boolean;
}

/** What a managed entry declares: no pk, no server view, no value left to the server. */
function declaredOf(m: ManagedEntry): SetEntry {
  const { pk: _, serverOwned, serverSpelling: _s, ...rest } = m;
  for (const f of serverOwned ?? []) delete (rest as Record<string, unknown>)[f];
  return rest;
}

const pksOf = (m: Record<string, ManagedEntry>) => new Set(Object.values(m).map((e) => e.pk));

/** Live entries at no declared address and not held by the set: what an authoritative set removes. */
function undeclaredIn(listing: Listing, keys: Set<string>, held: Set<string>, now: number): IpEntry[] {
  return [...listing.byPk.values()].filter(
    (e) => !held.has(e.pk) && !hasExpired(e.expires_on, now) && !keys.has(keyOf(e.ip_address)),
  );
}

function describeEntries(entries: IpEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const key = keyOf(e.ip_address);
    // Two entries at one address (a duplicate in the library): both are named.
    out[key in out ? `${key} (${e.pk})` : key] = `"${e.name}" ${e.ip_address}, id ${e.pk}`;
  }
  return sortedByKey(out);
}

/** Run tasks with at most `limit` in flight; start no more once `stop()` says so. */
async function pool(tasks: (() => Promise<unknown>)[], limit: number, stop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !stop()) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
