/**
 * Policies run through `@pulumi/policy`'s own analyzer RPC handlers, with properties encoded as the engine sends
 * them (a protobuf Struct), so unknowns arrive behind its real proxy: what a policy pack sees, without the CLI.
 */
import type { Policies } from "@pulumi/policy";

type RpcFun = (call: { request: unknown }, callback: (err: unknown, resp: never) => void) => void;
type MakeRpcFun = (pack: string, version: string, level: string, policies: Policies) => RpcFun;
// The analyzer's RPC handlers (internal to @pulumi/policy 1.21.0, so untyped): what the engine calls.
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: MakeRpcFun;
  makeAnalyzeStackRpcFun: MakeRpcFun;
};
const { makeAnalyzeRpcFun, makeAnalyzeStackRpcFun } = server;
export const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");

/** Properties as the engine sends them (a protobuf Struct); the analyzer functions decode them. */
const struct = (props: object) => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));

export interface Diagnostic {
  policy: string;
  message: string;
  urn: string;
  level: number;
}

function diagnosticsOf(resp: { getDiagnosticsList(): unknown[] }): Diagnostic[] {
  return resp.getDiagnosticsList().map((d) => {
    const x = d as Record<string, () => never>;
    // The server puts the policy's description on the first line, then the reported message.
    const [description, ...message] = (x.getMessage() as string).split("\n");
    expect(description).toBe(x.getDescription());
    return {
      policy: x.getPolicyname(),
      message: message.join("\n"),
      urn: x.getUrn(),
      level: x.getEnforcementlevel(),
    };
  });
}

/** Runs `policies` through @pulumi/policy's Analyze RPC for one resource. */
export function analyze(
  policies: Policies,
  type: string,
  name: string,
  props: object,
): Promise<Diagnostic[]> {
  const req = new analyzerproto.AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(`urn:pulumi:dev::p::${type}::${name}`);
  req.setProperties(struct(props));
  req.setOptions(new analyzerproto.AnalyzerResourceOptions());
  const fn = makeAnalyzeRpcFun("cloudlock", "0.2.0", "advisory", policies);
  return new Promise((resolve, reject) =>
    fn({ request: req }, (err: unknown, resp: never) => (err ? reject(err) : resolve(diagnosticsOf(resp)))),
  );
}

/** Runs `policies` through @pulumi/policy's AnalyzeStack RPC. */
export function analyzeStack(
  policies: Policies,
  resources: [string, string, object][],
): Promise<Diagnostic[]> {
  const req = new analyzerproto.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map(([type, name, props]) => {
      const r = new analyzerproto.AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(`urn:pulumi:dev::p::${type}::${name}`);
      r.setProperties(struct(props));
      r.setOptions(new analyzerproto.AnalyzerResourceOptions());
      return r;
    }),
  );
  const fn = makeAnalyzeStackRpcFun("cloudlock", "0.2.0", "advisory", policies);
  return new Promise((resolve, reject) =>
    fn({ request: req }, (err: unknown, resp: never) => (err ? reject(err) : resolve(diagnosticsOf(resp)))),
  );
}
