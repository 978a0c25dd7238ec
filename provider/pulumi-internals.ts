/**
 * Every place the providers depend on how `@pulumi/pulumi` (3.2xx) works inside,
 * beyond its documented API. Each says which behaviour it relies on;
 * test/unit/pulumi-internals.test.ts fails loudly if an upgrade changes one.
 */
import * as path from "path";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/**
 * A module as `@pulumi/pulumi` itself loads it. Relies on: its generated proto modules using the
 * `google-protobuf` and `@grpc/grpc-js` found from its own folder; a second copy of google-protobuf makes
 * `Struct.fromJavaScript` fail ("Unexpected struct type") on values built by the other.
 */
function fromPulumi(id: string) {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return require(require.resolve(id, { paths: [pulumiDir] }));
}

/**
 * The value the engine sends for an input not known yet (during preview).
 * Relies on: the dynamic provider host passes unknowns to check/diff as this
 * sentinel string (`runtime/rpc.ts` unknownValue).
 */
export const UNKNOWN: string = unknownValue;

/** Whether a value is the engine's not-yet-known sentinel (UNKNOWN). */
export const isUnknown = (v: unknown): boolean => v === UNKNOWN;

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

/**
 * Whether stack config key `key` (`cloudlock:apiToken`) was set with `--secret`, in a program. Relies on:
 * `runtime/config.js` exporting `isConfigSecret` (marked internal, so not in its types), which reads the keys the
 * CLI passes in PULUMI_CONFIG_SECRET_KEYS.
 */
export function isStackConfigSecret(key: string): boolean {
  const config = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
  return config.isConfigSecret(key);
}

/**
 * An expected error thrown in a program, marked so that Pulumi's Node.js language host prints its message alone:
 * `error: <message>`, no "unhandled exception" and no stack trace, as for `pulumi.RunError`. Relies on:
 * `RunError.isInstance` recognising any object whose `__pulumiRunError` member is true, and `cmd/run/run.js`
 * logging only `err.message` for such an error. Returns `error`.
 */
export function programError<E extends Error>(error: E): E {
  Object.defineProperty(error, "__pulumiRunError", { value: true, configurable: true });
  return error;
}

/**
 * A copy of `error` (its prototype, properties and message kept) that prints as `head: tail` in the line the
 * dynamic provider host writes for a failed check, diff, read or delete. Relies on: the host
 * (`cmd/dynamic-provider/index.js`) printing `${e}: ${e.stack}` on its stderr there, which the engine shows as
 * a diagnostic of the stack, and sending `e.message` to the engine as the call's error.
 */
export function hostPrintsAs<E extends Error>(error: E, head: string, tail: string): E {
  const shaped = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as E, error);
  for (const key of Object.getOwnPropertySymbols(error))
    Object.defineProperty(shaped, key, Object.getOwnPropertyDescriptor(error, key)!);
  Object.defineProperty(shaped, "message", { value: error.message, writable: true, configurable: true });
  Object.defineProperty(shaped, "stack", { value: tail, writable: true, configurable: true });
  Object.defineProperty(shaped, "toString", { value: () => head, configurable: true });
  return shaped;
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

