/**
 * The plugin's gRPC server: Pulumi's ResourceProvider protocol over the
 * CloudlockProvider, one short handler per call. Requests and answers are
 * converted here and only here (see pulumi-internals: fromStruct / toStruct).
 */
import {
  type PluginProtocol,
  fromStruct,
  grpcError,
  pluginProtocol,
  toStruct,
  withSecrets,
} from "../pulumi-internals";
import { SETTINGS } from "../settings";
import { VERSION } from "../version";
import type { CheckFailure } from "../dynamic/schema";
import type { CloudlockProvider } from "./provider";
import { packageSchema } from "./schema";

/* eslint-disable @typescript-eslint/no-explicit-any -- generated protocol messages (see PluginProtocol) */
type Call = { request: any };
type Callback = (err: unknown, value?: unknown, trailer?: unknown) => void;

/** A call's handler; `report` picks the error the engine gets (see Connection.report). */
function handler(fn: (req: any) => Promise<unknown> | unknown, report: (e: unknown) => unknown) {
  return (call: Call, callback: Callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (resp) => callback(null, resp),
        (e) => {
          const err = grpcError(report(e));
          callback(err, null, err.metadata);
        },
      );
  };
}

function failuresOf(p: PluginProtocol, failures: CheckFailure[]) {
  return failures.map((f) => {
    const m = new p.provider.CheckFailure();
    m.setProperty(f.property);
    m.setReason(f.reason);
    return m;
  });
}

function diffResponse(
  p: PluginProtocol,
  d: { changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean },
) {
  const resp = new p.provider.DiffResponse();
  const C = p.provider.DiffResponse.DiffChanges;
  resp.setChanges(d.changes ? C.DIFF_SOME : C.DIFF_NONE);
  resp.setReplacesList(d.replaces ?? []);
  resp.setDeletebeforereplace(Boolean(d.deleteBeforeReplace));
  return resp;
}

/** Provider arguments that are secrets (the token). */
const SECRET_ARGUMENTS = Object.entries(SETTINGS).flatMap(([name, s]) =>
  "secret" in s && s.secret ? [name] : [],
);

/** The service implementation; calls it leaves out answer UNIMPLEMENTED (the engine falls back). */
export function providerService(provider: CloudlockProvider) {
  const p = pluginProtocol();
  const empty = () => new p.empty();
  // A per-run error (a refused token, a bad setting) says what to do once; later calls failing for it are short.
  const unary = (fn: (req: any) => Promise<unknown> | unknown, op?: string) =>
    handler(fn, (e) => provider.runtime.connection.report(e, op));
  return {
    getPluginInfo: unary(() => {
      const info = new p.plugin.PluginInfo();
      info.setVersion(VERSION);
      return info;
    }),
    getSchema: unary((req) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      const resp = new p.provider.GetSchemaResponse();
      resp.setSchema(JSON.stringify(packageSchema()));
      return resp;
    }),
    attach: unary(() => empty()),
    cancel: unary(() => empty()),
    checkConfig: unary((req) => {
      const resp = new p.provider.CheckResponse();
      // The arguments go back as the engine sent them (secrets stay marked), and the token marked secret even
      // when it was set without --secret: the engine then stores it encrypted, never in plain text in the state.
      resp.setInputs(withSecrets(req.getNews(), SECRET_ARGUMENTS));
      resp.setFailuresList(failuresOf(p, provider.checkConfig(req.getUrn(), fromStruct(req.getNews()))));
      return resp;
    }),
    diffConfig: unary((req) => {
      const { changed, replaces } = provider.diffConfig(fromStruct(req.getOlds()), fromStruct(req.getNews()));
      const resp = diffResponse(p, { changes: changed.length > 0, replaces });
      resp.setDiffsList(changed);
      return resp;
    }),
    configure: unary((req) => {
      const args = req.getArgs() ? fromStruct(req.getArgs()) : variables(req.getVariablesMap());
      provider.configure(args, req.getUrn?.() ?? "");
      const resp = new p.provider.ConfigureResponse();
      // Secrets arrive plain and the engine keeps marking what was secret: no output ever holds the token.
      resp.setAcceptsecrets(false);
      resp.setSupportspreview(false);
      resp.setAcceptresources(false);
      resp.setAcceptoutputs(false);
      return resp;
    }),
    check: unary(async (req) => {
      const r = await provider.check(
        req.getUrn(),
        req.getType(),
        fromStruct(req.getOlds()),
        fromStruct(req.getNews()),
      );
      const resp = new p.provider.CheckResponse();
      resp.setInputs(toStruct(r.inputs));
      resp.setFailuresList(failuresOf(p, r.failures));
      return resp;
    }),
    diff: unary(async (req) =>
      diffResponse(
        p,
        await provider.diff(
          req.getUrn(),
          req.getType(),
          req.getId(),
          fromStruct(req.getOlds()),
          fromStruct(req.getNews()),
        ),
      ),
    ),
    create: unary(async (req) => {
      const r = await provider.create(req.getUrn(), req.getType(), fromStruct(req.getProperties()));
      const resp = new p.provider.CreateResponse();
      resp.setId(r.id);
      resp.setProperties(toStruct(r.outs));
      return resp;
    }),
    read: unary(async (req) => {
      // An import's Read has no properties: fromStruct takes that as {} (see pulumi-internals).
      const r = await provider.read(
        req.getUrn(),
        req.getType(),
        req.getId(),
        fromStruct(req.getProperties()),
      );
      const resp = new p.provider.ReadResponse();
      resp.setId(r.id);
      if (r.id) resp.setProperties(toStruct(r.props));
      if (r.id && r.inputs) resp.setInputs(toStruct(r.inputs));
      return resp;
    }, "read"),
    update: unary(async (req) => {
      const r = await provider.update(
        req.getUrn(),
        req.getType(),
        req.getId(),
        fromStruct(req.getOlds()),
        fromStruct(req.getNews()),
      );
      const resp = new p.provider.UpdateResponse();
      resp.setProperties(toStruct(r.outs));
      return resp;
    }),
    delete: unary(async (req) => {
      await provider.delete(req.getUrn(), req.getType(), req.getId(), fromStruct(req.getProperties()));
      return empty();
    }, "delete"),
    invoke: unary(async (req) => {
      const r = await provider.invoke(req.getTok(), fromStruct(req.getArgs()));
      const resp = new p.provider.InvokeResponse();
      if (r.outputs) resp.setReturn(toStruct(r.outputs));
      resp.setFailuresList(failuresOf(p, r.failures));
      return resp;
    }),
  };
}

/** Configure's older form: `cloudlock:config:apiUrl` → `apiUrl`. */
function variables(map: { forEach(fn: (v: string, k: string) => void): void } | undefined) {
  const out: Record<string, unknown> = {};
  map?.forEach((v, k) => (out[k.split(":").pop() ?? k] = v));
  return out;
}

/** Serve on a free local port; resolves with it (the engine reads it from the first line of stdout). */
export async function serve(provider: CloudlockProvider): Promise<{ port: number; stop(): void }> {
  const p = pluginProtocol();
  const server = new p.grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
  server.addService(p.service, providerService(provider));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      p.grpc.ServerCredentials.createInsecure(),
      (err: unknown, port: number) => (err ? reject(err) : resolve(port)),
    ),
  );
  return { port, stop: () => server.forceShutdown() };
}
