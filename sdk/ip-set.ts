import * as pulumi from "@pulumi/pulumi";
import { guardSetAddresses } from "./conflicts";
import { suspiciousSetProvider, trustedSetProvider } from "./provider";
import { MODULE, SET_LABEL, TYPE_TOKENS } from "../provider/tokens";
import type { Feed } from "../provider/feed/get";

/** How a set relates to the rest of its library. */
export type IpSetMode = "additive" | "authoritative";

/** One entry of a {@link TrustedIpSet}. */
export interface TrustedIpSetEntry {
  /** Entry name shown in Cloudlock. */
  name: pulumi.Input<string>;
  /** A single address, a CIDR block or a range `a-b`; the set keys its entries by this address. */
  ipAddress: pulumi.Input<string>;
  /** Internal short description. */
  description?: pulumi.Input<string>;
  /** Categories (order and duplicates do not matter). */
  categories?: pulumi.Input<pulumi.Input<string>[]>;
}

/** One entry of a {@link SuspiciousIpSet}. */
export interface SuspiciousIpSetEntry extends TrustedIpSetEntry {
  /** When Cloudlock removes the entry, ISO-8601 (future for a new entry). */
  expiresOn?: pulumi.Input<string>;
}

/** Inputs of a set. */
export interface IpSetArgs<E> {
  /**
   * The entries, one per address (the same address twice is refused). Order
   * does not matter: the set compares them by canonical address. Records
   * read with `readLibraryFile` fit as they are (their `resource` and
   * `adoptId` fields are not used: a set adopts by address).
   */
  entries?: pulumi.Input<pulumi.Input<E>[]>;
  /**
   * A feed's entries, from {@link getFeed}: merged with `entries` (a declared entry wins at its address). The
   * set refuses a feed that is empty, mostly not addresses, or holds addresses it does not take (see `allow`),
   * and a change beyond `maxChange`: each is an error at preview, and nothing is written.
   */
  feed?: pulumi.Input<Feed>;
  /**
   * The most one run may change: a count (`50`) or a percentage of the set's entries (`"20%"`). Default for a
   * set with a feed: `"25%"`; none otherwise. A larger change fails at preview with the content's id, and passes
   * for one run with `CLOUDLOCK_ALLOW_LARGE_CHANGE=<that id>`.
   */
  maxChange?: pulumi.Input<number | string>;
  /**
   * Lifts a feed's guard rails: `"broad"` takes blocks wider than the bounds (a /8 in IPv4; a /32 in IPv6 for
   * suspicious feeds, a /20 for trusted ones) and feeds covering more than a /4 or /16 in all; `"private"` takes
   * private and reserved ranges in a suspicious feed; `"adopt"` lets a feed's address take over an entry the set
   * did not make (which the set then deletes once the feed drops it).
   */
  allow?: pulumi.Input<("broad" | "private" | "adopt")[]>;
  /**
   * - `"additive"` (default): the set manages only the entries it created or
   *   adopted; other entries of the library are left alone, and other
   *   resources may manage them.
   * - `"authoritative"`: the library must equal the declaration. Entries
   *   nobody declared are listed at preview under `removeUndeclared` and
   *   removed by `up`. The set must be the only resource of its library in
   *   the program.
   */
  mode?: IpSetMode;
}

/** Inputs of a {@link SuspiciousIpSet}. */
export interface SuspiciousIpSetArgs extends IpSetArgs<SuspiciousIpSetEntry> {
  /**
   * Entries without an `expiresOn` expire this long after the run that adds them (`"30d"`, `"12h"`, or a number
   * of days), by Cloudlock's clock, rounded up to the hour. A later run moves an entry's expiry to the TTL from
   * then only once less than half the TTL is left, so a daily run changes nothing in between.
   */
  ttl?: pulumi.Input<string | number>;
}

const OUTPUTS = { entries: undefined, mode: undefined, count: undefined, removeUndeclared: undefined };

