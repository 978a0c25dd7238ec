/**
 * A set fed by a feed, and the guard rails any set may carry: pure rules the set's check applies where it sees
 * the set's previous inputs, so they hold on both routes. Before the entries are checked, `feedInto` merges the
 * feed's entries with the declared ones, gives entries without an expiry one from the TTL, and refuses a feed
 * that is empty, mostly bad, or holds addresses the set does not take; after, `changeGuard` refuses a change
 * larger than `maxChange` unless this run allows this content.
 *
 * The feed's read (its source, size, content id, time) is said as a note on the set and never kept: an input
 * that changed every run would be a change every run.
 */
import { type ParsedAddress, canonicalAddress, parseAddress } from "../address";
import { ADDRESS, EXPIRY, type CollectionName, expires } from "../model";
import { problemText } from "../problems";
import { IPV4_EMBEDDINGS, RANGE_GROUPS, rangesTouched, refusedRanges } from "../ranges";
import { contentId } from "../feed/content-id";
import { FEED_ALLOWANCES, FEED_LIMITS, type FeedAllowance } from "../feed/limits";
import type { Feed } from "../feed/get";
import type { CheckFailure } from "./schema";
import { UNKNOWN, hasExpired } from "./schema";
import { validate } from "./validate";
import { type SetEntry, type SetInputs, differingFields } from "./set-schema";

/** What the set's check needs of a feed: the feed function's result, its entries as any value may come. */
export type FeedInput = Omit<Feed, "format" | "entries"> & { entries: Record<string, unknown>[] };

/** A diagnostic for the set: said on the resource at preview and `up`. */
export interface SetNote {
  level: "info" | "warning";
  text: string;
}

/** The guard-rail inputs of a set, as given. */
export const GUARD_INPUTS = ["feed", "ttl", "maxChange", "allow"] as const;

/**
 * A refusal of the feed (or of the change) names no property: the engine prints a property's value beside its
 * failure, and a feed's value is every entry it holds. The message names the feed.
 */
const FEED_FAILURE = "";

const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = { d: 24 * HOUR_MS, h: HOUR_MS, m: 60_000 };

/** A TTL as written (`"30d"`, `"12h"`, `"90m"`, or a number of days) in milliseconds, or why it is not one. */
export function ttlMs(v: unknown): number | string {
  if (typeof v === "number")
    return v > 0 && Number.isFinite(v) ? v * UNIT_MS.d : `must be positive, got ${v}`;
  const m = typeof v === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([dhm])\s*$/.exec(v) : null;
  if (!m || Number(m[1]) <= 0)
    return `must be a duration such as "30d", "12h" or "90m" (or a number of days), got ${JSON.stringify(v)}`;
  return Number(m[1]) * UNIT_MS[m[2]];
}

/**
 * The TTL rule, in one sentence: an entry gets the run's time plus the TTL (by Cloudlock's clock, rounded up
 * to the hour) when it is new or has less than half the TTL (or more than the whole TTL) left, and otherwise
 * keeps the expiry it has, so a daily run changes nothing until an entry is half way to expiring.
 */
export function ttlExpiry(previous: unknown, now: number, ttl: number): string {
  const before = typeof previous === "string" ? Date.parse(previous) : NaN;
  const left = before - now;
  if (left >= ttl / 2 && left <= ttl + HOUR_MS) return previous as string;
  return new Date(Math.ceil((now + ttl) / HOUR_MS) * HOUR_MS).toISOString();
}

