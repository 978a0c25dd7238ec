/**
 * `cloudlock-pulumi feed pull`: read a feed (as `getFeed` does) and write it as a library data file, so that a
 * feed's changes are reviewed in a pull request before a set follows them. Nothing is sent to Cloudlock.
 */
import { parseCommandLine, UsageError } from "../../common/args";
import { COLLECTIONS, type CollectionName } from "../../provider/client/types";
import { type Feed, type FeedArgs, checkFeedArgs, getFeed } from "../../provider/feed/get";
import { FEED_FORMATS } from "../../provider/feed/parse";
import { FEED_ALLOWANCES } from "../../provider/feed/limits";
import { addressRefusals, contentRefusals } from "../../provider/dynamic/set-feed";
import { type Planned, plansFromFeed, render } from "../codegen";
import { InputError, type Io, checkOut, report, write } from "../io";
import { HELP, type Parsed, choice, str } from "../options";

const FEED_HELP = `Usage: cloudlock-pulumi feed pull --collection trusted|suspicious (--url URL | --file FILE) [options]

Reads a feed (a threat list, a published-ranges file) the way getFeed does, and writes
its entries as a library data file for a set to declare (readLibraryFile). Commit the
file, and every change of the feed's entries is a pull request (the guide: "Feeds",
docs/guides/feeds.md in the repository). A feed whose only change is a comment (a
"generated at" line) gives the same file. Nothing is sent to Cloudlock. Nothing is
written for a feed that cannot be read, is empty, is mostly not addresses, or holds
addresses a set reading it would refuse (every address; in a suspicious feed, blocks
wider than /8 or /32, private and reserved ranges) unless --allow says so.

Options:
  --collection C       trusted or suspicious (required)
  --url URL            the feed's https URL (plain http only to this machine), or a file: URL
  --file FILE          the feed as a file
  --feed-format F      ${FEED_FORMATS.join(", ")} (default: from the extension, else plain)
  --column COL         CSV: the address column, by header name or 0-based index
  --select SEL         JSON/NDJSON: where the addresses are (repeatable)
  --label TEXT         how messages and {feed} name the feed
  --name TEMPLATE      the entries' name (default "{feed}")
  --description TEMPLATE  the entries' description (default "{comment}" for plain)
  --category C         a category of every entry (repeatable)
  --allow A            broad or private: take what the guard rails refuse (repeatable)
  --timeout SECONDS    time bound of the read (default 30)
  --max-bytes N        the largest body accepted (default 64 MiB)
  --format F           yaml (default) or json
  --out FILE           write to FILE instead of stdout
  -h, --help           show this help
`;

