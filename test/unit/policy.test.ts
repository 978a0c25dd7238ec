/**
 * The Cloudlock policies: each rule failing and passing, per-entry resources and sets entry by entry (both the
 * list a program writes and the by-address object the provider's check hands the engine), unknown values, and
 * config. The last group runs the policies through `@pulumi/policy`'s own analyzer RPC functions, with
 * properties encoded as the engine sends them, so unknowns arrive behind its real proxy.
 */
import type { Policies, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import * as cloudlock from "pulumi-cloudlock";
import * as policy from "../../policy";
import {
  CLOUDLOCK_TYPES,
  NON_PUBLIC_RANGES,
  POLICY_NAMES,
  cloudlockPolicies,
  entriesOf,
  publicAddressesOnlyPolicy,
  requiredMetadataPolicy,
  suspiciousExpiryPolicy,
  trustedBlockSizePolicy,
  trustedSuspiciousOverlapPolicy,
} from "../../policy";
import { UNKNOWN, read } from "../../policy/entries";
import { analyze, analyzeStack, analyzerproto } from "../helpers/policy-analyzer";
import { RANGE_GROUPS, refusedRanges } from "../../provider/ranges";
import {
  publicAddressesOnly,
  requiredMetadata,
  suspiciousExpiry,
  trustedBlockSize,
  trustedSuspiciousOverlap,
} from "../../policy/rules";

const T = CLOUDLOCK_TYPES;
/** Pulumi's marker for an unknown string, as the engine sends it during preview. */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
const NOW = Date.parse("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString();

const trusted = (name: string, ipAddress: unknown, more: object = {}) =>
  entriesOf(T.TrustedIp, name, { name, ipAddress, ...more }, `urn:${name}`);
const suspicious = (name: string, ipAddress: unknown, more: object = {}) =>
  entriesOf(T.SuspiciousIp, name, { name, ipAddress, ...more }, `urn:${name}`);
const messages = (vs: { message: string }[]) => vs.map((v) => v.message);

describe("the package's exports", () => {
  it("give everything needed to call every exported rule, with nothing from internal modules", () => {
    const { CLOUDLOCK_TYPES: types, RANGE_GROUPS: groups } = policy;
    const entries: policy.Entry[] = [
      ...policy.entriesOf(types.TrustedIp, "lan", { name: "lan", ipAddress: "10.0.0.0/16" }),
      ...policy.entriesOf(types.SuspiciousIp, "bad", { name: "bad", ipAddress: "10.0.0.1" }),
    ];
    const unknown: policy.Entry = {
      library: "trusted",
      where: "by hand",
      name: policy.UNKNOWN,
      ipAddress: policy.UNKNOWN,
      description: undefined,
      categories: [],
      expiresOn: undefined,
    };
    const ranges: policy.ParsedRange[] = policy.refusedRanges([...groups], {
      "corporate NAT": ["8.8.4.0/24"],
    });
    const group: policy.RangeGroup = "private";
    expect(policy.publicAddressesOnly([...entries, unknown], ranges)).toHaveLength(2);
    expect(policy.refusedRanges([group]).every((r) => r.group === "private")).toBe(true);
    expect(
      policy.trustedBlockSize(entries, { ipv4MinPrefixLength: 24, ipv6MinPrefixLength: 48 }),
    ).toHaveLength(1);
    expect(policy.suspiciousExpiry(entries, { maxDays: 30 }, NOW)).toHaveLength(1);
    expect(policy.trustedSuspiciousOverlap(entries)).toHaveLength(1);
    expect(
      policy.requiredMetadata(entries, { requireDescription: true, requireCategory: false }),
    ).toHaveLength(2);
    expect(policy.classify(types.TrustedIpSet)).toEqual({
      library: "trusted",
      set: true,
      kind: "TrustedIpSet",
    });
    expect(policy.IPV4_EMBEDDINGS.map((m) => m.cidr)).toEqual(["::ffff:0:0/96", "64:ff9b::/96", "2002::/16"]);
  });
});

describe("entriesOf", () => {
  it("reads a per-entry resource, naming the entry when its name differs from the resource's", () => {
    expect(trusted("hq", "8.8.8.0/24")[0]).toMatchObject({ library: "trusted", where: 'TrustedIp "hq"' });
    expect(entriesOf(T.SuspiciousIp, "tor", { name: "TOR exit", ipAddress: "1.2.3.4" })[0].where).toBe(
      'SuspiciousIp "tor" (entry "TOR exit")',
    );
  });

  it("reads a set's entries one by one, as a list and as the by-address object of checked inputs", () => {
    const list = entriesOf(T.TrustedIpSet, "offices", {
      entries: [
        { name: "B", ipAddress: "9.9.9.9" },
        UNKNOWN_STRING,
        { name: "A", ipAddress: "8.8.8.8" },
        { name: "C", ipAddress: "8.8.8.0-8.8.8.255" },
        { name: "later", ipAddress: UNKNOWN_STRING },
      ],
    });
    // Named and ordered as the by-address object names them; by position when the address is not known.
    expect(list.map((e) => e.where)).toEqual([
      'TrustedIpSet "offices" entry "C" (8.8.8.0/24)',
      'TrustedIpSet "offices" entry "A" (8.8.8.8)',
      'TrustedIpSet "offices" entry "B" (9.9.9.9)',
      'TrustedIpSet "offices" entries[4] "later"',
    ]);
    const keyed = entriesOf(T.SuspiciousIpSet, "feed", {
      entries: { "1.2.3.4": { name: "C", ipAddress: "1.2.3.4" }, "5.6.7.0/24": { name: "D" } },
    });
    expect(keyed.map((e) => [e.library, e.where, e.ipAddress])).toEqual([
      ["suspicious", 'SuspiciousIpSet "feed" entry "C" (1.2.3.4)', "1.2.3.4"],
      ["suspicious", 'SuspiciousIpSet "feed" entry "D" (5.6.7.0/24)', "5.6.7.0/24"],
    ]);
  });

  it("gives nothing for other types and for a set whose entries are unknown or missing", () => {
    expect(entriesOf("aws:s3/bucket:Bucket", "b", { ipAddress: "10.0.0.1" })).toEqual([]);
    expect(entriesOf("pulumi-nodejs:dynamic:Resource", "b", { ipAddress: "10.0.0.1" })).toEqual([]);
    expect(entriesOf(T.TrustedIpSet, "s", { entries: UNKNOWN_ARRAY })).toEqual([]);
    expect(entriesOf(T.TrustedIpSet, "s", {})).toEqual([]);
  });

  it("reads Pulumi's unknown markers as UNKNOWN", () => {
    const [e] = trusted("x", UNKNOWN_STRING, { description: UNKNOWN_STRING, categories: UNKNOWN_ARRAY });
    expect([e.ipAddress, e.description, e.categories]).toEqual([UNKNOWN, UNKNOWN, UNKNOWN]);
    expect(read("not an object", "x")).toBeUndefined();
  });
});

describe("trusted block size", () => {
  const cfg = { ipv4MinPrefixLength: 24, ipv6MinPrefixLength: 48 };

  it("refuses blocks wider than the limit, IPv4 and IPv6 separately, naming resource, entry and field", () => {
    expect(messages(trustedBlockSize(trusted("corp", "8.8.0.0/16"), cfg))).toEqual([
      'TrustedIp "corp" ipAddress "8.8.0.0/16" is a /16 block (65,536 addresses): trusted IPv4 entries may be at most a /24 (256 addresses)',
    ]);
    expect(messages(trustedBlockSize(trusted("v6", "2a00:1450::/32"), cfg))).toEqual([
      'TrustedIp "v6" ipAddress "2a00:1450::/32" is a /32 block (2^96 addresses): trusted IPv6 entries may be at most a /48 (2^80 addresses)',
    ]);
  });

  it("allows blocks at or under the limit, and leaves suspicious entries alone", () => {
    expect(trustedBlockSize(trusted("a", "8.8.8.0/24"), cfg)).toEqual([]);
    expect(trustedBlockSize(trusted("b", "2a00:1450:4001::/48"), cfg)).toEqual([]);
    expect(trustedBlockSize(trusted("c", "8.8.8.8"), cfg)).toEqual([]);
    expect(trustedBlockSize(suspicious("d", "8.0.0.0/8"), cfg)).toEqual([]);
  });

  it("counts a range by its number of addresses, not by the block covering it", () => {
    // 256 addresses across a /23 boundary: allowed at /24 although no /24 covers it.
    expect(trustedBlockSize(trusted("r", "8.8.8.128-8.8.9.127"), cfg)).toEqual([]);
    expect(messages(trustedBlockSize(trusted("r", "8.8.8.128-8.8.9.128"), cfg))).toEqual([
      'TrustedIp "r" ipAddress "8.8.8.128-8.8.9.128" is a range of 257 addresses: trusted IPv4 entries may be at most a /24 (256 addresses)',
    ]);
    // Another spelling of a block is judged as that block.
    expect(messages(trustedBlockSize(trusted("r", "8.8.0.0-8.8.255.255"), cfg))[0]).toContain(
      "is a /16 block",
    );
  });

  it("checks a set entry by entry, and follows the configured limits", () => {
    const set = entriesOf(T.TrustedIpSet, "offices", {
      entries: [
        { name: "ok", ipAddress: "8.8.8.0/24" },
        { name: "wide", ipAddress: "8.8.0.0/20" },
        { name: "pending", ipAddress: UNKNOWN_STRING },
        { name: "bad", ipAddress: "not an ip" },
      ],
    });
    expect(messages(trustedBlockSize(set, cfg))).toEqual([
      'TrustedIpSet "offices" entry "wide" (8.8.0.0/20) ipAddress "8.8.0.0/20" is a /20 block (4,096 addresses): trusted IPv4 entries may be at most a /24 (256 addresses)',
    ]);
    expect(trustedBlockSize(set, { ...cfg, ipv4MinPrefixLength: 20 })).toEqual([]);
  });
});

describe("public addresses only", () => {
  const all = refusedRanges([...RANGE_GROUPS]);

  it.each([
    ["0.0.0.1", "0.0.0.0/8"],
    ["127.0.0.1", "127.0.0.0/8"],
    ["::1", "::1/128"],
    ["10.1.2.3", "10.0.0.0/8"],
    ["172.20.0.0/16", "172.16.0.0/12"],
    ["192.168.1.0-192.168.1.9", "192.168.0.0/16"],
    ["100.64.1.1", "100.64.0.0/10"],
    ["fd00::1", "fc00::/7"],
    ["169.254.169.254", "169.254.0.0/16"],
    ["fe80::1", "fe80::/10"],
    ["239.1.1.1", "224.0.0.0/4"],
    ["ff02::1", "ff00::/8"],
    ["203.0.113.7", "203.0.113.0/24"],
    ["2001:db8::1", "2001:db8::/32"],
    ["255.255.255.255", "240.0.0.0/4"],
    ["198.18.0.1", "198.18.0.0/15"],
    ["::ffff:10.0.0.1", "10.0.0.0/8"],
  ])("refuses %s, naming %s", (address, range) => {
    const [v] = publicAddressesOnly(trusted("x", address), all);
    expect(v.message).toMatch(
      new RegExp(
        `^TrustedIp "x" ipAddress "${address.replace(/[.]/g, "\\.")}" is in ${range.replace(/[.]/g, "\\.")}, `,
      ),
    );
    expect(v.message).toContain("can never match");
  });

  it("says which range a wider block overlaps, for suspicious entries too", () => {
    expect(messages(publicAddressesOnly(suspicious("wide", "8.0.0.0/6"), all))).toEqual([
      'SuspiciousIp "wide" ipAddress "8.0.0.0/6" overlaps 10.0.0.0/8, private (RFC 1918): Cloudlock matches the ' +
        "public source addresses of SaaS activity, so that part of this entry can never match",
    ]);
    expect(messages(publicAddressesOnly(trusted("any", "0.0.0.0/0"), all))[0]).toMatch(/and \d+ more: /);
  });

  it.each([
    ["64:ff9b::10.0.0.1", "is in 10.0.0.0/8, private (RFC 1918), embedded in 64:ff9b::/96, NAT64"],
    ["64:ff9b::7f00:1", "is in 127.0.0.0/8, loopback (RFC 1122), embedded in 64:ff9b::/96, NAT64"],
    ["2002:a00:1::/48", "is in 10.0.0.0/8, private (RFC 1918), embedded in 2002::/16, 6to4 (RFC 3056)"],
    ["2002:c0a8:101::1", "is in 192.168.0.0/16, private (RFC 1918), embedded in 2002::/16, 6to4"],
    ["2002:a00::/24", "is in 10.0.0.0/8, private (RFC 1918), embedded in 2002::/16, 6to4"],
  ])("refuses %s by the IPv4 address it embeds", (address, named) => {
    const found = messages(publicAddressesOnly(trusted("x", address), all));
    expect(found).toEqual([expect.stringContaining(`TrustedIp "x" ipAddress "${address}" ${named}`)]);
    expect(found[0]).toContain("so this entry can never match");
  });

  it("refuses an IPv6 block that overlaps an embedded refused range, naming it", () => {
    // ::ffff:0:0/95 holds every IPv4-mapped address, private ones included.
    const [mapped] = messages(publicAddressesOnly(trusted("m", "::ffff:0:0/95"), all));
    expect(mapped).toMatch(
      /^TrustedIp "m" ipAddress "::ffff:0:0\/95" overlaps 0\.0\.0\.0\/8, "this network" \(RFC 1122\), embedded in ::ffff:0:0\/96, IPv4-mapped \(RFC 4291\); .* and \d+ more: .*so that part of this entry can never match$/,
    );
    // A 6to4 block over 8.0.0.0/6 reaches 10.0.0.0/8; the whole NAT64 prefix reaches everything.
    expect(messages(publicAddressesOnly(suspicious("w", "2002:800::/22"), all))).toEqual([
      'SuspiciousIp "w" ipAddress "2002:800::/22" overlaps 10.0.0.0/8, private (RFC 1918), embedded in ' +
        "2002::/16, 6to4 (RFC 3056): Cloudlock matches the public source addresses of SaaS activity, so that " +
        "part of this entry can never match",
    ]);
    expect(messages(publicAddressesOnly(trusted("n", "64:ff9b::/96"), all))[0]).toMatch(
      /overlaps 0\.0\.0\.0\/8, .*embedded in 64:ff9b::\/96, NAT64 well-known prefix \(RFC 6052\);/,
    );
    // Extra IPv4 ranges reach their embedded forms too.
    const extra = refusedRanges([], { "corporate NAT": ["8.8.4.0/24"] });
    expect(messages(publicAddressesOnly(trusted("e", "64:ff9b::8.8.4.4"), extra))[0]).toContain(
      "is in 8.8.4.0/24, corporate NAT, embedded in 64:ff9b::/96",
    );
  });

  it("allows embedded public IPv4 addresses", () => {
    for (const a of ["64:ff9b::8.8.8.8", "2002:808:808::/48", "2002:101:101::1", "::ffff:8.8.8.0/120"])
      expect(publicAddressesOnly(trusted("ok", a), all)).toEqual([]);
  });

  it("allows public addresses of both families, and unknown or malformed ones", () => {
    for (const a of [
      "8.8.8.8",
      "1.1.1.0/24",
      "2a00:1450:4001::/48",
      "2606:4700::1111",
      UNKNOWN_STRING,
      "nope",
    ])
      expect(publicAddressesOnly(trusted("ok", a), all)).toEqual([]);
  });

  it("refuses only the configured groups, plus extra ranges by label", () => {
    const some = refusedRanges(["loopback"], { "corporate NAT": ["8.8.4.0/24"] });
    expect(publicAddressesOnly(trusted("p", "10.0.0.1"), some)).toEqual([]);
    expect(messages(publicAddressesOnly(trusted("n", "8.8.4.4"), some))[0]).toContain(
      "is in 8.8.4.0/24, corporate NAT:",
    );
    expect(() => refusedRanges([], { bad: ["10.0.0.0/33"] })).toThrow(
      /extraRanges "bad": "10.0.0.0\/33" is not an address, block or range: .*invalid prefix length/,
    );
  });

  it("checks a set entry by entry", () => {
    const set = entriesOf(T.SuspiciousIpSet, "feed", {
      entries: [
        { name: "ok", ipAddress: "45.33.32.156" },
        { name: "lan", ipAddress: "192.168.0.10" },
      ],
    });
    expect(messages(publicAddressesOnly(set, all))).toEqual([
      expect.stringMatching(
        /^SuspiciousIpSet "feed" entry "lan" \(192\.168\.0\.10\) ipAddress "192.168.0.10" is in 192.168.0.0\/16/,
      ),
    ]);
  });

  it("every built-in range parses and belongs to a known group", () => {
    expect(refusedRanges(NON_PUBLIC_RANGES.map((r) => r.group))).toHaveLength(NON_PUBLIC_RANGES.length);
  });
});

describe("suspicious expiry", () => {
  const cfg = { maxDays: 30 };

  it("refuses a missing expiresOn and one beyond the limit, naming the field", () => {
    expect(messages(suspiciousExpiry(suspicious("tor", "1.2.3.4"), cfg, NOW))).toEqual([
      'SuspiciousIp "tor" expiresOn is missing: suspicious entries must expire within 30 days (by 2026-07-01T00:00:00.000Z)',
    ]);
    expect(messages(suspiciousExpiry(suspicious("tor", "1.2.3.4", { expiresOn: at(31) }), cfg, NOW))).toEqual(
      [
        `SuspiciousIp "tor" expiresOn "${at(31)}" is 31 days away: suspicious entries must expire within 30 days (by 2026-07-01T00:00:00.000Z)`,
      ],
    );
  });

  it("allows an expiry within the limit, unknown or malformed ones, and trusted entries", () => {
    expect(suspiciousExpiry(suspicious("a", "1.2.3.4", { expiresOn: at(30) }), cfg, NOW)).toEqual([]);
    expect(suspiciousExpiry(suspicious("b", "1.2.3.4", { expiresOn: UNKNOWN_STRING }), cfg, NOW)).toEqual([]);
    expect(suspiciousExpiry(suspicious("c", "1.2.3.4", { expiresOn: "soon" }), cfg, NOW)).toEqual([]);
    expect(suspiciousExpiry(trusted("d", "1.2.3.4"), cfg, NOW)).toEqual([]);
  });

  it("checks a set entry by entry", () => {
    const set = entriesOf(T.SuspiciousIpSet, "feed", {
      entries: [
        { name: "fine", ipAddress: "1.2.3.4", expiresOn: at(5) },
        { name: "forever", ipAddress: "1.2.3.5" },
        { name: "late", ipAddress: "1.2.3.6", expiresOn: at(400) },
      ],
    });
    expect(messages(suspiciousExpiry(set, cfg, NOW))).toEqual([
      expect.stringMatching(/^SuspiciousIpSet "feed" entry "forever" \(1\.2\.3\.5\) expiresOn is missing/),
      expect.stringMatching(
        /^SuspiciousIpSet "feed" entry "late" \(1\.2\.3\.6\) expiresOn ".*" is 400 days away/,
      ),
    ]);
  });
});

describe("trusted and suspicious overlap (stack)", () => {
  it("finds the same address in other spellings, blocks inside blocks, partial overlaps, across sets", () => {
    const entries = [
      ...trusted("hq", "8.8.8.0/24"),
      ...trusted("v6", "2a00:1450:4001::/48"),
      ...entriesOf(
        T.TrustedIpSet,
        "offices",
        { entries: [{ name: "vpn", ipAddress: "9.9.9.9/32" }] },
        "urn:offices",
      ),
      ...suspicious("one", "8.8.8.7"),
      ...entriesOf(
        T.SuspiciousIpSet,
        "feed",
        {
          entries: {
            "9.9.9.9": { name: "same", ipAddress: "9.9.9.9" },
            "2a00:1450:4001:1::1": { name: "v6", ipAddress: "2A00:1450:4001:1:0:0:0:1" },
            "8.8.9.0-8.8.9.9": { name: "clean", ipAddress: "8.8.9.0-8.8.9.9" },
            "8.8.0.0/16": { name: "wide", ipAddress: "8.8.0.0/16" },
          },
        },
        "urn:feed",
      ),
    ];
    const vs = trustedSuspiciousOverlap(entries);
    expect(vs.map((v) => [v.urn, v.message])).toEqual([
      [
        "urn:one",
        'SuspiciousIp "one" ipAddress "8.8.8.7" is suspicious, but TrustedIp "hq" ipAddress "8.8.8.0/24" trusts it ' +
          "(the suspicious 8.8.8.7 is inside the trusted 8.8.8.0/24): an address cannot be both",
      ],
      // The set's entries in address order: 8.8.0.0/16 before 9.9.9.9.
      [
        "urn:feed",
        expect.stringContaining(
          'TrustedIp "hq" ipAddress "8.8.8.0/24" trusts it (the trusted 8.8.8.0/24 is inside the suspicious 8.8.0.0/16)',
        ),
      ],
      [
        "urn:feed",
        'SuspiciousIpSet "feed" entry "same" (9.9.9.9) ipAddress "9.9.9.9" is suspicious, but TrustedIpSet "offices" ' +
          'entry "vpn" (9.9.9.9) ipAddress "9.9.9.9/32" trusts it (the same addresses): an address cannot be both',
      ],
      [
        "urn:feed",
        expect.stringContaining(
          "(the suspicious 2a00:1450:4001:1::1 is inside the trusted 2a00:1450:4001::/48)",
        ),
      ],
    ]);
  });

  it("reports partial overlaps and passes disjoint libraries", () => {
    const vs = trustedSuspiciousOverlap([
      ...trusted("t", "8.8.8.0-8.8.8.20"),
      ...suspicious("s", "8.8.8.10-8.8.8.30"),
    ]);
    expect(messages(vs)).toEqual([
      expect.stringContaining("(8.8.8.0-8.8.8.20 and 8.8.8.10-8.8.8.30 overlap)"),
    ]);
    expect(
      trustedSuspiciousOverlap([
        ...trusted("t", "8.8.8.0/24"),
        ...trusted("u", "0.0.0.0/1"), // wide, early: the sweep must still look past it
        ...suspicious("s", "200.1.1.1"),
        ...suspicious("v", "::1"),
        ...suspicious("w", UNKNOWN_STRING),
      ]),
    ).toEqual([]);
  });

  it("finds a suspicious entry inside an early wide trusted block past many narrow ones", () => {
    const many = Array.from({ length: 50 }, (_, i) => trusted(`t${i}`, `8.8.${i}.0/24`)).flat();
    const vs = trustedSuspiciousOverlap([
      ...trusted("wide", "1.0.0.0/4"),
      ...many,
      ...suspicious("s", "9.0.0.1"),
    ]);
    expect(messages(vs)).toEqual([
      expect.stringContaining('TrustedIp "wide" ipAddress "1.0.0.0/4" trusts it'),
    ]);
  });
});

describe("required metadata", () => {
  it("requires a description, and a category when configured, naming the field", () => {
    const cfg = { requireDescription: true, requireCategory: true };
    expect(
      messages(requiredMetadata(trusted("x", "8.8.8.8", { description: " ", categories: ["", " "] }), cfg)),
    ).toEqual([
      'TrustedIp "x" description is missing: every entry needs one',
      'TrustedIp "x" categories is empty: every entry needs at least one category',
    ]);
    expect(
      requiredMetadata(trusted("x", "8.8.8.8", { description: "HQ", categories: ["office"] }), cfg),
    ).toEqual([]);
    expect(
      requiredMetadata(
        trusted("x", "8.8.8.8", { description: UNKNOWN_STRING, categories: UNKNOWN_ARRAY }),
        cfg,
      ),
    ).toEqual([]);
    expect(requiredMetadata(trusted("x", "8.8.8.8", { categories: [UNKNOWN_STRING] }), cfg)).toHaveLength(1);
    expect(
      requiredMetadata(trusted("x", "8.8.8.8"), { requireDescription: false, requireCategory: false }),
    ).toEqual([]);
  });

  it("checks a set entry by entry", () => {
    const set = entriesOf(T.SuspiciousIpSet, "feed", {
      entries: [
        { name: "a", ipAddress: "1.2.3.4", description: "known bad" },
        { name: "b", ipAddress: "1.2.3.5" },
      ],
    });
    expect(messages(requiredMetadata(set, { requireDescription: true, requireCategory: false }))).toEqual([
      'SuspiciousIpSet "feed" entry "b" (1.2.3.5) description is missing: every entry needs one',
    ]);
  });
});

/** A ResourceValidationArgs as the policy server builds it, with the given pack config for the policy. */
function resourceArgs(
  type: string,
  name: string,
  props: object,
  config: object = {},
): ResourceValidationArgs {
  return {
    type,
    name,
    props,
    urn: `urn:${name}`,
    getConfig: () => config,
  } as unknown as ResourceValidationArgs;
}

function validate(
  p: ResourceValidationPolicy,
  type: string,
  name: string,
  props: object,
  config: object = {},
) {
  const got: string[] = [];
  const v = p.validateResource as (a: ResourceValidationArgs, r: (m: string) => void) => void;
  v(resourceArgs(type, name, props, config), (m) => got.push(m));
  return got;
}

describe("policy objects", () => {
  it("cloudlockPolicies lists every policy with its default level and a config schema with defaults", () => {
    const ps = cloudlockPolicies();
    expect(ps.map((p) => [p.name, p.enforcementLevel])).toEqual([
      [POLICY_NAMES.blockSize, "advisory"],
      [POLICY_NAMES.publicOnly, "mandatory"],
      [POLICY_NAMES.expiry, "advisory"],
      [POLICY_NAMES.overlap, "mandatory"],
      [POLICY_NAMES.metadata, "disabled"],
    ]);
    expect(ps[0].configSchema?.properties.ipv4MinPrefixLength.default).toBe(24);
    const custom = cloudlockPolicies({
      blockSize: { enforcementLevel: "mandatory", config: { ipv4MinPrefixLength: 28 } },
    });
    expect(custom[0].enforcementLevel).toBe("mandatory");
    expect(custom[0].configSchema?.properties.ipv4MinPrefixLength.default).toBe(28);
  });

  it("apply the pack config over the defaults, and refuse a bad config naming the field", () => {
    const p = trustedBlockSizePolicy();
    expect(validate(p, T.TrustedIp, "x", { ipAddress: "8.8.0.0/20" })).toHaveLength(1);
    expect(validate(p, T.TrustedIp, "x", { ipAddress: "8.8.0.0/20" }, { ipv4MinPrefixLength: 16 })).toEqual(
      [],
    );
    expect(() =>
      validate(p, T.TrustedIp, "x", { ipAddress: "8.8.8.8" }, { ipv4MinPrefixLength: 40 }),
    ).toThrow(
      "policy cloudlock-trusted-block-size config ipv4MinPrefixLength must be an integer from 0 to 32, got 40",
    );
    const pub = publicAddressesOnlyPolicy();
    expect(validate(pub, T.TrustedIp, "x", { ipAddress: "10.0.0.1" }, { refuse: ["loopback"] })).toEqual([]);
    expect(() => validate(pub, T.TrustedIp, "x", { ipAddress: "10.0.0.1" }, { refuse: ["lan"] })).toThrow(
      /config refuse must be a list of unspecified, loopback/,
    );
    expect(() =>
      validate(pub, T.TrustedIp, "x", { ipAddress: "10.0.0.1" }, { extraRanges: ["8.8.8.8"] }),
    ).toThrow(/config extraRanges must map labels to lists of blocks/);
    const meta = requiredMetadataPolicy();
    expect(validate(meta, T.TrustedIp, "x", { ipAddress: "8.8.8.8" })).toHaveLength(1);
    expect(validate(meta, T.TrustedIp, "x", { ipAddress: "8.8.8.8" }, { requireDescription: false })).toEqual(
      [],
    );
    expect(() => validate(meta, T.TrustedIp, "x", {}, { requireCategory: "yes" })).toThrow(
      'config requireCategory must be true or false, got "yes"',
    );
    const exp = suspiciousExpiryPolicy({ now: () => NOW });
    expect(validate(exp, T.SuspiciousIp, "s", { ipAddress: "1.2.3.4", expiresOn: at(100) })).toHaveLength(1);
    expect(
      validate(exp, T.SuspiciousIp, "s", { ipAddress: "1.2.3.4", expiresOn: at(100) }, { maxDays: 100 }),
    ).toEqual([]);
  });

  it("ignore resources of other types", () => {
    for (const p of cloudlockPolicies().filter((p): p is ResourceValidationPolicy => "validateResource" in p))
      expect(validate(p, "aws:ec2/eip:Eip", "x", { ipAddress: "10.0.0.0/8", name: "x" }, {})).toEqual([]);
  });
});

describe("through @pulumi/policy's analyzer", () => {
  const policies = cloudlockPolicies({
    expiry: { now: () => NOW },
    metadata: { enforcementLevel: "advisory", config: { requireCategory: true } },
  });

  it("reports every rule for a bad set entry by entry, at each policy's level", async () => {
    const ds = await analyze(policies, T.SuspiciousIpSet, "feed", {
      entries: {
        "10.0.0.1": {
          name: "lan",
          ipAddress: "10.0.0.1",
          expiresOn: at(10),
          description: "x",
          categories: ["c"],
        },
        "8.8.8.8": { name: "forever", ipAddress: "8.8.8.8" },
      },
    });
    expect(ds.map((d) => [d.policy, d.message])).toEqual([
      [
        POLICY_NAMES.publicOnly,
        expect.stringMatching(
          /^SuspiciousIpSet "feed" entry "lan" \(10\.0\.0\.1\) ipAddress "10\.0\.0\.1" is in 10\.0\.0\.0\/8/,
        ),
      ],
      [
        POLICY_NAMES.expiry,
        expect.stringMatching(/^SuspiciousIpSet "feed" entry "forever" \(8\.8\.8\.8\) expiresOn is missing/),
      ],
      [
        POLICY_NAMES.metadata,
        'SuspiciousIpSet "feed" entry "forever" (8.8.8.8) description is missing: every entry needs one',
      ],
      [
        POLICY_NAMES.metadata,
        'SuspiciousIpSet "feed" entry "forever" (8.8.8.8) categories is empty: every entry needs at least one category',
      ],
    ]);
    const levels = Object.fromEntries(ds.map((d) => [d.policy, d.level]));
    expect(levels[POLICY_NAMES.publicOnly]).toBe(analyzerproto.EnforcementLevel.MANDATORY);
    expect(levels[POLICY_NAMES.expiry]).toBe(analyzerproto.EnforcementLevel.ADVISORY);
  });

  it("passes a good resource", async () => {
    expect(
      await analyze(policies, T.TrustedIp, "hq", {
        name: "HQ",
        ipAddress: "8.8.8.0/24",
        description: "HQ",
        categories: ["office"],
      }),
    ).toEqual([]);
  });

  it("skips unknown values (behind the real proxy) without failing or reporting 'can't run'", async () => {
    const unknownEverything = {
      name: UNKNOWN_STRING,
      ipAddress: UNKNOWN_STRING,
      expiresOn: UNKNOWN_STRING,
      description: UNKNOWN_STRING,
      categories: UNKNOWN_ARRAY,
    };
    expect(await analyze(policies, T.SuspiciousIp, "s", unknownEverything)).toEqual([]);
    expect(await analyze(policies, T.TrustedIpSet, "s", { entries: UNKNOWN_ARRAY })).toEqual([]);
    const ds = await analyze(policies, T.TrustedIpSet, "s", {
      entries: [
        UNKNOWN_STRING,
        { name: UNKNOWN_STRING, ipAddress: "8.0.0.0/8", description: "d", categories: [UNKNOWN_STRING] },
      ],
    });
    expect(ds.map((d) => d.message)).toEqual([
      'TrustedIpSet "s" entry (8.0.0.0/8) ipAddress "8.0.0.0/8" is a /8 block (16,777,216 addresses): trusted IPv4 entries may be at most a /24 (256 addresses)',
    ]);
  });

  it("the stack policy reports an overlap against the suspicious resource, and skips unknowns", async () => {
    const ds = await analyzeStack(policies, [
      [T.TrustedIpSet, "offices", { entries: { "8.8.8.0/24": { name: "HQ", ipAddress: "8.8.8.0/24" } } }],
      [T.SuspiciousIp, "bad", { name: "bad", ipAddress: "8.8.8.9" }],
      [T.SuspiciousIp, "later", { name: "later", ipAddress: UNKNOWN_STRING }],
      ["aws:ec2/eip:Eip", "eip", { publicIp: UNKNOWN_STRING }],
    ]);
    expect(ds).toEqual([
      {
        policy: POLICY_NAMES.overlap,
        urn: `urn:pulumi:dev::p::${T.SuspiciousIp}::bad`,
        level: analyzerproto.EnforcementLevel.MANDATORY,
        message:
          'SuspiciousIp "bad" ipAddress "8.8.8.9" is suspicious, but TrustedIpSet "offices" entry "HQ" (8.8.8.0/24) ' +
          'ipAddress "8.8.8.0/24" trusts it (the suspicious 8.8.8.9 is inside the trusted 8.8.8.0/24): an address cannot be both',
      },
    ]);
    const none = await analyzeStack(
      [trustedSuspiciousOverlapPolicy()],
      [[T.TrustedIp, "a", { ipAddress: "8.8.8.8" }]],
    );
    expect(none).toEqual([]);
  });
});

describe("@pulumi/policy's typed helpers on our classes, through its analyzer", () => {
  it("validateResourceOfType(cloudlock.TrustedIp) runs for TrustedIp's token only", async () => {
    const seen: string[] = [];
    const policies: Policies = [
      {
        name: "typed",
        description: "sees trusted entries",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(cloudlock.TrustedIp, (ip, args, report) => {
          seen.push(args.type);
          report(`saw ${ip.ipAddress as unknown as string}`);
        }),
      },
    ];
    const ds = await analyze(policies, T.TrustedIp, "hq", { name: "HQ", ipAddress: "8.8.8.0/24" });
    expect(ds.map((d) => d.message)).toEqual(["saw 8.8.8.0/24"]);
    for (const other of [T.SuspiciousIp, T.TrustedIpSet, T.SuspiciousIpSet, "pulumi-nodejs:dynamic:Resource"])
      expect(await analyze(policies, other, "x", { name: "x", ipAddress: "8.8.8.8" })).toEqual([]);
    expect(seen).toEqual([T.TrustedIp]);
  });
});
