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

/** The headers exactly as the docs spell them. */
export const CSV_HEADERS = {
  suspicious: "Type,Description,TTL,IP",
  trusted: "Name,Description,Type,Ip",
} as const;

/** A CSV import problem, with the 1-based line it is on (0 for the whole file). */
export class CsvImportError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `CSV line ${line}: ${message}` : message);
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
 * rows: categories from Type. Addresses are not validated here.
 */
export function csvEntries(kind: "suspicious" | "trusted", text: string): CsvEntry[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new CsvImportError(0, `CSV file is malformed: ${(e as Error).message}`);
  }
  if (rows.length === 0) throw new CsvImportError(0, "CSV file is empty");
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const layout: readonly string[] = CSV_LAYOUTS[kind];
  const col = (n: string) => header.indexOf(n);
  const missing = layout.filter((n) => col(n) < 0);
  if (missing.length) {
    const names = CSV_HEADERS[kind].split(",");
    throw new CsvImportError(
      0,
      `CSV header for the ${kind} library must have columns ${CSV_HEADERS[kind]}; missing ${missing.map((m) => names[layout.indexOf(m)]).join(",")}`,
    );
  }
  const out: CsvEntry[] = [];
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const cell = (n: string) => (row[col(n)] ?? "").trim();
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
  });
  return out;
}
