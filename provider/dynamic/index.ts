/**
 * Entry point the serialised providers load at call time:
 * `require("pulumi-cloudlock/provider")`. Its name and the `handle` signature
 * are a contract with every stack's state (old `__provider` code keeps calling
 * them), so they must stay stable across versions.
 */
import type { CollectionName } from "../client/types";
import { ConfigSource, ProviderRuntime } from "./runtime";

export { ProviderRuntime } from "./runtime";
export type { ConfigSource, RuntimeSettings } from "./runtime";

/** One runtime per provider process: both resource types share its client, listing caches and limits. */
const runtime = new ProviderRuntime();

export type Operation = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";

/** Dispatch one provider call. */
export function handle(kind: CollectionName, op: Operation, args: unknown[]): Promise<unknown> | void {
  switch (op) {
    case "configure":
      return runtime.configure((args[0] as { config: ConfigSource }).config);
    case "check":
      return runtime.check(kind, args[0] as Record<string, unknown>, args[1] as Record<string, unknown>);
    case "diff":
      return runtime.diff(
        kind,
        args[0] as string,
        args[1] as Record<string, unknown>,
        args[2] as Record<string, unknown>,
      );
    case "create":
      return runtime.create(kind, args[0] as Record<string, unknown>);
    case "read":
      return runtime.read(kind, args[0] as string, args[1] as Record<string, unknown>);
    case "update":
      return runtime.update(
        kind,
        args[0] as string,
        args[1] as Record<string, unknown>,
        args[2] as Record<string, unknown>,
      );
    case "delete":
      return runtime.delete(kind, args[0] as string);
    default:
      throw new Error(`pulumi-cloudlock: unknown provider operation "${String(op)}"`);
  }
}
