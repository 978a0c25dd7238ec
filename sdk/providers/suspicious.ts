import type * as pulumi from "@pulumi/pulumi";

/*
 * Provider of the suspicious entries: this module's exports *are* the provider
 * object. Installed under node_modules, Pulumi's serialiser then stores it in
 * state by reference, as `require("pulumi-cloudlock/dist/sdk/providers/suspicious.js")`
 * (under 300 bytes), instead of its code. Loaded from a checkout, it stores the
 * code, which stays small too: each method loads the implementation at call
 * time, so no client, token or cache is ever captured. Both forms are a
 * contract with existing state: keep this file's path, the package's
 * `./dist/sdk/providers/*` and `./provider` exports, and the `suspicious` methods of the latter.
 */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (...a) => require("pulumi-cloudlock/provider").suspicious.configure(...a),
  check: (...a) => require("pulumi-cloudlock/provider").suspicious.check(...a),
  diff: (...a) => require("pulumi-cloudlock/provider").suspicious.diff(...a),
  create: (...a) => require("pulumi-cloudlock/provider").suspicious.create(...a),
  read: (...a) => require("pulumi-cloudlock/provider").suspicious.read(...a),
  update: (...a) => require("pulumi-cloudlock/provider").suspicious.update(...a),
  delete: (...a) => require("pulumi-cloudlock/provider").suspicious.delete(...a),
};

export = provider;
