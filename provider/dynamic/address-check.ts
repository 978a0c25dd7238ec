/**
 * After our own write: is the entry alone at its address? A server that
 * allows duplicates lets two writers both succeed, so what is at a new
 * entry's address is looked up fresh from Cloudlock, never from the held
 * listing, and a crowded entry fails its create (see aloneAt).
 */
import { sameAddress, searchTermsFor } from "../address";
import { PAGE_LIMIT } from "../client/collection";
import { detailOf } from "../client/errors";
import type { CollectionName, IpEntry } from "../client/types";
import { LABEL } from "../tokens";
import type { ProblemFacts } from "../problems";
import type { Connection } from "./connection";
import { searchTerm } from "./listing";
import { sameValue, unexpired } from "./schema";
import type { EntryStore } from "./store";
import { NAME, WIRE } from "../model";

/** An entry our POST made, and the address we sent. */
export interface Posted {
  entry: IpEntry;
  sent: string;
}

/** An entry our POST made, with the address and name we sent. */
export interface Made extends Posted {
  name: string;
}

/** What is at a new entry's address: the other entries, and whether ours was seen there. */
export interface AtAddress {
  others: IpEntry[];
  ours: boolean;
  /** The name of the entry under our pk, as seen there. */
  oursName?: string;
}

export class AddressCheck {
  /** The round not started yet (entries join it), and the one whose requests are out. */
  private nextRound?: { joined: Posted[]; result: Promise<Map<string, AtAddress>> };
  private roundInFlight?: Promise<unknown>;

  constructor(private readonly store: EntryStore) {}

  /**
   * What is at each new entry's address now. `others` are the entries there
   * besides ours; `ours` says whether our pk was seen there (an answer whose
   * pk is not at the address we sent proves nothing about which entry is
   * ours). Searches for every usual spelling (searchTermsFor) while they cost
   * no more than a new listing, else one listing, which compares canonically:
   * ≤ min(searches, ceil(L/100)) requests.
   */
  async othersAt(ours: Posted[]): Promise<Map<string, AtAddress>> {
    const out = new Map<string, AtAddress>();
    if (ours.length === 0) return out;
    const terms = ours.map((o) => {
      const t = searchTermsFor(o.sent);
      return t && [...new Set([...t, searchTerm(o.entry[WIRE.address])])];
    });
    const searches = terms.every((t) => t !== undefined)
      ? terms.reduce((n, t) => n + t!.length, 0)
      : Infinity;
    const pages = Math.max(1, Math.ceil((await this.store.heldSize()) / PAGE_LIMIT));
    const at = (o: Posted, entries: Iterable<IpEntry>): AtAddress => {
      const there = [...entries].filter((e) => sameAddress(e[WIRE.address], o.sent));
      const mine = there.find((e) => e.pk === o.entry.pk);
      return { others: there.filter((e) => e.pk !== o.entry.pk), ours: !!mine, oursName: mine?.[WIRE.name] };
    };
    if (searches <= pages) {
      await Promise.all(
        ours.map(async (o, i) => out.set(o.entry.pk, at(o, await this.store.searchAll(terms[i]!)))),
      );
      return out;
    }
    const listing = await this.store.relist();
    for (const o of ours) out.set(o.entry.pk, at(o, listing.atAddress(o.sent)));
    return out;
  }

  /**
   * othersAt for one new entry, in rounds: checks that arrive while a round is
   * in flight wait and go together in the next one. Each round starts after
   * every one of its entries was posted, and costs what othersAt costs for all
   * of them, so concurrent creates share a listing when that is cheaper.
   */
  async othersAtOne(entry: IpEntry, sent: string): Promise<AtAddress> {
    let round = this.nextRound;
    if (!round) {
      const joined: Posted[] = [];
      const result = (async () => {
        await this.roundInFlight?.catch(() => undefined);
        if (this.nextRound === round) this.nextRound = undefined;
        return this.othersAt(joined);
      })();
      this.roundInFlight = result;
      this.nextRound = round = { joined, result };
    }
    round.joined.push({ entry, sent });
    return (await round.result).get(entry.pk)!;
  }
}

/**
 * After our POSTs: no other writer made an entry at the same address between
 * our duplicate check and the POST. For each entry that has company the
 * create fails naming every pk, so no run exits 0 leaving a duplicate; ours
 * is deleted again only when it is surely ours (the POST answered with it, and
 * it was seen at the address we sent, under the name we sent). Returns what
 * happened and what to do, by our pk, for each entry that was not alone.
 */
export async function aloneAt(
  conn: Connection,
  kind: CollectionName,
  made: Made[],
  ownKnown: boolean,
  found?: Map<string, AtAddress>,
): Promise<Map<string, ProblemFacts<"address-race">>> {
  const at = found ?? (await conn.check(kind).othersAt(made));
  const now = conn.now();
  const failed = new Map<string, ProblemFacts<"address-race">>();
  const company = (m: Made) => unexpired(at.get(m.entry.pk)?.others ?? [], now);
  const crowded = made.filter((m) => company(m).length > 0);
  const surelyOurs = crowded.filter(
    (m) => ownKnown && at.get(m.entry.pk)?.ours && sameValue(NAME, at.get(m.entry.pk)?.oursName, m.name),
  );
  const pks = surelyOurs.map((m) => m.entry.pk);
  const gone = pks.length
    ? await conn
        .write(kind, "delete", () => conn.client.collection(kind).delete(pks))
        .then(
          () => undefined,
          (e: Error) => detailOf(e),
        )
    : undefined;
  if (pks.length && gone === undefined) conn.store(kind).noteDeleted(pks);
  for (const m of crowded) {
    const theirs = company(m);
    const named = theirs.map((e) => `${e.pk} ("${e[WIRE.name]}", ${e[WIRE.address]})`).join(", ");
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
    failed.set(m.entry.pk, {
      what:
        `${LABEL[kind]} "${m.name}" (${m.sent}): another writer created entry ${named} at the same address while ` +
        `this run created entry ${m.entry.pk} (Cloudlock accepted both).`,
      fix: `${outcome}.`,
    });
  }
  return failed;
}
