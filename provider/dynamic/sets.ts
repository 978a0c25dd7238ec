/**
 * The whole-library resources (TrustedIpSet, SuspiciousIpSet): one resource
 * manages many entries of one library. Check, diff, read and delete are here;
 * create and update are one reconcile (set-reconcile.ts).
 */
import { randomBytes } from "crypto";
import { isDeepStrictEqual } from "util";
import type { CollectionName } from "../client/types";
import { ADDRESS, WIRE, expires } from "../model";
import { SET_LABEL as LABEL } from "../tokens";
import type { Connection } from "./connection";
import type { Creates } from "./create";
import { Listing } from "./listing";
import { CheckFailure, UNKNOWN } from "./schema";
import { WILL_ADOPT, WILL_FAIL, changedOnAdopt, changesText } from "./forecast";
import { describeEntries, managedFrom, planSet, undeclaredIn } from "./set-plan";
import { SetReconcile } from "./set-reconcile";
import {
  ManagedEntry,
  SetEntry,
  SetInputs,
  SetOutputs,
  checkSet,
  describeChanges,
  expiredDeclaration,
  hasChanges,
  keyOf,
  setChanges,
  sortedByKey,
} from "./set-schema";
import { assertSameTenant, recordedTenant, withTenant } from "./tenant";
import { storedView } from "./view";
import { changeGuard, feedInto } from "./set-feed";
import { SETTINGS } from "../settings";

type Props = Record<string, unknown>;

/** A set's state as the engine hands it back (older states may lack fields; the engine adds `__provider`). */
export type StoredSet = Partial<SetOutputs> & { __provider?: unknown };
/** A set's checked inputs as the engine hands them to create and update. */
export type SetArgs = SetInputs & { __provider?: unknown };
/** What `read` answers: the state as it is now, and the declaration that matches it when it drifted. */
export type SetRead = { id: string; props: SetOutputs & { __provider?: unknown }; inputs?: SetInputs };

export class IpSets {
  private readonly reconciler: SetReconcile;

  constructor(
    private readonly conn: Connection,
    creates: Creates,
  ) {
    this.reconciler = new SetReconcile(conn, creates);
  }

