/**
 * A preview's steps as a review of the Cloudlock changes: per library, each entry added, adopted, changed,
 * replaced, renamed or removed, with what `up` will do to which entry (pk); what drifted since the last `up`;
 * and what needs a human, first of all every create `up` will refuse. Both routes' resources (the dynamic SDK's
 * and the plugin's type tokens, from the model) read the same way. Pure: no I/O.
 */
import { canonicalAddress, parseAddress } from "../../provider/address";
import { COLLECTIONS, type CollectionName } from "../../provider/client/types";
import { type ReadForecast, type Route, changesIn, readForecast } from "../../provider/dynamic/forecast";
import { UNKNOWN, UPDATABLE, hasExpired, sameValue } from "../../provider/dynamic/schema";
import { type EntryField, expires, fieldsOf } from "../../provider/model";
import { RESOURCE_TYPES, type ResourceType, typeOfUrn } from "../../provider/tokens";
import { type Digest, type Json, type Step, isObject, nameOf, readDigest } from "./read";

export { ReviewInputError } from "./read";

/** One entry as a reviewer names it: name, canonical address, the resource that declares it, and its pk. */
export interface EntryRef {
  name: string;
  address: string;
  /** `SuspiciousIp "bad"` or `TrustedIpSet "offices"`. */
  resource: string;
  /** The entry's pk in Cloudlock, where it has one already. */
  pk?: string;
  /** The declaration the row was read from (its fields), for pairing moves. */
  decl?: Json;
  /** The resource that declares it: a set or not, its URN, and what it depends on. */
  owner?: { urn: string; set: boolean; dependsOn: string[] };
}

export interface FieldChange {
  field: EntryField;
  old: unknown;
  new: unknown;
}

export interface LibraryChanges {
  added: EntryRef[];
  changed: (EntryRef & { changes: FieldChange[] })[];
  /** Deleted and created again; `reasons` are the fields that force it. */
  replaced: (EntryRef & { reasons: string[]; changes: FieldChange[] })[];
  removed: EntryRef[];
  /**
   * Existing entries taken over (adoptId, a set adopting by address, an identical entry): nothing is created;
   * `changes` are the fields `up` then sets to the declaration, where the preview said.
   */
  adopted: (EntryRef & { adoptId: string; changes: string[] })[];
  /** The same entry under another resource (an alias, or the new resource adopting the old one's entry). */
  renamed: (EntryRef & { pk: string; from: string; changes: FieldChange[] })[];
  /** Changed in Cloudlock since the last `up` (a `preview --refresh`): recorded → as read now. */
  drifted: (EntryRef & { changes: FieldChange[]; gone: boolean; up: string })[];
}

/** A create `up` will refuse: the preview's forecast, and for a rename, the resource it was. */
export interface WillFail {
  entry: EntryRef;
  reason: string;
  /** A rename `up` refuses: the old resource, whose entry still holds the address. */
  renamedFrom?: string;
  /** The fix for the user's route, for a rename: what to do, and the line to write. */
  fix?: { what: string; write: string };
}

export interface Review {
  libraries: Record<CollectionName, LibraryChanges>;
  needsHuman: {
    /** Creates `up` will refuse (the review command exits non-zero when there are any). */
    willFail: WillFail[];
    /** Each overlapping entry paired with one earlier entry it overlaps (at most one pair per entry). */
    overlaps: { a: EntryRef; b: EntryRef }[];
    /** Entries an authoritative set removes because nobody declares them. */
    undeclared: { set: string; kind: CollectionName; address: string; entry: string }[];
    /** Authoritative sets in the plan that will remove undeclared entries on each `up`. */
    authoritativeSets: { set: string; kind: CollectionName; found: number }[];
    policy: string[];
    expired: (EntryRef & { expiresOn: string })[];
    /** Preview errors: the plan is incomplete. */
    errors: string[];
  };
  /** Steps that change resources other than Cloudlock's (not reviewed here). */
  otherChanges: number;
  /** The preview read Cloudlock first (`--refresh`): drift is reported. */
  refreshed: boolean;
}

/** Step ops that change nothing. */
const NOT_CHANGES = ["same", "read", "refresh", ""];
/** Parts of a replacement that the summary and a plain preview count as one "replace". */
const REPLACEMENT_PARTS = [
  "create-replacement",
  "delete-replaced",
  "remove-pending-replace",
  "read-replacement",
  "import-replacement",
];

