import { parse } from "csv-parse/sync";
import { CloudlockError } from "./error";

/**
 * A CSV text that is not well-formed, with where: the 1-based physical line
 * (CRLF, LF and CR each end one) and column (in characters) of the fault;
 * column 0 when the fault is the whole row (its number of cells).
 */
export class CsvSyntaxError extends CloudlockError {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    // An expected error whose message is its whole story (where, and what is wrong there): no fix appended.
    super(`line ${line}${column ? `, column ${column}` : ""}: ${reason}`, "csv-file");
  }
}

/** One record of a CSV text: its cells and the physical line it starts on. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Read CSV text into records with csv-parse, following RFC 4180 (quoted
 * fields, doubled quotes, line breaks inside quotes, CRLF, LF or CR, a leading
 * BOM), with one addition: white space around a cell, outside its quotes, is
 * not part of it (`a, "b" ,c` is `a`, `b`, `c`); inside quotes it is kept.
 * Blank lines are skipped. Records may have different numbers of cells.
 * @throws CsvSyntaxError naming the physical line and column of the fault.
 */
export function readCsvRecords(text: string): CsvRecord[] {
  const src = text.replace(/^\uFEFF/, "");
  const lines = new LineIndex(src);
  const buf = Buffer.from(src, "utf8");
  // csv-parse reports where each record ends in UTF-8 bytes; turn that into string offsets as we go.
  const ends: number[] = [];
  let bytes = 0;
  let chars = 0;
  const toChars = (b: number) => {
    chars += buf.toString("utf8", bytes, b).length;
    bytes = b;
    return chars;
  };
  let cells: string[][];
  try {
    cells = parse(buf, {
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // Any line ending ends a record, even mixed in one file (csv-parse would otherwise keep the first it sees).
      record_delimiter: ["\r\n", "\n", "\r"],
      on_record: (record: string[], context: { bytes: number }) => {
        ends.push(toChars(context.bytes));
        return record;
      },
    });
  } catch (e) {
    const err = e as Error & { code?: string; column?: unknown };
    if (typeof err.code !== "string") throw e;
    // The failing record starts where the last good one ended; the fault is found from there.
    const start = recordStart(src, ends.length ? ends[ends.length - 1] : 0);
    const field = typeof err.column === "number" ? err.column : 0;
    const { offset, reason } = fault(src, start, field, err.code, err.message);
    const at = lines.position(offset);
    throw new CsvSyntaxError(at.line, at.column, reason);
  }
  const records: CsvRecord[] = [];
  cells.forEach((row, i) => {
    // A line holding only `""` (or white space csv-parse keeps) is as blank as an empty one.
    if (row.length === 1 && row[0] === "") return;
    records.push({ line: lines.position(recordStart(src, i ? ends[i - 1] : 0)).line, cells: row });
  });
  return records;
}

/**
 * Parse CSV text into rows of cells (see {@link readCsvRecords} for the
 * rules). Every row must have as many cells as the first.
 * @throws CsvSyntaxError for a malformed text or a row of another width.
 */
export function parseCsv(text: string): string[][] {
  const records = readCsvRecords(text);
  const width = records.length ? records[0].cells.length : 0;
  for (const r of records)
    if (r.cells.length !== width)
      throw new CsvSyntaxError(
        r.line,
        0,
        `this row has ${r.cells.length} cells, the first row (line ${records[0].line}) has ${width}; ` +
          "a cell holding a comma must be quoted",
      );
  return records.map((r) => r.cells);
}

/**
 * Where cell `field` (0-based) of `record`, read by {@link readCsvRecords} from
 * `text`, begins: its 1-based physical line and column, past any white space
 * before it (at its opening quote, for a quoted cell).
 */
export function cellPosition(
  text: string,
  record: CsvRecord,
  field: number,
): { line: number; column: number } {
  const src = text.replace(/^\uFEFF/, "");
  const lines = new LineIndex(src);
  const start = recordStart(src, lines.offsetOfLine(record.line));
  return lines.position(fieldOffset(src, start, field));
}

