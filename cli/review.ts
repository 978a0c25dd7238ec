/**
 * `cloudlock-pulumi review`: the output of `pulumi preview --json` as a short
 * Markdown review of the Cloudlock changes, per library and per entry.
 *
 * The shape read here is the engine's preview digest (checked against the real
 * CLI in test/engine/review.test.ts): `steps[]` with `op`, `urn`, `oldState`,
 * `newState` (each with `type` and `inputs`) and `replaceReasons`;
 * `diagnostics[]` with `message`, `severity` and `urn`. Sets keep their
 * entries keyed by canonical address in `inputs.entries`, and an
 * authoritative set's preview-time inputs carry `removeUndeclared`.
 */
import { canonicalAddress, parseAddress } from "../provider/address";
import type { CollectionName } from "../provider/client/types";
import { UNKNOWN, UPDATABLE, hasExpired, sameValue } from "../provider/dynamic/schema";
import { EntryField, TYPE_TOKENS, fieldsOf } from "../provider/model";

type Field = EntryField;

const LIBRARY_TITLE: Record<CollectionName, string> = {
  trusted: "Trusted IPs",
  suspicious: "Suspicious IPs",
};
const KINDS: readonly CollectionName[] = ["trusted", "suspicious"];
/** Tables longer than this are collapsed in `<details>`. */
const COLLAPSE_AFTER = 10;
/** Each kind of "needs a human" item shows at most this many, then "and N more". */
const SHOW_AT_MOST = 20;

/** One entry as a reviewer names it: name, canonical address, and the resource that declares it. */
export interface EntryRef {
  name: string;
  address: string;
  /** `SuspiciousIp "bad"` or `TrustedIpSet "offices"`. */
  resource: string;
}

export interface FieldChange {
  field: Field;
  old: unknown;
  new: unknown;
}

export interface LibraryChanges {
  added: EntryRef[];
  changed: (EntryRef & { changes: FieldChange[] })[];
  /** Deleted and created again; `reasons` are the fields that force it. */
  replaced: (EntryRef & { reasons: string[]; changes: FieldChange[] })[];
  removed: EntryRef[];
  /** Existing entries taken over by `adoptId`: nothing is created. */
  adopted: (EntryRef & { adoptId: string })[];
}