/** A set's entries by canonical address, whether stored keyed (as the provider does) or still a list. */
function setEntries(inputs: Json): Record<string, Json> | undefined {
  const raw = inputs.entries;
  if (raw === UNKNOWN) return undefined;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? Object.values(raw) : [];
  const out: Record<string, Json> = {};
  for (const e of list) if (isObject(e)) out[canonicalAddress(String(e.ipAddress ?? ""))] = e;
  return out;
}

function ref(e: Json, resource: string, pk?: unknown, owner?: EntryRef["owner"]): EntryRef {
  return {
    decl: e,
    ...(owner && { owner }),
    name: typeof e.name === "string" ? e.name : e.name === UNKNOWN ? "(known after apply)" : "(no name)",
    address: typeof e.ipAddress === "string" ? canonicalAddress(e.ipAddress) : "(unknown)",
    resource,
    ...(typeof pk === "string" && pk && { pk }),
  };
}

function fieldChanges(kind: CollectionName, olds: Json, news: Json): FieldChange[] {
  return fieldsOf(kind)
    .filter((f) => news[f] === UNKNOWN || !sameValue(f, olds[f], news[f]))
    .map((f) => ({ field: f, old: olds[f], new: news[f] }));
}

function emptyLibrary(): LibraryChanges {
  return { added: [], changed: [], replaced: [], removed: [], adopted: [], renamed: [], drifted: [] };
}

const label = (t: ResourceType, urn: string) => `${t.label} "${nameOf(urn)}"`;

/**
 * A forecast's fix for a rename, in the terms of the route the resource came by: what to do, and the line to
 * write (shown as code).
 */
function renameFixFor(route: Route, oldName: string): { what: string; write: string } {
  switch (route) {
    case "data-file":
      return { what: "add to the record", write: `renamedFrom: ${oldName}` };
    case "plugin":
      return { what: "give the resource the aliases option with its old name", write: oldName };
    default:
      return {
        what: "give the resource the option",
        write: `aliases: [{ name: ${JSON.stringify(oldName)} }]`,
      };
  }
}

/** Work on one library while reading the steps: declared entries (for overlaps and expiries) and pending creates. */
interface Pending {
  /** Creates `up` will refuse, by canonical address, waiting to be paired with a removal of the same entry. */
  failing: { entry: EntryRef; forecast: ReadForecast; urn: string }[];
  declared: EntryRef[];
  expiries: Map<EntryRef, unknown>;
  /** Drifted fields by resource and address (see isRevert). */
  drift: Map<string, FieldChange[]>;
}

/**
 * Read a preview digest (the parsed JSON of `pulumi preview --json`) into a review.
 * `now` decides which declared expiries have passed.
 */
export function reviewPreview(input: unknown, now = Date.now()): Review {
  const digest = readDigest(input);
  const review: Review = {
    libraries: { trusted: emptyLibrary(), suspicious: emptyLibrary() },
    needsHuman: {
      willFail: [],
      overlaps: [],
      undeclared: [],
      authoritativeSets: [],
      policy: [],
      expired: [],
      errors: [],
    },
    otherChanges: 0,
    refreshed: digest.steps.some((s) => s.op === "refresh"),
  };
  const pending: Record<CollectionName, Pending> = {
    trusted: { failing: [], declared: [], expiries: new Map(), drift: new Map() },
    suspicious: { failing: [], declared: [], expiries: new Map(), drift: new Map() },
  };
  const forecasts = forecastsByUrn(digest);
  /** As recorded before a refresh read it, by URN (`preview --refresh`). */
  const recorded = new Map(digest.steps.filter((s) => s.op === "refresh").map((s) => [s.urn, s]));
  /** Resources the steps change (a replacement once), to cross-check the change summary. */
  const changing = new Set<string>();
  const seen = new Set<string>();
  for (const step of digest.steps) {
    // Without --show-replacement-steps a replacement is one "replace" step; with it, count it once.
    if (step.op === "delete-replaced" || step.op === "remove-pending-replace") continue;
    // `preview --refresh` lists each resource twice: its refresh step, then its planned step. The plan is the latter.
    if (step.op === "refresh") continue;
    if (!NOT_CHANGES.includes(step.op)) changing.add(step.urn);
    const t = RESOURCE_TYPES.get(step.type);
    if (!t) {
      // The stack and default providers come and go with the first and last `up`: not changes anyone reviews.
      const bookkeeping = step.type === "pulumi:pulumi:Stack" || step.type.startsWith("pulumi:providers:");
      if (!bookkeeping && !NOT_CHANGES.includes(step.op)) review.otherChanges++;
      continue;
    }
    // One resource, one step: a digest that lists a URN twice (the replacement pair included) counts it once.
    if (seen.has(step.urn)) continue;
    seen.add(step.urn);
    const ctx = { review, pending: pending[t.kind], forecast: forecasts.get(step.urn), now };
    if (t.set) reviewSet(t, step, recorded.get(step.urn), ctx);
    else reviewEntry(t, step, recorded.get(step.urn), ctx);
  }
  for (const kind of COLLECTIONS) pairRenames(kind, review, pending[kind]);
  finish(review, digest, pending, changing, now);
  return review;
}

