/**
 * The example policy pack (examples/policy-pack) as a user installs it, for the engine tests that run
 * `pulumi preview --policy-pack`: a copy of the folder with what its package.json asks for.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/engine";
import { PULUMI_SDK_VERSION, TARBALL, projectFolder } from "./project";

/** The version of a dependency this checkout is tested with. */
const versionOf = (name: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

/**
 * A copy of examples/policy-pack with its dependencies installed: the policy SDK, this package packed, and
 * TypeScript (the pack is type-checked when it loads; Pulumi's fallback TypeScript 3.8 cannot resolve package
 * exports). Remove it with `removeProject`.
 */
export function policyPackFolder(): string {
  return projectFolder("examples/policy-pack", "policy-pack", {
    deps: {
      "@pulumi/policy": "1.21.0",
      "@pulumi/pulumi": PULUMI_SDK_VERSION,
      "pulumi-cloudlock": TARBALL,
      typescript: versionOf("typescript"),
      "@types/node": versionOf("@types/node"),
    },
  });
}