/** A change limit as written (`50`, `"20%"`) against `base` entries: the most entries one run may change. */
export function changeLimit(v: unknown, base: number): number | string {
  if (typeof v === "number")
    return Number.isInteger(v) && v >= 0 ? v : `must be a whole count or a percentage, got ${v}`;
  const m = typeof v === "string" ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v) : null;
  // A percentage above zero allows at least one change; "0%" allows none, as 0 does.
  if (m && Number(m[1]) <= 100)
    return Number(m[1]) === 0 ? 0 : Math.max(1, Math.ceil((Number(m[1]) / 100) * base));
  if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) return Number(v);
  return `must be a count (50) or a percentage of the set ("25%"), got ${JSON.stringify(v)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Merge the feed into the declared entries and apply the TTL and the feed's guard rails. `olds` are the set's
 * previous inputs (entries by canonical address), `now` Cloudlock's clock. Returns the inputs for the set's
 * own check (without the feed), what is refused, and what to say.
 */
export function feedInto(
  kind: CollectionName,
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
  now: number,
): {
  news: Record<string, unknown>;
  failures: CheckFailure[];
  notes: SetNote[];
  /** The canonical addresses the feed gives the set (those its entries do not declare). */
  fedKeys: Set<string>;
  /** The guard rails `allow` lifts. */
  allowed: Set<string>;
} {
  const failures: CheckFailure[] = [];
  const notes: SetNote[] = [];
  const fedKeys = new Set<string>();
  const { feed, ttl, maxChange: _m, allow, ...rest } = news;
  const out: Record<string, unknown> = { ...rest };
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  const allowed = new Set<string>();
  if (allow !== undefined && allow !== null && allow !== UNKNOWN) {
    if (!Array.isArray(allow) || allow.some((a) => !FEED_ALLOWANCES.includes(a as FeedAllowance)))
      fail(
        "allow",
        `must be a list of ${FEED_ALLOWANCES.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(allow)}`,
      );
    else for (const a of allow) allowed.add(a as string);
  }
  let ttlValue: number | undefined;
  if (ttl !== undefined && ttl !== null && ttl !== UNKNOWN) {
    if (!expires(kind)) fail("ttl", `applies to suspicious entries only: ${kind} entries do not expire`);
    else {
      const t = ttlMs(ttl);
      if (typeof t === "string") fail("ttl", t);
      else if (t > FEED_LIMITS.maxTtlDays * UNIT_MS.d)
        fail("ttl", `must be at most ${FEED_LIMITS.maxTtlDays} days, got ${JSON.stringify(ttl)}`);
      else ttlValue = t;
    }
  }
  if (news.maxChange !== undefined && news.maxChange !== null && news.maxChange !== UNKNOWN) {
    const limit = changeLimit(news.maxChange, 100);
    if (typeof limit === "string") fail("maxChange", limit);
  }

  // A set fed by a feed may declare no entries of its own; one without a feed must (checkSet says so).
  let entries: unknown = news.entries ?? (feed !== undefined && feed !== null ? [] : undefined);
  if (feed === UNKNOWN || entries === UNKNOWN) {
    out.entries = UNKNOWN;
    return { news: out, failures, notes, fedKeys, allowed };
  }
  if (feed !== undefined && feed !== null) {
    const f = checkFeedInput(feed);
    if (typeof f === "string") {
      fail(FEED_FAILURE, `feed ${f}`);
      return { news: out, failures, notes, fedKeys, allowed };
    }
    notes.push({ level: "info", text: readNote(f) });
    const content = contentRefusals(f);
    notes.push(...content.warnings.map((text) => ({ level: "warning" as const, text })));
    if (content.refusals.length) {
      for (const r of content.refusals) fail(FEED_FAILURE, r);
      out.entries = entries;
      return { news: out, failures, notes, fedKeys, allowed };
    }
    if (!Array.isArray(entries)) return { news: { ...out, entries }, failures, notes, fedKeys, allowed };
    const declared = new Set<string>();
    for (const e of entries) {
      const p = isObject(e) ? parseAddress(e[ADDRESS]) : undefined;
      if (p?.ok) declared.add(p.value.canonical);
    }
    const fed = f.entries.filter((e) => {
      const p = parseAddress(e[ADDRESS]);
      return !(p.ok && declared.has(p.value.canonical));
    });
    if (fed.length < f.entries.length)
      notes.push({
        level: "info",
        text:
          `${f.entries.length - fed.length} address(es) of feed ${f.label} are also declared in ` +
          "entries; the declared entry is used.",
      });
    for (const r of addressRefusals(kind, f.label, fed, allowed)) fail(FEED_FAILURE, r);
    const { usable, expired, refused } = feedEntries(kind, fed, now);
    if (expired)
      notes.push({
        level: "info",
        text: `Left out ${expired} entr${expired === 1 ? "y" : "ies"} of feed ${f.label} whose expiry has passed.`,
      });
    if (refused.length) {
      // Like a line that is not an address: skipped and named (by address, not an index into the merged list),
      // and counted with the bad records against the feed's share.
      const shown = refused.slice(0, FEED_LIMITS.shown);
      const text =
        `${refused.length} entr${refused.length === 1 ? "y" : "ies"} of feed ${f.label} cannot be declared and ` +
        `${refused.length === 1 ? "was" : "were"} skipped: ${shown.join("; ")}` +
        (refused.length > shown.length ? `; and ${refused.length - shown.length} more` : "");
      if ((f.badCount + refused.length) / Math.max(f.records, 1) > FEED_LIMITS.maxBadShare)
        fail(
          FEED_FAILURE,
          `${text}. With the bad records, more than ${FEED_LIMITS.maxBadShare * 100}% of the feed is refused: nothing was changed. Correct the feed's arguments (name, description, categories), or the feed.`,
        );
      else notes.push({ level: "warning", text });
    }
    if (usable.length > FEED_LIMITS.maxEntries)
      fail(
        FEED_FAILURE,
        `feed ${f.label} gives ${usable.length} entries, more than the ${FEED_LIMITS.maxEntries} a set takes from a feed: nothing was changed. Narrow it with select or a smaller feed.`,
      );
    for (const e of usable) fedKeys.add(canonicalAddress(String(e[ADDRESS])));
    entries = [...entries, ...usable];
  }
  if (ttlValue !== undefined && Array.isArray(entries)) {
    const before = (isObject(olds?.entries) ? olds!.entries : {}) as Record<string, SetEntry>;
    entries = entries.map((e) => {
      if (!isObject(e) || (e[EXPIRY] !== undefined && e[EXPIRY] !== null)) return e;
      const p = parseAddress(e[ADDRESS]);
      if (!p.ok) return e;
      return { ...e, [EXPIRY]: ttlExpiry(before[p.value.canonical]?.[EXPIRY], now, ttlValue!) };
    });
  }
  out.entries = entries;
  return { news: out, failures, notes, fedKeys, allowed };
}

