/**
 * What a set's reconcile will do, decided from one listing: pure, no I/O.
 * Every declared address is matched to the entry the set manages there (even
 * moved by hand), else to a live entry already there (adopted, never
 * duplicated), else it is created; what the set no longer declares is deleted.
 */
import type { CollectionName, IpEntry } from "../client/types";
import type { Listing } from "./listing";
import { ADDRESS, WIRE, expires, fieldsOf, updatableOf } from "../model";
import { type ServerView, entryFields, unexpired, leftToServer, patchFor, sameValue } from "./schema";
import {
  ManagedEntry,
  SetEntry,
  SetInputs,
  cleanEntry,
  expiredDeclaration,
  keyOf,
  sortedByKey,
} from "./set-schema";
import { viewEntry } from "./view";

export interface SetPlan {
  /** What the set manages and exists, as the listing shows it: kept current as work completes. */
  current: Record<string, ManagedEntry>;
  deletes: { pk: string; key?: string }[];
  updates: { key: string; pk: string; entry: SetEntry; known: ServerView }[];
  creates: string[];
  /** Declared entries that cannot be reconciled without a duplicate, by key: failures, nothing sent. */
  blocked: { key: string; reason: string }[];
  /** Live entries the set takes over at a declared address (it did not make them). */
  adoptions: { address: string; live: IpEntry }[];
}

/** The reconcile of `want` against what the set manages (`managed`) and the library (`listing`), at `now`. */
export function planSet(
  kind: CollectionName,
  want: SetInputs,
  managed: Record<string, ManagedEntry>,
  listing: Listing,
  now: number,
): SetPlan {
  /** What the set manages and exists, kept current as work completes: saved even if the run fails. */
  const current: Record<string, ManagedEntry> = { ...managed };
  const claimed = new Set<string>();
  const deletes: { pk: string; key?: string }[] = [];
  const updates: { key: string; pk: string; entry: SetEntry; known: ServerView }[] = [];
  const creates: string[] = [];
  const adoptions: SetPlan["adoptions"] = [];
  /** Declared entries that cannot be reconciled without a duplicate: failures, nothing sent. */
  const blocked: SetPlan["blocked"] = [];

  for (const [key, entry] of Object.entries(want.entries)) {
    const mine = managed[key] && listing.byPk.get(managed[key].pk);
    // Ours if it still exists (even moved by hand), else adopt a live entry at the address instead of duplicating.
    const live = mine ?? unexpired(listing.atAddress(entry[ADDRESS]), now).find((e) => !claimed.has(e.pk));
    if (!live) {
      // A declared expiry that passed: Cloudlock dropped the entry on schedule; nothing to do.
      if (expires(kind) && expiredDeclaration(entry, now)) continue;
      delete current[key];
      creates.push(key);
      continue;
    }
    // Fields Cloudlock cannot change in place (a suspicious entry's name): a new entry is needed.
    const held = entryFields(live);
    const fixed = fieldsOf(kind).filter(
      (f) => !updatableOf(kind).includes(f) && !leftToServer(f, entry) && !sameValue(f, held[f], entry[f]),
    );
    if (fixed.length && !mine) {
      // Not ours to delete: another stack or a person may rely on that entry.
      const f = fixed[0];
      delete current[key];
      blocked.push({
        key,
        reason:
          `entry ${live.pk} ("${live[WIRE.name]}") already holds ${entry[ADDRESS]} with ${f} ` +
          `${JSON.stringify(held[f])}, not ${JSON.stringify(entry[f])}. Cloudlock cannot change a ${kind} entry's ${f} ` +
          `in place, and the set does not delete an entry it did not make: declare ${f}: ` +
          `${JSON.stringify(held[f])} to adopt it as it is, or delete it by hand, then run \`pulumi up\` again`,
      });
      continue;
    }
    claimed.add(live.pk);
    if (!mine) adoptions.push({ address: entry[ADDRESS], live });
    const known: ServerView = {
      serverSpelling: managed[key]?.pk === live.pk ? managed[key].serverSpelling : undefined,
    };
    current[key] = managedFrom(kind, live, entry, known);
    if (fixed.length) {
      // Ours: the old entry goes, then the new one is made.
      deletes.push({ pk: live.pk, key });
      creates.push(key);
      continue;
    }
    const patch = patchFor(kind, entryFields(live), entry, known.serverSpelling);
    // Moving an entry (moved away by hand) back onto its declared address: only if no one else holds it now.
    const holder =
      WIRE.address in patch &&
      unexpired(listing.atAddress(entry[ADDRESS]), now).find((e) => e.pk !== live.pk);
    if (holder) {
      blocked.push({
        key,
        reason:
          `entry ${live.pk} was moved to ${live[WIRE.address]} by hand, and entry ${holder.pk} ("${holder[WIRE.name]}") ` +
          `now holds ${entry[ADDRESS]}; moving it back would make a duplicate. Delete one of them, then run ` +
          `\`pulumi up\` again`,
      });
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
  return { current, deletes, updates, creates, blocked, adoptions };
}

/**
 * A live entry as the set records it: the declared spelling wherever the
 * server's value means the same (see viewEntry), the values left to the server,
 * and the server view.
 */
export function managedFrom(
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

/** Live entries at no declared address and not held by the set: what an authoritative set removes. */
export function undeclaredIn(listing: Listing, keys: Set<string>, held: Set<string>, now: number): IpEntry[] {
  return unexpired([...listing.byPk.values()], now).filter(
    (e) => !held.has(e.pk) && !keys.has(keyOf(e[WIRE.address])),
  );
}

/** Entries by address key, described for a person (two at one address are both named). */
export function describeEntries(entries: IpEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const key = keyOf(e[WIRE.address]);
    out[key in out ? `${key} (${e.pk})` : key] = `"${e[WIRE.name]}" ${e[WIRE.address]}, id ${e.pk}`;
  }
  return sortedByKey(out);
}
