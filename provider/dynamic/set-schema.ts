/**
 * The model of the whole-library resources (TrustedIpSet, SuspiciousIpSet):
 * validation, the declared entries keyed by canonical address, and the O(n)
 * diff between what the set manages and what is declared. Pure functions.
 *
 * Entries are stored keyed by canonical address (`{"198.51.100.0/24": {...}}`)
 * rather than as a list, so the engine's own `preview --diff` shows each
 * change as `+`/`~`/`-` under the address, and reordering the list is no change.
 */
import { canonicalAddress, parseAddress } from "../address";
import type { CollectionName } from "../client/types";
import {
  CheckFailure,
  EntryInputs,
  ServerView,
  UNKNOWN,
  hasExpired,
  leftToServer,
  sameValue,
} from "./schema";
import { pickInputs, validate } from "./validate";
import { ADDRESS, ENTRY_FIELDS, EXPIRY, NAME } from "../model";

export type SetMode = "additive" | "authoritative";
export const SET_MODES: readonly SetMode[] = ["additive", "authoritative"];

/** One declared entry of a set: the inputs of a TrustedIp/SuspiciousIp, without adoptId. */
export type SetEntry = Omit<EntryInputs, "adoptId">;

/**
 * An entry the set manages, as last written or read, with its pk: the declared
 * fields, the values of those it leaves to the server, and what the provider
 * learnt of how Cloudlock holds it.
 */
export interface ManagedEntry extends SetEntry, ServerView {
  pk: string;
}

/** Checked inputs as stored in state. */
export interface SetInputs {
  mode: SetMode;
  /** Declared entries by canonical address. */
  entries: Record<string, SetEntry>;
  /**
   * Authoritative sets only, at preview: live entries nobody declared, which
   * `up` removes, by canonical address (`"Old VPN" 192.0.2.9, id 6yj3gQxaqo`).
   */
  removeUndeclared?: Record<string, string>;
  /** At preview: addresses the set adds that already hold an entry, which `up` adopts (`6yj3gQxaqo "HQ"`). */
  adopts?: Record<string, string>;
  /** At preview: declared entries `up` will refuse to reconcile without a duplicate, and why. */
  refused?: Record<string, string>;
}

/** Outputs: the managed entries (with pks), and for authoritative sets what a refresh found undeclared. */
export interface SetOutputs {
  mode: SetMode;
  entries: Record<string, ManagedEntry>;
  /** How many entries the set manages. */
  count: number;
  removeUndeclared?: Record<string, string>;
}

/** The canonical address an entry is keyed by. */
export const keyOf = (address: string) => canonicalAddress(address);

/**
 * Validate a set's inputs and key its entries by canonical address. Every
 * failure names the entry (`entries[3] "HQ"`) and the field. `olds` are the
 * previous inputs: an entry already declared may keep an expiry that has passed.
 */
export function checkSet(
  kind: CollectionName,
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
  now = Date.now(),
): { inputs: SetInputs; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const mode = (news.mode ?? "additive") as SetMode;
  // A mode not known until apply (computed from another resource) is checked then.
  if (mode !== UNKNOWN && !SET_MODES.includes(mode)) {
    failures.push({
      property: "mode",
      reason: `mode must be "additive" or "authoritative", got ${JSON.stringify(news.mode)}`,
    });
  }
  const entries: Record<string, SetEntry> = {};
  const raw = news.entries;
  const oldEntries = (olds?.entries ?? {}) as Record<string, SetEntry>;
  if (raw === UNKNOWN) return { inputs: { mode, entries: raw as never }, failures };
  if (!Array.isArray(raw)) {
    // Stored inputs (a keyed map) come back through check on some engine paths: accept them as they are.
    if (raw && typeof raw === "object" && Object.values(raw).every(isObject)) {
      return checkSet(kind, olds, { ...news, entries: Object.values(raw) }, now);
    }
    failures.push({
      property: "entries",
      reason: `entries must be a list of entries ({ ${NAME}, ${ADDRESS}, ... }), got ${describe(raw)}`,
    });
    return { inputs: { mode, entries }, failures };
  }
  const firstAt = new Map<string, number>();
  // An entry (or its address) not known until apply: the set is keyed by address, so its entries are unknown too.
  let unknown = false;
  raw.forEach((item, i) => {
    if (item === UNKNOWN || (isObject(item) && item[ADDRESS] === UNKNOWN)) unknown = true;
    if (item === UNKNOWN) return;
    const where = `entries[${i}]${isObject(item) && typeof item[NAME] === "string" ? ` "${item[NAME]}"` : ""}`;
    if (!isObject(item)) {
      failures.push({ property: "entries", reason: `${where} must be an object, got ${describe(item)}` });
      return;
    }
    const parsed = parseAddress(item[ADDRESS]);
    const key = parsed.ok ? parsed.value.canonical : undefined;
    const old = key ? oldEntries[key] : undefined;
    // An expiry already declared (and since passed) is not a new entry's past expiry.
    const isNew = !old || !sameValue(EXPIRY, old[EXPIRY], item[EXPIRY]);
    for (const f of validate(kind, { ...item, adoptId: undefined }, isNew, now)) {
      failures.push({ property: "entries", reason: `${where}: ${f.reason}` });
    }
    if (!key) return;
    const before = firstAt.get(key);
    if (before !== undefined) {
      failures.push({
        property: "entries",
        reason:
          `${where}: ${ADDRESS} "${item[ADDRESS]}" is the same address as entries[${before}] ` +
          `("${(raw[before] as Partial<Record<typeof NAME, string>>)[NAME]}"); the ${kind} library holds one entry per address`,
      });
      return;
    }
    firstAt.set(key, i);
    const { adoptId: _ignored, ...entry } = pickInputs(kind, item);
    entries[key] = entry;
  });
  if (unknown) return { inputs: { mode, entries: UNKNOWN as never }, failures };
  return { inputs: { mode, entries: sortedByKey(entries) }, failures };
}

