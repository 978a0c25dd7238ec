import type * as pulumi from "@pulumi/pulumi";

/*
 * Provider of the trusted entries: this module's exports *are* the provider
 * object. Installed under node_modules, Pulumi's serialiser then stores it in
 * state by reference, as `require("pulumi-cloudlock/dist/sdk/providers/trusted.js")`
 * (under 300 bytes), instead of its code. Loaded from a checkout, it stores the
 * code, which stays small too: each method loads the implementation at call
 * time, so no client, token or cache is ever captured. Both forms are a
 * contract with existing state: keep this file's path, the package's
 * `./dist/sdk/providers/*` and `./provider` exports, and the `trusted` methods of the latter.
 */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (...a) => require("pulumi-cloudlock/provider").trusted.configure(...a),
  check: (...a) => require("pulumi-cloudlock/provider").trusted.check(...a),
  diff: (...a) => require("pulumi-cloudlock/provider").trusted.diff(...a),
  create: (...a) => require("pulumi-cloudlock/provider").trusted.create(...a),
  read: (...a) => require("pulumi-cloudlock/provider").trusted.read(...a),
  update: (...a) => require("pulumi-cloudlock/provider").trusted.update(...a),
  delete: (...a) => require("pulumi-cloudlock/provider").trusted.delete(...a),
};

export = provider;