/**
 * What a feed's content alone refuses, the same for a set that reads it and for `feed pull`: a feed that is empty
 * or parsed to nothing never empties anything, and one with more than the stated share of bad records is broken.
 * Fewer bad records are a warning naming them.
 */
export function contentRefusals(
  f: Pick<FeedInput, "label" | "bytes" | "records" | "badCount" | "bad"> & {
    entries: readonly unknown[];
  },
): { refusals: string[]; warnings: string[] } {
  if (f.entries.length === 0) {
    const what =
      f.records === 0
        ? `is empty (${f.bytes} bytes, no line holds an address)`
        : `parsed to nothing (none of its ${f.records} records holds an address)`;
    return { refusals: [problemText("feed-empty", { feed: f.label, what })], warnings: [] };
  }
  if (f.badCount === 0) return { refusals: [], warnings: [] };
  const first = f.bad.map((b) => `${b.where} ${JSON.stringify(b.text)}: ${b.reason}`);
  if (f.badCount / Math.max(f.records, 1) > FEED_LIMITS.maxBadShare)
    return {
      refusals: [
        problemText("feed-bad-lines", {
          feed: f.label,
          bad: f.badCount,
          records: f.records,
          max: `${FEED_LIMITS.maxBadShare * 100}%`,
          first: first[0] ?? "",
        }),
      ],
      warnings: [],
    };
  const shown = first.slice(0, FEED_LIMITS.shown);
  return {
    refusals: [],
    warnings: [
      `${f.badCount} record(s) of feed ${f.label} are not addresses and were skipped: ` +
        shown.join("; ") +
        (f.badCount > shown.length ? `; and ${f.badCount - shown.length} more` : ""),
    ],
  };
}

/**
 * A feed's entries as the set can declare them: an entry whose own expiry (a Cloudlock CSV's TTL) has passed is
 * left out, as Cloudlock would drop it; one the entry checks refuse is named by its address.
 */
function feedEntries(
  kind: CollectionName,
  fed: Record<string, unknown>[],
  now: number,
): { usable: Record<string, unknown>[]; expired: number; refused: string[] } {
  const usable: Record<string, unknown>[] = [];
  const refused: string[] = [];
  let expired = 0;
  for (const e of fed) {
    if (expires(kind) && hasExpired(e[EXPIRY], now)) {
      expired++;
      continue;
    }
    const failures = validate(kind, e, true, now);
    if (failures.length) refused.push(`${String(e[ADDRESS])}: ${failures.map((x) => x.reason).join("; ")}`);
    else usable.push(e);
  }
  return { usable, expired, refused };
}

