/**
 * Every policy on both routes: the dynamic SDK's resources (`pulumi-nodejs:dynamic/cloudlock:*`) and the
 * plugin's (`cloudlock:index:*`, from YAML or a generated SDK), through `@pulumi/policy`'s analyzer, with the
 * properties each route hands a policy (captured through the CLI with a pack that dumps what it sees). Both
 * routes' providers share one check, so the engine usually passes the same shapes: a per-entry resource's fields
 * by the schema's names, a set's entries keyed by canonical address. But a plugin resource whose provider's
 * settings are not known at preview (an explicit provider configured from another resource's output) skips the
 * check, and the policy sees the program's inputs: a set's entries as the list written. The stack policy reads
 * outputs, which after `up` carry pks and computed fields too. Each rule must give the same verdicts and the same
 * messages, in the same order, whichever route and shape.
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
import { canonicalAddress } from "../../provider/address";
import { FUNCTION_TOKENS, PACKAGE, RESOURCE_TYPES } from "../../provider/tokens";
import { analyze, analyzeStack, analyzerproto } from "../helpers/policy-analyzer";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY).toISOString();
const { ADVISORY, MANDATORY } = analyzerproto.EnforcementLevel;

type SetEntry = { ipAddress: string } & Record<string, unknown>;
/** A set's properties after the providers' check (and in outputs): entries keyed by canonical address. */
const keyed = (entries: SetEntry[]) => ({
  entries: Object.fromEntries(entries.map((e) => [canonicalAddress(e.ipAddress), e])),
  mode: "additive",
});
/** A set's properties when the engine skips the check: the program's inputs, entries as written. */
const listed = (entries: SetEntry[]) => ({ entries });

const ROUTES = [
  ["dynamic SDK", CLOUDLOCK_TYPES, keyed],
  ["plugin", CLOUDLOCK_PLUGIN_TYPES, keyed],
  ["plugin, with its provider's settings unknown at preview", CLOUDLOCK_PLUGIN_TYPES, listed],
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
    const tokens = [...RESOURCE_TYPES.keys()];
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

describe.each(ROUTES)("every rule on the %s's resources", (_route, T, set) => {
  it("trusted block size: a wide per-entry resource and a wide set entry, advisory", async () => {
    const one = await analyze(policies, T.TrustedIp, "corp", {
      name: "Corp",
      ipAddress: "8.8.0.0/16",
      description: "d",
      categories: ["c"],
    });
    const many = await analyze(
      policies,
      T.TrustedIpSet,
      "offices",
      set([
        { name: "Wide", ipAddress: "9.9.0.0-9.9.15.255", description: "d", categories: ["c"] },
        { name: "HQ", ipAddress: "8.8.8.0/24", description: "d", categories: ["c"] },
      ]),
    );
    const limit = "trusted IPv4 entries may be at most a /24 (256 addresses)";
    expect(reported([...one, ...many])).toEqual([
      [
        POLICY_NAMES.blockSize,
        `TrustedIp "corp" (entry "Corp") ipAddress "8.8.0.0/16" is a /16 block (65,536 addresses): ${limit}`,
        ADVISORY,
      ],
      [
        POLICY_NAMES.blockSize,
        `TrustedIpSet "offices" entry "Wide" (9.9.0.0/20) ipAddress "9.9.0.0-9.9.15.255" is a /20 block (4,096 addresses): ${limit}`,
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
    const many = await analyze(
      policies,
      T.SuspiciousIpSet,
      "feed",
      set([
        { name: "ULA", ipAddress: "FD00:0:0:0:0:0:0:1", ...good },
        { name: "Scanner", ipAddress: "45.33.32.156", ...good },
      ]),
    );
    const why =
      "Cloudlock matches the public source addresses of SaaS activity, so this entry can never match";
    expect(reported([...one, ...many])).toEqual([
      [
        POLICY_NAMES.publicOnly,
        `SuspiciousIp "lan" ipAddress "10.1.2.3" is in 10.0.0.0/8, private (RFC 1918): ${why}`,
        MANDATORY,
      ],
      [
        POLICY_NAMES.publicOnly,
        `SuspiciousIpSet "feed" entry "ULA" (fd00::1) ipAddress "FD00:0:0:0:0:0:0:1" is in fc00::/7, unique local (RFC 4193): ${why}`,
        MANDATORY,
      ],
    ]);
  });

  it("suspicious expiry: a per-entry resource without expiresOn and set entries too far ahead, advisory, in address order", async () => {
    const meta = { description: "d", categories: ["c"] };
    const one = await analyze(policies, T.SuspiciousIp, "forever", {
      name: "Forever",
      ipAddress: "45.33.32.156",
      ...meta,
    });
    const many = await analyze(
      policies,
      T.SuspiciousIpSet,
      "feed",
      set([
        { name: "Later", ipAddress: "45.33.32.159", expiresOn: at(300), ...meta },
        { name: "Soon", ipAddress: "45.33.32.157", expiresOn: at(10), ...meta },
        { name: "Late", ipAddress: "45.33.32.158", expiresOn: at(200), ...meta },
      ]),
    );
    const limit = "suspicious entries must expire within 90 days (by 2026-08-30T00:00:00.000Z)";
    expect(reported([...one, ...many])).toEqual([
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
      [
        POLICY_NAMES.expiry,
        `SuspiciousIpSet "feed" entry "Later" (45.33.32.159) expiresOn "${at(300)}" is 300 days away: ${limit}`,
        ADVISORY,
      ],
    ]);
  });

  it("trusted/suspicious overlap: reported against the suspicious resource, mandatory", async () => {
    // As outputs after `up` carry them: pks, computed fields.
    const computed = { location: "Canada Toronto", createdOn: at(-1), updatedOn: at(-1) };
    const ds = await analyzeStack(policies, [
      [T.TrustedIpSet, "offices", set([{ name: "HQ", ipAddress: "8.8.8.0/24", pk: "pk1" }])],
      [
        T.SuspiciousIp,
        "bad",
        { name: "bad", ipAddress: "8.8.8.9", expiresOn: at(10), type: "suspicious", ...computed },
      ],
      [T.SuspiciousIpSet, "feed", set([{ name: "Far", ipAddress: "9.9.9.9", expiresOn: at(10), pk: "pk2" }])],
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
    const many = await analyze(
      policies,
      T.TrustedIpSet,
      "offices",
      set([{ name: "DNS", ipAddress: "8.8.4.4", description: "d", categories: [] }]),
    );
    expect(reported([...one, ...many])).toEqual([
      [POLICY_NAMES.metadata, 'TrustedIp "hq" description is missing: every entry needs one', ADVISORY],
      [
        POLICY_NAMES.metadata,
        'TrustedIpSet "offices" entry "DNS" (8.8.4.4) categories is empty: every entry needs at least one category',
        ADVISORY,
      ],
    ]);
  });

  it("resources that keep every rule pass them all", async () => {
    const ok = { description: "d", categories: ["c"] };
    expect(
      await analyze(policies, T.TrustedIp, "hq", { name: "HQ", ipAddress: "8.8.8.0/24", ...ok }),
    ).toEqual([]);
    expect(
      await analyze(
        policies,
        T.SuspiciousIpSet,
        "feed",
        set([{ name: "S", ipAddress: "45.33.32.156", expiresOn: at(10), ...ok }]),
      ),
    ).toEqual([]);
  });
});
