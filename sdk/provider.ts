import type * as pulumi from "@pulumi/pulumi";

/*
 * The provider objects Pulumi serialises into every resource's state (twice).
 * Deliberately tiny: each method loads the real implementation by package
 * name at call time, so no client, token or cache is captured, and upgrading
 * the package changes behaviour without rewriting state. They capture no
 * variables at all (each capture costs bytes in every resource), hence one
 * literal object per kind. `pulumi-cloudlock/provider`'s `trusted` and
 * `suspicious` exports are a contract with existing state: keep them.
 */

/** Provider of TrustedIp. */
export const trustedProvider: pulumi.dynamic.ResourceProvider = {
  configure: (...a) => require("pulumi-cloudlock/provider").trusted.configure(...a),
  check: (...a) => require("pulumi-cloudlock/provider").trusted.check(...a),
  diff: (...a) => require("pulumi-cloudlock/provider").trusted.diff(...a),
  create: (...a) => require("pulumi-cloudlock/provider").trusted.create(...a),
  read: (...a) => require("pulumi-cloudlock/provider").trusted.read(...a),
  update: (...a) => require("pulumi-cloudlock/provider").trusted.update(...a),
  delete: (...a) => require("pulumi-cloudlock/provider").trusted.delete(...a),
};

/** Provider of SuspiciousIp. */
export const suspiciousProvider: pulumi.dynamic.ResourceProvider = {
  configure: (...a) => require("pulumi-cloudlock/provider").suspicious.configure(...a),
  check: (...a) => require("pulumi-cloudlock/provider").suspicious.check(...a),
  diff: (...a) => require("pulumi-cloudlock/provider").suspicious.diff(...a),
  create: (...a) => require("pulumi-cloudlock/provider").suspicious.create(...a),
  read: (...a) => require("pulumi-cloudlock/provider").suspicious.read(...a),
  update: (...a) => require("pulumi-cloudlock/provider").suspicious.update(...a),
  delete: (...a) => require("pulumi-cloudlock/provider").suspicious.delete(...a),
};
