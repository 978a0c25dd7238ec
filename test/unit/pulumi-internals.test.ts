/**
 * What provider/pulumi-internals.ts relies on inside @pulumi/pulumi. If an upgrade changes one of these,
 * this file fails, naming the behaviour, before any user meets a silent break.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
  isStackConfigSecret,
  EngineLog,
  UNKNOWN,
  engineAddress,
  initFailure,
  programError,
} from "../../provider/pulumi-internals";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const host = fs.readFileSync(path.join(pulumiDir, "cmd/dynamic-provider/index.js"), "utf8");

test("unknown inputs reach check/diff as the runtime's unknownValue sentinel", () => {
  expect(UNKNOWN).toBe(pulumi.runtime.unknownValue);
  expect(UNKNOWN).toMatch(/^[0-9a-f-]{36}$/);
  // The dynamic provider host hands check/diff the deserialised inputs, where unknowns stay the sentinel.
  expect(host).toMatch(/unknownValue|keepUnknowns/);
});

test("an error with an id is recorded as an initialisation failure from its id, properties and reasons", () => {
  const e = initFailure(new Error("partly done"), "set-1", { count: 2 }, ["first", "second"]);
  expect(e).toMatchObject({ message: "partly done", id: "set-1", properties: { count: 2 } });
  expect(e.reasons).toEqual(["first", "second"]);
  // The host packs exactly these fields into ErrorResourceInitFailed.
  expect(host).toMatch(/if \(e\.id\)/);
  expect(host).toMatch(/detail\.setId\(e\.id\)/);
  expect(host).toMatch(/e\.properties/);
  expect(host).toMatch(/detail\.setReasonsList\(e\.reasons/);
});

test("engine logging: the host file, its first argument, and the Log RPC's generated modules", () => {
  // engineAddress recognises the host by this path; the host is started with the engine's address as argv[2].
  expect(fs.existsSync(path.join(pulumiDir, "cmd/dynamic-provider/index.js"))).toBe(true);
  expect(host).toMatch(/process\.argv/);
  const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const proto = require("@pulumi/pulumi/proto/engine_pb");
  expect(typeof EngineClient).toBe("function");
  expect(typeof EngineClient.prototype.log).toBe("function");
  const req = new proto.LogRequest();
  for (const m of ["setSeverity", "setMessage", "setUrn"]) expect(typeof req[m]).toBe("function");
  expect(proto.LogSeverity).toMatchObject({ INFO: expect.any(Number), WARNING: expect.any(Number) });
  expect(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })).toBeTruthy();
});

test("an expected error thrown in a program is a RunError to the language host, which prints its message alone", () => {
  const e = programError(new Error("offices.yaml: trusted[0].ipAddress is required"));
  expect(pulumi.RunError.isInstance(e)).toBe(true);
  expect(e.message).toBe("offices.yaml: trusted[0].ipAddress is required");
  const run = fs.readFileSync(path.join(pulumiDir, "cmd/run/run.js"), "utf8");
  expect(run).toMatch(/RunError\.isInstance\(err\)\)\s*\{\s*\/\/[^\n]*\n\s*log\.error\(err\.message\)/);
});

test("the host prints `${e}: ${e.stack}` for check, diff, read and delete (hostPrintsAs), and the message of create and update", () => {
  const printed = host.match(/console\.error\(`\$\{e\}: \$\{e\.stack\}`\)/g) ?? [];
  expect(printed).toHaveLength(4);
  expect(host).toMatch(/resp\.setMessage\(e\.message\)/);
});

test("outside the provider host nothing is sent and nothing fails", async () => {
  expect(engineAddress()).toBeUndefined();
  await expect(new EngineLog().log("warning", "dropped")).resolves.toBeUndefined();
});

test("a program can tell a secret stack config key (runtime/config's isConfigSecret, from PULUMI_CONFIG_SECRET_KEYS)", () => {
  pulumi.runtime.setAllConfig({ "cloudlock:apiToken": "x", "cloudlock:apiUrl": "y" }, ["cloudlock:apiToken"]);
  expect([isStackConfigSecret("cloudlock:apiToken"), isStackConfigSecret("cloudlock:apiUrl")]).toEqual([
    true,
    false,
  ]);
});
