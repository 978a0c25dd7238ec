import { CsvSyntaxError, cellPosition, parseCsv as parseRows, readCsvRecords } from "../common/csv";
import { programError } from "../provider/pulumi-internals";

/**
 * Read a CSV file's text into records keyed by the header row: handy for
 * declaring entries from data kept in the repo (see examples/). Quoted
 * fields, doubled quotes and CRLF are handled; white space around a cell is
 * not part of it, white space inside quotes is kept (`" x "` is `" x "`).
 * @throws CsvSyntaxError naming the line and column of a malformed text, an
 *   empty or repeated header cell, or (line only) a row of another width.
 */
export function parseCsv(text: string): Record<string, string>[] {
  try {
    return readRecords(text);
  } catch (e) {
    // In a program, Pulumi prints a malformed file's error as its message alone.
    throw e instanceof CsvSyntaxError ? programError(e) : e;
  }
}

function readRecords(text: string): Record<string, string>[] {
  const [first] = readCsvRecords(text);
  if (!first) return [];
  const seen = new Map<string, number>();
  first.cells.forEach((key, i) => {
    const at = () => cellPosition(text, first, i);
    if (key === "") {
      const { line, column } = at();
      throw new CsvSyntaxError(line, column, `header cell ${i + 1} is empty: every column needs a name`);
    }
    const before = seen.get(key);
    if (before !== undefined) {
      const { line, column } = at();
      throw new CsvSyntaxError(
        line,
        column,
        `header ${JSON.stringify(key)} repeats column ${before + 1}: each column needs its own name`,
      );
    }
    seen.set(key, i);
  });
  const [header, ...rows] = parseRows(text);
  return rows.map((r) => Object.fromEntries(header.map((k, i) => [k, r[i]])));
}

/**
 * A stable, readable Pulumi resource name from an entry name:
 * `resourceName("office", "HQ Berlin")` is `"office-hq-berlin"`.
 */
export function resourceName(prefix: string, name: string): string {
  const s = slug(name);
  return s ? `${prefix}-${s}` : prefix;
}

/** Lower-case ASCII letters and digits joined by "-": `slug("Zürich Büro")` is `"zurich-buro"`. */
export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