/** The feed's read, said once per run on the set: what was read and what it became. */
function readNote(f: FeedInput): string {
  const dropped = [
    f.duplicates ? `${f.duplicates} duplicate(s)` : "",
    f.contained ? `${f.contained} inside another block` : "",
    f.badCount ? `${f.badCount} not addresses` : "",
  ].filter(Boolean);
  return (
    `feed ${f.label} (${f.source}): ${f.bytes} bytes, ${f.hash}, read ${f.fetchedAt}; ` +
    `${f.records} record(s) became ${f.entries.length} entr${f.entries.length === 1 ? "y" : "ies"}` +
    (dropped.length ? ` (${dropped.join(", ")})` : "")
  );
}

/** A feed function's result, or why the value is not one. */
function checkFeedInput(v: unknown): FeedInput | string {
  if (!isObject(v)) return `must be the result of the feed function (getFeed), got ${typeof v}`;
  const missing = ["label", "source", "hash", "entries"].filter((k) => v[k] === undefined || v[k] === null);
  if (missing.length)
    return `must be the result of the feed function (getFeed); it lacks ${missing.join(", ")}`;
  if (!Array.isArray(v.entries) || !v.entries.every(isObject)) return "entries must be a list of entries";
  const num = (k: string) => (typeof v[k] === "number" ? (v[k] as number) : Number(v[k] ?? 0) || 0);
  return {
    label: String(v.label),
    source: String(v.source),
    hash: String(v.hash),
    bytes: num("bytes"),
    fetchedAt: String(v.fetchedAt ?? ""),
    records: num("records"),
    addresses: num("addresses"),
    duplicates: num("duplicates"),
    contained: num("contained"),
    badCount: num("badCount"),
    bad: Array.isArray(v.bad) ? (v.bad as FeedInput["bad"]) : [],
    entries: v.entries,
  };
}

/** The non-public ranges a suspicious feed may not hold (documentation ranges are harmless and allowed). */
const NON_PUBLIC = refusedRanges(RANGE_GROUPS.filter((g) => g !== "documentation"));

/**
 * Addresses of a feed refused unless allowed, the same for a set and for `feed pull`: every address (in any
 * library); in a suspicious feed, a block too broad, or a private or reserved range. An address refused as broad
 * is not also named as non-public (`0.0.0.0/0` touches "this network").
 */
export function addressRefusals(
  kind: CollectionName,
  feed: string,
  entries: readonly Record<string, unknown>[],
  allowed: ReadonlySet<string>,
): string[] {
  const broad: string[] = [];
  const nonPublic: string[] = [];
  const suspicious = expires(kind);
  const bound = suspicious ? FEED_LIMITS.broadestPrefix : FEED_LIMITS.broadestTrustedPrefix;
  const total = { ipv4: 0n, ipv6: 0n };
  for (const e of entries) {
    const p = parseAddress(e[ADDRESS]);
    if (!p.ok) continue;
    const a = p.value;
    for (const [family, size] of sizes(a)) total[family] += size;
    if (a.everyAddress || sizes(a).some(([family, size]) => size > blockOf(family, bound[family]))) {
      if (!allowed.has("broad")) broad.push(a.canonical);
      continue;
    }
    if (suspicious && !allowed.has("private")) {
      const hits = rangesTouched(a, NON_PUBLIC);
      if (hits.length) nonPublic.push(`${a.canonical} (${hits[0].name})`);
    }
  }
  const { ipv4: t4, ipv6: t6 } = FEED_LIMITS.broadestTotal;
  const tooMuch =
    !allowed.has("broad") &&
    !broad.length &&
    (total.ipv4 > blockOf("ipv4", t4) || total.ipv6 > blockOf("ipv6", t6));
  const out: string[] = [];
  const report = (list: string[], what: string, allow: FeedAllowance) => {
    if (!list.length) return;
    const shown =
      list.slice(0, FEED_LIMITS.shown).join("; ") +
      (list.length > FEED_LIMITS.shown ? `; and ${list.length - FEED_LIMITS.shown} more` : "");
    out.push(problemText("feed-address", { feed, count: list.length, what, first: shown, allow }));
  };
  report(broad, `address block(s) wider than a /${bound.ipv4} (IPv4) or /${bound.ipv6} (IPv6)`, "broad");
  if (tooMuch)
    report(
      [`${total.ipv4} IPv4 and ${total.ipv6} IPv6 addresses`],
      `entries that together cover more than a /${t4} of IPv4 or a /${t6} of IPv6`,
      "broad",
    );
  report(nonPublic, "private or reserved range(s)", "private");
  return out;
}