/** Runs `feed` with its arguments `argv` (after the command). */
export async function runFeed(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === "--help" || sub === "-h" || sub === undefined) {
    if (sub === undefined) throw new UsageError('give a subcommand: "feed pull"');
    return io.stdout(FEED_HELP);
  }
  if (sub !== "pull") throw new UsageError(`unknown feed subcommand "${sub}" (there is "feed pull")`);
  const p: Parsed = parseCommandLine(rest, {
    collection: { type: "string" },
    url: { type: "string" },
    file: { type: "string" },
    "feed-format": { type: "string" },
    column: { type: "string" },
    select: { type: "string", multiple: true },
    label: { type: "string" },
    name: { type: "string" },
    description: { type: "string" },
    category: { type: "string", multiple: true },
    allow: { type: "string", multiple: true },
    timeout: { type: "string" },
    "max-bytes": { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    ...HELP,
  });
  if (p.values.help) return io.stdout(FEED_HELP);
  const kind = choice<CollectionName>(p, "--collection", COLLECTIONS);
  const format = choice(p, "--format", ["yaml", "json"] as const, "yaml");
  if (p.positionals.length) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
  if ((str(p, "--url") === undefined) === (str(p, "--file") === undefined))
    throw new UsageError("give exactly one of --url and --file");
  const timeout = str(p, "--timeout");
  if (timeout !== undefined && !(Number(timeout) > 0))
    throw new UsageError(`--timeout must be a positive number of seconds, got "${timeout}"`);
  checkOut(p);
  const list = (k: string) =>
    (p.values[k] as string[] | undefined)?.length ? (p.values[k] as string[]) : undefined;
  const args: FeedArgs = {
    url: str(p, "--url"),
    file: str(p, "--file"),
    format: str(p, "--feed-format") as FeedArgs["format"],
    column: str(p, "--column"),
    select: list("select"),
    label: str(p, "--label"),
    name: str(p, "--name"),
    description: str(p, "--description"),
    categories: list("category"),
    timeoutSeconds: timeout === undefined ? undefined : Number(timeout),
    maxBytes: str(p, "--max-bytes") === undefined ? undefined : Number(str(p, "--max-bytes")),
  };
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as FeedArgs;
  // getFeed's own checks, made here so that a wrong option is a usage error naming it (exit 2), before any read.
  const refused = checkFeedArgs(defined as Record<string, unknown>);
  if (refused.length)
    throw new UsageError(refused.map((f) => `${OPTION_OF[f.property] ?? f.property} ${f.reason}`).join("; "));
  const allow = list("allow") ?? [];
  const unknown = allow.find((a) => !(FEED_ALLOWANCES as readonly string[]).includes(a));
  if (unknown !== undefined)
    throw new UsageError(`--allow must be one of ${FEED_ALLOWANCES.join(", ")}, got "${unknown}"`);
  const feed = await getFeed(defined);
  // The guard rails a set that reads the feed would apply: the file goes to a person's review, but a broken feed
  // or an address no library should hold is refused before it reaches one.
  const refusals = [
    ...contentRefusals(feed).refusals,
    ...addressRefusals(kind, feed.label, feed.entries, new Set(allow)).map((r) =>
      r.replace(/allow them on the set: allow: \["(\w+)"\]/, "pass --allow $1"),
    ),
  ].map((r) => r.replace("Nothing was changed.", "Nothing was written."));
  if (refusals.length) {
    const text = refusals.join(" ");
    throw new InputError(/Nothing was written\./.test(text) ? text : `${text} Nothing was written.`);
  }
  const plans: Planned[] = plansFromFeed(kind, feed.entries);
  // Every entry refused by the library's checks (a suspicious CSV given to the trusted library, expiries all past):
  // a file of none would empty the set that reads it.
  if (plans.every((x) => x.skipped))
    throw new InputError(
      `none of the ${plans.length} entries of feed ${feed.label} can be declared in the ${kind} library ` +
        `(first: ${plans[0]?.skipped}); nothing was written.`,
    );
  const header = [
    // No content id or time here: a feed whose bytes change and whose records do not (a "generated at" comment)
    // leaves the committed file as it is, and the workflow opens no pull request for it.
    `Generated by: cloudlock-pulumi feed pull from ${feed.source}`,
    `${feed.records} record(s) became ${feed.entries.length} entries${dropped(feed)}.`,
  ];
  write(p, io, render(format, plans, header));
  for (const b of feed.bad)
    io.stderr(`feed ${feed.label}: ${b.where} ${JSON.stringify(b.text)}: ${b.reason}\n`);
  if (feed.badCount > feed.bad.length)
    io.stderr(`feed ${feed.label}: and ${feed.badCount - feed.bad.length} more not addresses\n`);
  report(io, plans, "written");
}

/** The option that gives each of getFeed's arguments. */
const OPTION_OF: Record<string, string> = {
  url: "--url",
  file: "--file",
  format: "--feed-format",
  column: "--column",
  select: "--select",
  label: "--label",
  name: "--name",
  description: "--description",
  categories: "--category",
  timeoutSeconds: "--timeout",
  maxBytes: "--max-bytes",
};

const dropped = (f: Feed) => {
  const parts = [
    f.duplicates ? `${f.duplicates} duplicate(s)` : "",
    f.contained ? `${f.contained} inside another block` : "",
    f.badCount ? `${f.badCount} not addresses` : "",
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
};