/** What both set resources share. */
abstract class IpSetBase extends pulumi.dynamic.Resource {
  /** Managed entries by canonical address, each with its Cloudlock id (`pk`). */
  declare readonly entries: pulumi.Output<Record<string, { pk: string; name: string; ipAddress: string }>>;
  declare readonly mode: pulumi.Output<IpSetMode>;
  /** How many entries the set manages. */
  declare readonly count: pulumi.Output<number>;
  /** Authoritative sets: entries found in the library that nobody declared (removed by the next `up`). */
  declare readonly removeUndeclared: pulumi.Output<Record<string, string> | undefined>;
}

function setProps(
  kind: "trusted" | "suspicious",
  name: string,
  args: IpSetArgs<TrustedIpSetEntry>,
  opts: pulumi.CustomResourceOptions | undefined,
  self: () => pulumi.Resource | undefined,
) {
  const mode = args?.mode ?? "additive";
  const addressConflict = guardSetAddresses(kind, name, mode === "authoritative", args?.entries ?? [], self);
  // The provider's change summary is attached to this resource, so `preview --diff` shows it; check drops it.
  const type = TYPE_TOKENS[SET_LABEL[kind]];
  const logUrn = pulumi.createUrn(name, type, opts?.parent);
  const { feed, maxChange, allow, ttl } = (args ?? {}) as SuspiciousIpSetArgs;
  return { ...OUTPUTS, entries: args?.entries, mode, addressConflict, logUrn, feed, maxChange, allow, ttl };
}

/**
 * Many trusted entries as one resource: cheaper for the engine than one
 * resource per entry once a library holds thousands. Entries are keyed by
 * canonical address; `preview --diff` shows each address added (+), changed
 * (~) or removed (-). Existing entries at a declared address are adopted,
 * never duplicated.
 *
 * ```ts
 * new TrustedIpSet("offices", {
 *   mode: "additive",
 *   entries: [{ name: "HQ Berlin", ipAddress: "198.51.100.0/24", categories: ["office"] }],
 * });
 * ```
 */
export class TrustedIpSet extends IpSetBase {
  /** The engine's type token of this resource, as `@pulumi/policy`'s `validateResourceOfType` matches it. */
  static readonly __pulumiType = TYPE_TOKENS.TrustedIpSet;

  /**
   * True for a TrustedIpSet (or anything carrying its type token, as policy packs pass it), across copies of
   * this package.
   */
  static isInstance(obj: unknown): obj is TrustedIpSet {
    return (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType === TrustedIpSet.__pulumiType;
  }
  /**
   * @param name Pulumi resource name.
   * @param args The entries and the mode.
   * @param opts Resource options.
   */
  constructor(name: string, args: IpSetArgs<TrustedIpSetEntry>, opts?: pulumi.CustomResourceOptions) {
    const self: { r?: pulumi.Resource } = {};
    super(
      trustedSetProvider,
      name,
      setProps("trusted", name, args, opts, () => self.r),
      opts,
      MODULE,
      SET_LABEL.trusted,
    );
    self.r = this;
  }
}

/**
 * Many suspicious entries as one resource; see {@link TrustedIpSet}. A
 * changed `name` makes the set delete and recreate that one entry (Cloudlock
 * cannot rename suspicious entries); an entry whose expiry passed leaves
 * Cloudlock on schedule and is not drift.
 */
export class SuspiciousIpSet extends IpSetBase {
  /** The engine's type token of this resource, as `@pulumi/policy`'s `validateResourceOfType` matches it. */
  static readonly __pulumiType = TYPE_TOKENS.SuspiciousIpSet;

  /**
   * True for a SuspiciousIpSet (or anything carrying its type token, as policy packs pass it), across copies of
   * this package.
   */
  static isInstance(obj: unknown): obj is SuspiciousIpSet {
    return (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType === SuspiciousIpSet.__pulumiType;
  }
  constructor(name: string, args: SuspiciousIpSetArgs, opts?: pulumi.CustomResourceOptions) {
    const self: { r?: pulumi.Resource } = {};
    super(
      suspiciousSetProvider,
      name,
      setProps("suspicious", name, args, opts, () => self.r),
      opts,
      MODULE,
      SET_LABEL.suspicious,
    );
    self.r = this;
  }
}
