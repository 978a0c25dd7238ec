/**
 * Entry point the serialised providers load at call time:
 * `require("pulumi-cloudlock/provider").trusted.check(...)`. This module's
 * name and its `trusted` / `suspicious` objects are a contract with every
 * stack's state (old `__provider` code keeps calling them): keep them stable.
 */
import type { CollectionName } from "../client/types";
import { ConfigSource, ProviderRuntime } from "./runtime";

export { ProviderRuntime } from "./runtime";
export type { ConfigSource, RuntimeSettings } from "./runtime";

/** One runtime per provider process: both resource types share its client, listing caches and limits. */
// CLOUDLOCK_BENCH_NAIVE is for `npm run bench` only: the naive baseline it compares against.
export const runtime = new ProviderRuntime({ naive: process.env.CLOUDLOCK_BENCH_NAIVE === "1" });

type Props = Record<string, unknown>;

function forKind(kind: CollectionName) {
  return {
    configure: async (req: { config: ConfigSource }) => runtime.configure(req.config),
    check: (olds: Props, news: Props) => runtime.check(kind, olds, news),
    diff: (id: string, olds: Props, news: Props) => runtime.diff(kind, id, olds, news),
    create: (inputs: Props) => runtime.create(kind, inputs),
    read: (id: string, props?: Props) => runtime.read(kind, id, props),
    update: (id: string, olds: Props, news: Props) => runtime.update(kind, id, olds, news),
    delete: (id: string) => runtime.delete(kind, id),
  };
}

export const trusted = forKind("trusted");
export const suspicious = forKind("suspicious");
