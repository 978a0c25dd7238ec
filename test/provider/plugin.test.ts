/**
 * The native plugin below the engine: its gRPC service over real sockets (a client made from the same generated
 * modules the engine's protocol uses), against the emulator. Configure from provider arguments, checks before
 * any request, an import's Read with no properties, init failures, the lookups.
 */
import type { Emulator } from "../../emulator";
import { CloudlockProvider, typeOf } from "../../provider/plugin/provider";
import { serve } from "../../provider/plugin/server";
import { fromStruct, grpcError, pluginProtocol, toStruct } from "../../provider/pulumi-internals";
import { VERSION } from "../../provider/version";
import { TOKEN, startEmulator } from "../helpers/emulator";

/* eslint-disable @typescript-eslint/no-explicit-any -- generated protocol messages */
let emu: Emulator;
let stop: () => void;
let client: any;
const p = pluginProtocol();
const URN = (type: string, name: string) => `urn:pulumi:dev::proj::${type}::${name}`;
const TRUSTED = "cloudlock:index:TrustedIp";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

beforeAll(async () => {
  emu = await startEmulator();
  const served = await serve(new CloudlockProvider({ env: {} }));
  stop = served.stop;
  const Client = p.grpc.makeGenericClientConstructor(p.service, "ResourceProvider");
  client = new Client(`127.0.0.1:${served.port}`, p.grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  stop();
  await emu.close();
});

/** One unary call, as the engine makes it. */
function call<T = any>(method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](req, (err: unknown, resp: T) => (err ? reject(err) : resolve(resp))),
  );
}

function configure(args: Record<string, unknown>) {
  const req = new p.provider.ConfigureRequest();
  req.setArgs(toStruct(args));
  return call("configure", req);
}

function checkRequest(type: string, news: object, olds: object = {}) {
  const req = new p.provider.CheckRequest();
  req.setUrn(URN(type, "r"));
  req.setOlds(toStruct(olds));
  req.setNews(toStruct(news));
  return req;
}

describe("Pulumi internals the plugin relies on", () => {
  test("an absent Struct (an import's Read) reads as {}; a Struct from @pulumi/pulumi's own google-protobuf round-trips", () => {
    expect(fromStruct(undefined)).toEqual({});
    const req = new p.provider.ReadRequest();
    expect(req.getProperties()).toBeUndefined();
    expect(fromStruct(req.getProperties())).toEqual({});
    // The generated modules accept our Struct (a second google-protobuf copy would be refused) and keep it.
    req.setProperties(toStruct({ a: 1, b: ["x"], c: undefined }));
    const back = p.provider.ReadRequest.deserializeBinary(req.serializeBinary());
    expect(fromStruct(back.getProperties())).toEqual({ a: 1, b: ["x"] });
  });

  test("secrets still wrapped are unwrapped", () => {
    const wrapped = {
      apiToken: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "t" },
    };
    expect(fromStruct(toStruct(wrapped) as never)).toEqual({ apiToken: "t" });
  });

  test("an error with an id becomes an ErrorResourceInitFailed in the status details; others a plain message", () => {
    expect(grpcError(new Error("plain"))).toEqual({ code: p.grpc.status.UNKNOWN, details: "plain" });
    const e = grpcError(
      Object.assign(new Error("half done"), { id: "set-1", properties: { count: 2 }, reasons: ["r"] }),
    );
    const statusproto = require("@pulumi/pulumi/proto/status_pb");
    const status = statusproto.Status.deserializeBinary(
      (e.metadata as any).get("grpc-status-details-bin")[0],
    );
    const detail = p.provider.ErrorResourceInitFailed.deserializeBinary(
      status.getDetailsList()[0].getValue(),
    );
    expect([detail.getId(), fromStruct(detail.getProperties()), detail.getReasonsList()]).toEqual([
      "set-1",
      { count: 2 },
      ["r"],
    ]);
  });

  test("a resource's type from the request, else from its URN (a parent's type before $ is skipped)", () => {
    expect(typeOf(URN(TRUSTED, "x"))).toBe(TRUSTED);
    expect(typeOf("urn:pulumi:s::p::my:Component$cloudlock:index:TrustedIp::x")).toBe(TRUSTED);
    expect(typeOf("anything", "cloudlock:index:SuspiciousIp")).toBe("cloudlock:index:SuspiciousIp");
  });
});

