/**
 * Entry point the serialised providers load at call time:
 * `require("pulumi-cloudlock/provider").trusted.check(...)`. This module's
 * name and its `trusted` / `suspicious` / `trustedSet` / `suspiciousSet` objects are a contract with every
 * stack's state (old `__provider` code keeps calling them): keep them stable.
 */
import type { CollectionName } from "../client/types";
import { LABEL, SET_LABEL } from "../tokens";
import { configureQuietly, guarded, guardedCheck } from "./boundary";
import { ConfigSource, ProviderRuntime } from "./runtime";

export { ProviderRuntime } from "./runtime";
export type { ConfigSource, RuntimeSettings } from "./runtime";

/** The one runtime of the provider process (the only module-level state): its providers share one client. */
export const runtime = new ProviderRuntime();

/** What the engine hands the providers: checked inputs and stored states, untyped at this boundary. */
type Props = Record<string, unknown>;
// Errors leave every call through boundary.ts: expected ones print as one clean message, bugs with their stack.
const configure = async (req: { config: ConfigSource }) =>
  configureQuietly(() => runtime.configure(req.config));
const conn = () => runtime.connection;

function forKind(kind: CollectionName) {
  const p = runtime.entries(kind);
  const of = (op: string, id: string) => `${LABEL[kind]} ${op} of ${id}`;
  return {
    configure,
    check: (olds: Props, news: Props) => guardedCheck(conn(), () => p.check(olds, news)),
    diff: (id: string, olds: Props, news: Props) =>
      guarded(conn(), "diff", of("diff", id), () => p.diff(id, olds as never, news as never)),
    create: (inputs: Props) => guarded(conn(), "create", LABEL[kind], () => p.create(inputs as never)),
    read: (id: string, props?: Props) => guarded(conn(), "read", of("read", id), () => p.read(id, props)),
    update: (id: string, olds: Props, news: Props) =>
      guarded(conn(), "update", of("update", id), () => p.update(id, olds as never, news as never)),
    delete: (id: string, props?: Props) =>
      guarded(conn(), "delete", of("delete", id), () => p.delete(id, props)),
  };
}

export const trusted = forKind("trusted");
export const suspicious = forKind("suspicious");

function setsOf(kind: CollectionName) {
  const sets = runtime.sets;
  const of = (op: string, id: string) => `${SET_LABEL[kind]} ${op} of ${id}`;
  return {
    configure,
    check: (olds: Props, news: Props) => guardedCheck(conn(), () => sets.check(kind, olds, news)),
    diff: (id: string, olds: Props, news: Props) =>
      guarded(conn(), "diff", of("diff", id), () => sets.diff(kind, id, olds, news as never)),
    create: (inputs: Props) =>
      guarded(conn(), "create", SET_LABEL[kind], () => sets.create(kind, inputs as never)),
    read: (id: string, props: Props) =>
      guarded(conn(), "read", of("read", id), () => sets.read(kind, id, props)),
    update: (id: string, olds: Props, news: Props) =>
      guarded(conn(), "update", of("update", id), () => sets.update(kind, id, olds, news as never)),
    delete: (id: string, props: Props) =>
      guarded(conn(), "delete", of("delete", id), () => sets.delete(kind, id, props)),
  };
}

/** TrustedIpSet / SuspiciousIpSet: the same contract as above (sdk/providers/*-set.ts call them). */
export const trustedSet = setsOf("trusted");
export const suspiciousSet = setsOf("suspicious");
