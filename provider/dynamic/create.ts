/**
 * Creating one entry without ever making a duplicate: the listing is checked
 * first, one create at a time per address, a POST whose answer was lost is
 * looked for before it is sent again, and the new entry is checked to be
 * alone at its address after (address-check.ts).
 */
import { sleep } from "../../common/sleep";
import { canonicalAddress, sameAddress, searchTermsFor } from "../address";
import {
  type CloudlockError,
  detailOf,
  isApiError,
  isConnectionError,
  isDuplicateRefusal,
  isMalformedResponseError,
  problem,
} from "../client/errors";
import type { CollectionName, IpEntry, NewEntry } from "../client/types";
import { ADDRESS, FIELDS, NAME, WIRE, apiValue, fieldsOf } from "../model";
import { LABEL, PLUGIN_TOKENS } from "../tokens";
import type { AtAddress } from "./address-check";
import { aloneAt } from "./address-race";
import type { Connection } from "./connection";
import { EntryInputs, createBody, matchesEntry, unexpired } from "./schema";
import type { Route } from "./forecast";

/** POSTs per create when earlier ones failed without an answer and a search showed no entry was made. */
const CREATE_ATTEMPTS = 4;

export interface CreateOptions {
  /** Adopt an identical entry already at the address (default), or refuse it naming it. */
  adoptIdentical?: boolean;
  /** Given: the caller checks the new entry is alone at its address (see aloneAt), e.g. a set for all at once. */
  deferCheck?: (made: IpEntry, ownKnown: boolean) => void;
  /** How the resource was declared: a refusal names the fix in its terms. */
  route?: Route;
}

export class Creates {
  /** Serialises creates of the same canonical address in this process. */
  private readonly reservations = new Map<string, Promise<void>>();

  constructor(private readonly conn: Connection) {}

  /**
   * Create one entry (the per-entry and the set resources). An entry this
   * process made although the answer was lost is found and kept. An identical
   * entry that was already there is adopted only when `adoptIdentical` says so
   * (a set adopts by address by contract); otherwise it is refused, naming it.
   */
  createNew(kind: CollectionName, inputs: EntryInputs, opts: CreateOptions = {}): Promise<IpEntry> {
    const { adoptIdentical = true, deferCheck, route = this.conn.route } = opts;
    const store = this.conn.store(kind);
    return this.withAddress(inputs[ADDRESS], async () => {
      const existing = await this.existing(kind, inputs, adoptIdentical, route);
      if (existing) return existing;
      const body = createBody(kind, inputs);
      // By Cloudlock's clock: an entry created before this is not one our POSTs made.
      const since = this.conn.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const created = await this.conn.write(kind, "create", () =>
            this.conn.client.collection(kind).create(body),
          );
          const entry = { ...fallbackEntry(kind, body), ...created };
          store.noteWritten(entry);
          await this.alone(kind, entry, inputs, true, deferCheck);
          return entry;
        } catch (e) {
          // The POST may have been applied although its answer was lost (or unusable): look before trying again.
          if (isConnectionError(e) || isMalformedResponseError(e) || (isApiError(e) && e.status >= 500)) {
            const lost = await this.lostCreate(kind, inputs, since, adoptIdentical, route);
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
            throw problem("create-not-made", {
              label: LABEL[kind],
              name: inputs[NAME],
              address: inputs[ADDRESS],
              attempts: attempt,
              last: detailOf(e),
              library: kind,
            });
          }
          if (isDuplicateRefusal(e)) {
            await store.refresh();
            const made = await this.existing(kind, inputs, adoptIdentical, route);
            if (made) return made;
          }
          throw e;
        }
      }
    });
  }

  private async alone(
    kind: CollectionName,
    entry: IpEntry,
    inputs: EntryInputs,
    ownKnown: boolean,
    deferCheck?: CreateOptions["deferCheck"],
    seen?: AtAddress,
  ): Promise<void> {
    if (deferCheck) return deferCheck(entry, ownKnown);
    const at =
      seen ??
      (await this.conn
        .check(kind)
        .othersAtOne(entry, inputs[ADDRESS])
        .catch((e: Error) => {
          throw problem("address-race", {
            what:
              `${LABEL[kind]} "${inputs[NAME]}" (${inputs[ADDRESS]}): Cloudlock made entry ${entry.pk}, but checking ` +
              `that no other writer made the same address meanwhile failed (${detailOf(e)}). The entry is not in the ` +
              `stack's state.`,
            fix: "Run `CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up` to adopt it, or delete it by hand.",
          });
        }));
    const made = [{ entry, sent: inputs[ADDRESS], name: inputs[NAME] }];
    const failed = await aloneAt(this.conn, kind, made, ownKnown, new Map([[entry.pk, at]]));
    for (const why of failed.values()) throw problem("address-race", why);
  }

  /**
   * The entry this declaration may already have: one identical to it at the
   * same address (made by an interrupted run, or a POST whose answer was lost)
   * is adopted. Any other live entry at the address is refused as a duplicate.
   */
  async existing(
    kind: CollectionName,
    inputs: EntryInputs,
    adoptIdentical: boolean,
    route: Route = this.conn.route,
  ): Promise<IpEntry | undefined> {
    const now = this.conn.now();
    const live = unexpired(await this.conn.store(kind).byAddress(inputs[ADDRESS]), now);
    const said = this.conn.wasForecast(kind, inputs[ADDRESS]);
    const taken = pickExisting(kind, inputs, live, adoptIdentical, route, said);
    // Taken over from whoever held it: their delete in this run must not remove it (Connection.claim).
    if (taken) this.conn.claim(kind, [taken.pk]);
    return taken;
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
    route: Route,
  ): Promise<{ made: IpEntry; others: IpEntry[]; adopted?: boolean } | undefined> {
    const store = this.conn.store(kind);
    const terms = searchTermsFor(inputs[ADDRESS]);
    const fresh = async () => {
      store.invalidate();
      return store.byAddress(inputs[ADDRESS]);
    };
    const at = (list: IpEntry[], now = this.conn.now()) =>
      unexpired(
        list.filter((e) => sameAddress(e[WIRE.address], inputs[ADDRESS])),
        now,
      );
    let live = at(terms ? await store.searchAll(terms) : await fresh());
    // Nothing found: be sure (another spelling?) with a new listing before another POST.
    if (terms && live.length === 0) live = at(await fresh());
    // created_on has a finer grain than the Date header our clock comes from: allow its one second.
    const recent = (e: IpEntry) => !(Date.parse(e[WIRE.created] ?? "") < since - 1_000);
    const made = live.find((e) => matchesEntry(kind, e, inputs) && recent(e));
    if (made) {
      store.noteWritten(made);
      return { made, others: live.filter((e) => e.pk !== made.pk) };
    }
    const same = pickExisting(kind, inputs, live, adoptIdentical, route);
    if (same) this.conn.claim(kind, [same.pk]);
    return same && { made: same, others: live.filter((e) => e.pk !== same.pk), adopted: true };
  }

  /** Run `fn` while holding the address; creates of the same address wait for each other. */
  private async withAddress<T>(ip: string, fn: () => Promise<T>): Promise<T> {
    const key = canonicalAddress(ip);
    const previous = this.reservations.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = previous.then(() => mine);
    this.reservations.set(key, chained);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.reservations.get(key) === chained) this.reservations.delete(key);
    }
  }
}