/** A block's size in addresses, with the IPv4 size of what an IPv6 block embeds (NAT64, 6to4, IPv4-mapped). */
function sizes(a: ParsedAddress): ["ipv4" | "ipv6", bigint][] {
  const out: ["ipv4" | "ipv6", bigint][] = [[a.family, a.last - a.first + 1n]];
  if (a.family === "ipv6")
    for (const m of IPV4_EMBEDDINGS) {
      const first = a.first > m.first ? a.first : m.first;
      const last = a.last < m.last ? a.last : m.last;
      if (first <= last) out.push(["ipv4", ((last - first) >> m.shift) + 1n]);
    }
  return out;
}

/** How many addresses a /`prefix` of `family` holds. */
const blockOf = (family: "ipv4" | "ipv6", prefix: number) =>
  1n << BigInt((family === "ipv4" ? 32 : 128) - prefix);

/**
 * The `maxChange` guard: how many of the set's previous entries a run changes (added, removed, or with a field
 * other than the expiry changed: a TTL's extension is upkeep, not change), refused past the limit unless `allowed`
 * names this content's id. Applies to a set that had entries and is fed by a feed (limit 25% unless set) or has a
 * `maxChange`.
 */
export function changeGuard(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
  inputs: SetInputs,
  allowed: string | undefined,
  env: string,
  now: number,
): { failures: CheckFailure[]; notes: SetNote[] } {
  const none = { failures: [], notes: [] };
  const feed = isObject(news.feed) ? news.feed : undefined;
  const given = news.maxChange !== undefined && news.maxChange !== null && news.maxChange !== UNKNOWN;
  if (!feed && !given) return none;
  const before = (isObject(olds?.entries) ? olds!.entries : {}) as Record<string, SetEntry>;
  const base = Object.keys(before).length;
  if (base === 0 || !isObject(inputs.entries)) return none;
  const limit = changeLimit(given ? news.maxChange : FEED_LIMITS.maxChange, base);
  if (typeof limit === "string") return none;
  let added = 0;
  let changed = 0;
  for (const [key, want] of Object.entries(inputs.entries)) {
    const have = before[key];
    if (!have) added++;
    else if (differingFields(have, want, now).some((f) => f !== EXPIRY)) changed++;
  }
  // An authoritative set's removals of entries nobody declared are change too.
  const removed =
    Object.keys(before).filter((k) => !(k in inputs.entries)).length +
    Object.keys(inputs.removeUndeclared ?? {}).length;
  const total = added + removed + changed;
  if (total <= limit) return none;
  const id = changeId(feed ? String(feed.hash) : undefined, before, inputs);
  const summary =
    `${total} of the set's ${base} entries (${Math.round((total / base) * 100)}%: ` +
    [removed && `-${removed} removed`, added && `+${added} added`, changed && `~${changed} changed`]
      .filter(Boolean)
      .join(", ") +
    ")";
  const shownLimit = given
    ? String(news.maxChange)
    : `${FEED_LIMITS.maxChange} (the default for a set fed by a feed)`;
  if (allowances(allowed).has(id))
    return {
      failures: [],
      notes: [
        {
          level: "warning",
          text: `This run changes ${summary}, more than maxChange ${shownLimit}: allowed for content ${id} by ${env}.`,
        },
      ],
    };
  return {
    failures: [
      {
        property: FEED_FAILURE,
        reason: problemText("feed-change", {
          summary,
          limit: shownLimit,
          id,
          env,
          ...(allowances(allowed).size ? { given: [...allowances(allowed)].join(", ") } : {}),
        }),
      },
    ],
    notes: [],
  };
}

/**
 * The id an allowance names: the feed's content id (if any) with the change it makes, the entries before and after
 * without their expiries (a TTL's rounding must not give preview and `up` different ids). Another feed content,
 * another declaration, or the same content meeting another state, is another id.
 */
function changeId(feedHash: string | undefined, before: Record<string, SetEntry>, inputs: SetInputs): string {
  const bare = (m: Record<string, SetEntry>) =>
    Object.keys(m)
      .sort()
      .map((k) => {
        const { [EXPIRY]: _e, ...rest } = m[k] as Record<string, unknown>;
        return [k, rest];
      });
  return contentId(
    JSON.stringify({
      feed: feedHash,
      before: bare(before),
      after: bare(inputs.entries),
      undeclared: Object.keys(inputs.removeUndeclared ?? {}).sort(),
    }),
  );
}

/** The content ids an allowance names (separated by commas or spaces). */
const allowances = (v: string | undefined) => new Set((v ?? "").split(/[\s,]+/).filter(Boolean));
