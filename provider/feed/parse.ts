/**
 * A feed's text to entries: the pure part of reading threat feeds and published IP-range files. Text in, entries
 * out: no I/O, no Pulumi, no settings. Fetching (and its bounds) is the caller's.
 */
import {
  CSV_LAYOUTS,
  CsvImportError,
  CsvSyntaxError,
  type CsvRecord,
  csvEntries,
  readCsvRecords,
} from "../../common/csv";
import { type ParsedAddress, parseAddress, typeOfValue } from "../address";
import { problem } from "../client/errors";
import {
  ADDRESS,
  CATEGORIES,
  type DeclaredFields,
  DESCRIPTION,
  type EntryField,
  EXPIRY,
  FIELDS,
  type FieldSpec,
  NAME,
  WIRE,
} from "../model";
import { collapse } from "./collapse";
import { readJson } from "./json";
import { parseSelector, reachedNothing, scalar, select, type Selector, type Stop } from "./select";
import { cut, parseTemplate, placeholders, render, type Template } from "./template";

/** The formats a feed can be read in. */
export const FEED_FORMATS = ["plain", "csv", "json", "ndjson"] as const;

/**
 * How a feed's text is laid out: `plain`, one address, CIDR block or range per line with `#` or `;` comments;
 * `csv`, a header and rows; `json`, one document; `ndjson`, one JSON value per line.
 */
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** How to read a feed. */
export interface FeedParseOptions {
  /** The feed's label: used in every message ("feed <label>: ...") and as the {feed} placeholder. */
  feed: string;
  format: FeedFormat;
  /**
   * csv: the address column, by header name (case-insensitive) or 0-based index (a number, or a string of
   * digits). Without it: Cloudlock's own CSV layouts are read as Cloudlock reads them; otherwise the first column
   * named ip, ip_address, address, cidr, network, prefix or subnet (case, spaces, `-` and `_` aside).
   */
  column?: string | number;
  /** json/ndjson (required there): one or more selectors; see select.ts for the grammar. */
  select?: string | string[];
  /**
   * Each entry's name: a template of `{feed}`, `{address}` (as written), `{comment}` (plain: the rest of the
   * line), and for csv/json/ndjson `{field}` (a header column, or a key of the object holding the address);
   * `{{` and `}}` are braces. Default `{feed}` (Cloudlock's CSV layouts: the row's own name). An empty result
   * is the feed's label; a long one is cut to the model's length.
   */
  [NAME]?: string;
  /** Each entry's description, a template as for the name. Default: `{comment}` for plain, else none. */
  [DESCRIPTION]?: string;
  /** Categories for every entry (added to the row's own in Cloudlock's CSV layouts). */
  [CATEGORIES]?: string[];
}

/** An entry a feed gives: the model's declared fields. */
export type FeedEntry = DeclaredFields;

/** A record that did not give an address. */
export interface BadLine {
  /** `line 17`; for json the path (`prefixes[3].ip_prefix`); for ndjson both (`line 4, cidr`). */
  where: string;
  /** The offending text, cut to 80 characters. */
  text: string;
  reason: string;
}

/** What a feed's text gave. `records = addresses + badCount`; `addresses = entries + duplicates + contained`. */
export interface ParsedFeed {
  /** After collapsing, in first-seen order. */
  entries: FeedEntry[];
  /**
   * Lines or items meant to hold an address: not blank lines, comments or the CSV header; for json/ndjson the
   * values the selectors reached, plus ndjson lines that are not JSON.
   */
  records: number;
  /** Records that parsed to an address. */
  addresses: number;
  /** Addresses dropped because the same address (canonically) came earlier. */
  duplicates: number;
  /** Addresses dropped because another record's block or range contains them. */
  contained: number;
  badCount: number;
  /** The first 20 bad records, in order. */
  bad: BadLine[];
}

/** How many bad records a result lists (it counts them all). */
const BAD_LISTED = 20;
/** How long a bad record's text may be. */
const BAD_TEXT = 80;

/** A record that parsed to an address, with what its templates can use. */
interface Rec {
  /** The address as written. */
  written: string;
  address: ParsedAddress;
  /** plain: the rest of its line. */
  comment?: string;
  /** csv, json, ndjson: a field's text, undefined when it has none of that name. */
  field?: (name: string) => string | undefined;
  /** The fields it has, for messages. */
  fields?: () => string[];
  /** Cloudlock's CSV layouts: what the row itself says. */
  own?: { named: string; about: string; labels: string[]; expires?: string };
}

/** Records, addresses and bad records as they are read. */
/** Longest reason a bad record carries (a reason may quote the record). */
const BAD_REASON = 200;

