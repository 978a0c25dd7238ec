/**
 * Entry point the serialised providers load at call time:
 * `require("pulumi-cloudlock/provider").trusted.check(...)`. This module's
 * name and its `trusted` / `suspicious` / `trustedSet` / `suspiciousSet` objects are a contract with every
 * stack's state (old `__provider` code keeps calling them): keep them stable.
 */
import type { CollectionName } from "../client/types";
import { ConfigSource, ProviderRuntime } from "./runtime";
import { IpSets } from "./sets";

export { ProviderRuntime } from "./runtime";
export type { ConfigSource, RuntimeSettings } from "./runtime";

/** One runtime per provider process: both resource types share its client, listing caches and limits. */
export const runtime = new ProviderRuntime();

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

const sets = new IpSets(runtime);

function setsOf(kind: CollectionName) {
  return {
    configure: async (req: { config: ConfigSource }) => runtime.configure(req.config),
    check: (olds: Props, news: Props) => sets.check(kind, olds, news),
    diff: (id: string, olds: Props, news: Props) => sets.diff(kind, id, olds, news),
    create: (inputs: Props) => sets.create(kind, inputs),
    read: (id: string, props: Props) => sets.read(kind, id, props),
    update: (id: string, olds: Props, news: Props) => sets.update(kind, id, olds, news),
    delete: (id: string, props: Props) => sets.delete(kind, id, props),
  };
}

/** TrustedIpSet / SuspiciousIpSet: the same contract as above (sdk/providers/*-set.ts call them). */
export const trustedSet = setsOf("trusted");
export const suspiciousSet = setsOf("suspicious");
