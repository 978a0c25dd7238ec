/** A feed function's result made by hand, for tests of what a set does with a feed (no read, no parse). */

/** The `i`th address of the tests' IPv6 documentation range. */
export const v6 = (i: number) => `2001:db8::${i.toString(16)}`;

/** `n` addresses from the `from`th. */
export const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => v6(from + i));

/** What `getFeed` would return for these addresses, each entry named "DROP"; `extra` overrides any part. */
export const feedOf = (addresses: string[], extra: Record<string, unknown> = {}) => ({
  label: "drop.txt",
  source: "https://feeds.example/drop.txt",
  hash: "sha256:00000000000000aa",
  bytes: 100,
  fetchedAt: "2027-03-01T10:19:00Z",
  records: addresses.length,
  addresses: addresses.length,
  duplicates: 0,
  contained: 0,
  badCount: 0,
  bad: [],
  entries: addresses.map((a) => ({ name: "DROP", ipAddress: a })),
  ...extra,
});