/** The offset of the first character that is not white space at or after `from`: where a record begins. */
function recordStart(src: string, from: number): number {
  const re = /\S/g;
  re.lastIndex = from;
  const m = re.exec(src);
  return m ? m.index : src.length;
}

// White space that may surround a cell, but not a line break (which ends the record).
const BLANK = /[^\S\r\n]/;

/**
 * Where exactly csv-parse's `code` happened in the record starting at
 * `start`, whose cells before `field` are well-formed, and why, in words.
 */
function fault(
  src: string,
  start: number,
  field: number,
  code: string,
  message: string,
): { offset: number; reason: string } {
  let i = fieldOffset(src, start, field);
  switch (code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return {
        offset: i,
        reason: "unterminated quoted field: this quote opens a cell that no closing quote ends",
      };
    case "INVALID_OPENING_QUOTE": {
      const q = src.indexOf('"', i);
      return {
        offset: q < 0 ? i : q,
        reason:
          "unexpected quote inside an unquoted field: quote the whole cell and double the quotes in it " +
          '(`"say ""hi"""`)',
      };
    }
    case "CSV_INVALID_CLOSING_QUOTE":
    case "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE": {
      i = skipBlank(src, skipQuoted(src, i) + 1);
      const found = String.fromCodePoint(src.codePointAt(i) ?? 0x20);
      return {
        offset: i,
        reason:
          `unexpected ${JSON.stringify(found)} after the closing quote of a quoted field: a quoted cell ends ` +
          'at its closing quote, then a comma or the line end (a quote inside it is written "")',
      };
    }
    default:
      return { offset: start, reason: message };
  }
}

/** The offset past the white space at or after `i`. */
function skipBlank(src: string, i: number): number {
  while (i < src.length && BLANK.test(src[i])) i++;
  return i;
}

/** From the opening quote at `i`, the offset of the quoted cell's closing quote (or the end of the text). */
function skipQuoted(src: string, i: number): number {
  for (i++; i < src.length; i++) {
    if (src[i] !== '"') continue;
    if (src[i + 1] !== '"') return i;
    i++;
  }
  return i;
}

/**
 * Where cell `field` of the record starting at `start` begins (past its leading
 * white space), the cells before it being well-formed.
 */
function fieldOffset(src: string, start: number, field: number): number {
  let i = start;
  for (let f = 0; f < field; f++) {
    i = skipBlank(src, i);
    if (src[i] === '"') i = skipQuoted(src, i);
    while (i < src.length && src[i] !== ",") i++;
    i++;
  }
  return skipBlank(src, i);
}

/** Offsets to 1-based physical lines and columns; CRLF, LF and CR each end a line. */
class LineIndex {
  private readonly starts = [0];
  constructor(private readonly src: string) {
    const re = /\r\n|\r|\n/g;
    for (let m = re.exec(src); m; m = re.exec(src)) this.starts.push(m.index + m[0].length);
  }
  /** The offset where 1-based physical `line` starts. */
  offsetOfLine(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1];
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Columns count characters, not UTF-16 units: an emoji is one column.
    return { line: lo + 1, column: [...this.src.slice(this.starts[lo], offset)].length + 1 };
  }
}

/** The two documented import layouts. */
export const CSV_LAYOUTS = {
  suspicious: ["type", "description", "ttl", "ip"],
  trusted: ["name", "description", "type", "ip"],
} as const;

/**
 * Parse a TTL cell (M/D/YYYY, as in the docs; ISO dates tolerated) to an ISO
 * timestamp at 00:00 UTC of that day. Empty means no expiry.
 */
export function parseTtl(cell: string): string | undefined | Error {
  const t = cell.trim();
  if (t === "") return undefined;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) {
    const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
      return new Error(`TTL "${t}" is not a real date`);
    return d.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t) && !Number.isNaN(Date.parse(t))) return new Date(t).toISOString();
  return new Error(`TTL "${t}" is not a date in M/D/YYYY form`);
}

