/**
 * A set's create and update: one reconcile. The library is listed once, the
 * plan decided from it (set-plan.ts), then deletes go first (they free
 * addresses), then updates and creates through the same client, limiter and
 * create safeguards as the per-entry resources. A failure part-way keeps what
 * was done: the set is saved with the entries that exist (an initialisation
 * failure the engine records), and the next `up` resumes from there.
 */
import { isNotFoundError, problem } from "../client/errors";
import type { CollectionName, IpEntry } from "../client/types";
import { aloneAt } from "./address-race";
import type { Connection } from "./connection";
import type { Creates } from "./create";
import { SET_LABEL as LABEL } from "../tokens";
import { initFailure } from "../pulumi-internals";
import { type ProblemFacts, describeProblem, joinFix, problemText } from "../problems";
import { entryFields, patchFor } from "./schema";
import { managedFrom, planSet } from "./set-plan";
import {
  ManagedEntry,
  SetEntry,
  SetInputs,
  SetOutputs,
  setChanges,
  sortedByKey,
  summarize,
} from "./set-schema";
import { ADDRESS, NAME, WIRE } from "../model";

/** Updates and creates in flight at once; the shared rate limiter paces them. */
const CONCURRENCY = 16;

export class SetReconcile {
  constructor(
    private readonly conn: Connection,
    private readonly creates: Creates,
  ) {}

  async reconcile(
    kind: CollectionName,
    id: string,
    olds: Partial<SetOutputs>,
    want: SetInputs,
    provider: unknown,
  ): Promise<SetOutputs> {
    const store = this.conn.store(kind);
    const col = this.conn.client.collection(kind);
    const listing = await store.all();
    // After the listing, so by the server's clock.
    const now = this.conn.now();
    const managed = olds.entries ?? {};
    // A managed entry the listing lacks may have slid between its pages: look for it before concluding it gone.
    for (const m of Object.values(managed)) {
      if (listing.byPk.has(m.pk)) continue;
      const found = await store.findAt(m.pk, m[ADDRESS]);
      if (found) listing.set(found);
    }
    const { current, deletes, updates, creates, blocked, adoptions } = planSet(
      kind,
      want,
      managed,
      listing,
      now,
    );
    // An entry the set must refuse (the preview forecast it): nothing of the set is applied, so `up` does not
    // half-do what a review marked as failing (an authoritative set's removals included).
    if (blocked.length) {
      const failures = blocked.map((b) => `${b.key}: ${b.reason}`);
      const summary =
        `${LABEL[kind]}: ${blocked.length} declared entr${blocked.length === 1 ? "y" : "ies"} cannot be ` +
        `reconciled without a duplicate; nothing of the set was applied`;
      const stored: SetOutputs = {
        mode: (olds.mode ?? want.mode) as SetOutputs["mode"],
        entries: sortedByKey(managed),
        count: Object.keys(managed).length,
      };
      throw initFailure(
        problem("set-partial", { summary, first: failures[0] }),
        id,
        { ...stored, __provider: provider },
        [
          joinFix(summary, describeProblem("set-partial", { summary, first: failures[0] }).fix),
          ...failures.slice(0, 10),
        ],
      );
    }
    for (const a of adoptions) adopted(this.conn, kind, a.address, a.live);
    const failures: string[] = [];
    const fail = (key: string, e: unknown): void => {
      // A refused token or an unreachable server fails every entry alike: its fix is said once (Connection.report).
      failures.push(`${key}: ${(this.conn.report(e) as Error).message ?? e}`);
    };
    // Deletes first: they free addresses the creates may need.
    const deleter = this.conn.deleteQueue(kind);
    const deleted = Promise.all(
      deletes.map(({ pk, key }) =>
        deleter.delete(pk).then(
          () => {
            store.noteDeleted([pk]);
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
          const updated = await this.conn.write(kind, "update", () => col.update(pk, patch));
          const fresh = updated ?? ({ ...listing.byPk.get(pk)!, ...patch } as IpEntry);
          store.noteWritten(fresh);
          current[key] = managedFrom(kind, fresh, entry, {}, true);
        } catch (e) {
          if (!isNotFoundError(e)) return fail(key, e);
          // Deleted since the listing: make it again.
          store.noteDeleted([pk]);
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
    // Another writer may have made one of our addresses while we did (a server that allows duplicates).
    for (const ownKnown of [true, false]) {
      const ours = made.filter((m) => m.ownKnown === ownKnown);
      const crowded = await aloneAt(this.conn, kind, ours, ownKnown).catch((e: Error) => {
        fail("checking the new entries are alone at their addresses", e);
        return new Map<string, ProblemFacts<"address-race">>();
      });
      for (const m of ours) {
        const why = crowded.get(m.entry.pk);
        if (why === undefined) continue;
        if (current[m.key]?.pk === m.entry.pk) delete current[m.key];
        failures.push(problemText("address-race", why));
      }
    }

    const outs: SetOutputs = {
      mode: want.mode,
      entries: sortedByKey(current),
      count: Object.keys(current).length,
    };
    if (failures.length) {
      // The engine prints the reasons (not the message): the first one says what happened and what to do.
      const summary =
        `${LABEL[kind]}: ${failures.length} change(s) failed (of those planned: ${summarize(setChanges(olds, want))}); ` +
        `the set is saved with the ${outs.count} entries that exist`;
      const shown = failures.slice(0, 10);
      const reasons = [
        joinFix(summary, describeProblem("set-partial", { summary, first: failures[0] }).fix),
        ...shown,
        ...(failures.length > shown.length ? [`and ${failures.length - shown.length} more`] : []),
      ];
      // Saved by the engine as the resource's state, so progress is kept.
      throw initFailure(
        problem("set-partial", { summary, first: failures[0] }),
        id,
        { ...outs, __provider: provider },
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
    const live = await this.creates.createNew(kind, entry, {
      deferCheck: (e, ownKnown) => {
        posted = true;
        // The POST's answer was lost: the identical entry found is taken as the one it made; it may not be.
        if (!ownKnown) adopted(this.conn, kind, entry[ADDRESS], e);
        made.push({ key, entry: e, sent: entry[ADDRESS], name: entry[NAME], ownKnown });
      },
    });
    // Found at the address after all (another writer made it since the listing): adopted, and said so.
    if (!posted) adopted(this.conn, kind, entry[ADDRESS], live);
    current[key] = managedFrom(kind, live, entry, {}, true);
  }
}

/** Say that a set adopts an entry it did not make: another stack or resource may manage it too. */
function adopted(conn: Connection, kind: CollectionName, address: string, live: IpEntry): void {
  // Taken over from whoever held it: their delete in this run must not remove it (Connection.claim).
  conn.claim(kind, [live.pk]);
  const label = LABEL[kind];
  void conn.engine.log(
    "warning",
    `${label}: the entry at ${address} already exists (entry ${live.pk}, "${live[WIRE.name]}"), so this set ` +
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

/** Run tasks with at most `limit` in flight; start no more once `stop()` says so. */
async function pool(tasks: (() => Promise<unknown>)[], limit: number, stop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !stop()) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
