/**
 * Entry point the serialised providers load at call time:
 * `require("pulumi-cloudlock/provider").trusted.check(...)`. This module's
 * name and its `trusted` / `suspicious` / `trustedSet` / `suspiciousSet` objects are a contract with every
 * stack's state (old `__provider` code keeps calling them): keep them stable.
 */
import type { CollectionName } from "../client/types";
import { configureQuietly, guarded, guardedCheck } from "./boundary";
import { ConfigSource, type Props, ProviderRuntime } from "./runtime";

export { ProviderRuntime } from "./runtime";
export type { ConfigSource, ResourceProvider, RuntimeSettings } from "./runtime";

/** The one runtime of the provider process (the only module-level state): its providers share one client. */
export const runtime = new ProviderRuntime();

// Errors leave every call through boundary.ts: expected ones print as one clean message, bugs with their stack.
const configure = async (req: { config: ConfigSource }) =>
  configureQuietly(() => runtime.configure(req.config));
const conn = () => runtime.connection;

/** One resource type's dynamic provider: the runtime's dispatch, each call behind the boundary. */
function serve(kind: CollectionName, set: boolean) {
  const p = runtime.resource(kind, set);
  const of = (op: string, id: string) => `${p.label} ${op} of ${id}`;
  return {
    configure,
    check: (olds: Props, news: Props) => guardedCheck(conn(), () => p.check(olds, news)),
    diff: (id: string, olds: Props, news: Props) =>
      guarded(conn(), "diff", of("diff", id), () => p.diff(id, olds, news)),
    create: (inputs: Props) => guarded(conn(), "create", p.label, () => p.create(inputs)),
    read: (id: string, props?: Props) => guarded(conn(), "read", of("read", id), () => p.read(id, props)),
    update: (id: string, olds: Props, news: Props) =>
      guarded(conn(), "update", of("update", id), () => p.update(id, olds, news)),
    delete: (id: string, props?: Props) =>
      guarded(conn(), "delete", of("delete", id), () => p.delete(id, props)),
  };
}

export const trusted = serve("trusted", false);
export const suspicious = serve("suspicious", false);
/** TrustedIpSet / SuspiciousIpSet: the same contract as above (sdk/providers/*-set.ts call them). */
export const trustedSet = serve("trusted", true);
export const suspiciousSet = serve("suspicious", true);