describe("the service", () => {
  beforeEach(() => emu.reset());

  test("plugin info and schema name this package's version", async () => {
    expect((await call("getPluginInfo", new p.empty())).getVersion()).toBe(VERSION);
    const req = new p.provider.GetSchemaRequest();
    const schema = JSON.parse((await call("getSchema", req)).getSchema());
    expect([schema.name, schema.version]).toEqual(["cloudlock", VERSION]);
    expect(Object.keys(schema.resources)).toEqual(
      expect.arrayContaining([TRUSTED, "cloudlock:index:SuspiciousIp", "cloudlock:index:TrustedIpSet"]),
    );
  });

  test("CheckConfig names each bad argument; a provider of its own must set URL and token together", async () => {
    const bad = new p.provider.CheckRequest();
    bad.setUrn("urn:pulumi:dev::proj::pulumi:providers:cloudlock::tenantB");
    bad.setNews(toStruct({ apiUrl: emu.apiUrl, timeoutSeconds: "-3" }));
    const failures = (await call("checkConfig", bad))
      .getFailuresList()
      .map((f: any) => [f.getProperty(), f.getReason()]);
    expect(failures).toEqual([
      ["timeoutSeconds", expect.stringContaining("timeoutSeconds must be a positive number")],
      ["apiToken", expect.stringContaining("this provider sets apiUrl but not apiToken")],
    ]);
    // The default provider may take the token from the environment.
    bad.setUrn("urn:pulumi:dev::proj::pulumi:providers:cloudlock::default_0_1_0");
    bad.setNews(toStruct({ apiUrl: emu.apiUrl }));
    expect((await call("checkConfig", bad)).getFailuresList()).toEqual([]);
  });

  test("a provider named default-… by the program is still a provider of its own; a plain-http URL elsewhere is refused", async () => {
    const req = new p.provider.CheckRequest();
    req.setUrn("urn:pulumi:dev::proj::pulumi:providers:cloudlock::default-tenant-b");
    req.setNews(toStruct({ apiUrl: emu.apiUrl }));
    const names = async () =>
      (await call("checkConfig", req)).getFailuresList().map((f: any) => [f.getProperty(), f.getReason()]);
    expect(await names()).toEqual([["apiToken", expect.stringContaining("sets apiUrl but not apiToken")]]);
    req.setUrn("urn:pulumi:dev::proj::pulumi:providers:cloudlock::default");
    req.setNews(toStruct({ apiUrl: "http://10.1.2.3/api/v2" }));
    // Without the property: the engine would print its raw value (see the test below).
    expect(await names()).toEqual([["", expect.stringMatching(/^cloudlock:apiUrl: .*plain http/)]]);
  });

  test("CheckConfig of a bad apiUrl: without the property (the engine prints its value), masked, the fix naming where it was read, once", async () => {
    const failures = async (urn: string, apiUrl: string) => {
      const req = new p.provider.CheckRequest();
      req.setUrn(`urn:pulumi:dev::proj::pulumi:providers:cloudlock::${urn}`);
      req.setNews(toStruct({ apiUrl, apiToken: "t" }));
      return (await call("checkConfig", req))
        .getFailuresList()
        .map((f: any) => [f.getProperty(), f.getReason()]);
    };
    const [[property, reason]] = await failures(
      "tenantB",
      "http://user:pw-SECRET@10.1.2.3/api/v2?token=SECRET",
    );
    expect(property).toBe("");
    expect(reason).toBe(
      'apiUrl: Cloudlock API URL "http://***@10.1.2.3/api/v2?…" uses plain http to a non-loopback host; use ' +
        "https (plain http is only allowed for localhost, e.g. the emulator). Correct the apiUrl of provider " +
        '"tenantB" (set apiUrl on provider "tenantB"): no request was sent to Cloudlock.',
    );
    const [[, byDefault]] = await failures("default", "https://t.example.com/api/v2?");
    expect(byDefault).toMatch(
      /^cloudlock:apiUrl: .*query or fragment.*\. Correct stack config "cloudlock:apiUrl" /,
    );
    expect(byDefault.split("no request was sent").length).toBe(2);
  });

  test("CheckConfig returns apiToken marked secret, however it was sent, so the engine stores it encrypted", async () => {
    const SIG = "1b47061264138c4ac30d75fd1eb44270";
    const req = new p.provider.CheckRequest();
    req.setUrn("urn:pulumi:dev::proj::pulumi:providers:cloudlock::default");
    req.setNews(toStruct({ apiUrl: emu.apiUrl, apiToken: "plain-token", timeoutSeconds: "5" }));
    const inputs = (await call("checkConfig", req)).getInputs().toJavaScript();
    expect(inputs).toEqual({
      apiUrl: emu.apiUrl,
      apiToken: { [SIG_KEY]: SIG, value: "plain-token" },
      timeoutSeconds: "5",
    });
    // Already secret: kept as it is, not wrapped twice.
    req.setNews(toStruct({ apiToken: { [SIG_KEY]: SIG, value: "t" } }));
    expect((await call("checkConfig", req)).getInputs().toJavaScript()).toEqual({
      apiToken: { [SIG_KEY]: SIG, value: "t" },
    });
  });

  test("DiffConfig: another apiUrl replaces the provider (another tenant); a new token only reconfigures", async () => {
    const diff = (olds: object, news: object) => {
      const req = new p.provider.DiffRequest();
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      return call("diffConfig", req);
    };
    const moved = await diff(
      { apiUrl: "https://a/api/v2", apiToken: "x" },
      { apiUrl: "https://b/api/v2", apiToken: "x" },
    );
    expect([moved.getChanges(), moved.getReplacesList()]).toEqual([
      p.provider.DiffResponse.DiffChanges.DIFF_SOME,
      ["apiUrl"],
    ]);
    const rotated = await diff(
      { apiUrl: "https://a/api/v2", apiToken: "x" },
      { apiUrl: "https://a/api/v2/", apiToken: "y" },
    );
    // The slash is another spelling of the same URL: only the token changed.
    expect([rotated.getChanges(), rotated.getReplacesList(), rotated.getDiffsList()]).toEqual([
      p.provider.DiffResponse.DiffChanges.DIFF_SOME,
      [],
      ["apiToken"],
    ]);
    // Case, a default port and trailing slashes are spellings of one tenant: no change at all.
    for (const spelling of [
      "https://Tenant.Example.COM/api/v2",
      "HTTPS://tenant.example.com:443/api/v2/",
      "https://tenant.example.com/api/v2//",
      " https://tenant.example.com:443/api/v2 ",
    ]) {
      const same = await diff(
        { apiUrl: "https://tenant.example.com/api/v2", apiToken: "x" },
        { apiUrl: spelling, apiToken: "x" },
      );
      expect([spelling, same.getChanges(), same.getReplacesList(), same.getDiffsList()]).toEqual([
        spelling,
        p.provider.DiffResponse.DiffChanges.DIFF_NONE,
        [],
        [],
      ]);
    }
    // A path's case and another port are another URL.
    for (const other of ["https://tenant.example.com/API/v2", "https://tenant.example.com:8443/api/v2"]) {
      const moved = await diff(
        { apiUrl: "https://tenant.example.com/api/v2", apiToken: "x" },
        { apiUrl: other, apiToken: "x" },
      );
      expect([other, moved.getReplacesList()]).toEqual([other, ["apiUrl"]]);
    }
  });

  test("a set cannot be imported (not one Cloudlock object): the error says what to do instead", async () => {
    await configure({ apiUrl: emu.apiUrl, apiToken: TOKEN });
    const imp = new p.provider.ReadRequest();
    imp.setId("anything");
    imp.setUrn(URN("cloudlock:index:TrustedIpSet", "s"));
    await expect(call("read", imp)).rejects.toMatchObject({
      details: expect.stringContaining("TrustedIpSet cannot be imported"),
    });
  });

  test("check refuses bad input field by field, before any request", async () => {
    await configure({ apiUrl: emu.apiUrl, apiToken: TOKEN });
    emu.clearRequests();
    const resp = await call("check", checkRequest(TRUSTED, { name: "", ipAddress: "300.1.1.1" }));
    expect(
      resp
        .getFailuresList()
        .map((f: any) => f.getProperty())
        .sort(),
    ).toEqual(["ipAddress", "name"]);
    expect(emu.requests().counters.total).toBe(0);
  });

  test("create, read (with state, and as an import: no properties), diff, delete over the wire", async () => {
    await configure({ apiUrl: emu.apiUrl, apiToken: TOKEN, maxRequestsPerSecond: 40 });
    const checked = (
      await call("check", checkRequest(TRUSTED, { name: "HQ", ipAddress: "203.0.113.9" }))
    ).getInputs();
    const create = new p.provider.CreateRequest();
    create.setUrn(URN(TRUSTED, "hq"));
    create.setProperties(checked);
    const created = await call("create", create);
    const id = created.getId();
    expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk: id, name: "HQ" })]);

    const imp = new p.provider.ReadRequest();
    imp.setId(id);
    imp.setUrn(URN(TRUSTED, "imported"));
    const read = await call("read", imp);
    expect(read.getId()).toBe(id);
    // An import declares what the entry holds (no empty description or categories).
    expect(fromStruct(read.getInputs())).toEqual({ name: "HQ", ipAddress: "203.0.113.9" });

    const diff = new p.provider.DiffRequest();
    diff.setId(id);
    diff.setUrn(URN(TRUSTED, "hq"));
    diff.setOlds(created.getProperties());
    diff.setNews(toStruct({ name: "HQ", ipAddress: "203.0.113.9/32" }));
    const same = await call("diff", diff);
    expect(same.getChanges()).toBe(p.provider.DiffResponse.DiffChanges.DIFF_NONE);
    diff.setNews(toStruct({ name: "HQ", ipAddress: "203.0.113.10" }));
    const moved = await call("diff", diff);
    expect(moved.getChanges()).toBe(p.provider.DiffResponse.DiffChanges.DIFF_SOME);

    const del = new p.provider.DeleteRequest();
    del.setId(id);
    del.setUrn(URN(TRUSTED, "hq"));
    del.setProperties(created.getProperties());
    await call("delete", del);
    expect(emu.entries("trusted")).toHaveLength(0);
    // Gone: read answers an empty id (the engine drops it from state).
    expect((await call("read", imp)).getId()).toBe("");
  });

  test("an unknown resource type fails with its name", async () => {
    await expect(call("check", checkRequest("cloudlock:index:Nope", {}))).rejects.toMatchObject({
      details: expect.stringContaining("cloudlock has no resource type cloudlock:index:Nope"),
    });
  });

  test("getTrustedIps / getSuspiciousIps list every page, filtered; a bad argument is a failure", async () => {
    await configure({ apiUrl: emu.apiUrl, apiToken: TOKEN });
    emu.seed(
      "trusted",
      Array.from({ length: 130 }, (_, i) => ({
        name: i % 2 ? `Office ${i}` : `VPN ${i}`,
        ip_address: `10.9.${i}.1`,
      })),
    );
    const invoke = (tok: string, args: object) => {
      const req = new p.provider.InvokeRequest();
      req.setTok(tok);
      req.setArgs(toStruct(args));
      return call("invoke", req);
    };
    const all = fromStruct((await invoke("cloudlock:index:getTrustedIps", {})).getReturn());
    expect((all.entries as unknown[]).length).toBe(130);
    const offices = fromStruct(
      (await invoke("cloudlock:index:getTrustedIps", { name: "Office" })).getReturn(),
    );
    expect((offices.entries as { name: string }[]).every((e) => e.name.startsWith("Office"))).toBe(true);
    expect((offices.entries as unknown[]).length).toBe(65);
    const bad = await invoke("cloudlock:index:getSuspiciousIps", { q: 3, nmae: "typo" });
    expect(bad.getFailuresList().map((f: any) => f.getProperty())).toEqual(["nmae", "q"]);
  });
});
