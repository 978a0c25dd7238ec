/**
 * Entry point the serialised providers load at call time:
 * `require("pulumi-cloudlock/provider").trusted.check(...)`. This module's
 * name and its `trusted` / `suspicious` / `trustedSet` / `suspiciousSet` objects are a contract with every
 * stack's state (old `__provider` code keeps calling them): keep them stable.
 */
import type { CollectionName } from "../client/types";
import { ConfigSource, ProviderRuntime } from "./runtime";

export { ProviderRuntime } from "./runtime";
export type { ConfigSource, RuntimeSettings } from "./runtime";

/** The one runtime of the provider process (the only module-level state): its providers share one client. */
export const runtime = new ProviderRuntime();

/** What the engine hands the providers: checked inputs and stored states, untyped at this boundary. */
type Props = Record<string, unknown>;
const configure = async (req: { config: ConfigSource }) => runtime.configure(req.config);

function forKind(kind: CollectionName) {
  const p = runtime.entries(kind);
  return {
    configure,
    check: (olds: Props, news: Props) => p.check(olds, news),
    diff: (id: string, olds: Props, news: Props) => p.diff(id, olds as never, news as never),
    create: (inputs: Props) => p.create(inputs as never),
    read: (id: string, props?: Props) => p.read(id, props),
    update: (id: string, olds: Props, news: Props) => p.update(id, olds as never, news as never),
    delete: (id: string) => p.delete(id),
  };
}

export const trusted = forKind("trusted");
export const suspicious = forKind("suspicious");

function setsOf(kind: CollectionName) {
  const sets = runtime.sets;
  return {
    configure,
    check: (olds: Props, news: Props) => sets.check(kind, olds, news),
    diff: (id: string, olds: Props, news: Props) => sets.diff(kind, id, olds, news as never),
    create: (inputs: Props) => sets.create(kind, inputs as never),
    read: (id: string, props: Props) => sets.read(kind, id, props),
    update: (id: string, olds: Props, news: Props) => sets.update(kind, id, olds, news as never),
    delete: (id: string, props: Props) => sets.delete(kind, id, props),
  };
}

/** TrustedIpSet / SuspiciousIpSet: the same contract as above (sdk/providers/*-set.ts call them). */
export const trustedSet = setsOf("trusted");
export const suspiciousSet = setsOf("suspicious");
