import * as pulumi from "@pulumi/pulumi";
import { guardAddress } from "./conflicts";
import { IpEntryArgs, checkOnlyInputs, outputsOf } from "./common";

import { trustedProvider as provider } from "./provider";
import { LABEL, MODULE, TYPE_TOKENS } from "../provider/tokens";

/** Every output of the resource, so `get()` creates them all. */
const OUTPUTS = outputsOf("trusted");

/** Inputs of a {@link TrustedIp}. */
export type TrustedIpArgs = IpEntryArgs;

/**
 * An entry of Cloudlock's Trusted IP library (offices, VPNs, SaaS egress).
 * The resource id is the entry's pk.
 *
 * ```ts
 * new TrustedIp("hq", { name: "HQ Berlin", ipAddress: "198.51.100.0/24", categories: ["office"] });
 * ```
 * Every field can change in place.
 */
export class TrustedIp extends pulumi.dynamic.Resource {
  /** The engine's type token of this resource, as `@pulumi/policy`'s `validateResourceOfType` matches it. */
  static readonly __pulumiType = TYPE_TOKENS.TrustedIp;

  /**
   * True for a TrustedIp (or anything carrying its type token, as policy packs pass it), across copies of
   * this package.
   */
  static isInstance(obj: unknown): obj is TrustedIp {
    return (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType === TrustedIp.__pulumiType;
  }
  /** Entry name. */
  declare readonly name: pulumi.Output<string>;
  /** The address as declared (or as Cloudlock holds it, after drift). */
  declare readonly ipAddress: pulumi.Output<string>;
  /** Internal short description. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** Categories, in the declared order. */
  declare readonly categories: pulumi.Output<string[] | undefined>;
  /** The pk this resource adopted, if it adopted an existing entry. */
  declare readonly adoptId: pulumi.Output<string | undefined>;
  /** Location computed by Cloudlock from the address. */
  declare readonly location: pulumi.Output<string>;
  /** Always "trusted". */
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
  constructor(name: string, args: TrustedIpArgs, opts?: pulumi.CustomResourceOptions) {
    const self: { resource?: TrustedIp } = {};
    const addressConflict = guardAddress("trusted", name, args, opts, () => self.resource);
    const hidden = checkOnlyInputs("trusted", name, opts);
    super(provider, name, { ...OUTPUTS, ...args, addressConflict, ...hidden }, opts, MODULE, LABEL.trusted);
    self.resource = this;
  }

  /**
   * Look up an existing trusted entry by pk, read-only (not managed by the stack).
   * @param name Pulumi resource name.
   * @param id The entry's pk.
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): TrustedIp {
    return new TrustedIp(name, {} as TrustedIpArgs, { ...opts, id });
  }
}
