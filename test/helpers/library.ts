import type { IpEntry } from "../../provider/client/types";

type Seed = Partial<IpEntry> & { name: string; ip_address: string };

/** Awkward category strings: quotes, backslashes, template and comment syntax, YAML markers, non-ASCII, U+2028. */
export const ODD_CATEGORIES = [
  'say "hi"',
  "back\\slash",
  "${notATemplate}",
  "*/ not the end",
  "- yaml: marker #hash",
  "Zürich ☂",
  "line\u2028separator",
  "'single'",
];

/**
 * A mixed library of n entries, deterministic: IPv4 and IPv6 addresses,
 * CIDR blocks and ranges; every 7th entry shares the name "Shared name",
 * every 5th carries odd categories, and every 9th has a multi-line description.
 */
export function mixedLibrary(n: number, opts: { suspicious?: boolean; expiredEvery?: number } = {}): Seed[] {
  return Array.from({ length: n }, (_, i) => {
    const a = Math.floor(i / 200);
    const b = i % 200;
    const forms = [
      `${20 + a}.1.${b}.9`,
      `2001:db8:${a.toString(16)}:${b.toString(16)}::9`,
      `${20 + a}.2.${b}.0/24`,
      `2001:db8:${(a + 16).toString(16)}:${b.toString(16)}::/64`,
      `${20 + a}.3.${b}.10-${20 + a}.3.${b}.20`,
      `2001:db8:${(a + 32).toString(16)}:${b.toString(16)}::1-2001:db8:${(a + 32).toString(16)}:${b.toString(16)}::ff`,
    ];
    const e: Seed = {
      name: i % 7 === 0 ? "Shared name" : `Entry ${i} ${["office", "VPN", "SaaS", "Büro"][i % 4]}`,
      ip_address: forms[i % forms.length],
      categories: i % 5 === 0 ? [ODD_CATEGORIES[i % ODD_CATEGORIES.length], "plain"] : i % 3 ? ["plain"] : [],
      description: i % 9 === 0 ? `first line ${i}\nsecond "line"` : i % 2 ? `entry ${i}` : "",
    };
    if (opts.suspicious) {
      const expired = opts.expiredEvery && i % opts.expiredEvery === 1;
      e.expires_on = expired
        ? "2021-03-04T05:06:07.123456+00:00"
        : i % 4
          ? "2031-01-02T03:04:05.678901+00:00"
          : null;
    }
    return e;
  });
}
