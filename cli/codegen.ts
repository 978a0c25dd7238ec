/**
 * From entries (listed from Cloudlock or read from a CSV) to program text:
 * a TypeScript module, or a YAML/JSON library data file. Pure functions:
 * the same entries always give the same text, whatever order they came in.
 */
import * as yaml from "js-yaml";
import { canonicalAddress } from "../provider/address";
import { COLLECTIONS, type CollectionName, type IpEntry } from "../provider/client/types";
import type { CsvEntry } from "../common/csv";
import { declarationOf, hasExpired } from "../provider/dynamic/schema";
import { validate } from "../provider/dynamic/validate";
import { resourceName, slug } from "../sdk/data";
import type { EntryRecord } from "../sdk/library";
import { LABEL, PLUGIN_TOKENS } from "../provider/tokens";

/** One declaration to write: the record, or why it is written commented out. */
export interface Planned {
  kind: CollectionName;
  record: EntryRecord & { resource: string };
  /** Set when the SDK would refuse the record: it is written commented out with this reason. */
  skipped?: string;
  /** Short label of the reason, for the summary (e.g. "expiresOn"). */
  skipLabel?: string;
}

/** `pulumi`: a `pulumi import --file` file for the plugin (listed entries only: it needs their pks). */
export type Format = "ts" | "yaml" | "json" | "pulumi";

/** Records that adopt listed entries (`adoptId` = pk), with their current values. */
export function plansFromEntries(kind: CollectionName, entries: IpEntry[], now = Date.now()): Planned[] {
  return plan(
    kind,
    entries.map((e) => ({
      key: e.pk,
      record: record(kind, e, e.pk),
    })),
    now,
  );
}

/** Records for what a Cloudlock CSV import would create (no adoptId: these are new). */
export function plansFromCsv(kind: CollectionName, rows: CsvEntry[], now = Date.now()): Planned[] {
  return plan(
    kind,
    rows.map(({ line, fields: f }) => ({
      key: `line ${line}`,
      record: record(kind, f),
    })),
    now,
    true,
  );
}

/** Records for a feed's entries (SDK fields already; no adoptId: a set adopts by address). */
export function plansFromFeed(kind: CollectionName, entries: readonly object[], now = Date.now()): Planned[] {
  return plan(
    kind,
    entries.map((e) => {
      const r = e as EntryRecord;
      return { key: canonicalAddress(r.ipAddress), record: { ...r } };
    }),
    now,
    true,
  );
}

/** A data-file record of an entry: every field the collection has (empty optional ones left out), by SDK name. */
function record(kind: CollectionName, e: Partial<IpEntry>, adoptId?: string): EntryRecord {
  const r: Record<string, unknown> = declarationOf(kind, e);
  if (adoptId) r.adoptId = adoptId;
  return r as unknown as EntryRecord;
}

/**
 * Sort, validate with the SDK's own rules, and name. With `newEntries`, a
 * second record for an address already declared is skipped (creating it
 * would fail as a duplicate); adopted duplicates are distinct entries and stay.
 */
function plan(
  kind: CollectionName,
  items: { key: string; record: EntryRecord }[],
  now: number,
  newEntries = false,
): Planned[] {
  const sorted = items
    .map((i) => ({ ...i, canonical: canonicalAddress(i.record.ipAddress) }))
    .sort((a, b) => cmp(a.record.name, b.record.name) || cmp(a.canonical, b.canonical) || cmp(a.key, b.key));
  const names = uniqueNames(
    kind,
    sorted.map((s) => ({ name: s.record.name, canonical: s.canonical, key: s.key })),
  );
  const firstAt = new Map<string, string>();
  return sorted.map((s, i) => {
    const failures = validate(kind, s.record as unknown as Record<string, unknown>, true, now).map((f) =>
      f.property === "expiresOn" && hasExpired(s.record.expiresOn, now)
        ? {
            ...f,
            reason: `expiresOn ${s.record.expiresOn} has passed: Cloudlock removes the entry on schedule, and a declaration needs an expiry in the future`,
          }
        : f,
    );
    let skipped = failures.map((f) => f.reason).join("; ") || undefined;
    let skipLabel = failures.map((f) => `invalid ${f.property}`).join(", ") || undefined;
    const earlier = firstAt.get(s.canonical);
    if (newEntries && earlier !== undefined && !skipped) {
      skipped = `ipAddress ${s.record.ipAddress} is already declared by "${earlier}" (one entry per address in a library)`;
      skipLabel = "duplicate address";
    }
    if (!skipped && !firstAt.has(s.canonical)) firstAt.set(s.canonical, names[i]);
    return { kind, record: { resource: names[i], ...s.record }, ...(skipped ? { skipped, skipLabel } : {}) };
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Stable, readable, unique resource names: the slug of the entry name; when
 * names collide, the address is added; when both collide, the pk (or
 * source line); a counter only as the very last resort. Adding an entry to
 * the library renames only entries that share its name.
 */
export function uniqueNames(
  kind: CollectionName,
  items: { name: string; canonical: string; key: string }[],
): string[] {
  const count = (xs: string[]) =>
    xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  let names = items.map((i) => resourceName(kind, i.name));
  let seen = count(names);
  names = names.map((n, i) => (seen.get(n)! > 1 ? `${n}-${slug(items[i].canonical)}` : n));
  seen = count(names);
  names = names.map((n, i) => (seen.get(n)! > 1 ? `${n}-${slug(items[i].key)}` : n));
  const taken = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 2; taken.has(name); k++) name = `${n}-${k}`;
    taken.add(name);
    return name;
  });
}