function connect(addr: string | undefined): EngineConnection | null {
  if (!addr) return null;
  try {
    // The gRPC stack is @pulumi/pulumi's own: load it from there, so the versions match.
    const grpc = fromPulumi("@grpc/grpc-js");
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

  /** `address`: the engine's, as a plugin is given it; by default the dynamic provider host's. */
  constructor(private readonly address: () => string | undefined = engineAddress) {}

  /**
   * Print a diagnostic in the engine's output, attached to the resource `urn`
   * (`preview --diff` shows only diagnostics attached to a resource).
   */
  log(severity: Severity, message: string, urn = ""): Promise<void> {
    const c = this.connection === undefined ? (this.connection = connect(this.address())) : this.connection;
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

/*
 * The native plugin (`pulumi-resource-cloudlock`) speaks Pulumi's provider protocol itself: `@pulumi/pulumi`'s
 * own provider server (`provider/server.js` main) drops Configure's arguments (no provider config, so no
 * explicit providers) and throws on an import's Read (it calls `getProperties().toJavaScript()` on a request
 * that has none). Everything below relies on `@pulumi/pulumi`'s generated modules: `proto/provider_grpc_pb`
 * (ResourceProviderService), `proto/provider_pb`, `proto/plugin_pb`, `proto/status_pb`, and the
 * `google-protobuf` / `@grpc/grpc-js` they load (see fromPulumi).
 */

/** The generated protocol modules, loaded on first use (the dynamic providers never need them). */
export interface PluginProtocol {
  // Generated JavaScript without usable types here: the plugin server is the one place that touches them.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  grpc: any;
  service: any;
  provider: any;
  plugin: any;
  struct: any;
  empty: any;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

let protocol: PluginProtocol | undefined;
export function pluginProtocol(): PluginProtocol {
  return (protocol ??= {
    grpc: fromPulumi("@grpc/grpc-js"),
    service: require("@pulumi/pulumi/proto/provider_grpc_pb").ResourceProviderService,
    provider: require("@pulumi/pulumi/proto/provider_pb"),
    plugin: require("@pulumi/pulumi/proto/plugin_pb"),
    struct: fromPulumi("google-protobuf/google/protobuf/struct_pb").Struct,
    empty: fromPulumi("google-protobuf/google/protobuf/empty_pb").Empty,
  });
}

/**
 * A request's properties as plain data. An absent Struct is `{}`: an import's Read carries no properties
 * (the case `@pulumi/pulumi`'s own server throws on). Secrets arrive as plain values when the plugin says it
 * does not accept them; any still wrapped (`runtime/rpc.ts` specialSigKey / specialSecretSig) are unwrapped.
 */
export function fromStruct(s: { toJavaScript(): unknown } | undefined | null): Record<string, unknown> {
  return s ? (plain(s.toJavaScript()) as Record<string, unknown>) : {};
}

function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[specialSigKey] === specialSecretSig) return plain(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
}

/**
 * A request's Struct with the properties `keys` marked secret (`runtime/rpc.ts` specialSigKey /
 * specialSecretSig), other values (secrets, unknowns) as sent. Relies on: the engine keeping a secret a
 * provider returns from CheckConfig as a secret input, so it is stored encrypted in the state.
 */
export function withSecrets(s: { toJavaScript(): unknown } | undefined | null, keys: string[]): unknown {
  const o = { ...((s?.toJavaScript() as Record<string, unknown>) ?? {}) };
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || v === null || v === unknownValue) continue;
    if (typeof v === "object" && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig) continue;
    o[k] = { [specialSigKey]: specialSecretSig, value: v };
  }
  return toStruct(o);
}

/** Plain data as the protocol's Struct (built by the google-protobuf the generated modules use). */
export function toStruct(value: unknown): unknown {
  // JSON drops what a Struct cannot hold (undefined fields), as the engine would.
  return pluginProtocol().struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

/**
 * The gRPC error for a failed call. An error with an `id` (see initFailure) is an initialisation failure: the
 * resource exists with `properties`; relies on the engine reading `pulumirpc.ErrorResourceInitFailed` from
 * the `grpc-status-details-bin` metadata, as Pulumi's own servers send it.
 */
export function grpcError(e: unknown): { code: number; details: string; metadata?: unknown } {
  const p = pluginProtocol();
  const err = e as { message?: string; id?: string; properties?: unknown; reasons?: string[] };
  const details = err?.message ?? String(e);
  const code = p.grpc.status.UNKNOWN;
  if (!err?.id) return { code, details };
  const statusproto = require("@pulumi/pulumi/proto/status_pb");
  const anyproto = fromPulumi("google-protobuf/google/protobuf/any_pb");
  const detail = new p.provider.ErrorResourceInitFailed();
  detail.setId(err.id);
  detail.setProperties(toStruct(err.properties));
  detail.setReasonsList(err.reasons ?? []);
  const any = new anyproto.Any();
  any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statusproto.Status();
  status.setCode(code);
  status.setMessage(details);
  status.addDetails(any);
  const metadata = new p.grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code, details, metadata };
}
