/**
 * CSV round-trips: rows written by an RFC 4180 writer (quotes, commas, line breaks inside quoted cells, CRLF,
 * LF or CR, a BOM, blank lines) read back as the same cells on the physical lines the writer put them; a
 * single fault injected into such a file is reported at its exact line and column.
 */
import fc from "fast-check";
import { CsvSyntaxError, csvEntries, parseCsv, readCsvRecords } from "../../common/csv";

const RUNS = { numRuns: 1000 };

/** Characters that matter to CSV, mixed with ordinary and astral ones, so that special cases come up often. */
const cellChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('"', ",", "\r", "\n", " ", "\t", "\u00a0", "\u2028", "\uFEFF") },
  { weight: 3, arbitrary: fc.constantFrom("a", "Z", "0", ".", "-", "/", "é", "😀") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
);
const cell = fc.string({ unit: cellChar, maxLength: 8 });
const rows = fc
  .integer({ min: 1, max: 5 })
  .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 6 }));
const eol = fc.constantFrom("\r\n", "\n", "\r");

/** The layout of one file: a line ending after each row, blank lines before it, BOM, final line ending. */
const layout = (n: number) =>
  fc.record({
    eols: fc.array(eol, { minLength: n, maxLength: n }),
    blanks: fc.array(fc.constantFrom("", "", "  ", "\t"), { minLength: n, maxLength: n }),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
  });

type Quoting = "cloudlock" | "minimal";

