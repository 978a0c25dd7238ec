/**
 * After our own write: is the entry alone at its address? A server that
 * allows duplicates lets two writers both succeed, so what is at a new
 * entry's address is looked up fresh from Cloudlock, never from the held
 * listing, and a crowded entry fails its create (see address-race.ts).
 */
import { sameAddress, searchTermsFor } from "../address";
import { PAGE_LIMIT } from "../client/collection";
import type { IpEntry } from "../client/types";
import { searchTerm } from "./listing";
import type { EntryStore } from "./store";
import { WIRE } from "../model";

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
