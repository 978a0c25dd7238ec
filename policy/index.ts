/**
 * Policy as code for Cloudlock's IP libraries, on `@pulumi/policy`: guard rails that `pulumi preview` and
 * `pulumi up` enforce before anything reaches Cloudlock. Each rule covers the per-entry resources
 * (`TrustedIp`, `SuspiciousIp`) and every entry of the sets (`TrustedIpSet`, `SuspiciousIpSet`) on both routes,
 * the dynamic SDK's types (`pulumi-nodejs:dynamic/cloudlock:TrustedIp`, ...) and the native plugin's
 * (`cloudlock:index:TrustedIp`, ..., declared from YAML or a generated SDK), with the same verdicts and messages.
 * It names the resource, the entry and the field, and skips values not known during preview.
 *
 * ```ts
 * import { PolicyPack } from "@pulumi/policy";
 * import { cloudlockPolicies } from "pulumi-cloudlock/policy";
 * new PolicyPack("cloudlock", { policies: cloudlockPolicies() });
 * ```
 *
 * Only types are taken from `@pulumi/policy` here: the pack that uses these policies brings it.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  Policies,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  CLOUDLOCK_PLUGIN_TYPES,
  CLOUDLOCK_TYPES,
  CloudlockType,
  Entry,
  Library,
  Maybe,
  UNKNOWN,
  classify,
  entriesOf,
} from "./entries";
import {
  Embedding,
  IPV4_EMBEDDINGS,
  NON_PUBLIC_RANGES,
  NamedRange,
  ParsedRange,
  RANGE_GROUPS,
  RangeGroup,
  refusedRanges,
} from "../provider/ranges";
import {
  BlockSizeConfig,
  ExpiryConfig,
  MetadataConfig,
  Violation,
  publicAddressesOnly,
  requiredMetadata,
  suspiciousExpiry,
  trustedBlockSize,
  trustedSuspiciousOverlap,
} from "./rules";

/*
 * The rules as plain functions, and everything needed to call them without the policy engine:
 * `entriesOf` (a resource's properties to `Entry` values; or build them by hand, with `UNKNOWN` for a value
 * not known yet) and `refusedRanges` (the `ParsedRange` list `publicAddressesOnly` takes):
 *
 *   publicAddressesOnly(entriesOf(CLOUDLOCK_TYPES.TrustedIp, "hq", props), refusedRanges([...RANGE_GROUPS]))
 *
 * (`CLOUDLOCK_PLUGIN_TYPES.TrustedIp` for the plugin's resource gives the same entries.) Each is documented
 * where it is declared.
 */
export {
  CLOUDLOCK_PLUGIN_TYPES,
  CLOUDLOCK_TYPES,
  classify,
  entriesOf,
  IPV4_EMBEDDINGS,
  NON_PUBLIC_RANGES,
  RANGE_GROUPS,
  refusedRanges,
  UNKNOWN,
};
export type {
  BlockSizeConfig,
  CloudlockType,
  Embedding,
  Entry,
  ExpiryConfig,
  Library,
  Maybe,
  MetadataConfig,
  NamedRange,
  ParsedRange,
  RangeGroup,
  Violation,
};
export {
  publicAddressesOnly,
  requiredMetadata,
  suspiciousExpiry,
  trustedBlockSize,
  trustedSuspiciousOverlap,
};

/** The policies' names, as `--policy-pack-config` files key them. */
export const POLICY_NAMES = {
  blockSize: "cloudlock-trusted-block-size",
  publicOnly: "cloudlock-public-addresses-only",
  expiry: "cloudlock-suspicious-expiry",
  overlap: "cloudlock-trusted-suspicious-overlap",
  metadata: "cloudlock-entry-metadata",
} as const;

/** What every policy function accepts: the enforcement level, and defaults for its config. */
export interface PolicyOptions<C> {
  /** Default level; `--policy-pack-config` may override it. */
  enforcementLevel?: EnforcementLevel;
  /** Defaults for the config (what `--policy-pack-config` leaves out). */
  config?: Partial<C>;
}

/** Config of {@link publicAddressesOnlyPolicy}. */
export interface PublicOnlyConfig {
  /** Groups of non-public ranges to refuse (default: all of {@link RANGE_GROUPS}). */
  refuse: string[];
  /** More ranges to refuse, by label: `{ "corporate NAT": ["100.100.0.0/16"] }`. */
  extraRanges: Record<string, string[]>;
}

/** Why a config value is refused (a checker returns it instead of the value). */
class Refused {
  constructor(readonly reason: string) {}
}
type Checker<C> = (value: unknown) => C[keyof C] | Refused;