/** Whether a writer quotes `c`. Both quote what RFC 4180 requires; Cloudlock's rule also protects outer white space. */
const quotes = (c: string, q: Quoting) => /[",\r\n]/.test(c) || (q === "cloudlock" && c !== c.trim());

interface Written {
  text: string;
  /** The physical line each row starts on. */
  lines: number[];
  /** Where each cell's text starts in `text`, and whether it was quoted. */
  cells: { at: number; quoted: boolean }[][];
}

/** An RFC 4180 writer: quoted cells with doubled quotes; records separated by the chosen line endings. */
function write(
  data: string[][],
  l: { eols: string[]; blanks: string[]; bom: boolean; finalEol: boolean },
  q: Quoting,
) {
  let text = l.bom ? "\uFEFF" : "";
  const lines: number[] = [];
  const cells: Written["cells"] = [];
  const breaks = (s: string) => (s.match(/\r\n|\r|\n/g) ?? []).length;
  data.forEach((row, r) => {
    if (r > 0) text += l.eols[r - 1];
    // A blank line (maybe white space) before the row; the reader skips it.
    if (r > 0 && l.blanks[r] !== "") text += l.blanks[r] + l.eols[r];
    lines.push(breaks(text) + 1);
    cells.push([]);
    row.forEach((c, i) => {
      if (i > 0) text += ",";
      const quoted = quotes(c, q);
      cells[r].push({ at: text.length, quoted });
      text += quoted ? `"${c.replace(/"/g, '""')}"` : c;
    });
  });
  if (data.length && l.finalEol) text += l.eols[data.length - 1];
  return { text, lines, cells } as Written;
}

/** A row the reader skips as blank: one cell that writes as nothing but white space. */
const blankRow = (row: string[], q: Quoting) =>
  row.length === 1 && !quotes(row[0], q) && row[0].trim() === "";

/** The 1-based line and column (in code points) of `offset`, counting CRLF, LF and CR as one line end each. */
function position(text: string, offset: number) {
  const before = text.slice(0, offset);
  const starts = [...before.matchAll(/\r\n|\r|\n/g)].map((m) => m.index! + m[0].length);
  const lineStart = starts.length ? starts[starts.length - 1] : 0;
  return {
    line: starts.length + 1,
    column:
      [...before.slice(lineStart)].length + 1 - (lineStart === 0 && before.startsWith("\uFEFF") ? 1 : 0),
  };
}

test("rows written with Cloudlock's quoting read back exactly, each on the line the writer began it", () => {
  fc.assert(
    fc.property(
      rows.chain((data) => fc.tuple(fc.constant(data), layout(data.length))),
      ([data, l]) => {
        const w = write(data, l, "cloudlock");
        const kept = data.map((row, i) => ({ row, i })).filter(({ row }) => !blankRow(row, "cloudlock"));
        expect(readCsvRecords(w.text)).toEqual(kept.map(({ row, i }) => ({ line: w.lines[i], cells: row })));
        expect(parseCsv(w.text)).toEqual(kept.map(({ row }) => row));
      },
    ),
    RUNS,
  );
});

test("rows written with minimal quoting read back with the unquoted cells trimmed", () => {
  fc.assert(
    fc.property(
      rows.chain((data) => fc.tuple(fc.constant(data), layout(data.length))),
      ([data, l]) => {
        const w = write(data, l, "minimal");
        const expected = data
          .filter((row) => !blankRow(row, "minimal"))
          .map((row) => row.map((c) => (quotes(c, "minimal") ? c : c.trim())));
        expect(parseCsv(w.text)).toEqual(expected);
      },
    ),
    RUNS,
  );
});

/** One fault, put into a well-formed file, and where it must be reported. */
type Fault = "text after closing quote" | "quote in unquoted cell" | "unterminated quote";

test("a single fault is reported at its physical line and column", () => {
  const nonEmptyRows = rows.filter((d) => d.length > 0);
  fc.assert(
    fc.property(
      nonEmptyRows.chain((data) =>
        fc.tuple(
          fc.constant(data),
          layout(data.length),
          fc.constantFrom<Fault>("text after closing quote", "quote in unquoted cell", "unterminated quote"),
          fc.nat(),
          fc.string({ unit: fc.constantFrom("a", " ", "\n", "\r\n", ",", "é"), maxLength: 6 }),
        ),
      ),
      ([data, l, kind, pick, tail]) => {
        const w = write(data, l, "cloudlock");
        const all = w.cells.flatMap((row, r) => row.map((c, i) => ({ ...c, value: data[r][i] })));
        let text: string;
        let at: number;
        if (kind === "unterminated quote") {
          // A last record whose quoted cell never closes (its content holds no quote).
          const sep = w.text === "" || /[\r\n]$/.test(w.text) ? "" : "\n";
          at = w.text.length + sep.length + 2;
          text = `${w.text}${sep}x,"${tail}`;
        } else if (kind === "text after closing quote") {
          const quoted = all.filter((c) => c.quoted);
          if (quoted.length === 0) return;
          const c = quoted[pick % quoted.length];
          at = c.at + 2 + c.value.replace(/"/g, '""').length; // just past the closing quote
          text = `${w.text.slice(0, at)}!${w.text.slice(at)}`;
        } else {
          // Unquoted cells here have no outer white space and no quote: a quote after their first character.
          const plain = all.filter((c) => !c.quoted && c.value !== "");
          if (plain.length === 0) return;
          const c = plain[pick % plain.length];
          at = c.at + [...c.value][0].length;
          text = `${w.text.slice(0, at)}"${w.text.slice(at)}`;
        }
        let err: unknown;
        try {
          parseCsv(text);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CsvSyntaxError);
        expect(err).toMatchObject(position(text, at));
      },
    ),
    RUNS,
  );
});

test("Cloudlock's trusted layout: every row, IP list item and line comes back from csvEntries", () => {
  const text = fc.string({ unit: cellChar, maxLength: 8 });
  const ip = fc.string({
    unit: fc.constantFrom("1", "0", ".", ":", "a", "/", "-"),
    minLength: 1,
    maxLength: 6,
  });
  const entry = fc.record({
    name: text,
    description: text,
    type: text,
    ips: fc.array(ip, { minLength: 1, maxLength: 3 }),
    spaced: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.array(entry, { maxLength: 5 }).chain((es) => fc.tuple(fc.constant(es), layout(es.length + 1))),
      ([es, l]) => {
        const data = [
          ["Name", "Description", "Type", "Ip"],
          ...es.map((e) => [e.name, e.description, e.type, e.ips.join(e.spaced ? " , " : ",")]),
        ];
        const w = write(data, l, "cloudlock");
        expect(csvEntries("trusted", w.text)).toEqual(
          es.flatMap((e, i) =>
            e.ips.map((ip_address) => ({
              line: w.lines[i + 1],
              fields: {
                name: e.name.trim(),
                description: e.description.trim(),
                ip_address,
                categories: e.type.trim() ? [e.type.trim()] : [],
              },
            })),
          ),
        );
      },
    ),
    RUNS,
  );
});