interface Context {
  review: Review;
  pending: Pending;
  forecast?: ReadForecast;
  now: number;
}

function reviewEntry(t: ResourceType, step: Step, before: Step | undefined, ctx: Context): void {
  const { kind } = t;
  const lib = ctx.review.libraries[kind];
  const resource = label(t, step.urn);
  const removing = step.op === "delete" || step.op === "discard";
  const owner = { urn: step.urn, set: false, dependsOn: step.dependencies };
  const r = ref(removing ? step.olds : step.news, resource, step.id, owner);
  if (!removing) declare(ctx.pending, kind, step.news, r);
  if (before) driftOfEntry(t, step, before, r, lib, ctx.pending);
  // Fields a refresh found changed and the plan sets back are the drift row's, not a change of the program's.
  const changes = () => fieldChanges(kind, step.olds, step.news).filter((c) => !isRevert(ctx.pending, r, c));
  switch (step.op) {
    case "create":
    case "import": {
      const adoptId = typeof step.news.adoptId === "string" ? step.news.adoptId : undefined;
      const f = ctx.forecast;
      const changes = f?.outcome === "adopt" ? f.changes : [];
      // A refusal the preview forecast comes first: an adoptId naming no entry, or another entry at the address.
      if (f?.outcome === "fail") ctx.pending.failing.push({ entry: r, forecast: f, urn: step.urn });
      else if (adoptId) lib.adopted.push({ ...r, pk: adoptId, adoptId, changes });
      else if (f?.outcome === "adopt" && f.holder)
        lib.adopted.push({ ...r, pk: f.holder, adoptId: f.holder, changes });
      else if (!before) lib.added.push(r);
      return;
    }
    case "update":
    case "same": {
      const c = changes();
      if (step.oldUrn && step.id)
        lib.renamed.push({ ...r, pk: step.id, from: label(t, step.oldUrn), changes: c });
      else if (c.length) lib.changed.push({ ...r, changes: c });
      return;
    }
    case "replace":
    case "create-replacement":
      lib.replaced.push({
        ...r,
        reasons: step.replaceReasons,
        changes: fieldChanges(kind, step.olds, step.news),
      });
      return;
    default:
      if (removing) lib.removed.push(r);
  }
}

function reviewSet(t: ResourceType, step: Step, before: Step | undefined, ctx: Context): void {
  const { kind } = t;
  const h = ctx.review.needsHuman;
  const lib = ctx.review.libraries[kind];
  const resource = label(t, step.urn);
  const removing = step.op === "delete" || step.op === "discard";
  const olds = (step.op === "create" ? {} : setEntries(step.olds)) ?? {};
  const news = removing ? {} : setEntries(step.news);
  if (news === undefined) {
    h.errors.push(`${resource}: its entries are not known until apply (they depend on other resources)`);
    return;
  }
  /** The pks the set manages, by address, as recorded or as read. */
  const pks = managedPks(step.oldOutputs);
  const owner = { urn: step.urn, set: true, dependsOn: step.dependencies };
  if (before) driftOfSet(t, before, step, resource, lib, ctx.pending);
  const wasRecorded = before ? recordedEntries(before) : {};
  const adopts = isObject(step.news.adopts) ? step.news.adopts : {};
  const refused = isObject(step.news.refused) ? step.news.refused : {};
  for (const [addr, e] of Object.entries(news)) {
    const r = ref(e, resource, pks[addr], owner);
    declare(ctx.pending, kind, e, r);
    if (typeof refused[addr] === "string") {
      h.willFail.push({ entry: r, reason: refused[addr] as string });
      continue;
    }
    const old = olds[addr];
    if (!old) {
      const adopting = typeof adopts[addr] === "string" ? (adopts[addr] as string) : undefined;
      const holder = adopting?.split(" ")[0];
      if (holder) lib.adopted.push({ ...r, pk: holder, adoptId: holder, changes: changesIn(adopting!) });
      // Recorded, and gone since (the drift row says so): `up` makes it again, not a new declaration.
      else if (!(addr in wasRecorded)) lib.added.push(r);
      continue;
    }
    const changes = fieldChanges(kind, old, e).filter((c) => !isRevert(ctx.pending, r, c));
    if (!changes.length) continue;
    const reasons = changes.map((x) => x.field).filter((f) => !UPDATABLE[kind].includes(f));
    if (reasons.length) lib.replaced.push({ ...r, reasons, changes });
    else lib.changed.push({ ...r, changes });
  }
  for (const [addr, e] of Object.entries(olds))
    if (!(addr in news)) lib.removed.push(ref(e, resource, pks[addr], owner));
  if (!removing && step.news.mode === "authoritative") {
    const undeclared = isObject(step.news.removeUndeclared) ? Object.entries(step.news.removeUndeclared) : [];
    for (const [address, entry] of undeclared)
      h.undeclared.push({ set: resource, kind, address, entry: String(entry) });
    h.authoritativeSets.push({ set: resource, kind, found: undeclared.length });
  }
}

