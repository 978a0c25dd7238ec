import type * as pulumi from "@pulumi/pulumi";

/*
 * Provider of SuspiciousIpSet: like ./suspicious.ts (see there), this module's exports are the
 * provider object, stored in state by reference when installed. Keep this
 * file's path and the `suspiciousSet` methods of pulumi-cloudlock/provider stable.
 */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.configure(...a),
  check: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.check(...a),
  diff: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.diff(...a),
  create: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.create(...a),
  read: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.read(...a),
  update: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.update(...a),
  delete: (...a) => require("pulumi-cloudlock/provider").suspiciousSet.delete(...a),
};

export = provider;
