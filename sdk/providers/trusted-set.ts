import type * as pulumi from "@pulumi/pulumi";

/*
 * Provider of TrustedIpSet: like ./trusted.ts (see there), this module's exports are the
 * provider object, stored in state by reference when installed. Keep this
 * file's path and the `trustedSet` methods of pulumi-cloudlock/provider stable.
 */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (...a) => require("pulumi-cloudlock/provider").trustedSet.configure(...a),
  check: (...a) => require("pulumi-cloudlock/provider").trustedSet.check(...a),
  diff: (...a) => require("pulumi-cloudlock/provider").trustedSet.diff(...a),
  create: (...a) => require("pulumi-cloudlock/provider").trustedSet.create(...a),
  read: (...a) => require("pulumi-cloudlock/provider").trustedSet.read(...a),
  update: (...a) => require("pulumi-cloudlock/provider").trustedSet.update(...a),
  delete: (...a) => require("pulumi-cloudlock/provider").trustedSet.delete(...a),
};

export = provider;