/**
 * The effective config: `defaults` overlaid with what the pack config gives. The CLI validates the pack config
 * against `configSchema` already; this check is for packs run without it, and names the field.
 */
function settings<C extends object>(
  policy: string,
  defaults: C,
  given: Record<string, unknown>,
  checks: { [K in keyof C]: Checker<C> },
): C {
  const out = { ...defaults };
  for (const key of Object.keys(checks) as (keyof C & string)[]) {
    if (given[key] === undefined) continue;
    const v = checks[key](given[key]);
    if (v instanceof Refused) throw new Error(`policy ${policy} config ${key} ${v.reason}`);
    out[key] = v as C[keyof C & string];
  }
  return out;
}

const integer =
  (min: number, max: number) =>
  (v: unknown): number | Refused =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : new Refused(`must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
const boolean = (v: unknown): boolean | Refused =>
  typeof v === "boolean" ? v : new Refused(`must be true or false, got ${JSON.stringify(v)}`);

/** A resource policy over every Cloudlock entry of a resource, one rule applied entry by entry. */
function entryPolicy<C extends object>(
  name: string,
  description: string,
  level: EnforcementLevel,
  configSchema: PolicyConfigSchema,
  config: (args: ResourceValidationArgs) => C,
  rule: (entries: Entry[], cfg: C) => Violation[],
): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: level,
    configSchema,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      if (!classify(args.type)) return;
      const entries = entriesOf(args.type, args.name, args.props, args.urn);
      if (entries.length === 0) return;
      for (const v of rule(entries, config(args))) report(v.message);
    },
  };
}

/**
 * Trusted entries no wider than a /N block: IPv4 and IPv6 separately (defaults /24 and /48). A range counts by
 * its number of addresses (at most as many as a /N block holds), not by the smallest block covering it.
 * Config: `ipv4MinPrefixLength` (0–32), `ipv6MinPrefixLength` (0–128). Default level: advisory.
 */
export function trustedBlockSizePolicy(opts: PolicyOptions<BlockSizeConfig> = {}): ResourceValidationPolicy {
  const defaults: BlockSizeConfig = { ipv4MinPrefixLength: 24, ipv6MinPrefixLength: 48, ...opts.config };
  return entryPolicy(
    POLICY_NAMES.blockSize,
    "Trusted IP entries may be no wider than a configured block size (IPv4 and IPv6 separately).",
    opts.enforcementLevel ?? "advisory",
    {
      properties: {
        ipv4MinPrefixLength: {
          type: "integer",
          minimum: 0,
          maximum: 32,
          default: defaults.ipv4MinPrefixLength,
        },
        ipv6MinPrefixLength: {
          type: "integer",
          minimum: 0,
          maximum: 128,
          default: defaults.ipv6MinPrefixLength,
        },
      },
    },
    (args) =>
      settings(POLICY_NAMES.blockSize, defaults, args.getConfig<Record<string, unknown>>(), {
        ipv4MinPrefixLength: integer(0, 32),
        ipv6MinPrefixLength: integer(0, 128),
      }),
    trustedBlockSize,
  );
}

/**
 * No entry, trusted or suspicious, in loopback, private (with shared and unique-local), link-local, multicast,
 * unspecified, reserved or documentation ranges ({@link NON_PUBLIC_RANGES}): Cloudlock sees the public source
 * addresses of SaaS activity, so such an entry never matches. The message names the range. Config: `refuse`
 * (the groups to refuse), `extraRanges` (`{ label: [block or range, …] }`). Default level: mandatory.
 */
export function publicAddressesOnlyPolicy(
  opts: PolicyOptions<PublicOnlyConfig> = {},
): ResourceValidationPolicy {
  const defaults: PublicOnlyConfig = { refuse: [...RANGE_GROUPS], extraRanges: {}, ...opts.config };
  return entryPolicy(
    POLICY_NAMES.publicOnly,
    "IP entries must be public addresses: no loopback, private, link-local, multicast, unspecified, reserved " +
      "or documentation ranges.",
    opts.enforcementLevel ?? "mandatory",
    {
      properties: {
        refuse: {
          type: "array",
          items: { type: "string", enum: [...RANGE_GROUPS] },
          uniqueItems: true,
          default: defaults.refuse,
        },
        extraRanges: {
          type: "object",
          additionalProperties: { type: "array", items: { type: "string" } },
          default: defaults.extraRanges,
        },
      },
    },
    (args) => {
      const c = settings(POLICY_NAMES.publicOnly, defaults, args.getConfig<Record<string, unknown>>(), {
        refuse: (v) =>
          Array.isArray(v) && v.every((g) => (RANGE_GROUPS as readonly string[]).includes(g))
            ? (v as string[])
            : new Refused(`must be a list of ${RANGE_GROUPS.join(", ")}; got ${JSON.stringify(v)}`),
        extraRanges: (v) =>
          v !== null &&
          typeof v === "object" &&
          !Array.isArray(v) &&
          Object.values(v).every((l) => Array.isArray(l) && l.every((s) => typeof s === "string"))
            ? (v as Record<string, string[]>)
            : new Refused(
                `must map labels to lists of blocks, e.g. {"corporate NAT": ["100.100.0.0/16"]}; got ${JSON.stringify(v)}`,
              ),
      });
      return refusedRanges(c.refuse, c.extraRanges);
    },
    publicAddressesOnly,
  );
}

/**
 * A suspicious entry must expire within `maxDays` days (default 90) of the preview, and one without `expiresOn`
 * violates it. Default level: advisory.
 */
export function suspiciousExpiryPolicy(
  opts: PolicyOptions<ExpiryConfig> & { now?: () => number } = {},
): ResourceValidationPolicy {
  const defaults: ExpiryConfig = { maxDays: 90, ...opts.config };
  const now = opts.now ?? Date.now;
  return entryPolicy(
    POLICY_NAMES.expiry,
    "Suspicious IP entries must expire, within a configured number of days.",
    opts.enforcementLevel ?? "advisory",
    { properties: { maxDays: { type: "integer", minimum: 1, maximum: 36500, default: defaults.maxDays } } },
    (args) =>
      settings(POLICY_NAMES.expiry, defaults, args.getConfig<Record<string, unknown>>(), {
        maxDays: integer(1, 36500),
      }),
    (entries, cfg) => suspiciousExpiry(entries, cfg, now()),
  );
}

/**
 * No address both trusted and suspicious anywhere in the stack, across per-entry resources and sets, compared
 * as sets of addresses (a block meets every address inside it). A stack policy. Default level: mandatory.
 */
export function trustedSuspiciousOverlapPolicy(
  opts: { enforcementLevel?: EnforcementLevel } = {},
): StackValidationPolicy {
  return {
    name: POLICY_NAMES.overlap,
    description: "No address may be both trusted and suspicious in the same stack.",
    enforcementLevel: opts.enforcementLevel ?? "mandatory",
    configSchema: { properties: {} },
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const entries = args.resources.flatMap((r) => entriesOf(r.type, r.name, r.props, r.urn));
      for (const v of trustedSuspiciousOverlap(entries)) report(v.message, v.urn);
    },
  };
}

/**
 * Every entry must have a description (`requireDescription`, default true) and/or at least one category
 * (`requireCategory`, default false). Off by default (`enforcementLevel: "disabled"`): turn it on in code or
 * with `--policy-pack-config`.
 */
export function requiredMetadataPolicy(opts: PolicyOptions<MetadataConfig> = {}): ResourceValidationPolicy {
  const defaults: MetadataConfig = { requireDescription: true, requireCategory: false, ...opts.config };
  return entryPolicy(
    POLICY_NAMES.metadata,
    "IP entries must have a description and/or a category (as configured).",
    opts.enforcementLevel ?? "disabled",
    {
      properties: {
        requireDescription: { type: "boolean", default: defaults.requireDescription },
        requireCategory: { type: "boolean", default: defaults.requireCategory },
      },
    },
    (args) =>
      settings(POLICY_NAMES.metadata, defaults, args.getConfig<Record<string, unknown>>(), {
        requireDescription: boolean,
        requireCategory: boolean,
      }),
    requiredMetadata,
  );
}

/** Options of {@link cloudlockPolicies}: each policy's own, by short name. */
export interface CloudlockPoliciesOptions {
  blockSize?: PolicyOptions<BlockSizeConfig>;
  publicOnly?: PolicyOptions<PublicOnlyConfig>;
  /** `now` is the clock the expiry limit counts from (default: this machine's). */
  expiry?: PolicyOptions<ExpiryConfig> & { now?: () => number };
  overlap?: { enforcementLevel?: EnforcementLevel };
  metadata?: PolicyOptions<MetadataConfig>;
}

/**
 * Every Cloudlock policy, ready for `new PolicyPack(name, { policies: cloudlockPolicies() })`: block size
 * (advisory), public addresses only (mandatory), suspicious expiry (advisory), trusted/suspicious overlap
 * (mandatory), required metadata (disabled).
 */
export function cloudlockPolicies(opts: CloudlockPoliciesOptions = {}): Policies {
  return [
    trustedBlockSizePolicy(opts.blockSize),
    publicAddressesOnlyPolicy(opts.publicOnly),
    suspiciousExpiryPolicy(opts.expiry),
    trustedSuspiciousOverlapPolicy(opts.overlap),
    requiredMetadataPolicy(opts.metadata),
  ];
}
