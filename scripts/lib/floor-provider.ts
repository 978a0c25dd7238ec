/**
 * The engine's own floor, for the benchmark: a dynamic provider that does nothing. Create answers an id at once
 * with the inputs as outputs, read hands the state back, diff says "no changes", delete returns. No client, no
 * requests: what a `--modes floor` row takes is the engine, the dynamic provider host (gRPC, struct conversion,
 * one Node process) and the checkpoints, for the same resources and inputs as the per-entry mode. Used only by
 * `scripts/bench.ts`; never shipped.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

type Inputs = { name: string; ipAddress: string };

/**
 * This module, compiled: the serialised provider loads it by path at call time (as the SDK's providers load
 * theirs), so it captures nothing. Under ts-jest this file runs from source, which the provider process cannot
 * load: it then names the build's copy.
 */
const HERE = __filename.endsWith(".ts")
  ? path.join(__dirname, "..", "..", "dist", "scripts", "lib", "floor-provider.js")
  : __filename;

/** The provider object the bench hands to `new dynamic.Resource`. */
export const floorProvider: pulumi.dynamic.ResourceProvider = {
  create: (inputs) => require(HERE).impl.create(inputs),
  read: (id, props) => require(HERE).impl.read(id, props),
  diff: (id, olds, news) => require(HERE).impl.diff(id, olds, news),
  delete: (id) => require(HERE).impl.delete(id),
};

let next = 0;

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

/** One entry's worth of inputs through the do-nothing provider (its own type: nothing else reads it). */
export class FloorIp extends pulumi.dynamic.Resource {
  constructor(name: string, args: Inputs) {
    super(floorProvider, name, args, undefined, "cloudlock", "FloorIp");
  }
}