function managedPks(outputs: Json): Record<string, string> {
  const entries = isObject(outputs.entries) ? outputs.entries : {};
  const out: Record<string, string> = {};
  for (const e of Object.values(entries))
    if (isObject(e) && typeof e.pk === "string") out[canonicalAddress(String(e.ipAddress ?? ""))] = e.pk;
  return out;
}

function recordedEntries(before: Step): Record<string, Json> {
  return setEntries(isObject(before.oldOutputs.entries) ? before.oldOutputs : before.olds) ?? {};
}

function declare(p: Pending, kind: CollectionName, e: Json, r: EntryRef): void {
  p.declared.push(r);
  if (expires(kind)) p.expiries.set(r, e.expiresOn);
}

/** A per-entry resource's drift: its outputs as recorded against as the refresh read them. */
function driftOfEntry(
  t: ResourceType,
  step: Step,
  before: Step,
  r: EntryRef,
  lib: LibraryChanges,
  p: Pending,
): void {
  const recorded = before.oldOutputs;
  if (!step.hasOld && step.op === "create") {
    drifted(lib, p, {
      ...ref(recorded, r.resource, before.id),
      changes: [],
      gone: true,
      up: upFor(step.op),
    });
    return;
  }
  if (!step.hasOld) return;
  const changes = fieldChanges(t.kind, recorded, step.oldOutputs);
  if (changes.length)
    drifted(lib, p, { ...r, pk: before.id, changes, gone: false, up: upFor(step.op, changes, step) });
}

/** A set's drift, entry by entry: its managed entries as recorded against as the refresh read them. */
function driftOfSet(
  t: ResourceType,
  before: Step,
  step: Step,
  resource: string,
  lib: LibraryChanges,
  p: Pending,
): void {
  const recorded = recordedEntries(before);
  const now = step.hasOld
    ? (setEntries(isObject(step.oldOutputs.entries) ? step.oldOutputs : step.olds) ?? {})
    : {};
  const declared = setEntries(step.news) ?? {};
  for (const [addr, was] of Object.entries(recorded)) {
    const is = now[addr];
    const r = ref(was, resource, was.pk);
    if (!is) {
      drifted(lib, p, {
        ...r,
        changes: [],
        gone: true,
        up: addr in declared ? "create it again" : "nothing",
      });
      continue;
    }
    const changes = fieldChanges(t.kind, was, is);
    if (!changes.length) continue;
    const back = addr in declared && changes.some((c) => sameValue(c.field, declared[addr][c.field], c.old));
    drifted(lib, p, { ...r, changes, gone: false, up: back ? "set it back" : "keep it" });
  }
}

/** What `up` does to a drifted per-entry resource, by its planned step. */
function upFor(op: string, changes: FieldChange[] = [], step?: Step): string {
  if (op === "create") return "create it again";
  if (op === "replace" || op === "create-replacement") return "replace it (a new entry)";
  if (op === "delete" || op === "discard") return "delete it";
  if (op !== "update" || !step) return "keep it (the declaration matches)";
  const back = changes.every((c) => sameValue(c.field, step.news[c.field], c.old));
  return back ? "set it back" : "update it to the declaration";
}

/** A planned change that only sets back what the refresh found drifted: the drift row says it. */
function isRevert(p: Pending, r: EntryRef, c: FieldChange): boolean {
  return (p.drift.get(driftKey(r)) ?? []).some(
    (x) => x.field === c.field && sameValue(c.field, x.new, c.old) && sameValue(c.field, x.old, c.new),
  );
}

