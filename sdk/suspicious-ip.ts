import * as pulumi from "@pulumi/pulumi";
import { guardAddress } from "./conflicts";
import { IpEntryArgs, checkOnlyInputs, outputsOf } from "./common";

import { suspiciousProvider as provider } from "./provider";
import { LABEL, MODULE, TYPE_TOKENS } from "../provider/tokens";

/** Every output of the resource, so `get()` creates them all. */
const OUTPUTS = outputsOf("suspicious");

/** Inputs of a {@link SuspiciousIp}. */
export interface SuspiciousIpArgs extends IpEntryArgs {
  /**
   * When Cloudlock removes the entry: an ISO-8601 string such as
   * `2027-01-01T00:00:00Z`, or a Date. Must be in the future for a new entry. Once it passes, the entry
   * leaves Cloudlock on schedule: that is not drift, and Pulumi warns that the
   * declaration can go. Left out, the expiry is Cloudlock's (none, or a default
   * of its own): shown in the `expiresOn` output, never a diff.
   */
  expiresOn?: pulumi.Input<string | Date>;
}

// An invalid Date stays visible as "Invalid Date", for check to refuse by field (toISOString would throw).
const iso = (v: string | Date) =>
  v instanceof Date ? (Number.isNaN(v.getTime()) ? String(v) : v.toISOString()) : v;

/** A Date input as an ISO string. (pulumi.output() would flatten a plain Date to {}, so convert first.) */
function isoInput(v: pulumi.Input<string | Date>): pulumi.Output<string> {
  if (v instanceof Date || typeof v === "string") return pulumi.output(iso(v));
  if (pulumi.Output.isInstance(v)) return (v as pulumi.Output<string | Date>).apply(iso);
  return pulumi.output(Promise.resolve(v).then(iso));
}

/**
 * An entry of Cloudlock's Suspicious IP library (threat feeds), optionally
 * expiring. The resource id is the entry's pk.
 *
 * ```ts
 * new SuspiciousIp("tor-exit", { name: "TOR exit", ipAddress: "203.0.113.7", expiresOn: "2027-01-01T00:00:00Z" });
 * ```
 * Changing `name` replaces the entry (Cloudlock cannot rename suspicious
 * entries); every other field changes in place.
 */
export class SuspiciousIp extends pulumi.dynamic.Resource {
  /** The engine's type token of this resource, as `@pulumi/policy`'s `validateResourceOfType` matches it. */
  static readonly __pulumiType = TYPE_TOKENS.SuspiciousIp;

  /**
   * True for a SuspiciousIp (or anything carrying its type token, as policy packs pass it), across copies of
   * this package.
   */
  static isInstance(obj: unknown): obj is SuspiciousIp {
    return (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType === SuspiciousIp.__pulumiType;
  }
  /** Entry name (changing it replaces the entry). */
  declare readonly name: pulumi.Output<string>;
  /** The address as declared (or as Cloudlock holds it, after drift). */
  declare readonly ipAddress: pulumi.Output<string>;
  /** Internal short description. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** Categories, in the declared order. */
  declare readonly categories: pulumi.Output<string[] | undefined>;
  /** Expiry, UTC ISO-8601, if any: the declared one, or Cloudlock's own when none is declared. */
  declare readonly expiresOn: pulumi.Output<string | undefined>;
  /** The pk this resource adopted, if it adopted an existing entry. */
  declare readonly adoptId: pulumi.Output<string | undefined>;
  /** Location computed by Cloudlock from the address. */
  declare readonly location: pulumi.Output<string>;
  /** Always "suspicious". */
  declare readonly type: pulumi.Output<string>;
  /** Creation time, UTC ISO-8601. */
  declare readonly createdOn: pulumi.Output<string>;
  /** Last update, UTC ISO-8601. */
  declare readonly updatedOn: pulumi.Output<string>;

  /**
   * @param name Pulumi resource name (unique in the stack).
   * @param args The entry.
   * @param opts Resource options.
   */
  constructor(name: string, args: SuspiciousIpArgs, opts?: pulumi.CustomResourceOptions) {
    const expiresOn = args?.expiresOn === undefined ? undefined : isoInput(args.expiresOn);
    const self: { resource?: SuspiciousIp } = {};
    const addressConflict = guardAddress("suspicious", name, args, opts, () => self.resource);
    super(
      provider,
      name,
      { ...OUTPUTS, ...args, addressConflict, expiresOn, ...checkOnlyInputs("suspicious", name, opts) },
      opts,
      MODULE,
      LABEL.suspicious,
    );
    self.resource = this;
    // Whether the expiry has passed is Cloudlock's clock to say: the provider warns when it reads such an entry.
  }

  /**
   * Look up an existing suspicious entry by pk, read-only (not managed by the stack).
   * @param name Pulumi resource name.
   * @param id The entry's pk.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): SuspiciousIp {
    return new SuspiciousIp(name, {} as SuspiciousIpArgs, { ...opts, id });
  }
}
