/**
 * Diagnostics from the provider process to the engine, which prints them in
 * the CLI's output (`info:` / `warning:` lines). A dynamic provider has no
 * `pulumi.log` connection of its own, but its host is started with the
 * engine's address as its first argument, and the engine's Log RPC is the
 * one every provider uses. Outside that host (unit tests, scripts) messages
 * are dropped. Best effort: a message that cannot be delivered never fails
 * the operation.
 */
import * as path from "path";

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

let connection: EngineConnection | null | undefined;

/** The engine's address, when this process is Pulumi's dynamic provider host. */
function engineAddress(): string | undefined {
  const main = require.main?.filename ?? "";
  if (!/cmd[\\/]dynamic-provider[\\/]index\.js$/.test(main)) return undefined;
  return process.argv[2];
}

function connect(): EngineConnection | null {
  if (connection !== undefined) return connection;
  connection = null;
  const addr = engineAddress();
  if (!addr) return null;
  try {
    // The gRPC stack is @pulumi/pulumi's own: load it from there, so the versions match.
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
    const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
    const proto = require("@pulumi/pulumi/proto/engine_pb");
    connection = { client: new EngineClient(addr, grpc.credentials.createInsecure()), proto };
  } catch {
    connection = null;
  }
  return connection;
}

/**
 * Print a diagnostic in the engine's output, attached to the resource `urn`
 * (`preview --diff` shows only diagnostics attached to a resource).
 */
export function engineLog(severity: Severity, message: string, urn = ""): Promise<void> {
  const c = connect();
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