const driftKey = (r: EntryRef) => `${r.resource}\u0000${r.address}`;

/** Record a drift row, indexed for isRevert. */
function drifted(lib: LibraryChanges, p: Pending, row: LibraryChanges["drifted"][number]): void {
  lib.drifted.push(row);
  p.drift.set(driftKey(row), row.changes);
}

/**
 * An add and a remove of the same entry in one plan is one move: renamed when the new resource takes over the
 * old one's entry (its adoptId or the set's adoption names the old pk), so `up` keeps the entry; a create `up`
 * will refuse because the old resource's entry holds the address (creates run before deletes) is one row that
 * will fail, naming the fix for the route. Neither is ever reviewed as a removal: the entry stays.
 */
function pairRenames(kind: CollectionName, review: Review, p: Pending): void {
  const lib = review.libraries[kind];
  const removedByPk = new Map(lib.removed.filter((r) => r.pk).map((r) => [r.pk!, r]));
  const moved = new Set<EntryRef>();
  const fails = review.needsHuman.willFail;
  lib.adopted = lib.adopted.filter((a) => {
    const old = removedByPk.get(a.pk!);
    if (!old || old.address !== a.address) return true;
    moved.add(old);
    if (racesWithSet(old, a))
      fails.push({
        entry: { ...a, pk: old.pk },
        renamedFrom: old.resource,
        reason:
          `${old.resource} lets entry ${old.pk} go in the same \`up\` in which ${a.resource} takes it over, ` +
          `in no fixed order: if the set runs first, it deletes the entry`,
        fix: { what: `give ${old.resource} the dependsOn option naming`, write: a.resource },
      });
    else
      lib.renamed.push({
        ...a,
        pk: a.pk!,
        from: old.resource,
        changes: fieldChanges(kind, old.decl ?? {}, a.decl ?? {}),
      });
    return false;
  });
  for (const f of p.failing) {
    const old = f.forecast.holder ? removedByPk.get(f.forecast.holder) : undefined;
    if (old && old.address === f.entry.address) {
      moved.add(old);
      const oldName = old.resource.slice(old.resource.indexOf('"') + 1, -1);
      fails.push({
        entry: { ...f.entry, pk: old.pk },
        renamedFrom: old.resource,
        reason: old.owner?.set
          ? `${old.resource} lets entry ${old.pk} go in the same \`up\` in which ${f.entry.resource} is created ` +
            `at its address, in no fixed order: the create is refused, or the set deletes the entry first and a new ` +
            `one is made`
          : `${f.entry.resource} is created before ${old.resource} is deleted, and its entry ${old.pk} still ` +
            `holds ${f.entry.address}`,
        fix: old.owner?.set
          ? {
              what: `take it over with adoptId, and give ${old.resource} the dependsOn option naming the resource`,
              write: `adoptId: ${old.pk}`,
            }
          : renameFixFor(f.forecast.route, oldName),
      });
    } else fails.push({ entry: f.entry, reason: f.forecast.detail });
  }
  lib.removed = lib.removed.filter((r) => !moved.has(r));
}

/**
 * Whether an entry leaving a set for another resource races with the set's own delete of it: the engine runs the
 * set's update and the new owner's step in no fixed order unless the set depends on the new owner (then the
 * take-over is claimed first, and the set lets the entry go without deleting it).
 */
function racesWithSet(old: EntryRef, now: EntryRef): boolean {
  if (!old.owner?.set || !now.owner) return false;
  return !old.owner.dependsOn.includes(now.owner.urn);
}

function forecastsByUrn(digest: Digest): Map<string, ReadForecast> {
  const out = new Map<string, ReadForecast>();
  for (const d of digest.diagnostics) {
    const f = d.urn ? readForecast(d.text) : undefined;
    // A set's forecasts are carried in its inputs (adopts, refused): its diagnostics are for people.
    if (f && d.urn && !RESOURCE_TYPES.get(typeOfUrn(d.urn))?.set) out.set(d.urn, f);
  }
  return out;
}

const compare = <T extends string | bigint>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** IPv4 before IPv6, then numerically (10.0.0.2 before 10.0.0.10); anything unparsable last, as text. */
function byAddress(a: string, b: string): number {
  const [x, y] = [parseAddress(a), parseAddress(b)];
  if (!x.ok || !y.ok) return x.ok ? -1 : y.ok ? 1 : compare(a, b);
  return compare(x.value.family, y.value.family) || compare(x.value.first, y.value.first);
}

