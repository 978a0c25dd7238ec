/**
 * The review as Markdown for a pull request: a headline and counts, what needs a human (first what `up` will
 * refuse), then per library each entry's row with what `up` will do to which entry. Text from the plan is
 * escaped so that it reads the same raw and rendered.
 */
import { canonicalAddress } from "../../provider/address";
import type { CollectionName } from "../../provider/client/types";
import { UNKNOWN } from "../../provider/dynamic/schema";
import type { EntryField } from "../../provider/model";
import { COLLECTIONS } from "../../provider/client/types";
import { type EntryRef, type FieldChange, type LibraryChanges, type Review } from "./classify";

type Field = EntryField;

const LIBRARY_TITLE: Record<CollectionName, string> = {
  trusted: "Trusted IPs",
  suspicious: "Suspicious IPs",
};
/** Tables longer than this are collapsed in `<details>`. */
const COLLAPSE_AFTER = 10;
/** Each kind of "needs a human" item shows at most this many, then "and N more". */
const SHOW_AT_MOST = 20;

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

/**
 * A line for the reader to write, as a code span: it reads the same raw and rendered, and nothing in a code span
 * is a link, a mention or HTML. Backticks, line breaks and bidi controls (which could close it, break the line or
 * show it reordered) are left out.
 */
export function code(text: string): string {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[`\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
  const safe = [...text.replace(unsafe, "")].slice(0, 200).join("");
  return `\`${safe}\``;
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

/** Longest message shown, in characters: an expected error's message and its fix fit whole. */
const MESSAGE_MAX = 800;

/**
 * An engine error as one line that keeps its reason: the engine writes a dump of the inputs first and
 * `… has a problem: <reason>` last, so show what follows the last `has a problem:`; a reason too long to show whole
 * keeps its start and its end.
 */
function errorText(message: string): string {
  const s = message.replace(/\s*\n\s*/g, " ");
  const marker = "has a problem:";
  const at = s.lastIndexOf(marker);
  const reason = at >= 0 ? s.slice(at + marker.length).trim() : s;
  const chars = [...reason];
  if (chars.length <= MESSAGE_MAX) return reason;
  // What happened opens a message and what to do ends it: keep both, cut the middle.
  const half = Math.floor((MESSAGE_MAX - 3) / 2);
  return `${chars.slice(0, half).join("")} … ${chars.slice(-half).join("")}`;
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
    h.willFail,
    (f) =>
      f.renamedFrom
        ? `**Rename will fail at \`up\`**: ${cell(f.renamedFrom)} → ${entry(f.entry)}: ${cell(f.reason, MESSAGE_MAX)}. ` +
          `To keep entry ${cell(f.entry.pk ?? "")} under the new name, ${cell(f.fix?.what ?? "")}: ${code(f.fix?.write ?? "")}`
        : // The reason carries the fix: never cut it short.
          `**Will fail at \`up\`**: ${entry(f.entry)}: ${cell(oneLine(f.reason), 4 * MESSAGE_MAX)}`,
    "creates that will fail",
  );
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

/** What `up` does to one entry, named by its pk where it has one. */
const entryPk = (e: EntryRef) => (e.pk ? `entry ${cell(e.pk)}` : "the entry");

/** The row kinds in the order the headline, the counts and the sections show them. */
const SECTIONS: { key: keyof LibraryChanges; title: string }[] = [
  { key: "added", title: "Added" },
  { key: "adopted", title: "Adopted" },
  { key: "renamed", title: "Renamed" },
  { key: "changed", title: "Changed" },
  { key: "replaced", title: "Replaced" },
  { key: "removed", title: "Removed" },
  { key: "drifted", title: "Drifted" },
];

/** One library's tables, each row ending with what `up` will do. */
function librarySections(l: LibraryChanges): string[] {
  const UP = "`up` will";
  return [
    table(
      "Added",
      ["Name", "Address", "Declared by", UP],
      l.added.map((e) => [cell(e.name), cell(e.address), cell(e.resource), "create a new entry"]),
    ),
    table(
      "Adopted",
      ["Name", "Address", "Declared by", UP],
      l.adopted.map((e) => [
        cell(e.name),
        cell(e.address),
        cell(e.resource),
        `take over entry ${cell(e.adoptId)}, creating none${
          e.changes.length
            ? `, and change its ${e.changes.map((c) => cell(c)).join(", ")} to the declaration`
            : ""
        }`,
      ]),
    ),
    table(
      "Renamed",
      ["Name", "Address", "Was declared by", "Declared by", UP],
      l.renamed.map((e) => [
        cell(e.name),
        cell(e.address),
        cell(e.from),
        cell(e.resource),
        `keep ${entryPk(e)}${e.changes.length ? `, and change ${changeText(e.changes)}` : ""}`,
      ]),
      ": the same entry under a new resource",
    ),
    table(
      "Changed",
      ["Name", "Address", "Change", "Declared by", UP],
      l.changed.map((e) => [
        cell(e.name),
        cell(e.address),
        changeText(e.changes),
        cell(e.resource),
        `update ${entryPk(e)} in place`,
      ]),
    ),
    table(
      "Replaced",
      ["Name", "Address", "Forced by", "Change", "Declared by", UP],
      l.replaced.map((e) => [
        cell(e.name),
        cell(e.address),
        e.reasons.length ? e.reasons.map((x) => cell(x)).join(", ") : "(not stated)",
        changeText(e.changes),
        cell(e.resource),
        `delete ${entryPk(e)}, then create a new entry`,
      ]),
      ": deleted, then created again",
    ),
    table(
      "Removed",
      ["Name", "Address", "Was declared by", UP],
      l.removed.map((e) => [cell(e.name), cell(e.address), cell(e.resource), `delete ${entryPk(e)}`]),
      ": deleted from Cloudlock",
    ),
    table(
      "Drifted",
      ["Name", "Address", "In Cloudlock now", "Declared by", UP],
      l.drifted.map((e) => [
        cell(e.name),
        cell(e.address),
        e.gone ? `${entryPk(e)} is gone (deleted by hand, or expired)` : changeText(e.changes),
        cell(e.resource),
        cell(e.up),
      ]),
      ": changed in Cloudlock since the last `up`",
    ),
  ].filter(Boolean);
}

/** Whether `up` will refuse part of the plan: the review command then exits non-zero. */
export function willFail(r: Review): boolean {
  return r.needsHuman.willFail.length > 0;
}

/** The Markdown review; "No changes" in one line when the plan changes nothing and needs no one. */
export function renderReview(r: Review): string {
  const total = (k: keyof LibraryChanges) =>
    COLLECTIONS.reduce((n, kind) => n + r.libraries[kind][k].length, 0);
  const counts = SECTIONS.map((s) => ({ ...s, n: total(s.key) }));
  const changes = counts.reduce((a, c) => a + c.n, 0);
  const { lines: human, items: urgent } = humanLines(r);
  const other = r.otherChanges
    ? ` (${plural(r.otherChanges, "other resource")} change${r.otherChanges === 1 ? "s" : ""} too, not reviewed here)`
    : "";
  if (changes === 0 && urgent === 0)
    return `No changes to Cloudlock IP libraries${r.refreshed ? " and no drift" : ""}${other}.\n`;
  const out: string[] = [];
  const headline = counts.filter((c) => c.n > 0).map((c) => `${c.n} ${c.title.toLowerCase()}`);
  const failing = r.needsHuman.willFail.length;
  out.push(
    `### Cloudlock IP libraries: ${headline.length ? headline.join(", ") : "no entry changes"}${
      urgent ? ` · ${urgent} need${urgent === 1 ? "s" : ""} a human` : ""
    }${failing ? ` · \`up\` will fail` : ""}${other}\n`,
  );
  if (changes) {
    const kinds = COLLECTIONS.filter((k) => Object.values(r.libraries[k]).some((l) => l.length));
    out.push(
      [
        `| | ${kinds.map((k) => LIBRARY_TITLE[k]).join(" | ")} |`,
        `|---|${kinds.map(() => "---:").join("|")}|`,
        ...counts
          .filter((c) => c.n > 0)
          .map((c) => `| ${c.title} | ${kinds.map((kind) => r.libraries[kind][c.key].length).join(" | ")} |`),
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
  for (const kind of COLLECTIONS) {
    const sections = librarySections(r.libraries[kind]);
    if (sections.length) out.push(`#### ${LIBRARY_TITLE[kind]}\n\n${sections.join("\n")}`);
  }
  return out.join("\n");
}
