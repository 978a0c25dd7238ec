/**
 * A listing of one library held in memory, indexed by pk and by canonical
 * address, so N duplicate checks against it cost O(N), not O(N·L).
 */
import { canonicalAddress } from "../address";
import type { IpEntry } from "../client/types";
import { WIRE } from "../model";

/**
 * What to search for to find an entry at this address: `q` matches within the stored spelling, so a host's
 * bare address also finds it stored as `/32` or `/128`.
 */
export function searchTerm(address: string): string {
  return address.replace(/\/(32|128)$/, "");
}

export class Listing {
  readonly byPk = new Map<string, IpEntry>();
  private readonly byCanonical = new Map<string, Map<string, IpEntry>>();

  constructor(entries: Iterable<IpEntry>) {
    for (const e of entries) this.set(e);
  }

  set(e: IpEntry): void {
    this.delete(e.pk);
    this.byPk.set(e.pk, e);
    const c = canonicalAddress(e[WIRE.address]);
    let bucket = this.byCanonical.get(c);
    if (!bucket) this.byCanonical.set(c, (bucket = new Map()));
    bucket.set(e.pk, e);
  }

  delete(pk: string): void {
    const old = this.byPk.get(pk);
    if (!old) return;
    this.byPk.delete(pk);
    const c = canonicalAddress(old[WIRE.address]);
    const bucket = this.byCanonical.get(c);
    bucket?.delete(pk);
    if (bucket?.size === 0) this.byCanonical.delete(c);
  }

  /** Entries whose address is the same set as `ip` (canonical comparison). */
  atAddress(ip: string): IpEntry[] {
    return [...(this.byCanonical.get(canonicalAddress(ip))?.values() ?? [])];
  }
}