/** Text with its control characters escaped (`\u001b`), so a feed cannot write to the terminal that shows it. */
const printable = (text: string) =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** A JSON value a selector reached, as a bad record shows it (a value nested too deep to print is said so). */
function shownValue(v: unknown): string {
  try {
    return cut(JSON.stringify(v) ?? String(v), BAD_TEXT);
  } catch {
    return `(${typeOfValue(v)} nested too deep to show)`;
  }
}

class Tally {
  records = 0;
  badCount = 0;
  readonly bad: BadLine[] = [];
  readonly recs: Rec[] = [];

  badRecord(where: string, text: string, reason: string): void {
    this.records++;
    this.badCount++;
    // A feed's text reaches terminals and pull requests: control characters are shown escaped, and both parts cut.
    if (this.bad.length < BAD_LISTED)
      this.bad.push({
        where,
        text: cut(printable(text), BAD_TEXT),
        reason: cut(printable(reason), BAD_REASON),
      });
  }

  /** A record meant to hold `written`: an address, or a bad record showing `shown`. */
  record(where: string, written: string, rest: Omit<Rec, "written" | "address">, shown = written): void {
    const r = parseAddress(written);
    if (!r.ok) return this.badRecord(where, shown, r.reason);
    this.records++;
    this.recs.push({ written, address: r.value, ...rest });
  }
}

/** Every format's options, with what each needs, checked. */
function checkOptions(o: FeedParseOptions): Selector[] {
  const fail = (what: string): never => {
    throw problem("feed-format", { feed: o.feed, problem: what });
  };
  if (!(FEED_FORMATS as readonly string[]).includes(o.format))
    fail(`format ${JSON.stringify(o.format)} is not one of ${FEED_FORMATS.join(", ")}`);
  if (o.column !== undefined && o.format !== "csv")
    fail(`column is for csv feeds; this feed's format is ${o.format}`);
  const json = o.format === "json" || o.format === "ndjson";
  if (o.select !== undefined && !json)
    fail(`select is for json and ndjson feeds; this feed's format is ${o.format}`);
  if (!json) return [];
  const selectors = typeof o.select === "string" ? [o.select] : (o.select ?? []);
  if (selectors.length === 0)
    fail(
      `${o.format === "json" ? "a" : "an"} ${o.format} feed needs select: which values hold the addresses (e.g. prefixes[].ip_prefix)`,
    );
  return selectors.map((s) => parseSelector(s, o.feed));
}

/** Physical lines; CRLF, LF and CR each end one. */
const linesOf = (text: string): string[] => text.split(/\r\n|\r|\n/);

/**
 * Read a feed's text into entries: each address once, none inside another's block or range, named and
 * described by the templates. Lines or items that are not addresses are counted and the first few listed.
 * @throws feed-format (an expected error) when the text does not fit the options: JSON that does not parse, a
 * selector that reaches nothing, a CSV column that is not there, a template naming a field the records lack.
 */
export function parseFeed(text: string, options: FeedParseOptions): ParsedFeed {
  const { feed, format } = options;
  const selectors = checkOptions(options);
  const body = text.replace(/^\uFEFF/, "");
  const tally = new Tally();
  let csv: CsvRead | undefined;
  if (format === "plain") readPlain(body, tally);
  else if (format === "csv") csv = readCsv(body, options, tally);
  else if (format === "json") readJsonFeed(body, feed, selectors, tally);
  else readNdjson(body, feed, selectors, tally);

  const templates = templatesOf(options, tally.recs, csv);
  const { kept, duplicates, contained } = collapse(tally.recs, (r) => r.address);
  return {
    entries: kept.map((r) => entryOf(r, options, templates)),
    records: tally.records,
    addresses: tally.recs.length,
    duplicates,
    contained,
    badCount: tally.badCount,
    bad: tally.bad,
  };
}

// --- plain ---