export interface Review {
  libraries: Record<CollectionName, LibraryChanges>;
  needsHuman: {
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
}

/** The input is not a preview digest. */
export class ReviewInputError extends Error {}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Exactly our type tokens (provider/model.ts): `acme:cloudlock:TrustedIp` is someone else's resource. */
const OURS = new Map<string, string>(Object.entries(TYPE_TOKENS).map(([name, token]) => [token, name]));

function classify(type: unknown): { kind: CollectionName; set: boolean; label: string } | undefined {
  const label = typeof type === "string" ? OURS.get(type) : undefined;
  if (!label) return undefined;
  return { kind: label.startsWith("Trusted") ? "trusted" : "suspicious", set: label.endsWith("Set"), label };
}

/** The resource's name, the last `::` part of its URN. */
function nameOf(urn: unknown): string {
  const s = typeof urn === "string" ? urn : "";
  return s.slice(s.lastIndexOf("::") + 2) || "?";
}

function inputsOf(state: unknown): Json {
  return isObject(state) && isObject(state.inputs) ? state.inputs : {};
}

/** A set's entries by canonical address, whether stored keyed (as the provider does) or still a list. */
function setEntries(inputs: Json): Record<string, Json> | undefined {
  const raw = inputs.entries;
  if (raw === UNKNOWN) return undefined;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? Object.values(raw) : [];
  const out: Record<string, Json> = {};
  for (const e of list) if (isObject(e)) out[canonicalAddress(String(e.ipAddress ?? ""))] = e;
  return out;
}

function ref(e: Json, resource: string): EntryRef {
  return {
    name: typeof e.name === "string" ? e.name : e.name === UNKNOWN ? "(known after apply)" : "(no name)",
    address: typeof e.ipAddress === "string" ? canonicalAddress(e.ipAddress) : "(unknown)",
    resource,
  };
}

function fieldChanges(kind: CollectionName, olds: Json, news: Json): FieldChange[] {
  return fieldsOf(kind)
    .filter((f) => news[f] === UNKNOWN || !sameValue(f, olds[f], news[f]))
    .map((f) => ({ field: f, old: olds[f], new: news[f] }));
}

function emptyLibrary(): LibraryChanges {
  return { added: [], changed: [], replaced: [], removed: [], adopted: [] };
}

/**
 * Read a preview digest (the parsed JSON of `pulumi preview --json`) into a review.
 * `now` decides which declared expiries have passed.
 */
export function reviewPreview(digest: unknown, now = Date.now()): Review {
  if (!isObject(digest) || (digest.steps !== undefined && !Array.isArray(digest.steps)))
    throw new ReviewInputError("this is not the output of `pulumi preview --json` (no steps list)");
  if (digest.steps === undefined && digest.changeSummary === undefined && digest.diagnostics === undefined)
    throw new ReviewInputError(
      "this is not the output of `pulumi preview --json` (none of steps, changeSummary, diagnostics)",
    );
  const review: Review = {
    libraries: { trusted: emptyLibrary(), suspicious: emptyLibrary() },
    needsHuman: {
      overlaps: [],
      undeclared: [],
      authoritativeSets: [],
      policy: [],
      expired: [],
      errors: [],
    },
    otherChanges: 0,
  };
  const h = review.needsHuman;
  /** Every entry declared once the plan is applied, per library: overlaps and expiries are checked on these. */
  const declared: Record<CollectionName, EntryRef[]> = { trusted: [], suspicious: [] };
  const expiries = new Map<EntryRef, unknown>();
  const declare = (kind: CollectionName, e: Json, r: EntryRef) => {
    declared[kind].push(r);
    if (kind === "suspicious") expiries.set(r, e.expiresOn);
  };
  const seen = new Set<string>();
  const steps = (digest.steps ?? []) as unknown[];
  steps.forEach((step, i) => {
    if (!isObject(step) || typeof step.op !== "string")
      throw new ReviewInputError(
        `this is not the output of \`pulumi preview --json\` (steps[${i}] is not a step: ${JSON.stringify(step)?.slice(0, 40)})`,
      );
  });
  /** Resources the steps change (a replacement once), to cross-check the change summary. */
  const changing = new Set<string>();
  for (const step of steps as Json[]) {
    const op = String(step.op ?? "");
    // Without --show-replacement-steps a replacement is one "replace" step; with it, count it once.
    if (op === "delete-replaced" || op === "remove-pending-replace") continue;
    // `preview --refresh` lists each resource twice: its refresh step, then its planned step. The plan is the latter.
    if (op === "refresh") continue;
    const urn = String(step.urn ?? "");
    if (!NOT_CHANGES.includes(op)) changing.add(urn);
    const c = classify(isObject(step.newState) ? step.newState.type : inputsType(step.oldState));
    if (!c) {
      // The stack and default providers come and go with the first and last `up`: not changes anyone reviews.
      const type = String(isObject(step.newState) ? step.newState.type : inputsType(step.oldState));
      const bookkeeping = type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");
      if (!bookkeeping && !NOT_CHANGES.includes(op)) review.otherChanges++;
      continue;
    }
    // One resource, one step: a digest that lists a URN twice (the replacement pair included) counts it once.
    if (seen.has(urn)) continue;
    seen.add(urn);
    const resource = `${c.label} "${nameOf(urn)}"`;
    const lib = review.libraries[c.kind];
    const olds = inputsOf(step.oldState);
    const news = inputsOf(step.newState);
    const removing = op === "delete" || op === "discard";
    if (!c.set) {
      const r = ref(removing ? olds : news, resource);
      if (!removing) declare(c.kind, news, r);
      if (op === "create" || op === "import") {
        if (typeof news.adoptId === "string" && news.adoptId)
          lib.adopted.push({ ...r, adoptId: news.adoptId });
        else lib.added.push(r);
      } else if (op === "update") {
        lib.changed.push({ ...r, changes: fieldChanges(c.kind, olds, news) });
      } else if (op === "replace" || op === "create-replacement") {
        const reasons = Array.isArray(step.replaceReasons) ? step.replaceReasons.map(String) : [];
        lib.replaced.push({ ...r, reasons, changes: fieldChanges(c.kind, olds, news) });
      } else if (removing) {
        lib.removed.push(r);
      }
      continue;
    }
    // A set: the entry-level diff of its old and new declared entries.
    const before = (op === "create" ? {} : setEntries(olds)) ?? {};
    const after = removing ? {} : setEntries(news);
    if (after === undefined) {
      h.errors.push(`${resource}: its entries are not known until apply (they depend on other resources)`);
      continue;
    }
    for (const [addr, e] of Object.entries(after)) {
      const r = ref(e, resource);
      declare(c.kind, e, r);
      const old = before[addr];
      if (!old) {
        lib.added.push(r);
        continue;
      }
      const changes = fieldChanges(c.kind, old, e);
      if (!changes.length) continue;
      const reasons = changes.map((x) => x.field).filter((f) => !UPDATABLE[c.kind].includes(f));
      if (reasons.length) lib.replaced.push({ ...r, reasons, changes });
      else lib.changed.push({ ...r, changes });
    }
    for (const [addr, e] of Object.entries(before)) if (!(addr in after)) lib.removed.push(ref(e, resource));
    if (!removing && news.mode === "authoritative") {
      const undeclared = isObject(news.removeUndeclared) ? Object.entries(news.removeUndeclared) : [];
      for (const [address, entry] of undeclared)
        h.undeclared.push({ set: resource, kind: c.kind, address, entry: String(entry) });
      h.authoritativeSets.push({ set: resource, kind: c.kind, found: undeclared.length });
    }
  }
  for (const kind of KINDS) {
    // Never spread: a big plan has more pairs than a call takes arguments.
    for (const o of overlaps(declared[kind])) h.overlaps.push(o);
    // The engine's step order follows its parallelism: sort, so the same plan always reads the same.
    for (const list of Object.values(review.libraries[kind]) as EntryRef[][])
      list.sort(
        (a, b) =>
          byAddress(a.address, b.address) || compare(a.name, b.name) || compare(a.resource, b.resource),
      );
  }
  for (const [r, at] of expiries) if (hasExpired(at, now)) h.expired.push({ ...r, expiresOn: String(at) });
  const diagnostics = (Array.isArray(digest.diagnostics) ? digest.diagnostics : [])
    .filter(isObject)
    .filter((d) => typeof d.message === "string")
    .map((d) => ({ severity: d.severity, text: plain(d.message as string) }));
  for (const d of diagnostics) {
    if (isPolicyMessage(d.text)) h.policy.push(d.text);
    else if (d.severity === "error") {
      const text = d.text.replace(/^error:\s*/, "");
      if (!h.errors.includes(text)) h.errors.push(text);
    }
  }
  // A preview that failed before planning writes neither steps nor a summary, and its reason may be only the program's stderr
  // ("info#err", one line per entry): say so, rather than "No changes".
  if (!Array.isArray(digest.steps) && !isObject(digest.changeSummary) && !h.errors.length) {
    const stderr = diagnostics.filter((d) => d.severity === "info#err").map((d) => d.text.trim());
    h.errors.push(
      `the preview failed before planning any step${stderr.length ? `: ${stderr.slice(0, 2).join(" ")}` : "; see its log"}`,
    );
  }
  // The summary counts what the steps may not show (a digest cut short, or steps left out): never "No changes" then.
  if (isObject(digest.changeSummary)) {
    const reported = Object.entries(digest.changeSummary).filter(
      ([op, n]) =>
        !NOT_CHANGES.includes(op) && !REPLACEMENT_PARTS.includes(op) && typeof n === "number" && n > 0,
    ) as [string, number][];
    const total = reported.reduce((a, [, n]) => a + n, 0);
    if (total > changing.size)
      h.errors.push(
        `the preview's summary reports ${reported.map(([op, n]) => `${n} ${op}`).join(", ")}, but its steps show ${
          changing.size ? `only ${plural(changing.size, "change")}` : "none"
        }: this review cannot list what it does not see; read the preview log`,
      );
  }
  // Not written by `pulumi preview --json` today (it drops policy events); read them if a later CLI adds them.
  for (const key of ["policyEvents", "policyViolations"]) {
    const list = digest[key];
    if (Array.isArray(list)) for (const p of list) if (isObject(p)) h.policy.push(policyLine(p));
  }
  return review;
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

/** Engine text without terminal colours and trailing space. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "").replace(/\s+$/, "");
}

const compare = <T extends string | bigint>(a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);

/** IPv4 before IPv6, then numerically (10.0.0.2 before 10.0.0.10); anything unparsable last, as text. */
function byAddress(a: string, b: string): number {
  const [x, y] = [parseAddress(a), parseAddress(b)];
  if (!x.ok || !y.ok) return x.ok ? -1 : y.ok ? 1 : compare(a, b);
  return compare(x.value.family, y.value.family) || compare(x.value.first, y.value.first);
}

function inputsType(state: unknown): unknown {
  return isObject(state) ? state.type : undefined;
}

function isPolicyMessage(text: string): boolean {
  return /\[(mandatory|advisory|disabled|remediate)\]/i.test(text) || /policy (violation|pack)/i.test(text);
}

function policyLine(p: Json): string {
  const who = [p.policyPackName, p.policyName].filter((x) => typeof x === "string").join("/");
  const level = typeof p.enforcementLevel === "string" ? `[${p.enforcementLevel}] ` : "";
  const on = typeof p.resourceUrn === "string" ? ` (${nameOf(p.resourceUrn)})` : "";
  return `${level}${who}${on}: ${plain(String(p.message ?? "")).trim()}`;
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
  spans.sort((a, b) =>
    a.family !== b.family
      ? a.family < b.family
        ? -1
        : 1
      : a.first < b.first
        ? -1
        : a.first > b.first
          ? 1
          : 0,
  );
  const out: { a: EntryRef; b: EntryRef }[] = [];
  let reach: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (reach && reach.family === s.family && reach.last >= s.first) out.push({ a: reach.r, b: s.r });
    if (!reach || reach.family !== s.family || s.last > reach.last) reach = s;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

/**
 * Text from the plan, safe in a Markdown table cell and in a sentence: every
 * character Markdown or HTML would act on becomes an entity (a name cannot
 * close a cell, open a code span, emphasise, link, mention `@someone`, or
 * inject a tag or math), and control, bidi and line-breaking characters are shown as
 * `U+XXXX` so a row stays one line and reads as written.
 */
export function cell(text: unknown, max = 120): string {
  let chars = [...(typeof text === "string" ? text : (JSON.stringify(text) ?? ""))];
  // Cut by code points: half a surrogate pair would show as U+FFFD.
  if (chars.length > max) chars = [...chars.slice(0, max - 1), "…"];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const cp = ch.codePointAt(0)!;
    // GitHub finds mentions (@user), references (#1, owner/repo#2) and autolinks (https://, www.) in the rendered
    // text, entities decoded: a zero-width space after `@`, `#`, `:` before `//` and `www` before `.` breaks them,
    // as Dependabot and Renovate do.
    if (ch === "@" || ch === "#") out += `&#${cp};&#8203;`;
    else if (ch === ":" && chars[i + 1] === "/" && chars[i + 2] === "/") out += "&#58;&#8203;";
    else if (/[wW]/.test(ch) && /^www\.$/i.test(chars.slice(i, i + 4).join(""))) {
      out += `${chars.slice(i, i + 3).join("")}&#8203;`;
      i += 2;
    } else if (/[\\`*_{}[\]()<>!|&~$]/.test(ch)) out += `&#${cp};`;
    else if (
      cp < 0x20 ||
      (cp >= 0x7f && cp < 0xa0) ||
      (cp >= 0x200b && cp <= 0x200f) ||
      (cp >= 0x2028 && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069) ||
      cp === 0xfeff
    )
      out += `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

/** Values in a change column are cut to this many characters. */
const VALUE_MAX = 60;

/** A value in a change column: absent and unknown spelled out; addresses canonical. */
function value(field: Field, v: unknown): string {
  if (v === UNKNOWN) return "(known after apply)";
  if (v === undefined || v === null || v === "") return "(none)";
  if (field === "ipAddress" && typeof v === "string") return cell(canonicalAddress(v));
  if (Array.isArray(v)) return cell(v.join(", "));
  return cell(v, VALUE_MAX);
}

/**
 * Two long strings sharing a long start would both be cut before they differ (`aaaa… → aaaa…`): drop the shared
 * start but a few characters, so the part that changed shows (`…xyz → …xyw`).
 */
function differingParts(a: unknown, b: unknown): [unknown, unknown] {
  if (typeof a !== "string" || typeof b !== "string") return [a, b];
  const [x, y] = [[...a], [...b]];
  if (Math.max(x.length, y.length) <= VALUE_MAX) return [a, b];
  let same = 0;
  while (same < x.length && same < y.length && x[same] === y[same]) same++;
  const from = same - 10;
  if (from < 10) return [a, b];
  return [`…${x.slice(from).join("")}`, `…${y.slice(from).join("")}`];
}

function changeText(changes: FieldChange[]): string {
  return changes
    .map((c) => {
      const [o, n] = c.field === "ipAddress" ? [c.old, c.new] : differingParts(c.old, c.new);
      return `${c.field}: ${value(c.field, o)} → ${value(c.field, n)}`;
    })
    .join("<br>");
}

function table(title: string, head: string[], rows: string[][], note = ""): string {
  if (!rows.length) return "";
  const body = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`]
    .concat(rows.map((r) => `| ${r.join(" | ")} |`))
    .join("\n");
  if (rows.length > COLLAPSE_AFTER)
    return `<details><summary>${title} (${rows.length})${note}</summary>\n\n${body}\n\n</details>\n`;
  return `**${title} (${rows.length})**${note}\n\n${body}\n`;
}

function bullets(lines: string[], summary: string): string {
  const text = lines.map((l) => `- ${l}`).join("\n");
  if (lines.length > COLLAPSE_AFTER)
    return `- ${summary}\n\n<details><summary>show all ${lines.length}</summary>\n\n${text}\n\n</details>\n`;
  return `${text}\n`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Longest message shown, in characters. */
const MESSAGE_MAX = 300;

/**
 * An engine error as one line that keeps its reason: the engine writes a dump of the inputs first and
 * `… has a problem: <reason>` last, so show what follows the last `has a problem:`, else the end of a long message.
 */
function errorText(message: string): string {
  const s = message.replace(/\s*\n\s*/g, " ");
  const marker = "has a problem:";
  const at = s.lastIndexOf(marker);
  const reason = at >= 0 ? s.slice(at + marker.length).trim() : s;
  const chars = [...reason];
  return chars.length > MESSAGE_MAX ? `…${chars.slice(-(MESSAGE_MAX - 1)).join("")}` : reason;
}

/** The lines needing a human, each kind capped at SHOW_AT_MOST, and how many items they stand for. */
function humanLines(r: Review): { lines: string[]; items: number } {
  const h = r.needsHuman;
  const lines: string[] = [];
  let items = 0;
  const capped = <T>(list: T[], line: (x: T) => string, what: string) => {
    items += list.length;
    for (const x of list.slice(0, SHOW_AT_MOST)) lines.push(line(x));
    if (list.length > SHOW_AT_MOST) lines.push(`… and ${list.length - SHOW_AT_MOST} more ${what}`);
  };
  const entry = (e: EntryRef) => `${cell(e.name)} ${cell(e.address)} (${cell(e.resource)})`;
  // Engine messages span lines; a bullet is one.
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");
  capped(
    h.errors,
    (e) =>
      `**Preview error**: ${cell(errorText(e), MESSAGE_MAX + 1)}${
        /^preview failed$/i.test(e.trim()) && !h.policy.length
          ? " (a resource error or a mandatory policy violation: plain `pulumi preview --json` leaves the reasons out; read the preview log)"
          : ""
      }`,
    "preview errors",
  );
  capped(h.policy, (p) => `**Policy**: ${cell(oneLine(p), MESSAGE_MAX)}`, "policy findings");
  if (h.undeclared.length) {
    items++;
    const parts = h.undeclared.map((u) => `${cell(u.entry)}`);
    lines.push(
      `**Removes ${plural(h.undeclared.length, "entry", "entries")} nobody declares** (authoritative ${[
        ...new Set(h.undeclared.map((u) => cell(u.set))),
      ].join(
        ", ",
      )}): ${parts.slice(0, COLLAPSE_AFTER).join("; ")}${parts.length > COLLAPSE_AFTER ? `; and ${parts.length - COLLAPSE_AFTER} more` : ""}`,
    );
  }
  capped(h.overlaps, (o) => `**Overlap**: ${entry(o.a)} and ${entry(o.b)}`, "overlapping entries");
  capped(h.expired, (e) => `**Expiry passed**: ${entry(e)} expires ${cell(e.expiresOn)}`, "passed expiries");
  return { lines, items };
}

/** The Markdown review; "No changes" in one line when the plan changes nothing and needs no one. */
export function renderReview(r: Review): string {
  const total = (k: keyof LibraryChanges) => KINDS.reduce((n, kind) => n + r.libraries[kind][k].length, 0);
  const counts = {
    added: total("added"),
    changed: total("changed"),
    replaced: total("replaced"),
    removed: total("removed"),
    adopted: total("adopted"),
  };
  const changes = Object.values(counts).reduce((a, b) => a + b, 0);
  const { lines: human, items: urgent } = humanLines(r);
  const other = r.otherChanges
    ? ` (${plural(r.otherChanges, "other resource")} change${r.otherChanges === 1 ? "s" : ""} too, not reviewed here)`
    : "";
  if (changes === 0 && urgent === 0) return `No changes to Cloudlock IP libraries${other}.\n`;
  const out: string[] = [];
  const headline = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  out.push(
    `### Cloudlock IP libraries: ${headline.length ? headline.join(", ") : "no entry changes"}${
      urgent ? ` · ${urgent} need${urgent === 1 ? "s" : ""} a human` : ""
    }${other}\n`,
  );
  if (changes) {
    const kinds = KINDS.filter((k) => Object.values(r.libraries[k]).some((l) => l.length));
    out.push(
      [
        `| | ${kinds.map((k) => LIBRARY_TITLE[k]).join(" | ")} |`,
        `|---|${kinds.map(() => "---:").join("|")}|`,
        ...(Object.keys(counts) as (keyof LibraryChanges)[])
          .filter((k) => counts[k] > 0)
          .map(
            (k) =>
              `| ${k[0].toUpperCase()}${k.slice(1)} | ${kinds.map((kind) => r.libraries[kind][k].length).join(" | ")} |`,
          ),
      ].join("\n") + "\n",
    );
  }
  if (human.length) out.push(`#### Needs a human\n\n${bullets(human, `${urgent} items`)}`);
  // A set that found nothing undeclared is a standing caveat, not a finding.
  const quiet = [
    ...new Set(r.needsHuman.authoritativeSets.filter((x) => x.found === 0).map((x) => cell(x.set))),
  ];
  if (quiet.length)
    out.push(
      r.needsHuman.errors.length
        ? `> ${quiet.join(", ")}: authoritative; the preview failed, so what it would remove is not known: \`up\` removes every entry nobody declares.\n`
        : `> ${quiet.join(", ")}: authoritative; this preview found no undeclared entries, but \`up\` removes any added to the library by hand before it runs.\n`,
    );
  for (const kind of KINDS) {
    const l = r.libraries[kind];
    const sections = [
      table(
        "Added",
        ["Name", "Address", "Declared by"],
        l.added.map((e) => [cell(e.name), cell(e.address), cell(e.resource)]),
      ),
      table(
        "Adopted",
        ["Name", "Address", "adoptId", "Declared by"],
        l.adopted.map((e) => [cell(e.name), cell(e.address), cell(e.adoptId), cell(e.resource)]),
      ),
      table(
        "Changed",
        ["Name", "Address", "Change", "Declared by"],
        l.changed.map((e) => [cell(e.name), cell(e.address), changeText(e.changes), cell(e.resource)]),
      ),
      table(
        "Replaced",
        ["Name", "Address", "Forced by", "Change", "Declared by"],
        l.replaced.map((e) => [
          cell(e.name),
          cell(e.address),
          e.reasons.length ? e.reasons.map((x) => cell(x)).join(", ") : "(not stated)",
          changeText(e.changes),
          cell(e.resource),
        ]),
        ": deleted, then created again",
      ),
      table(
        "Removed",
        ["Name", "Address", "Was declared by"],
        l.removed.map((e) => [cell(e.name), cell(e.address), cell(e.resource)]),
        ": deleted from Cloudlock",
      ),
    ].filter(Boolean);
    if (sections.length) out.push(`#### ${LIBRARY_TITLE[kind]}\n\n${sections.join("\n")}`);
  }
  return out.join("\n");
}

/**
 * Parse the text of `pulumi preview --json` (from a file or stdin); `source` names it in errors. The streamed
 * form (`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1`: one engine event per line) is read too, and is the only form
 * that carries policy violations.
 */
export function parsePreview(text: string, source: string): unknown {
  if (!text.trim())
    throw new ReviewInputError(
      `${source} is empty: did \`pulumi preview --json\` fail before writing anything?`,
    );
  try {
    return JSON.parse(text);
  } catch (e) {
    const events = eventLines(text);
    if (events) return digestOfEvents(events);
    throw new ReviewInputError(`${source} is not JSON: ${(e as Error).message}`);
  }
}

/** One engine event per line (every line an object with a `sequence`), or undefined. */
function eventLines(text: string): Json[] | undefined {
  const out: Json[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const ev: unknown = JSON.parse(line);
      if (!isObject(ev) || typeof ev.sequence !== "number") return undefined;
      out.push(ev);
    } catch {
      return undefined;
    }
  }
  return out.length ? out : undefined;
}

/** The streamed events as the digest plain `--json` writes, plus the policy events it leaves out. */
function digestOfEvents(events: Json[]): Json {
  const steps: Json[] = [];
  const diagnostics: Json[] = [];
  const policyEvents: Json[] = [];
  let changeSummary: unknown;
  for (const ev of events) {
    const pre = isObject(ev.resourcePreEvent) ? ev.resourcePreEvent.metadata : undefined;
    if (isObject(pre))
      steps.push({
        op: pre.op,
        urn: pre.urn,
        oldState: pre.old ?? undefined,
        newState: pre.new ?? undefined,
        // The streamed step names the keys forcing a replacement `keys`.
        replaceReasons: pre.keys,
      });
    const d = ev.diagnosticEvent;
    if (isObject(d) && d.severity !== "debug" && !d.ephemeral) diagnostics.push(d);
    if (isObject(ev.policyEvent)) policyEvents.push(ev.policyEvent);
    if (isObject(ev.summaryEvent)) changeSummary = ev.summaryEvent.resourceChanges;
  }
  return { steps, diagnostics, policyEvents, ...(changeSummary !== undefined && { changeSummary }) };
}
