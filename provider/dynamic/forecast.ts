/**
 * What `pulumi up` will do with a declaration the library already holds an
 * entry for, decided at preview from the same reads `up` makes (pure: the
 * live entries at the address come in). A preview that is green for a change
 * `up` then refuses is the worst review there is, so every create that will be
 * refused says so at preview, on the resource, with the fix for the route the
 * user is on.
 *
 * The words each forecast starts with are the contract with `cloudlock-pulumi
 * review`, which reads them from the preview's diagnostics.
 */
import type { CollectionName, IpEntry } from "../client/types";
import { LABEL, PLUGIN_TOKENS } from "../tokens";
import { type Route, adoptFix, renameFix } from "../problems";
import { ADDRESS, type EntryField, WIRE, fieldsOf } from "../model";
import { type EntryInputs, entryFields, leftToServer, matchesEntry, sameValue } from "./schema";

export type { Route };

/** The first words of a forecast that `up` will refuse. */
export const WILL_FAIL = "will fail at `pulumi up`:";
/** The first words of a forecast that `up` will take over an existing entry instead of creating one. */
export const WILL_ADOPT = "will adopt at `pulumi up`:";

export interface Forecast {
  outcome: "adopt" | "fail";
  /** The live entry that holds the address. */
  holder: IpEntry;
  /** One message, starting with WILL_FAIL or WILL_ADOPT. */
  message: string;
}

/**
 * The forecast for creating `inputs` when `live` entries (unexpired) hold its
 * address: undefined when the address is free or the declaration adopts the
 * holder by `adoptId`. An identical entry is adopted only when
 * `adoptIdentical` is on, as `Creates.createNew` decides.
 */
export function forecastCreate(
  kind: CollectionName,
  inputs: EntryInputs,
  live: readonly IpEntry[],
  opts: { adoptIdentical: boolean; route: Route; adoptMissing?: boolean },
): Forecast | undefined {
  if (inputs.adoptId && opts.adoptMissing)
    return {
      outcome: "fail",
      holder: { pk: inputs.adoptId } as IpEntry,
      message:
        `${WILL_FAIL} adoptId "${inputs.adoptId}": no ${kind} entry with that id exists in Cloudlock. Check the id ` +
        `(cloudlock-pulumi import lists them), or remove adoptId to create a new entry.`,
    };
  if (live.length === 0) return undefined;
  if (inputs.adoptId) {
    // Adopting the holder is what adoptId is for (said when `up` then changes it); adopting another entry and
    // moving it here is refused.
    const adopted = live.find((e) => e.pk === inputs.adoptId);
    if (adopted) {
      const changes = changedOnAdopt(kind, adopted, inputs);
      if (!changes.length) return undefined;
      return {
        outcome: "adopt",
        holder: adopted,
        message:
          `${WILL_ADOPT} entry ${adopted.pk} (${JSON.stringify(adopted[WIRE.name])}) is taken over, creating none; ` +
          `${changesText(changes)} to the declaration.`,
      };
    }
    const holder = live[0];
    return {
      outcome: "fail",
      holder,
      message:
        `${WILL_FAIL} adoptId "${inputs.adoptId}" would move that entry to ${inputs[ADDRESS]}, which entry ` +
        `${holder.pk} (${JSON.stringify(holder[WIRE.name])}) already holds in the ${kind} library. Set adoptId: ` +
        `"${holder.pk}" to manage the entry at this address, or delete one of the two.`,
    };
  }
  const same = live.find((e) => matchesEntry(kind, e, inputs));
  if (same && opts.adoptIdentical)
    return {
      outcome: "adopt",
      holder: same,
      message:
        `${WILL_ADOPT} entry ${same.pk} (${JSON.stringify(same[WIRE.name])}) already holds ${inputs[ADDRESS]} with ` +
        `exactly this declaration; CLOUDLOCK_ADOPT_IDENTICAL is on, so \`up\` takes it over instead of creating one.`,
    };
  if (same)
    return {
      outcome: "fail",
      holder: same,
      message:
        `${WILL_FAIL} entry ${same.pk} (${JSON.stringify(same[WIRE.name])}) already holds ${inputs[ADDRESS]} with exactly ` +
        `this declaration, and Pulumi does not take it over silently: another stack may manage it. If a run of ` +
        `this stack was interrupted after Cloudlock made it, run \`CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up\` once ` +
        `to adopt it. ${fixFor(kind, same.pk, opts.route)}`,
    };
  const holder = live[0];
  return {
    outcome: "fail",
    holder,
    message:
      `${WILL_FAIL} ${inputs[ADDRESS]} is already held by entry ${holder.pk} (${JSON.stringify(holder[WIRE.name])}) ` +
      `in the ${kind} library, and Cloudlock holds one entry per address. ${fixFor(kind, holder.pk, opts.route)}`,
  };
}

/** The fields `up` changes on an entry it takes over: those the declaration states otherwise. */
export function changedOnAdopt(kind: CollectionName, entry: IpEntry, declared: object): EntryField[] {
  const held = entryFields(entry);
  const want = declared as Record<string, unknown>;
  return fieldsOf(kind).filter((f) => !leftToServer(f, want) && !sameValue(f, held[f], want[f]));
}

/** `up changes its fields name, description` (read back by readForecast). */
export const changesText = (fields: readonly string[]) => `\`up\` changes its fields ${fields.join(", ")}`;

/** The fix for a create refused because `pk` holds the address, as the user's route spells it. */
export function fixFor(kind: CollectionName, pk: string, route: Route): string {
  return `${adoptFix(route, pk, PLUGIN_TOKENS[LABEL[kind]])} ${renameFix(route)}`;
}

/** A forecast read back from a diagnostic's text (`warning: ` prefix and all), as the review reads a preview. */
export interface ReadForecast {
  outcome: "adopt" | "fail";
  /** The entry that holds the address, where the message names one entry. */
  holder?: string;
  /** The route whose fix the message names. */
  route: Route;
  /** The message without its first words. */
  detail: string;
  /** For an adoption: the fields `up` changes on the entry it takes over. */
  changes: string[];
}

/** The forecast a diagnostic carries, or undefined when it is not one. */
export function readForecast(text: string): ReadForecast | undefined {
  const s = text.replace(/^\s*warning:\s*/, "").trim();
  const outcome = s.startsWith(WILL_FAIL) ? "fail" : s.startsWith(WILL_ADOPT) ? "adopt" : undefined;
  if (!outcome) return undefined;
  const detail = s.slice((outcome === "fail" ? WILL_FAIL : WILL_ADOPT).length).trim();
  // Every per-entry forecast names the holder as `entry <pk> ("<name>")`; a set's names several.
  const holders = [...detail.matchAll(/\bentry ([A-Za-z0-9_-]+) \(/g)].map((m) => m[1]);
  const holder = holders.length === 1 ? holders[0] : undefined;
  const route = (["data-file", "plugin"] as const).find((r) => s.includes(renameFix(r))) ?? "sdk";
  return { outcome, holder, route, detail, changes: changesIn(detail) };
}

/** The fields a message says `up` changes (see changesText), or none. */
export function changesIn(text: string): string[] {
  const m = /`up` changes its fields ([A-Za-z]+(?:, [A-Za-z]+)*)/.exec(text);
  return m ? m[1].split(", ") : [];
}
