/**
 * The feeds' bounds and guard rails' defaults, in one place: the docs state them and the functions that decide
 * read them from here.
 */
export const FEED_LIMITS = {
  /** Seconds one read of a feed may take, body included (`timeoutSeconds`). */
  timeoutSeconds: 30,
  /** The longest `timeoutSeconds` accepted (a longer one is no bound a run can wait out). */
  maxTimeoutSeconds: 3600,
  /** The most bytes a feed's body may have (`maxBytes`): 64 MiB, well above the largest published-range files. */
  maxBytes: 64 * 1024 * 1024,
  /** Redirects followed, each checked by the URL rule. */
  maxRedirects: 5,
  /** Hex digits of the content's SHA-256 in a feed's id (64 bits: an allowance cannot match other content). */
  hashDigits: 16,
  /** A feed with a larger share of bad records than this is refused (its lines are named either way). */
  maxBadShare: 0.1,
  /** A set fed by a feed changes at most this much in one run unless allowed (`maxChange`). */
  maxChange: "25%",
  /**
   * In a suspicious feed, a block wider than this (a shorter prefix) is refused unless `allow` has "broad":
   * `/8` for IPv4, `/32` for IPv6. `0.0.0.0/0` and `::/0` are refused in every feed.
   */
  broadestPrefix: { ipv4: 8, ipv6: 32 },
  /**
   * In a trusted feed, a block wider than this is refused unless `allow` has "broad" (published ranges reach /10 in
   * IPv4 and /24 in IPv6); and in any feed, entries that together cover more than a /4 of IPv4 or a /16 of IPv6.
   */
  broadestTrustedPrefix: { ipv4: 8, ipv6: 20 },
  broadestTotal: { ipv4: 4, ipv6: 16 },
  /** The most entries a feed may give a set (a larger one is refused, not read in part). */
  maxEntries: 100_000,
  /** The longest TTL, in days. */
  maxTtlDays: 3650,
  /** Bad records and refused addresses a message names before "and N more". */
  shown: 5,
} as const;

/**
 * What a set's `allow` may hold: each lifts one guard rail of the feed. "adopt" lets a feed's address take over an
 * entry the set did not make (by default a feed never takes over, and so never later deletes, someone's entry).
 */
export const FEED_ALLOWANCES = ["broad", "private", "adopt"] as const;
export type FeedAllowance = (typeof FEED_ALLOWANCES)[number];
