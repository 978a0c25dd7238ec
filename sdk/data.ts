import { parseCsv as parseRows } from "../provider/csv";

/**
 * Read a CSV file's text into records keyed by the header row: handy for
 * declaring entries from data kept in the repo (see examples/). Quoted
 * fields, doubled quotes and CRLF are handled; cells are trimmed.
 */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = parseRows(text);
  if (!header) return [];
  const keys = header.map((h) => h.trim());
  return rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, (r[i] ?? "").trim()])));
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
