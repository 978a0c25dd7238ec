/**
 * Every policy on both routes: the dynamic SDK's resources (`pulumi-nodejs:dynamic/cloudlock:*`) and the
 * plugin's (`cloudlock:index:*`, from YAML or a generated SDK), through `@pulumi/policy`'s analyzer, with the
 * properties each route hands a policy. Both routes' providers share one check, so the engine passes the same
 * shapes (captured through the CLI with a pack that dumps what it sees): a per-entry resource's fields by the
 * schema's names, a set's entries keyed by canonical address; the stack policy reads outputs, which after `up`
 * carry pks and computed fields too. Each rule must give the same verdicts and the same messages on both.
 */
import type { Policies } from "@pulumi/policy";
import {
  CLOUDLOCK_PLUGIN_TYPES,
  CLOUDLOCK_TYPES,
  CloudlockType,
  POLICY_NAMES,
  classify,
  cloudlockPolicies,
  entriesOf,
} from "../../policy";
import { FUNCTION_TOKENS, PACKAGE, ROUTE_TOKENS } from "../../provider/model";
import { analyze, analyzeStack, analyzerproto } from "../helpers/policy-analyzer";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString();
const { ADVISORY, MANDATORY } = analyzerproto.EnforcementLevel;

const ROUTES = [
  ["dynamic SDK", CLOUDLOCK_TYPES],
  ["plugin", CLOUDLOCK_PLUGIN_TYPES],
] as const;

/** Every policy on, at its default level but the metadata one (off by default), with a fixed clock. */
const policies: Policies = cloudlockPolicies({
  expiry: { now: () => NOW },
  metadata: { enforcementLevel: "advisory", config: { requireCategory: true } },
});

/** The reported [policy, message, level] of each violation. */
const reported = (ds: { policy: string; message: string; level: number }[]) =>
  ds.map((d) => [d.policy, d.message, d.level]);

describe("our type tokens, from the model", () => {
  it("both routes' tokens name the same kinds, and nothing else of the plugin's package is ours", () => {
    const kinds = Object.keys(CLOUDLOCK_TYPES) as CloudlockType[];
    for (const kind of kinds) {
      expect(classify(CLOUDLOCK_PLUGIN_TYPES[kind])).toEqual(classify(CLOUDLOCK_TYPES[kind]));
      expect(classify(CLOUDLOCK_PLUGIN_TYPES[kind])?.kind).toBe(kind);
    }
    // Every token of every route the model knows is recognised: 4 kinds × 2 routes.
    const tokens = Object.values(ROUTE_TOKENS).flatMap((t) => Object.values(t));
    expect(new Set(tokens).size).toBe(8);
    expect(tokens.every((t) => classify(t) !== undefined)).toBe(true);
    for (const other of [
      `pulumi:providers:${PACKAGE}`,
      FUNCTION_TOKENS.trusted,
      `${PACKAGE}:index:TrustedIpSetEntry`,
      "cloudlock:TrustedIp",
      "pulumi-nodejs:dynamic:Resource",
    ])
      expect(classify(other)).toBeUndefined();
  });

  it("entriesOf reads a plugin resource as its dynamic counterpart", () => {
    const props = { entries: { "8.8.8.0/24": { name: "HQ", ipAddress: "8.8.8.0/24" } }, mode: "additive" };
    expect(entriesOf(CLOUDLOCK_PLUGIN_TYPES.TrustedIpSet, "offices", props, "urn:x")).toEqual(
      entriesOf(CLOUDLOCK_TYPES.TrustedIpSet, "offices", props, "urn:x"),
    );
    expect(entriesOf(CLOUDLOCK_PLUGIN_TYPES.TrustedIpSet, "offices", props)[0].where).toBe(
      'TrustedIpSet "offices" entry "HQ" (8.8.8.0/24)',
    );
  });
});