const sortRefs = <T extends EntryRef>(list: T[]) =>
  list.sort(
    (a, b) => byAddress(a.address, b.address) || compare(a.name, b.name) || compare(a.resource, b.resource),
  );

/** Overlaps, expiries, diagnostics and the summary's cross-check, once every step is read. */
function finish(
  review: Review,
  digest: Digest,
  pending: Record<CollectionName, Pending>,
  changing: Set<string>,
  now: number,
): void {
  const h = review.needsHuman;
  for (const kind of COLLECTIONS) {
    // Never spread: a big plan has more pairs than a call takes arguments.
    for (const o of overlaps(pending[kind].declared)) h.overlaps.push(o);
    // The engine's step order follows its parallelism: sort, so the same plan always reads the same.
    for (const list of Object.values(review.libraries[kind]) as EntryRef[][]) sortRefs(list);
    for (const [r, at] of pending[kind].expiries)
      if (hasExpired(at, now)) h.expired.push({ ...r, expiresOn: String(at) });
  }
  h.willFail.sort(
    (a, b) => byAddress(a.entry.address, b.entry.address) || compare(a.entry.resource, b.entry.resource),
  );
  for (const d of digest.diagnostics) {
    if (isPolicyMessage(d.text)) h.policy.push(d.text);
    else if (d.severity === "error") {
      const text = d.text.replace(/^error:\s*/, "");
      if (!h.errors.includes(text)) h.errors.push(text);
    }
  }
  // A preview that failed before planning writes neither steps nor a summary, and its reason may be only the program's stderr
  // ("info#err", one line per entry): say so, rather than "No changes".
  if (!digest.planned && !digest.changeSummary && !h.errors.length) {
    const stderr = digest.diagnostics.filter((d) => d.severity === "info#err").map((d) => d.text.trim());
    h.errors.push(
      `the preview failed before planning any step${stderr.length ? `: ${stderr.slice(0, 2).join(" ")}` : "; see its log"}`,
    );
  }
  // The summary counts what the steps may not show (a digest cut short, or steps left out): never "No changes" then.
  if (digest.changeSummary) {
    const reported = Object.entries(digest.changeSummary).filter(
      ([op, n]) =>
        !NOT_CHANGES.includes(op) && !REPLACEMENT_PARTS.includes(op) && typeof n === "number" && n > 0,
    ) as [string, number][];
    const total = reported.reduce((a, [, n]) => a + n, 0);
    if (total > changing.size)
      h.errors.push(
        `the preview's summary reports ${reported.map(([op, n]) => `${n} ${op}`).join(", ")}, but its steps show ${
          changing.size ? `only ${changing.size} change${changing.size === 1 ? "" : "s"}` : "none"
        }: this review cannot list what it does not see; read the preview log`,
      );
  }
  for (const p of digest.policy) h.policy.push(policyLine(p));
}

function isPolicyMessage(text: string): boolean {
  return /\[(mandatory|advisory|disabled|remediate)\]/i.test(text) || /policy (violation|pack)/i.test(text);
}

function policyLine(p: Json): string {
  const who = [p.policyPackName, p.policyName].filter((x) => typeof x === "string").join("/");
  const level = typeof p.enforcementLevel === "string" ? `[${p.enforcementLevel}] ` : "";
  const on = typeof p.resourceUrn === "string" ? ` (${nameOf(p.resourceUrn)})` : "";
  return `${level}${who}${on}: ${String(p.message ?? "").trim()}`;
}

/**
 * Entries whose address sets intersect an earlier entry's (the same address twice included), each paired with the
 * earlier entry that reaches furthest: a sorted sweep, O(n log n), at most one pair per entry. An entry overlaps some
 * earlier one exactly when it overlaps that one, so every overlapping entry is named, without n² pairs.
 */
function overlaps(entries: EntryRef[]): { a: EntryRef; b: EntryRef }[] {
  const spans = entries.flatMap((r) => {
    const p = parseAddress(r.address);
    return p.ok ? [{ r, family: p.value.family, first: p.value.first, last: p.value.last }] : [];
  });
  spans.sort((a, b) => compare(a.family, b.family) || compare(a.first, b.first));
  const out: { a: EntryRef; b: EntryRef }[] = [];
  let reach: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (reach && reach.family === s.family && reach.last >= s.first) out.push({ a: reach.r, b: s.r });
    if (!reach || reach.family !== s.family || s.last > reach.last) reach = s;
  }
  return out;
}
