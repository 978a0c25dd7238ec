import { isExpectedError } from "../provider/client/errors";
import { type Feed, type FeedArgs, getFeed as readAndParse } from "../provider/feed/get";
import { programError } from "../provider/pulumi-internals";

export type { Feed, FeedArgs };

/**
 * Read a feed (a threat feed, a published-ranges file) from a URL or a file and parse it into entries, for a
 * {@link SuspiciousIpSet} or {@link TrustedIpSet}'s `feed`. It only reads and parses: the set decides what to
 * do with the result (its guard rails and TTL), where it sees what it had before.
 *
 * ```ts
 * const drop = getFeed({ url: "https://feeds.example/drop.txt", name: "DROP {comment}" });
 * new SuspiciousIpSet("threats", { feed: drop, ttl: "30d" });
 * ```
 *
 * A feed that cannot be read (an error answer, no answer within `timeoutSeconds`, a body cut short or larger
 * than `maxBytes`) fails the program with one line naming it: nothing is written, and the set keeps its entries.
 *
 * @param args Where the feed is (`url` or `file`), its format and how its records become entries.
 * @returns The entries and what identifies this read (source, size, content id, time).
 */
export function getFeed(args: FeedArgs): Promise<Feed> {
  return readAndParse(args).catch((e: unknown) => {
    throw isExpectedError(e) ? programError(e) : e;
  });
}