  /**
   * Validate, key the entries by address, and for an authoritative set list
   * the library, so preview names every entry `up` would remove.
   */
  async check(
    kind: CollectionName,
    olds: StoredSet | SetInputs,
    news: Props,
  ): Promise<{ inputs: SetInputs; failures: CheckFailure[] }> {
    const now = await this.conn.nowFor(expires(kind));
    // Either may be unknown during preview (the marker is a string too): only a known value counts.
    const urn = typeof news.logUrn === "string" && news.logUrn !== UNKNOWN ? news.logUrn : undefined;
    // The feed merged in, the TTL applied, the feed's guard rails: before the entries are checked.
    const fed = feedInto(kind, olds as Props, news, now);
    const checked = checkSet(kind, olds as Props, fed.news, now);
    const { inputs } = checked;
    const failures = [...fed.failures, ...checked.failures];
    for (const n of fed.notes) await this.conn.engine.log(n.level, n.text, urn);
    if (typeof news.addressConflict === "string" && news.addressConflict !== UNKNOWN)
      failures.push({ property: "entries", reason: news.addressConflict });
    if (failures.length || typeof inputs.entries !== "object") return { inputs: { ...inputs }, failures };
    const before = olds as StoredSet;
    if (inputs.mode === "authoritative") {
      // Addresses the set declared before are its own removals, shown under entries.
      const known = new Set([...Object.keys(inputs.entries), ...Object.keys(before.entries ?? {})]);
      const undeclared = undeclaredIn(await this.conn.store(kind).all(), known, new Set(), this.conn.now());
      if (undeclared.length) {
        inputs.removeUndeclared = describeEntries(undeclared);
        const shown = Object.values(inputs.removeUndeclared).slice(0, 10);
        const more = undeclared.length - shown.length;
        await this.conn.engine.log(
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
      await this.conn.engine.log(
        "info",
        `${LABEL[kind]}: ${describeChanges(before, inputs, c, 10, now)}`,
        urn,
      );
    }
    // After the authoritative listing: its removals count as change.
    const env = SETTINGS.allowLargeChange.env;
    const guard = changeGuard(olds as Props, news, inputs, this.conn.settings.allowLargeChange, env, now);
    for (const n of guard.notes) await this.conn.engine.log(n.level, n.text, urn);
    if (guard.failures.length) return { inputs: { ...inputs }, failures: guard.failures };
    if (c.added.length) await this.forecast(kind, inputs, c.added, urn);
    // A feed is a third party: its address never takes over (and so never later deletes) an entry the set did not
    // make, unless the set allows it.
    const taken = Object.keys(inputs.adopts ?? {}).filter((k) => fed.fedKeys.has(k));
    if (taken.length && !fed.allowed.has("adopt")) {
      const shown = taken.slice(0, 5).map((k) => `${k} (entry ${inputs.adopts![k]})`);
      failures.push({
        property: "",
        reason:
          `the feed lists ${taken.length} address(es) held by entries this set did not make: ` +
          `${shown.join("; ")}${taken.length > shown.length ? `; and ${taken.length - shown.length} more` : ""}. ` +
          "Nothing was changed: a feed does not take over an entry someone else made. Declare the address in " +
          'entries to manage it, delete that entry by hand, or allow: ["adopt"] on the set.',
      });
    }
    return { inputs: { ...inputs }, failures };
  }

  /**
   * At preview, what `up` will do with the addresses the set adds that the library already holds: the set's own
   * plan (set-plan.ts) decides it, as `up` will. Adopted entries are kept under
   * `adopts`, refused ones under `refused` (preview-time inputs the review reads, as `removeUndeclared`), and
   * said once on the set: a note for adoptions, a warning for what `up` will refuse.
   */
  private async forecast(
    kind: CollectionName,
    inputs: SetInputs,
    added: string[],
    urn: string | undefined,
  ): Promise<void> {
    // Only the added entries: each read by the read rule (a few searches, or the one shared listing).
    const store = this.conn.store(kind);
    const entries = Object.fromEntries(added.map((k) => [k, inputs.entries[k]]));
    const held = await Promise.all(Object.values(entries).map((e) => store.atAddress(e[ADDRESS])));
    const plan = planSet(kind, { mode: "additive", entries }, {}, new Listing(held.flat()), this.conn.now());
    const adopts = plan.adoptions;
    if (adopts.length) {
      inputs.adopts = Object.fromEntries(
        adopts.map((a) => {
          const key = keyOf(a.address);
          const changes = changedOnAdopt(kind, a.live, entries[key]);
          return [
            key,
            `${a.live.pk} "${a.live[WIRE.name]}"${changes.length ? `; ${changesText(changes)}` : ""}`,
          ];
        }),
      );
      const shown = Object.entries(inputs.adopts).slice(0, 10);
      await this.conn.engine.log(
        "info",
        `${WILL_ADOPT} ${adopts.length} of the addresses ${LABEL[kind]} adds already hold an entry, which the set ` +
          `takes over instead of creating one: ${shown.map(([a, e]) => `${a} (entry ${e})`).join("; ")}` +
          `${adopts.length > shown.length ? `; and ${adopts.length - shown.length} more` : ""}.`,
        urn,
      );
    }
    if (plan.blocked.length) {
      inputs.refused = Object.fromEntries(plan.blocked.map((b) => [b.key, b.reason]));
      const shown = plan.blocked.slice(0, 10);
      await this.conn.engine.log(
        "warning",
        `${WILL_FAIL} ${LABEL[kind]} cannot reconcile ${plan.blocked.length} of its entries without a duplicate: ` +
          `${shown.map((b) => `${b.key}: ${b.reason}`).join("; ")}` +
          `${plan.blocked.length > shown.length ? `; and ${plan.blocked.length - shown.length} more` : ""}.`,
        urn,
      );
    }
  }

  async diff(kind: CollectionName, id: string, olds: StoredSet, news: SetInputs) {
    this.sameTenant(kind, id, olds);
    // Entries or mode not known until apply (computed from another resource): a change, decided then.
    if (typeof news.entries !== "object" || news.entries === null || (news.mode as string) === UNKNOWN)
      return { changes: true, replaces: [] };
    const now = await this.conn.nowFor(expires(kind));
    // Never a replacement: replacing a set would delete and recreate every entry.
    return { changes: hasChanges(setChanges(olds, news, now)), replaces: [] };
  }

  async create(kind: CollectionName, props: SetArgs): Promise<{ id: string; outs: SetOutputs }> {
    const id = `${kind}-set-${randomBytes(5).toString("hex")}`;
    const outs = await this.reconciler.reconcile(kind, id, {}, props, props.__provider);
    return { id, outs: withTenant(outs, this.conn.settings.apiUrl) };
  }

  async update(
    kind: CollectionName,
    id: string,
    olds: StoredSet,
    news: SetArgs,
  ): Promise<{ outs: SetOutputs }> {
    this.sameTenant(kind, id, olds);
    const outs = await this.reconciler.reconcile(kind, id, olds, news, news.__provider);
    return { outs: withTenant(outs, this.conn.settings.apiUrl) };
  }

  /** The managed entries as they are now (declared spelling kept where it means the same). */
  async read(kind: CollectionName, id: string, props: StoredSet): Promise<SetRead> {
    this.sameTenant(kind, id, props);
    const old = props;
    const mode = old.mode ?? "additive";
    const store = this.conn.store(kind);
    const managed = Object.values(old.entries ?? {});
    // Authoritative: the whole library is needed anyway; additive: only what the set manages, maybe by search.
    const listing = mode === "authoritative" ? await store.all() : undefined;
    const found =
      listing?.byPk ?? (await store.byPks(managed.map((m) => ({ pk: m.pk, address: m[ADDRESS] }))));
    const entries: Record<string, ManagedEntry> = {};
    for (const [key, m] of Object.entries(old.entries ?? {})) {
      const live = found.get(m.pk) ?? (await store.findAt(m.pk, m[ADDRESS]));
      // Gone: dropped from the set (the next up creates it again), unless it expired on schedule.
      if (!live) {
        if (expires(kind) && expiredDeclaration(m, this.conn.now())) entries[key] = m;
        continue;
      }
      const at = keyOf(live[WIRE.address]);
      // Two of ours moved onto one address by hand: keep both in state (the second under its pk), so neither
      // is forgotten; the next up removes the one whose key nobody declares.
      entries[at in entries ? `${at} (${m.pk})` : at] = managedFrom(kind, live, m, storedView(m));
    }
    // The tenant as recorded (none in older states: then a refresh changes nothing).
    const outs: SetOutputs = withTenant(
      { mode, entries: sortedByKey(entries), count: Object.keys(entries).length },
      recordedTenant(props),
    );
    if (listing) {
      const undeclared = undeclaredIn(
        listing,
        new Set(Object.keys(entries)),
        pksOf(entries),
        this.conn.now(),
      );
      if (undeclared.length) outs.removeUndeclared = describeEntries(undeclared);
    }
    const { __provider: _, ...before } = props;
    // Nothing drifted: the engine keeps the stored inputs (the declaration itself), and the host is spared
    // turning thousands of entries into Structs twice over (a drift check is the refresh users run most).
    if (isDeepStrictEqual(before, outs)) return { id, props: props as SetRead["props"] };
    const inputs = {
      mode,
      entries: Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, declaredOf(e)])),
    };
    return { id, props: { ...outs }, inputs };
  }

  /** Delete every managed entry: ceil(N/50) requests; an entry already gone counts as deleted. */
  async delete(kind: CollectionName, id: string, props: StoredSet): Promise<void> {
    this.sameTenant(kind, id, props);
    const managed = Object.values(props.entries ?? {});
    await this.conn.deleteQueue(kind).deleteAll(managed.map((m) => m.pk));
    this.conn.store(kind).noteDeleted(managed.map((m) => m.pk));
  }

  /** Refuse a set whose entries were made in another tenant than the one the settings name now. */
  private sameTenant(kind: CollectionName, id: string, stored: object): void {
    assertSameTenant(LABEL[kind], id, stored, this.conn.settings.apiUrl);
  }
}

/** What a managed entry declares: no pk, no server view, no value left to the server. */
function declaredOf(m: ManagedEntry): SetEntry {
  const { pk: _, serverOwned, serverSpelling: _s, ...rest } = m;
  for (const f of serverOwned ?? []) delete (rest as Record<string, unknown>)[f];
  return rest;
}

const pksOf = (m: Record<string, ManagedEntry>) => new Set(Object.values(m).map((e) => e.pk));
