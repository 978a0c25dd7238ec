import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object Pulumi serialises into every resource's state (twice).
 * It is deliberately tiny: each method loads the real implementation by
 * package name at call time, so no client, token or cache is captured, and
 * upgrading the package changes behaviour without rewriting state.
 */
export function makeProvider(kind: "suspicious" | "trusted"): pulumi.dynamic.ResourceProvider {
  const run = (op: string, args: unknown[]) => require("pulumi-cloudlock/provider").handle(kind, op, args);
  return {
    configure: async (req) => run("configure", [req]),
    check: async (olds, news) => run("check", [olds, news]),
    diff: async (id, olds, news) => run("diff", [id, olds, news]),
    create: async (inputs) => run("create", [inputs]),
    read: async (id, props) => run("read", [id, props]),
    update: async (id, olds, news) => run("update", [id, olds, news]),
    delete: async (id, props) => run("delete", [id, props]),
  };
}
