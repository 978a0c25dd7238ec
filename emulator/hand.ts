/**
 * Changes made outside the API, as a person in the Cloudlock UI makes them (or a fixture): no auth, no faults,
 * no duplicate check. The Emulator's `seed` and `edit` (and their control routes) are these.
 */
import type { CollectionName, IpEntry } from "../provider/client/types";
import type { LibraryApi } from "./api";
import { handEditable } from "./fields";
import { HttpError } from "./reply";

/** An entry to seed: `pk`, `created_on` and the like may be given for fixtures. */
export type SeedEntry = Partial<IpEntry> & { name: string; ip_address: string };

/** Add entries as if someone created them by hand; returns them as stored. */
export function seedEntries(api: LibraryApi, collection: CollectionName, entries: SeedEntry[]): IpEntry[] {
  return entries.map((e) => {
    const { pk, created_on, updated_on, location, ...input } = e;
    delete (input as Record<string, unknown>).type;
    if (collection === "trusted") delete input.expires_on;
    const built = api.buildEntry(collection, input as Record<string, unknown>, pk);
    const entry = {
      ...built,
      ...(created_on ? { created_on } : {}),
      ...(updated_on ? { updated_on } : {}),
      ...(location ? { location } : {}),
    };
    api.store.insert(collection, entry);
    return entry;
  });
}

/** Edit any field of entry `pk`, with no PUT restrictions; returns it as stored. */
export function handEdit(
  api: LibraryApi,
  collection: CollectionName,
  pk: string,
  patch: Partial<IpEntry>,
): IpEntry {
  const existing = api.store.get(collection, pk);
  if (!existing) throw new HttpError(404, `no ${collection} entry with id "${pk}"`);
  // A misspelt field (the SDK's `ipAddress` for the API's `ip_address`) would be stored beside the real one and
  // change nothing a client reads: refused, so a test or a demo never believes it edited what it did not.
  const editable = handEditable(collection);
  const unknown = Object.keys(patch).filter((k) => !editable.includes(k));
  if (unknown.length)
    throw new HttpError(
      400,
      `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for a ${collection} entry: an edit ` +
        `names the API's fields (${editable.join(", ")})`,
    );
  const next = { ...existing, ...patch, pk, updated_on: api.editStamp() };
  // Cloudlock derives location from the address, so an edit that moves the address moves it too (unless the
  // edit sets a location itself, as a fixture may).
  if (patch.location === undefined && next.ip_address !== existing.ip_address)
    next.location = api.location(next.ip_address);
  api.store.replace(collection, next);
  return next;
}
