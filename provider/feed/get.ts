/**
 * The feed function both routes serve (the SDK's `getFeed`, the plugin's `cloudlock:index:getFeed`): check the
 * arguments, read the feed (fetch.ts), parse it (parse.ts). It only fetches and parses: what a set may do with
 * the result (the guard rails, the TTL) is decided by the set, where its previous state is seen.
 */
import * as path from "path";
import { problem } from "../client/errors";
import { type FeedSource, readFeed, sourceOf } from "./fetch";
import { FEED_LIMITS } from "./limits";
import { CATEGORIES, DESCRIPTION, NAME } from "../model";
import { FEED_FORMATS, type FeedFormat, type ParsedFeed, parseFeed } from "./parse";

/** The arguments of the feed function. */
export interface FeedArgs extends FeedSource {
  /** How messages and the `{feed}` placeholder name the feed; by default the file's or the URL's last segment. */
  label?: string;
  /** `plain`, `csv`, `json` or `ndjson`; by default from the name's extension (.csv, .json, .ndjson/.jsonl), else plain. */
  format?: FeedFormat;
  /** CSV: the address column, by header name or 0-based index. */
  column?: string | number;
  /** JSON and NDJSON: where the addresses are (see the feeds guide for the grammar). */
  select?: string | string[];
  /** The entries' name, a template (`{feed}`, `{address}`, `{comment}`, a record's fields). */
  name?: string;
  /** The entries' description, a template. */
  description?: string;
  /** Categories of every entry. */
  categories?: string[];
}

/** A feed, read and parsed: its entries and how its records became them, and what identifies the read. */
export interface Feed extends ParsedFeed {
  label: string;
  /** The URL (query and credentials masked) or the file. */
  source: string;
  format: FeedFormat;
  /** `sha256:<16 hex digits>` of the content: the feed's part of the id an allowance for a large change names. */
  hash: string;
  bytes: number;
  /** When it was read (this machine's clock, ISO-8601). */
  fetchedAt: string;
}

/** Every argument the function takes (the plugin refuses others). */
export const FEED_ARGS = [
  "url",
  "file",
  "label",
  "format",
  "column",
  "select",
  NAME,
  DESCRIPTION,
  CATEGORIES,
  "timeoutSeconds",
  "maxBytes",
] as const satisfies readonly (keyof FeedArgs)[];

/** A refused argument: which, and why. */
export interface ArgFailure {
  property: string;
  reason: string;
}

/** Check the arguments before anything is read: every bad one named. */
export function checkFeedArgs(raw: Record<string, unknown>): ArgFailure[] {
  const out: ArgFailure[] = [];
  const bad = (property: string, reason: string) => out.push({ property, reason });
  const given = (k: string) => raw[k] !== undefined && raw[k] !== null;
  for (const k of Object.keys(raw))
    if (!(FEED_ARGS as readonly string[]).includes(k) && k !== "__defaults" && given(k))
      bad(k, `is not an argument of the feed function (it takes ${FEED_ARGS.join(", ")})`);
  if (given("url") === given("file")) bad(given("url") ? "file" : "url", "give exactly one of url and file");
  for (const k of ["url", "file", "label", NAME, DESCRIPTION])
    if (given(k) && (typeof raw[k] !== "string" || !(raw[k] as string).trim()))
      bad(k, `must be a non-empty string, got ${JSON.stringify(raw[k])}`);
  if (given("format") && !FEED_FORMATS.includes(raw.format as FeedFormat))
    bad("format", `must be one of ${FEED_FORMATS.join(", ")}, got ${JSON.stringify(raw.format)}`);
  if (given("column") && !["string", "number"].includes(typeof raw.column))
    bad("column", `must be a header name or a 0-based index, got ${JSON.stringify(raw.column)}`);
  if (given("column") && typeof raw.column === "number" && !(Number.isInteger(raw.column) && raw.column >= 0))
    bad("column", `must be a 0-based index, got ${raw.column}`);
  const select = raw.select;
  if (
    given("select") &&
    !(typeof select === "string" || (Array.isArray(select) && select.every((s) => typeof s === "string")))
  )
    bad("select", "must be a selector or a list of selectors");
  const format = (raw.format as FeedFormat | undefined) ?? formatOf(raw);
  if ((format === "json" || format === "ndjson") && !given("select"))
    bad(
      "select",
      `is required for format ${format}: it says where the addresses are (e.g. "prefixes[].ip_prefix")`,
    );
  if (
    given("categories") &&
    !(Array.isArray(raw.categories) && raw.categories.every((c) => typeof c === "string"))
  )
    bad("categories", "must be a list of strings");
  for (const k of ["timeoutSeconds", "maxBytes"])
    if (given(k) && !(typeof raw[k] === "number" && (raw[k] as number) > 0 && Number.isFinite(raw[k])))
      bad(k, `must be a positive number, got ${JSON.stringify(raw[k])}`);
  if (typeof raw.timeoutSeconds === "number" && raw.timeoutSeconds > FEED_LIMITS.maxTimeoutSeconds)
    bad(
      "timeoutSeconds",
      `must be at most ${FEED_LIMITS.maxTimeoutSeconds} seconds, got ${raw.timeoutSeconds}`,
    );
  return out;
}

/** The format a feed's name suggests (its extension), else plain. */
function formatOf(raw: Record<string, unknown>): FeedFormat {
  const name = String(raw.url ?? raw.file ?? "")
    .replace(/[?#].*$/, "")
    .toLowerCase();
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) return "ndjson";
  return "plain";
}

/** A feed's default label: the last segment of its file or URL path (`drop.txt`), or the URL's host. */
function labelOf(args: FeedArgs): string {
  if (args.label) return args.label;
  if (args.file !== undefined) return path.basename(args.file);
  try {
    const u = new URL(String(args.url));
    return u.pathname.split("/").filter(Boolean).pop() || u.hostname;
  } catch {
    return sourceOf(args);
  }
}

/** Read and parse a feed. Bad arguments are one `validation` error naming each. */
export async function getFeed(args: FeedArgs): Promise<Feed> {
  const failures = checkFeedArgs(args as Record<string, unknown>);
  if (failures.length)
    throw problem("validation", {
      field: "getFeed",
      reason: failures.map((f) => `${f.property} ${f.reason}`).join("; "),
    });
  const label = labelOf(args);
  const format = args.format ?? formatOf(args as Record<string, unknown>);
  const read = await readFeed(args, label);
  const parsed = parseFeed(read.text, {
    feed: label,
    format,
    column: args.column,
    select: args.select,
    name: args.name,
    description: args.description,
    categories: args.categories,
  });
  return {
    label,
    source: read.source,
    format,
    hash: read.hash,
    bytes: read.bytes,
    fetchedAt: read.fetchedAt,
    ...parsed,
  };
}