/** What a plan holds, for the summary line. */
export function summarise(plans: Planned[]): {
  written: number;
  skipped: number;
  reasons: Map<string, number>;
} {
  const reasons = new Map<string, number>();
  for (const p of plans) {
    if (p.skipLabel) reasons.set(p.skipLabel, (reasons.get(p.skipLabel) ?? 0) + 1);
  }
  const skipped = plans.filter((p) => p.skipped).length;
  return { written: plans.length - skipped, skipped, reasons };
}

/** Render the plans (both collections may be present) in a format. `header` lines become a comment. */
export function render(format: Format, plans: Planned[], header: string[]): string {
  switch (format) {
    case "ts":
      return renderTs(plans, header);
    case "yaml":
      return renderYaml(plans, header);
    case "json":
      return renderJson(plans, header);
    case "pulumi":
      return renderImportFile(plans);
  }
}

function renderTs(plans: Planned[], header: string[]): string {
  // U+2028/9 end a line in JS source, and bidi controls reorder what a reviewer sees: escape them.
  const str = (v: string) =>
    JSON.stringify(v).replace(
      /[\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  const lit = (v: unknown): string => (Array.isArray(v) ? `[${v.map(str).join(", ")}]` : str(String(v)));
  const out = [
    ...header.map((h) => `// ${commentText(h)}`.trimEnd()),
    'import * as cloudlock from "pulumi-cloudlock";',
    "",
  ];
  for (const kind of COLLECTIONS) {
    const mine = plans.filter((p) => p.kind === kind);
    if (!mine.length) continue;
    out.push(`export const ${kind} = {`);
    for (const p of mine) {
      const { resource, ...args } = p.record;
      const body = [
        `${lit(resource)}: new cloudlock.${LABEL[kind]}(${lit(resource)}, {`,
        ...Object.entries(args).map(([k, v]) => `  ${k}: ${lit(v)},`),
        "}),",
      ];
      if (p.skipped)
        out.push(`  // Skipped: ${commentText(p.skipped)}`, ...body.map((l) => `  // ${commentText(l)}`));
      else out.push(...body.map((l) => `  ${l}`));
    }
    out.push("};", "");
  }
  if (!plans.some((p) => !p.skipped)) out.push("export {};", "");
  return out.join("\n");
}

function renderYaml(plans: Planned[], header: string[]): string {
  const dump = (v: unknown) => yaml.dump(v, { lineWidth: -1, noRefs: true, sortKeys: false }).trimEnd();
  const out = header.map((h) => `# ${commentText(h)}`.trimEnd());
  for (const kind of COLLECTIONS) {
    const mine = plans.filter((p) => p.kind === kind);
    if (!mine.length) continue;
    const live = mine.filter((p) => !p.skipped);
    out.push(live.length ? `${kind}:` : `${kind}: []`);
    for (const p of mine) {
      const lines = indentItem(dump([p.record]));
      if (p.skipped)
        out.push(
          `  # Skipped: ${commentText(p.skipped)}`,
          ...lines.map((l) => `  # ${commentText(l.slice(2))}`),
        );
      else out.push(...lines);
    }
  }
  return out.join("\n") + "\n";
}

/** js-yaml writes a top-level list item as `- a: 1\n  b: 2`; nest it two spaces under its key. */
function indentItem(text: string): string[] {
  return text.split("\n").map((l) => `  ${l}`);
}

function renderJson(plans: Planned[], header: string[]): string {
  const doc: Record<string, unknown> = {};
  if (header.length) doc.comment = header.join(" ");
  for (const kind of COLLECTIONS) {
    const mine = plans.filter((p) => p.kind === kind);
    if (mine.length) doc[kind] = mine.filter((p) => !p.skipped).map((p) => p.record);
  }
  const skipped = plans.filter((p) => p.skipped);
  if (skipped.length)
    doc.skipped = skipped.map((p) => ({ collection: p.kind, reason: p.skipped, entry: p.record }));
  return JSON.stringify(doc, null, 2) + "\n";
}

/**
 * The file `pulumi import --file` takes: one resource of the plugin per listed entry, named as the other
 * formats name it. Entries the SDK would refuse are left out (the summary counts them); JSON has no comments.
 */
function renderImportFile(plans: Planned[]): string {
  const resources = plans
    .filter((p) => !p.skipped && p.record.adoptId)
    .map((p) => ({ type: PLUGIN_TOKENS[LABEL[p.kind]], name: p.record.resource, id: p.record.adoptId }));
  return JSON.stringify({ resources }, null, 2) + "\n";
}

/**
 * Any text made safe inside a line comment of TypeScript or YAML: every
 * control character, line or paragraph separator (which end a comment in JS)
 * and bidirectional-formatting character is written as a `\uXXXX` escape, so
 * input (a file name, a flag, an entry) can never end the comment and become code.
 */
export function commentText(text: string): string {
  return text.replace(
    /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