/** Lines of addresses; `#` and `;` start comments, whole-line or after the address. */
function readPlain(body: string, tally: Tally): void {
  linesOf(body).forEach((raw, n) => {
    const line = raw.trim();
    if (line === "" || line[0] === "#" || line[0] === ";") return;
    const mark = line.search(/[#;]/);
    const head = (mark < 0 ? line : line.slice(0, mark)).trim();
    // The address is the first token; a range may be written with spaces around its dash (`a - b`).
    const m = /^(\S+)(?:\s+-\s+(\S+))?\s*(.*)$/.exec(head) ?? ["", head, undefined, ""];
    const written = m[2] === undefined ? m[1] : `${m[1]}-${m[2]}`;
    const after = mark < 0 ? "" : line.slice(mark + 1).trim();
    const comment = [m[3].trim(), after].filter(Boolean).join(" ");
    tally.record(`line ${n + 1}`, written, { comment }, line);
  });
}

// --- csv ---

/**
 * The text with each `#` comment line blank (its line break kept, so line numbers stay the file's): a line
 * that starts a record (not one inside a quoted cell) and whose first character is `#`.
 */
function blankComments(body: string): string {
  let quoted = false;
  return body.replace(/[^\r\n]*/g, (line) => {
    if (!quoted && line.trimStart().startsWith("#")) return "";
    if ((line.split('"').length - 1) % 2 === 1) quoted = !quoted;
    return line;
  });
}

/** Normal form of a column name for guessing: lower case, letters and digits only. */
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Column names taken for the address column when none is given (squashed). */
const ADDRESS_COLUMNS = new Set([
  "ip",
  squash(FIELDS[ADDRESS].api),
  "address",
  "cidr",
  "network",
  "prefix",
  "subnet",
]);

/** The header as the messages show it. */
const headerText = (h: CsvRecord) => `${JSON.stringify(h.cells.join(","))} (line ${h.line})`;

/** Which column holds the addresses. @throws feed-format when none does. */
function addressColumn(h: CsvRecord, column: string | number | undefined, feed: string): number {
  const fail = (what: string): never => {
    throw problem("feed-format", {
      feed,
      problem: `${what}; the header is ${headerText(h)}`,
      fix: "Give column: the address column's header name or 0-based index.",
    });
  };
  if (column === undefined) {
    const at = h.cells.findIndex((c) => ADDRESS_COLUMNS.has(squash(c)));
    return at >= 0
      ? at
      : fail("no column is named like an address column (ip, address, cidr, network, prefix)");
  }
  if (typeof column === "number" || /^\d+$/.test(column.trim())) {
    const at = Number(column);
    if (!Number.isInteger(at) || at < 0) return fail(`column ${column} is not a 0-based column index`);
    if (at >= h.cells.length) fail(`column ${at} is past the last column (${h.cells.length - 1})`);
    return at;
  }
  const at = h.cells.findIndex((c) => c.toLowerCase() === column.trim().toLowerCase());
  return at >= 0 ? at : fail(`no column is named ${JSON.stringify(column)}`);
}

/** A row's cells by header name (exactly, else ignoring case). */
function cellsByName(h: CsvRecord, cells: string[]): Pick<Rec, "field" | "fields"> {
  const lower = h.cells.map((c) => c.toLowerCase());
  return {
    field: (name) => {
      let at = h.cells.indexOf(name);
      if (at < 0) at = lower.indexOf(name.toLowerCase());
      return at < 0 ? undefined : (cells[at] ?? "");
    },
    fields: () => h.cells,
  };
}

/** Cloudlock's CSV layout a header is (its four columns in any order and case), if it is one. */
function layoutOf(h: CsvRecord): keyof typeof CSV_LAYOUTS | undefined {
  const cells = h.cells.map((c) => c.toLowerCase()).sort();
  return (Object.keys(CSV_LAYOUTS) as (keyof typeof CSV_LAYOUTS)[]).find(
    (k) => JSON.stringify([...CSV_LAYOUTS[k]].sort()) === JSON.stringify(cells),
  );
}

/** What a CSV feed's templates may name: its header's columns; whether it is in a Cloudlock layout. */
interface CsvRead {
  header: string[];
  cloudlock: boolean;
}

/** A CSV feed's rows. */
function readCsv(body: string, options: FeedParseOptions, tally: Tally): CsvRead {
  const { feed } = options;
  const text = blankComments(body);
  let records: CsvRecord[];
  try {
    records = readCsvRecords(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError)
      throw problem("feed-format", { feed, problem: `malformed CSV: ${e.message}` });
    throw e;
  }
  const [h, ...rows] = records;
  if (!h)
    throw problem("feed-format", {
      feed,
      problem: "the CSV has no header line (it is empty, or only comments)",
      fix: "Check that the feed is a CSV file with a header, or give the format it has.",
    });
  const layout = options.column === undefined ? layoutOf(h) : undefined;
  if (layout) {
    readCloudlockCsv(layout, text, h, rows, feed, tally);
    return { header: h.cells, cloudlock: true };
  }
  const col = addressColumn(h, options.column, feed);
  for (const row of rows) {
    const where = `line ${row.line}`;
    const cell = row.cells[col];
    if (cell === undefined)
      tally.badRecord(
        where,
        row.cells.join(","),
        `has ${row.cells.length} cells; the address column ${JSON.stringify(h.cells[col])} is cell ${col + 1}`,
      );
    else if (cell === "")
      tally.badRecord(where, "", `the address cell (${JSON.stringify(h.cells[col])}) is empty`);
    else tally.record(where, cell, cellsByName(h, row.cells));
  }
  return { header: h.cells, cloudlock: false };
}

/** `CSV line 3: reason` → `reason`: the bad line says where. */
const reasonOf = (e: CsvImportError) => e.message.replace(/^CSV line \d+(, column \d+)?: /, "");

/**
 * A CSV in one of Cloudlock's import layouts, read as Cloudlock reads it (common/csv.ts): name, description,
 * categories and expiry from the row; each address of a list in the IP cell is a record. A row Cloudlock would
 * refuse (a bad TTL, an empty IP cell) is a bad record.
 */
function readCloudlockCsv(
  layout: keyof typeof CSV_LAYOUTS,
  text: string,
  h: CsvRecord,
  rows: CsvRecord[],
  feed: string,
  tally: Tally,
): void {
  const byLine = new Map(rows.map((r) => [r.line, r]));
  const lines = linesOf(text);
  const head = lines.slice(h.line - 1, (rows[0]?.line ?? h.line + 1) - 1);
  /** Rows a to b (exclusive) under the header, read by common/csv.ts; a refused row is a bad record. */
  const read = (a: number, b: number): void => {
    if (a >= b) return;
    const span = lines.slice(rows[a].line - 1, (rows[b]?.line ?? lines.length + 1) - 1);
    // The header's lines come first, so a line of this text is `shift` lines before the file's.
    const shift = rows[a].line - head.length - 1;
    let entries: ReturnType<typeof csvEntries>;
    try {
      entries = csvEntries(layout, [...head, ...span].join("\n"));
    } catch (e) {
      if (!(e instanceof CsvImportError)) throw e;
      if (e.line <= head.length) throw problem("feed-format", { feed, problem: reasonOf(e) });
      if (b - a === 1) return tally.badRecord(`line ${rows[a].line}`, rows[a].cells.join(","), reasonOf(e));
      // Halves, until the refused rows stand alone: a few bad rows cost a few more reads, not one per row.
      const mid = (a + b) >> 1;
      read(a, mid);
      read(mid, b);
      return;
    }
    for (const { line, fields } of entries) {
      const expires = fields[WIRE.expiry];
      tally.record(`line ${line + shift}`, fields[WIRE.address], {
        ...cellsByName(h, byLine.get(line + shift)?.cells ?? []),
        own: {
          named: fields[WIRE.name],
          about: fields[FIELDS[DESCRIPTION].api],
          labels: fields[FIELDS[CATEGORIES].api],
          ...(expires ? { expires } : {}),
        },
      });
    }
  };
  read(0, rows.length);
}

// --- json and ndjson ---

/** The fields of the object holding a value: its keys with text, numbers or booleans. */
function holderFields(holder: Record<string, unknown> | undefined): Pick<Rec, "field" | "fields"> {
  return {
    field: (name) => (holder && Object.hasOwn(holder, name) ? scalar(holder[name]) : undefined),
    fields: () => (holder ? Object.keys(holder).filter((k) => scalar(holder[k]) !== undefined) : []),
  };
}

/** Run the selectors on one value, recording what they reach; `fit` and `stops` collect how each fared. */
function selectInto(
  value: unknown,
  selectors: Selector[],
  at: (path: string) => string,
  tally: Tally,
  fit: boolean[],
  stops: (Stop | undefined)[],
): void {
  selectors.forEach((sel, s) => {
    const out = select(sel, value);
    if (out.fits) fit[s] = true;
    else if (out.stop && (stops[s] === undefined || out.stop.step > stops[s]!.step)) stops[s] = out.stop;
    for (const r of out.reached) {
      if (typeof r.value === "string") tally.record(at(r.path), r.value.trim(), holderFields(r.holder));
      else
        tally.badRecord(
          at(r.path),
          shownValue(r.value),
          `holds ${typeOfValue(r.value)}, not an address as text`,
        );
    }
  });
}

/** @throws feed-format for the first selector that reached nothing anywhere. */
function checkFit(feed: string, selectors: Selector[], fit: boolean[], stops: (Stop | undefined)[]): void {
  selectors.forEach((sel, s) => {
    if (!fit[s]) throw reachedNothing(feed, sel, stops[s]);
  });
}

/** One JSON document. */
function readJsonFeed(body: string, feed: string, selectors: Selector[], tally: Tally): void {
  const doc = readJson(body);
  if (!doc.ok)
    throw problem("feed-format", {
      feed,
      problem: `not valid JSON: ${doc.reason} at line ${doc.line}, column ${doc.column}`,
      fix: "Check that the feed is one JSON document (a feed of one JSON value per line is format ndjson).",
    });
  const fit: boolean[] = [];
  const stops: (Stop | undefined)[] = [];
  selectInto(doc.value, selectors, (path) => path, tally, fit, stops);
  checkFit(feed, selectors, fit, stops);
}

/** One JSON value per line; a line the selectors do not reach (another shape) is skipped. */
function readNdjson(body: string, feed: string, selectors: Selector[], tally: Tally): void {
  const fit: boolean[] = [];
  const stops: (Stop | undefined)[] = [];
  let anyJson = false;
  linesOf(body).forEach((line, n) => {
    if (line.trim() === "") return;
    const where = `line ${n + 1}`;
    const read = readJson(line);
    if (!read.ok)
      return tally.badRecord(where, line.trim(), `is not JSON: ${read.reason} at column ${read.column}`);
    anyJson = true;
    selectInto(read.value, selectors, (path) => `${where}, ${path}`, tally, fit, stops);
  });
  // A feed with no JSON line at all says nothing about the selectors (its lines are bad records).
  if (anyJson) checkFit(feed, selectors, fit, stops);
}

// --- templates and entries ---

/** Placeholders every record has. */
const BUILT_IN = ["feed", "address"];

interface Templates {
  named?: Template;
  about?: Template;
}

/**
 * The name and description templates, checked against the records: a placeholder that is not built in must be
 * a field of the CSV's header, or of at least one json/ndjson record.
 * @throws feed-format for a malformed template or a placeholder the records do not have.
 */
function templatesOf(o: FeedParseOptions, recs: Rec[], csv: CsvRead | undefined): Templates {
  const header = csv?.header;
  const named = o[NAME] ?? (csv?.cloudlock ? undefined : "{feed}");
  const about = o[DESCRIPTION] ?? (o.format === "plain" ? "{comment}" : undefined);
  const out: Templates = {
    named: named === undefined ? undefined : parseTemplate(named, NAME, o.feed),
    about: about === undefined ? undefined : parseTemplate(about, DESCRIPTION, o.feed),
  };
  const builtIn = o.format === "plain" ? [...BUILT_IN, "comment"] : BUILT_IN;
  const lower = header?.map((c) => c.toLowerCase());
  for (const t of [out.named, out.about]) {
    if (!t) continue;
    for (const p of placeholders(t)) {
      if (builtIn.includes(p)) continue;
      const known = lower
        ? lower.includes(p.toLowerCase())
        : recs.length === 0 || recs.some((r) => r.field?.(p) !== undefined);
      if (known) continue;
      const has = [...builtIn, ...(header ?? recs[0]?.fields?.() ?? [])];
      throw problem("feed-format", {
        feed: o.feed,
        problem:
          `${t.option} template ${JSON.stringify(t.text)} names {${p}}, which the records do not have ` +
          `(the first record has: ${has.join(", ")})`,
        fix: `Name one of the fields the records have, or write {{${p}}} for the text itself.`,
      });
    }
  }
  return out;
}

const specOf = (f: EntryField): FieldSpec => FIELDS[f];

/** Text fitted to a field of the model: one line unless the field may span lines, trimmed, cut to its length. */
function fitted(f: EntryField, text: string): string {
  const spec = specOf(f);
  const t = (spec.multiline ? text : text.replace(/\s+/g, " ")).trim();
  return spec.maxLength === undefined ? t : cut(t, spec.maxLength);
}

/** The entry a kept record makes. */
function entryOf(r: Rec, o: FeedParseOptions, t: Templates): FeedEntry {
  const value = (field: string): string | undefined => {
    if (field === "feed") return o.feed;
    if (field === "address") return r.written;
    if (field === "comment" && o.format === "plain") return r.comment ?? "";
    return r.field?.(field);
  };
  const named = fitted(NAME, t.named ? render(t.named, value) : (r.own?.named ?? ""));
  const entry: FeedEntry = { [NAME]: named || fitted(NAME, o.feed), [ADDRESS]: r.address.canonical };
  const about = fitted(DESCRIPTION, t.about ? render(t.about, value) : (r.own?.about ?? ""));
  if (about) entry[DESCRIPTION] = about;
  const labels = [...new Set([...(r.own?.labels ?? []), ...(o[CATEGORIES] ?? [])].filter(Boolean))];
  if (labels.length) entry[CATEGORIES] = labels;
  if (r.own?.expires) entry[EXPIRY] = r.own.expires;
  return entry;
}
