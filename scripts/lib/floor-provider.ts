/**
 * The engine's own floor, for the benchmark: a dynamic provider that does nothing. Create answers an id at once
 * with the inputs as outputs, read hands the state back, diff says "no changes", delete returns. No client, no
 * requests: what a `--modes floor` row takes is the engine, the dynamic provider host (gRPC, struct conversion,
 * one Node process) and the checkpoints, for the same resources and inputs as the per-entry mode. Used only by
 * `scripts/bench.ts`; never shipped.
 *
 * Its provider object is stored in state by reference, as the SDK's are (a `require` of a module in
 * node_modules, about 270 bytes), not as serialised closures (1.4 KB, twice per resource): otherwise the floor's
 * checkpoints would be heavier than ours and it would be no floor.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

type Inputs = { name: string; ipAddress: string };

/**
 * This module, compiled (the provider process cannot load the .ts ts-jest runs): the package installFloor
 * writes loads the methods from here.
 */
const HERE = __filename.endsWith(".ts")
  ? path.join(__dirname, "..", "..", "dist", "scripts", "lib", "floor-provider.js")
  : __filename;

const PACKAGE = "pulumi-cloudlock-floor";

let next = 0;

/** The provider's methods: nothing to do. */
export const impl = {
  async create(inputs: Inputs) {
    return { id: `floor-${process.pid}-${next++}`, outs: { name: inputs.name, ipAddress: inputs.ipAddress } };
  },
  async read(id: string, props: Record<string, unknown>) {
    return { id, props };
  },
  async diff() {
    return { changes: false };
  },
  async delete() {},
};

let provider: pulumi.dynamic.ResourceProvider | undefined;

/**
 * Write the floor's provider as a package under `<dir>/node_modules` and load it: its exports are the provider
 * object, so Pulumi stores `require("pulumi-cloudlock-floor/index.js")`. The provider process finds it from the
 * stack's work folder, which must be inside `dir` (the bench's base folder).
 */
export function installFloor(dir: string): void {
  const pkg = path.join(dir, "node_modules", PACKAGE);
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: PACKAGE, version: "0.0.0" }));
  fs.writeFileSync(
    path.join(pkg, "index.js"),
    `"use strict";\nmodule.exports = { ...require(${JSON.stringify(HERE)}).impl };\n`,
  );
  provider = require(pkg) as pulumi.dynamic.ResourceProvider;
}

/** One entry's worth of inputs through the do-nothing provider (its own type: nothing else reads it). */
export class FloorIp extends pulumi.dynamic.Resource {
  constructor(name: string, args: Inputs) {
    if (!provider) throw new Error("installFloor(dir) must run before a FloorIp is declared");
    super(provider, name, args, undefined, "cloudlock", "FloorIp");
  }
}
