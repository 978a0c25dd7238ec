/** Minimal RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const src = text.replace(/^\uFEFF/, "");
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== "")
        throw new Error(`unexpected quote inside an unquoted field on line ${rows.length + 1}`);
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      if (c === "\r" && src[i + 1] === "\n") i++;
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) throw new Error("unterminated quoted field");
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ""));
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