export interface SetChanges {
  /** Declared addresses the set does not manage yet. */
  added: string[];
  /** Declared addresses whose managed entry differs. */
  changed: string[];
  /** Managed addresses no longer declared. */
  removed: string[];
  /** Authoritative: live entries nobody declared, to be removed. */
  undeclared: string[];
  modeChanged: boolean;
}

/** What an update must do, in one pass over both maps: O(n). */
export function setChanges(
  olds: Partial<SetOutputs> | undefined,
  news: SetInputs,
  now = Date.now(),
): SetChanges {
  const managed = olds?.entries ?? {};
  const declared = news.entries ?? {};
  const added: string[] = [];
  const changed: string[] = [];
  for (const [key, want] of Object.entries(declared)) {
    const have = managed[key];
    if (!have) added.push(key);
    else if (!sameEntry(have, want, now)) changed.push(key);
  }
  const removed = Object.keys(managed).filter((k) => !(k in declared));
  const undeclared = Object.keys(news.removeUndeclared ?? {});
  return { added, changed, removed, undeclared, modeChanged: (olds?.mode ?? news.mode) !== news.mode };
}

export function hasChanges(c: SetChanges): boolean {
  return c.modeChanged || c.added.length + c.changed.length + c.removed.length + c.undeclared.length > 0;
}

/** Fields of `want` that differ in `have` (canonical addresses, category sets, instants); none it leaves to the server. */
export function differingFields(
  have: Partial<SetEntry>,
  want: Partial<SetEntry>,
  now = Date.now(),
): (keyof SetEntry)[] {
  // Expired, and declared to have expired: gone, and no change would bring it back.
  if (hasExpired(have[EXPIRY], now) && hasExpired(want[EXPIRY], now)) return [];
  // A value identical to the declared one means the same however the field compares (and costs no address
  // parse): the common case, thousands of unchanged entries.
  return ENTRY_FIELDS.filter(
    (f) => !leftToServer(f, want) && have[f] !== want[f] && !sameValue(f, have[f], want[f]),
  );
}

/** Whether a managed entry is what `want` declares. */
export function sameEntry(have: Partial<SetEntry>, want: Partial<SetEntry>, now = Date.now()): boolean {
  return differingFields(have, want, now).length === 0;
}

/**
 * The changes spelled out for the CLI's output, addresses included (the first
 * `max` of each kind): `+2 added: 192.0.2.1, 192.0.2.2; ~1 changed: 10.0.0.0/24 (name)`.
 */
export function describeChanges(
  olds: Partial<SetOutputs> | undefined,
  news: SetInputs,
  c: SetChanges,
  max = 10,
  now = Date.now(),
): string {
  const list = (keys: string[], detail: (k: string) => string = () => "") =>
    keys
      .slice(0, max)
      .map((k) => k + detail(k))
      .join(", ") + (keys.length > max ? `, and ${keys.length - max} more` : "");
  const fields = (k: string) => {
    const a: Partial<SetEntry> = olds?.entries?.[k] ?? {};
    const b = news.entries[k];
    return ` (${differingFields(a, b, now).join(", ")})`;
  };
  return [
    c.added.length ? `+${c.added.length} added: ${list(c.added)}` : "",
    c.changed.length ? `~${c.changed.length} changed: ${list(c.changed, fields)}` : "",
    c.removed.length ? `-${c.removed.length} removed: ${list(c.removed)}` : "",
    c.modeChanged ? `mode ${olds?.mode} => ${news.mode}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** One line for logs and errors: `+2 added, ~1 changed, -1 removed`. */
export function summarize(c: SetChanges): string {
  const parts = [
    c.added.length ? `+${c.added.length} added` : "",
    c.changed.length ? `~${c.changed.length} changed` : "",
    c.removed.length ? `-${c.removed.length} removed` : "",
    c.undeclared.length ? `-${c.undeclared.length} undeclared removed` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no changes";
}

/** An entry as the set stores it: the declared fields only (no undefined values). */
export function cleanEntry(e: Partial<SetEntry>): SetEntry {
  const out: Record<string, unknown> = {};
  for (const f of ENTRY_FIELDS) if (e[f] !== undefined && e[f] !== null) out[f] = e[f];
  return out as unknown as SetEntry;
}

/** A declared suspicious entry whose expiry has passed: Cloudlock drops it, the set does not recreate it. */
export const expiredDeclaration = (e: Partial<SetEntry>, now = Date.now()) => hasExpired(e[EXPIRY], now);

export function sortedByKey<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : typeof v;
}
