/**
 * Every place the providers depend on how `@pulumi/pulumi` (3.2xx) works inside,
 * beyond its documented API. Each says which behaviour it relies on;
 * test/unit/pulumi-internals.test.ts fails loudly if an upgrade changes one.
 */
import * as path from "path";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/**
 * The value the engine sends for an input not known yet (during preview).
 * Relies on: the dynamic provider host passes unknowns to check/diff as this
 * sentinel string (`runtime/rpc.ts` unknownValue).
 */
export const UNKNOWN: string = unknownValue;

/**
 * An error the engine records as an initialisation failure: the resource
 * exists with `properties` as its state, and the operation fails with
 * `reasons` printed. Relies on: the dynamic provider host
 * (`cmd/dynamic-provider/index.js`, grpcResponseFromError) packing an error
 * that has an `id` into ErrorResourceInitFailed from its `id`, `properties`
 * and `reasons`.
 */
export function initFailure<E extends Error>(
  error: E,
  id: string,
  properties: Record<string, unknown>,
  reasons: string[],
): E & { id: string; properties: Record<string, unknown>; reasons: string[] } {
  return Object.assign(error, { id, properties, reasons });
}

/*
 * Diagnostics from the provider process to the engine, which prints them in
 * the CLI's output (`info:` / `warning:` lines). A dynamic provider has no
 * `pulumi.log` connection of its own. Relies on: the host being
 * `cmd/dynamic-provider/index.js`, started with the engine's address as its
 * first argument, and `proto/engine_grpc_pb` / `proto/engine_pb` (the Log RPC
 * every provider uses). Outside that host (unit tests, scripts) messages are
 * dropped. Best effort: a message that cannot be delivered never fails the
 * operation.
 */

type Severity = "info" | "warning";

interface EngineConnection {
  client: { log(req: unknown, cb: (err: unknown) => void): void };
  proto: {
    LogRequest: new () => {
      setSeverity(s: number): void;
      setMessage(m: string): void;
      setUrn(u: string): void;
    };
    LogSeverity: Record<string, number>;
  };
}

/** The engine's address, when this process is Pulumi's dynamic provider host. */
export function engineAddress(): string | undefined {
  const main = require.main?.filename ?? "";
  if (!/cmd[\\/]dynamic-provider[\\/]index\.js$/.test(main)) return undefined;
  return process.argv[2];
}

function connect(): EngineConnection | null {
  const addr = engineAddress();
  if (!addr) return null;
  try {
    // The gRPC stack is @pulumi/pulumi's own: load it from there, so the versions match.
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
    const proto = require("@pulumi/pulumi/proto/engine_pb");
    return { client: new EngineClient(addr, grpc.credentials.createInsecure()), proto };
  } catch {
    return null;
  }
}

/** The engine's Log service, connected on first use (one connection per provider process's connection). */
export class EngineLog {
  private connection?: EngineConnection | null;

  /**
   * Print a diagnostic in the engine's output, attached to the resource `urn`
   * (`preview --diff` shows only diagnostics attached to a resource).
   */
  log(severity: Severity, message: string, urn = ""): Promise<void> {
    const c = this.connection === undefined ? (this.connection = connect()) : this.connection;
    if (!c) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        const req = new c.proto.LogRequest();
        req.setSeverity(c.proto.LogSeverity[severity === "info" ? "INFO" : "WARNING"]);
        req.setMessage(message);
        req.setUrn(urn);
        c.client.log(req, () => resolve());
      } catch {
        resolve();
      }
    });
  }
}