describe.each(ROUTES)("every rule on the %s's resources", (_route, T) => {
  it("trusted block size: a wide per-entry resource and a wide set entry, advisory", async () => {
    const one = await analyze(policies, T.TrustedIp, "corp", {
      name: "Corp",
      ipAddress: "8.8.0.0/16",
      description: "d",
      categories: ["c"],
    });
    const set = await analyze(policies, T.TrustedIpSet, "offices", {
      entries: {
        "8.8.8.0/24": { name: "HQ", ipAddress: "8.8.8.0/24", description: "d", categories: ["c"] },
        "9.9.0.0/20": { name: "Wide", ipAddress: "9.9.0.0/20", description: "d", categories: ["c"] },
      },
      mode: "additive",
    });
    const limit = "trusted IPv4 entries may be at most a /24 (256 addresses)";
    expect(reported([...one, ...set])).toEqual([
      [
        POLICY_NAMES.blockSize,
        `TrustedIp "corp" (entry "Corp") ipAddress "8.8.0.0/16" is a /16 block (65,536 addresses): ${limit}`,
        ADVISORY,
      ],
      [
        POLICY_NAMES.blockSize,
        `TrustedIpSet "offices" entry "Wide" (9.9.0.0/20) ipAddress "9.9.0.0/20" is a /20 block (4,096 addresses): ${limit}`,
        ADVISORY,
      ],
    ]);
  });

  it("public addresses only: a private per-entry resource and a unique-local set entry, mandatory", async () => {
    const good = { expiresOn: at(10), description: "d", categories: ["c"] };
    const one = await analyze(policies, T.SuspiciousIp, "lan", {
      name: "lan",
      ipAddress: "10.1.2.3",
      ...good,
    });
    const set = await analyze(policies, T.SuspiciousIpSet, "feed", {
      entries: {
        "45.33.32.156": { name: "Scanner", ipAddress: "45.33.32.156", ...good },
        "fd00::1": { name: "ULA", ipAddress: "fd00::1", ...good },
      },
      mode: "additive",
    });
    const why =
      "Cloudlock matches the public source addresses of SaaS activity, so this entry can never match";
    expect(reported([...one, ...set])).toEqual([
      [
        POLICY_NAMES.publicOnly,
        `SuspiciousIp "lan" ipAddress "10.1.2.3" is in 10.0.0.0/8, private (RFC 1918): ${why}`,
        MANDATORY,
      ],
      [
        POLICY_NAMES.publicOnly,
        `SuspiciousIpSet "feed" entry "ULA" (fd00::1) ipAddress "fd00::1" is in fc00::/7, unique local (RFC 4193): ${why}`,
        MANDATORY,
      ],
    ]);
  });

  it("suspicious expiry: a per-entry resource without expiresOn and a set entry too far ahead, advisory", async () => {
    const meta = { description: "d", categories: ["c"] };
    const one = await analyze(policies, T.SuspiciousIp, "forever", {
      name: "Forever",
      ipAddress: "45.33.32.156",
      ...meta,
    });
    const set = await analyze(policies, T.SuspiciousIpSet, "feed", {
      entries: {
        "45.33.32.157": { name: "Soon", ipAddress: "45.33.32.157", expiresOn: at(10), ...meta },
        "45.33.32.158": { name: "Late", ipAddress: "45.33.32.158", expiresOn: at(200), ...meta },
      },
      mode: "additive",
    });
    const limit = "suspicious entries must expire within 90 days (by 2026-08-30T00:00:00.000Z)";
    expect(reported([...one, ...set])).toEqual([
      [
        POLICY_NAMES.expiry,
        `SuspiciousIp "forever" (entry "Forever") expiresOn is missing: ${limit}`,
        ADVISORY,
      ],
      [
        POLICY_NAMES.expiry,
        `SuspiciousIpSet "feed" entry "Late" (45.33.32.158) expiresOn "${at(200)}" is 200 days away: ${limit}`,
        ADVISORY,
      ],
    ]);
  });

  it("trusted/suspicious overlap: the stack's outputs after up, reported against the suspicious resource, mandatory", async () => {
    // Outputs as the providers write them: pks, computed fields, the set's count.
    const computed = { location: "Canada Toronto", createdOn: at(-1), updatedOn: at(-1) };
    const ds = await analyzeStack(policies, [
      [
        T.TrustedIpSet,
        "offices",
        {
          count: 1,
          entries: { "8.8.8.0/24": { name: "HQ", ipAddress: "8.8.8.0/24", pk: "pk1" } },
          mode: "additive",
        },
      ],
      [
        T.SuspiciousIp,
        "bad",
        { name: "bad", ipAddress: "8.8.8.9", expiresOn: at(10), type: "suspicious", ...computed },
      ],
      [
        T.SuspiciousIpSet,
        "feed",
        {
          count: 1,
          entries: { "9.9.9.9": { name: "Far", ipAddress: "9.9.9.9", expiresOn: at(10), pk: "pk2" } },
          mode: "additive",
        },
      ],
      [T.TrustedIp, "hq", { name: "hq", ipAddress: "2a00:1450::1", type: "trusted", ...computed }],
    ]);
    expect(ds).toEqual([
      {
        policy: POLICY_NAMES.overlap,
        urn: `urn:pulumi:dev::p::${T.SuspiciousIp}::bad`,
        level: MANDATORY,
        message:
          'SuspiciousIp "bad" ipAddress "8.8.8.9" is suspicious, but TrustedIpSet "offices" entry "HQ" (8.8.8.0/24) ' +
          'ipAddress "8.8.8.0/24" trusts it (the suspicious 8.8.8.9 is inside the trusted 8.8.8.0/24): an address ' +
          "cannot be both",
      },
    ]);
  });

  it("required metadata (when turned on): a per-entry resource without a description, a set entry without a category", async () => {
    const one = await analyze(policies, T.TrustedIp, "hq", {
      name: "hq",
      ipAddress: "8.8.8.8",
      categories: ["c"],
    });
    const set = await analyze(policies, T.TrustedIpSet, "offices", {
      entries: { "8.8.4.4": { name: "DNS", ipAddress: "8.8.4.4", description: "d", categories: [] } },
      mode: "additive",
    });
    expect(reported([...one, ...set])).toEqual([
      [POLICY_NAMES.metadata, 'TrustedIp "hq" description is missing: every entry needs one', ADVISORY],
      [
        POLICY_NAMES.metadata,
        'TrustedIpSet "offices" entry "DNS" (8.8.4.4) categories is empty: every entry needs at least one category',
        ADVISORY,
      ],
    ]);
  });

  it("a resource that keeps every rule passes them all", async () => {
    const ok = { description: "d", categories: ["c"] };
    expect(
      await analyze(policies, T.TrustedIp, "hq", { name: "HQ", ipAddress: "8.8.8.0/24", ...ok }),
    ).toEqual([]);
    expect(
      await analyze(policies, T.SuspiciousIpSet, "feed", {
        entries: { "45.33.32.156": { name: "S", ipAddress: "45.33.32.156", expiresOn: at(10), ...ok } },
        mode: "additive",
      }),
    ).toEqual([]);
  });
});
