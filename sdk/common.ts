import * as pulumi from "@pulumi/pulumi";
import type { CollectionName } from "../provider/client/types";
import { COMPUTED, fieldsOf } from "../provider/model";
import { LABEL, TYPE_TOKENS } from "../provider/tokens";

/** Inputs both IP resources share. */
export interface IpEntryArgs {
  /** Entry name shown in Cloudlock, e.g. "HQ Berlin". */
  name: pulumi.Input<string>;
  /**
   * The address: a single IPv4/IPv6 address (`203.0.113.7`), a CIDR block
   * (`198.51.100.0/24`) or a range (`192.168.7.5-192.168.7.10`). Spellings of
   * the same set of addresses are equal: `10.0.0.1/32` vs `10.0.0.1` is no change.
   */
  ipAddress: pulumi.Input<string>;
  /** Internal short description. */
  description?: pulumi.Input<string>;
  /** Categories (order and duplicates do not matter). */
  categories?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Adopt the existing entry with this id (pk) instead of creating one; see
   * `cloudlock-pulumi import`. Changing or removing it later is not a change.
   */
  adoptId?: pulumi.Input<string>;
}

/**
 * Every output property of an entry resource of `kind`, undefined. dynamic.Resource creates an output only
 * for keys present in its props, so `get()` (which passes no inputs) needs them.
 */
export function outputsOf(kind: CollectionName): Record<string, undefined> {
  const keys = [...fieldsOf(kind), "adoptId", ...Object.keys(COMPUTED)];
  return Object.fromEntries(keys.map((k) => [k, undefined]));
}

/**
 * Inputs the provider's `check` reads and drops (never stored): the resource's URN, so a diagnostic at preview
 * (a create `up` will refuse) is attached to it.
 */
export function checkOnlyInputs(
  kind: CollectionName,
  name: string,
  opts: pulumi.CustomResourceOptions | undefined,
): { logUrn: pulumi.Output<string> } {
  return { logUrn: pulumi.createUrn(name, TYPE_TOKENS[LABEL[kind]], opts?.parent) };
}