/** Among the live entries at the address: the identical one to adopt, or a refusal naming what is there. */
function pickExisting(
  kind: CollectionName,
  inputs: EntryInputs,
  live: IpEntry[],
  adoptIdentical: boolean,
  route: Route,
  /** The check already forecast this refusal with its fix (a warning on the resource). */
  said = false,
): IpEntry | undefined {
  const same = live.find((e) => matchesEntry(kind, e, inputs));
  if (same && adoptIdentical) return same;
  // In full even after a forecast: its recovery advice (an interrupted run) is the point.
  if (same) throw identicalError(kind, inputs, same, route);
  if (live.length > 0) throw duplicateError(kind, inputs, live[0], route, said);
  return undefined;
}

function identicalError(
  kind: CollectionName,
  inputs: EntryInputs,
  same: IpEntry,
  route: Route,
  said = false,
): CloudlockError {
  return problem("identical-entry", {
    route,
    said,
    importType: PLUGIN_TOKENS[LABEL[kind]],
    label: LABEL[kind],
    library: kind,
    name: inputs[NAME],
    address: inputs[ADDRESS],
    pk: same.pk,
    created: same[WIRE.created] ?? "at an unknown time",
  });
}

/** Another live entry holds the address. */
export function duplicateError(
  kind: CollectionName,
  inputs: EntryInputs,
  other: IpEntry,
  route: Route = "sdk",
  said = false,
): CloudlockError {
  return problem("address-taken", {
    route,
    said,
    importType: PLUGIN_TOKENS[LABEL[kind]],
    label: LABEL[kind],
    library: kind,
    address: inputs[ADDRESS],
    pk: other.pk,
    name: other[WIRE.name],
    held: other[WIRE.address],
  });
}

/** The entry a POST made, from what it sent (when the answer lacks fields). */
function fallbackEntry(kind: CollectionName, body: NewEntry): Omit<IpEntry, "pk"> {
  const e: Record<string, unknown> = { type: kind };
  for (const f of fieldsOf(kind)) e[FIELDS[f].api] = apiValue(body, f);
  return e as Omit<IpEntry, "pk">;
}