/** The headers exactly as the docs spell them. */
export const CSV_HEADERS = {
  suspicious: "Type,Description,TTL,IP",
  trusted: "Name,Description,Type,Ip",
} as const;

/**
 * A CSV import problem, with the 1-based physical line it is on (0 for the
 * whole file) and, for a malformed file, the column.
 */
export class CsvImportError extends CloudlockError {
  constructor(
    readonly line: number,
    message: string,
    readonly column?: number,
  ) {
    super(
      line > 0 ? `CSV line ${line}${column ? `, column ${column}` : ""}: ${message}` : message,
      "csv-file",
    );
  }
}

/** One entry a CSV import makes, as create-shaped (wire) fields, with its source line. */
export interface CsvEntry {
  line: number;
  fields: {
    name: string;
    description: string;
    ip_address: string;
    categories: string[];
    /** Suspicious only; null when the TTL cell is empty. */
    expires_on?: string | null;
  };
}

/**
 * What a Cloudlock CSV import of `text` creates, in file order: each item of
 * a quoted comma-separated IP cell is one entry, a range stays one entry.
 * Suspicious rows: name and categories from Type, expiry from TTL. Trusted
 * rows: categories from Type. The header names the layout's four columns
 * (any order, any case) and nothing else; every row has exactly four cells.
 * Cells are trimmed. Addresses are not validated here.
 * @throws CsvImportError naming the physical line (and column, for a malformed file).
 */
export function csvEntries(kind: "suspicious" | "trusted", text: string): CsvEntry[] {
  let records: CsvRecord[];
  try {
    records = readCsvRecords(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new CsvImportError(e.line, `malformed CSV: ${e.reason}`, e.column);
    throw e;
  }
  if (records.length === 0) throw new CsvImportError(0, "CSV file is empty");
  const [first, ...rows] = records;
  const header = first.cells.map((h) => h.toLowerCase());
  const layout: readonly string[] = CSV_LAYOUTS[kind];
  const names = CSV_HEADERS[kind].split(",");
  const col = (n: string) => header.indexOf(n);
  const missing = layout.filter((n) => col(n) < 0);
  if (missing.length) {
    throw new CsvImportError(
      0,
      `CSV header for the ${kind} library must have columns ${CSV_HEADERS[kind]}; missing ${missing.map((m) => names[layout.indexOf(m)]).join(",")}`,
    );
  }
  // Cloudlock reads these four columns only: another column would be data silently left behind.
  const unknown = first.cells.filter(
    (_, i) => !layout.includes(header[i]) || header.indexOf(header[i]) !== i,
  );
  if (unknown.length) {
    throw new CsvImportError(
      first.line,
      `CSV header for the ${kind} library must have columns ${CSV_HEADERS[kind]} only; ` +
        `unexpected ${unknown.map((h) => JSON.stringify(h)).join(", ")}`,
    );
  }
  const out: CsvEntry[] = [];
  for (const { line, cells } of rows) {
    if (cells.length !== header.length) {
      throw new CsvImportError(
        line,
        `${cells.length} cells where the header has ${header.length} (${first.cells.join(",")}); ` +
          (cells.length > header.length
            ? 'a list of IPs must be quoted so its commas stay in one cell ("10.0.0.1,10.0.0.2")'
            : "write every cell, empty ones too (a,b,,d)"),
      );
    }
    const cell = (n: string) => cells[col(n)].trim();
    const ips = cell("ip")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (ips.length === 0) throw new CsvImportError(line, "the IP cell is empty");
    const type = cell("type");
    let expires: string | null | undefined;
    if (kind === "suspicious") {
      const ttl = parseTtl(cell("ttl"));
      if (ttl instanceof Error) throw new CsvImportError(line, ttl.message);
      expires = ttl ?? null;
    }
    for (const ip of ips) {
      out.push({
        line,
        fields: {
          name: kind === "suspicious" ? type : cell("name"),
          description: cell("description"),
          ip_address: ip,
          categories: type ? [type] : [],
          ...(kind === "suspicious" ? { expires_on: expires } : {}),
        },
      });
    }
  }
  return out;
}
