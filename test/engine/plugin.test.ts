/**
 * The native plugin `pulumi-resource-cloudlock`, found on PATH where an npm install of the packed package puts
 * it (`node_modules/.bin`), run by the real CLI and YAML language host from project folders, as users run it:
 * the examples/yaml lifecycle with a drift check, `pulumi import` of one entry and of a whole library
 * (`--file`, written by `cloudlock-pulumi import --format pulumi`) followed by a no-op preview, two tenants in
 * one stack through an explicit provider, the token never in state in plaintext, and POSTs whose answers are
 * lost after the server committed.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import type { Emulator } from "../../emulator";
import { pulumiRoot } from "../../scripts/lib/engine";
import { TOKEN, addresses, startEmulator } from "../helpers/emulator";
import {
  PULUMI_SDK_VERSION,
  type Project,
  TARBALL,
  installed,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { engineSuite } from "./helpers";

const suite = engineSuite("plugin");
beforeEach(() => suite.emu.reset());

/** Where `npm install pulumi-cloudlock` puts the package's commands. */
let bin: string;
beforeAll(() => {
  bin = path.join(installed({ "pulumi-cloudlock": TARBALL }), "node_modules", ".bin");
  expect(fs.existsSync(path.join(bin, "pulumi-resource-cloudlock"))).toBe(true);
  expect(fs.existsSync(path.join(pulumiRoot({ yaml: true }), "bin", "pulumi-language-yaml"))).toBe(true);
});

const folders: string[] = [];
afterAll(() => folders.forEach(removeProject));

type Doc = {
  resources: Record<string, { type: string; properties?: Record<string, unknown>; options?: object }>;
} & Record<string, unknown>;

/** A copy of examples/yaml (its Pulumi.yaml changed by `edit`), with a stack configured for `emu`. */
async function yamlProject(
  name: string,
  emu: Emulator,
  edit: (doc: Doc) => void = () => undefined,
  onPath = true,
) {
  const src = path.join(__dirname, "../../examples/yaml/Pulumi.yaml");
  const doc = yaml.load(fs.readFileSync(src, "utf8")) as Doc;
  edit(doc);
  const dir = projectFolder("examples/yaml", name, {
    deps: { "pulumi-cloudlock": TARBALL },
    files: { "Pulumi.yaml": yaml.dump(doc) },
  });
  folders.push(dir);
  const env = {
    PATH: [path.join(pulumiRoot({ yaml: true }), "bin"), ...(onPath ? [bin] : []), process.env.PATH].join(
      path.delimiter,
    ),
  };
  return project(dir, "dev", { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN }, env);
}

const readDoc = (p: Project) => yaml.load(fs.readFileSync(path.join(p.dir, "Pulumi.yaml"), "utf8")) as Doc;
const writeDoc = (p: Project, doc: Doc) => fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), yaml.dump(doc));

/** The state's resources (`pulumi stack export`). */
async function stateOf(
  p: Project,
): Promise<{ type: string; id?: string; inputs?: object; outputs?: object }[]> {
  const r = await p.ok(["stack", "export", "--show-secrets=false"]);
  return JSON.parse(r.stdout).deployment.resources ?? [];
}

const byName = (emu: Emulator, kind: "trusted" | "suspicious") =>
  Object.fromEntries(emu.entries(kind).map((e) => [e.name, e]));

test("examples/yaml through the plugin: up, no-op preview, a hand edit fails the drift check, up --refresh reconciles, destroy", async () => {
  const { emu } = suite;
  const p = await yamlProject("lifecycle", emu);
  const up = await p.ok(["up", "--yes"]);
  expect(up.stdout).toMatch(/\+ 5 created|5 created/);
  expect(Object.keys(byName(emu, "trusted")).sort()).toEqual([
    "HQ egress",
    "SaaS egress A",
    "SaaS egress B",
    "VPN concentrators",
  ]);
  expect(byName(emu, "suspicious")["Botnet C2"].ip_address).toBe("192.0.2.66");
  const outputs = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout);
  expect(outputs).toEqual({ hqId: byName(emu, "trusted")["HQ egress"].pk, saasCount: 2 });

  const posts = () => emu.requests().counters.byMethod.POST ?? 0;
  emu.clearRequests();
  await p.ok(["preview", "--expect-no-changes", "--diff"]);
  await p.ok(["preview", "--refresh", "--expect-no-changes"]);
  expect(posts()).toBe(0);

  emu.edit("trusted", byName(emu, "trusted")["HQ egress"].pk, { description: "edited by hand" });
  const drift = await p.run(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  expect(drift.code).not.toBe(0);
  expect(drift.stdout).toMatch(/description: "edited by hand" => "Head office, Paris"/);

  await p.ok(["up", "--refresh", "--yes"]);
  expect(byName(emu, "trusted")["HQ egress"].description).toBe("Head office, Paris");
  await p.ok(["preview", "--refresh", "--expect-no-changes"]);

  // A changed declaration: an update in place, shown field by field.
  const doc = readDoc(p);
  doc.resources.vpn.properties!.description = "Two concentrators";
  writeDoc(p, doc);
  const change = await p.ok(["preview", "--diff"]);
  expect(change.stdout).toMatch(/\+ description: "Two concentrators"/);
  await p.ok(["up", "--yes"]);
  expect(byName(emu, "trusted")["VPN concentrators"].description).toBe("Two concentrators");

  await p.ok(["destroy", "--yes"]);
  expect(emu.entries("trusted")).toHaveLength(0);
  expect(emu.entries("suspicious")).toHaveLength(0);
});

test("pulumi import of one entry prints YAML; with it pasted in, the next preview has no changes and nothing was written", async () => {
  const { emu } = suite;
  const [legacy] = emu.seed("trusted", [
    { name: "Legacy VPN", ip_address: "192.0.2.200", description: "from before IaC", categories: ["vpn"] },
  ]);
  const p = await yamlProject("import-one", emu, (doc) => Object.assign(doc, { resources: {}, outputs: {} }));
  emu.clearRequests();
  const out = path.join(p.dir, "imported.yaml");
  await p.ok(["import", "cloudlock:index:TrustedIp", "legacy", legacy.pk, "--yes", "--out", out]);
  const generated = yaml.load(fs.readFileSync(out, "utf8")) as Doc;
  // YAML writes the index module's short form.
  expect(generated.resources.legacy.type).toMatch(/^cloudlock:(index:)?TrustedIp$/);
  expect(generated.resources.legacy).toMatchObject({
    properties: {
      name: "Legacy VPN",
      ipAddress: "192.0.2.200",
      description: "from before IaC",
      categories: ["vpn"],
    },
  });
  const doc = readDoc(p);
  doc.resources = generated.resources;
  writeDoc(p, doc);
  await p.ok(["preview", "--expect-no-changes", "--diff"]);
  await p.ok(["preview", "--refresh", "--expect-no-changes"]);
  const m = emu.requests().counters.byMethod;
  expect([m.POST ?? 0, m.PUT ?? 0, m.DELETE ?? 0]).toEqual([0, 0, 0]);
  expect(emu.entries("trusted")).toHaveLength(1);
  // The imported entry is managed from now on: a change is an update of that same entry.
  doc.resources.legacy.properties!.description = "now declared";
  writeDoc(p, doc);
  await p.ok(["up", "--yes"]);
  expect(emu.entries("trusted")).toEqual([
    expect.objectContaining({ pk: legacy.pk, description: "now declared" }),
  ]);
});

test("a whole library (3 pages, both collections): cloudlock-pulumi import --format pulumi, pulumi import --file, then no changes", async () => {
  const { emu } = suite;
  emu.seed(
    "trusted",
    addresses(230, 31).map((ip, i) => ({
      name: `Office ${i}`,
      ip_address: ip,
      categories: i % 2 ? ["office"] : [],
    })),
  );
  emu.seed("suspicious", [{ name: "Scanner", ip_address: "192.0.2.99", expires_on: "2099-06-01T00:00:00Z" }]);
  const p = await yamlProject("import-file", emu, (doc) =>
    Object.assign(doc, { resources: {}, outputs: {} }),
  );
  const file = path.join(p.dir, "import.json");
  // Asynchronously: the emulator answers from this process.
  await promisify(execFile)(
    path.join(bin, "cloudlock-pulumi"),
    ["import", "--collection", "all", "--format", "pulumi", "--out", file],
    {
      env: { ...process.env, CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN },
    },
  );
  const listed = JSON.parse(fs.readFileSync(file, "utf8")).resources as { type: string; id: string }[];
  expect(listed).toHaveLength(231);
  emu.clearRequests();
  const out = path.join(p.dir, "imported.yaml");
  await p.ok(["import", "--file", file, "--yes", "--out", out]);
  const generated = yaml.load(fs.readFileSync(out, "utf8")) as Doc;
  expect(Object.keys(generated.resources)).toHaveLength(231);
  const doc = readDoc(p);
  doc.resources = generated.resources;
  writeDoc(p, doc);
  await p.ok(["preview", "--expect-no-changes"]);
  const ids = (await stateOf(p)).filter((r) => r.type.startsWith("cloudlock:index:")).map((r) => r.id);
  expect(new Set(ids)).toEqual(
    new Set([...emu.entries("trusted"), ...emu.entries("suspicious")].map((e) => e.pk)),
  );
  const m = emu.requests().counters.byMethod;
  expect([m.POST ?? 0, m.PUT ?? 0, m.DELETE ?? 0]).toEqual([0, 0, 0]);
});

test("two tenants in one stack: an explicit provider per tenant; neither token in state in plaintext", async () => {
  const { emu } = suite;
  const other = await startEmulator({ tokens: ["tenant-b-secret-token-42"] });
  try {
    const p = await yamlProject("tenants", emu, (doc) => {
      doc.config = { tenantBUrl: { type: "string" }, tenantBToken: { type: "string", secret: true } };
      doc.resources = {
        tenantB: {
          type: "pulumi:providers:cloudlock",
          properties: { apiUrl: "${tenantBUrl}", apiToken: "${tenantBToken}" },
        },
        hqA: {
          type: "cloudlock:index:TrustedIp",
          properties: { name: "A office", ipAddress: "203.0.113.1" },
        },
        hqB: {
          type: "cloudlock:index:TrustedIp",
          properties: { name: "B office", ipAddress: "203.0.113.2" },
          options: { provider: "${tenantB}" },
        },
      };
      doc.outputs = {};
    });
    await p.ok(["config", "set", "tenantBUrl", other.apiUrl]);
    await p.ok(["config", "set", "--secret", "tenantBToken", "tenant-b-secret-token-42"]);
    await p.ok(["up", "--yes"]);
    expect(emu.entries("trusted").map((e) => e.name)).toEqual(["A office"]);
    expect(other.entries("trusted").map((e) => e.name)).toEqual(["B office"]);
    await p.ok(["preview", "--refresh", "--expect-no-changes"]);

    const state = (await p.ok(["stack", "export"])).stdout;
    expect(state).not.toContain("tenant-b-secret-token-42");
    expect(state).not.toContain(TOKEN);

    await p.ok(["destroy", "--yes"]);
    expect(emu.entries("trusted")).toHaveLength(0);
    expect(other.entries("trusted")).toHaveLength(0);
  } finally {
    await other.close();
  }
});

test("an explicit provider with a URL but no token is refused at preview, naming apiToken, before any request", async () => {
  const { emu } = suite;
  const p = await yamlProject("half-provider", emu, (doc) => {
    doc.resources = {
      tenantB: { type: "pulumi:providers:cloudlock", properties: { apiUrl: emu.apiUrl } },
      hqB: {
        type: "cloudlock:index:TrustedIp",
        properties: { name: "B office", ipAddress: "203.0.113.2" },
        options: { provider: "${tenantB}" },
      },
    };
    doc.outputs = {};
  });
  emu.clearRequests();
  const r = await p.run(["preview"], { CLOUDLOCK_API_TOKEN: TOKEN });
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/apiToken.*this provider sets apiUrl but not apiToken/s);
  expect(emu.requests().counters.total).toBe(0);
});

test("bad input is refused at preview with one message per field, before any request", async () => {
  const { emu } = suite;
  const p = await yamlProject("bad-input", emu, (doc) => {
    doc.resources = {
      bad: {
        type: "cloudlock:index:TrustedIp",
        properties: { name: "x".repeat(300), ipAddress: "10.0.0.999" },
      },
    };
    doc.outputs = {};
  });
  emu.clearRequests();
  const r = await p.run(["preview"]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toMatch(/name/);
  expect(r.stdout).toMatch(/ipAddress/);
  expect(emu.requests().counters.total).toBe(0);
});

test("40 POSTs whose answers are lost after the server committed: every entry once, each in state", async () => {
  const { emu } = suite;
  const ips = addresses(40, 47);
  const p = await yamlProject("lost-answers", emu, (doc) => {
    doc.resources = Object.fromEntries(
      ips.map((ip, i) => [
        `e${i}`,
        { type: "cloudlock:index:TrustedIp", properties: { name: `Entry ${i}`, ipAddress: ip } },
      ]),
    );
    doc.outputs = {};
  });
  emu.setKnobs({ dropAfterCommitRate: 1, faultMethods: ["POST"] });
  await p.ok(["up", "--yes"]);
  const c = emu.requests().counters;
  expect(c.faults["drop-after-commit"]).toBe(40);
  emu.setKnobs({ dropAfterCommitRate: 0 });
  const entries = emu.entries("trusted");
  expect(entries).toHaveLength(40);
  const ids = (await stateOf(p)).filter((r) => r.type === "cloudlock:index:TrustedIp").map((r) => r.id);
  expect(new Set(ids)).toEqual(new Set(entries.map((e) => e.pk)));
  expect(ids).toHaveLength(40);
  await p.ok(["destroy", "--yes"]);
});

test("without PATH: Pulumi.yaml plugins.providers pointing at the installed package's bin folder", async () => {
  const { emu } = suite;
  const folder = path.join(path.dirname(bin), "pulumi-cloudlock", "bin");
  const p = await yamlProject(
    "plugins-path",
    emu,
    (doc) => (doc.plugins = { providers: [{ name: "cloudlock", path: folder }] }),
    false,
  );
  const r = await p.ok(["preview"]);
  expect(r.stdout).toMatch(/\+ 5 to create/);
  expect(r.stdout + r.stderr).not.toContain("from $PATH");
});

test("moving a TypeScript dynamic-SDK stack to the plugin (docs/plugin.md's steps): state delete + import --file, nothing written", async () => {
  const { emu } = suite;
  const index = [
    'import * as cloudlock from "pulumi-cloudlock";',
    'new cloudlock.TrustedIp("hq", { name: "HQ", ipAddress: "203.0.113.10", categories: ["office"] });',
    'new cloudlock.TrustedIp("vpn", { name: "VPN", ipAddress: "198.51.100.0/28" });',
    'new cloudlock.SuspiciousIp("c2", { name: "C2", ipAddress: "192.0.2.66", expiresOn: "2099-01-01T00:00:00Z" });',
    "",
  ].join("\n");
  const dir = projectFolder("examples/offices", "move", { files: { "index.ts": index } });
  folders.push(dir);
  const env = {
    PATH: [path.join(pulumiRoot({ yaml: true }), "bin"), bin, process.env.PATH].join(path.delimiter),
  };
  const p = await project(dir, "dev", { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN }, env);
  await p.ok(["up", "--yes"]);
  const before = [...emu.entries("trusted"), ...emu.entries("suspicious")];
  expect(before).toHaveLength(3);

  // The program, now for the plugin: the same resource names, in YAML (the steps do not depend on the language).
  const doc = yaml.load(
    fs.readFileSync(path.join(__dirname, "../../examples/yaml/Pulumi.yaml"), "utf8"),
  ) as Doc;
  doc.name = "cloudlock-offices";
  doc.resources = {
    hq: {
      type: "cloudlock:index:TrustedIp",
      properties: { name: "HQ", ipAddress: "203.0.113.10", categories: ["office"] },
    },
    vpn: { type: "cloudlock:index:TrustedIp", properties: { name: "VPN", ipAddress: "198.51.100.0/28" } },
    c2: {
      type: "cloudlock:index:SuspiciousIp",
      properties: { name: "C2", ipAddress: "192.0.2.66", expiresOn: "2099-01-01T00:00:00Z" },
    },
  };
  doc.outputs = {};
  // The commands of docs/plugin.md ("Moving a stack from one to the other"), as written there.
  const page = fs.readFileSync(path.join(__dirname, "../../docs/plugin.md"), "utf8");
  const block = page.match(/# 1\. the import file[\s\S]*?(?=# 3\.)/)![0];
  emu.clearRequests();
  await promisify(execFile)(
    "bash",
    ["-euo", "pipefail", "-c", block.replace(/\bpulumi\b(?= )/g, "pulumi --non-interactive")],
    {
      cwd: dir,
      env: { ...process.env, ...p.env },
    },
  );
  const move = JSON.parse(fs.readFileSync(path.join(dir, "move.json"), "utf8"));
  expect(move.resources.map((r: { type: string; name: string }) => `${r.type} ${r.name}`).sort()).toEqual([
    "cloudlock:index:SuspiciousIp c2",
    "cloudlock:index:TrustedIp hq",
    "cloudlock:index:TrustedIp vpn",
  ]);
  expect((await stateOf(p)).filter((r) => r.type.includes("cloudlock"))).toEqual([]);
  writeDoc(p, doc);
  await p.ok(["import", "--file", "move.json", "--protect=false", "--yes"]);
  await p.ok(["preview", "--expect-no-changes", "--diff"]);
  await p.ok(["preview", "--refresh", "--expect-no-changes"]);
  const m = emu.requests().counters.byMethod;
  expect([m.POST ?? 0, m.PUT ?? 0, m.DELETE ?? 0]).toEqual([0, 0, 0]);
  expect([...emu.entries("trusted"), ...emu.entries("suspicious")].map((e) => e.pk).sort()).toEqual(
    before.map((e) => e.pk).sort(),
  );
  await p.ok(["destroy", "--yes"]);
  expect(emu.entries("trusted")).toHaveLength(0);
});

/** The Node.js SDK `pulumi package gen-sdk` makes from the schema, compiled into `<dir>/sdks/cloudlock`. */
async function generatedSdk(dir: string): Promise<void> {
  const run = promisify(execFile);
  const out = path.join(path.dirname(dir), "gen");
  const home = path.join(path.dirname(dir), "gen-home");
  fs.mkdirSync(home, { recursive: true });
  const env = {
    ...process.env,
    PULUMI_HOME: home,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PATH: `${path.join(pulumiRoot({ yaml: true }), "bin")}${path.delimiter}${process.env.PATH}`,
  };
  const schema = path.join(__dirname, "../../provider/plugin/schema.json");
  await run(
    path.join(pulumiRoot({ yaml: true }), "bin", "pulumi"),
    ["package", "gen-sdk", schema, "--language", "nodejs", "--out", out],
    { env },
  );
  const src = path.join(out, "nodejs");
  const target = path.join(dir, "sdks", "cloudlock");
  fs.symlinkSync(path.join(__dirname, "../../node_modules"), path.join(src, "node_modules"), "dir");
  const tsc = path.join(__dirname, "../../node_modules/typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", src, "--outDir", target]);
  fs.copyFileSync(path.join(src, "package.json"), path.join(target, "package.json"));
}

test("a TypeScript program on the generated SDK: up (two tenants, a set, a lookup), no-op, drift, reconcile, update, destroy", async () => {
  const { emu } = suite;
  const other = await startEmulator({ tokens: ["tenant-b-token-ts"] });
  try {
    const index = [
      'import * as pulumi from "@pulumi/pulumi";',
      'import * as cloudlock from "./sdks/cloudlock";',
      "const cfg = new pulumi.Config();",
      'const hq = new cloudlock.TrustedIp("hq", { name: "HQ", ipAddress: "203.0.113.10", description: cfg.get("hqDescription") ?? "Head office" });',
      'const feed = new cloudlock.SuspiciousIpSet("feed", { entries: [{ name: "C2", ipAddress: "192.0.2.66", expiresOn: "2099-01-01T00:00:00Z" }] });',
      'const b = new cloudlock.Provider("b", { apiUrl: cfg.require("bUrl"), apiToken: cfg.requireSecret("bToken") });',
      'new cloudlock.TrustedIp("hqB", { name: "HQ B", ipAddress: "203.0.113.11" }, { provider: b });',
      "export const hqId = hq.id;",
      "export const count = feed.count;",
      // After hq exists: a lookup runs when the program does, not after the resources it declares.
      "export const listed = hq.id.apply(() => cloudlock.getTrustedIps({})).apply((r) => r.entries.length);",
      "",
    ].join("\n");
    const dir = projectFolder("examples/offices", "ts-sdk", {
      files: { "index.ts": index },
      deps: { "@pulumi/pulumi": PULUMI_SDK_VERSION },
    });
    folders.push(dir);
    await generatedSdk(dir);
    const env = {
      PATH: [path.join(pulumiRoot({ yaml: true }), "bin"), bin, process.env.PATH].join(path.delimiter),
    };
    const p = await project(dir, "dev", { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN }, env);
    await p.ok(["config", "set", "bUrl", other.apiUrl]);
    await p.ok(["config", "set", "--secret", "bToken", "tenant-b-token-ts"]);

    await p.ok(["up", "--yes"]);
    expect(emu.entries("trusted").map((e) => e.name)).toEqual(["HQ"]);
    expect(emu.entries("suspicious").map((e) => e.name)).toEqual(["C2"]);
    expect(other.entries("trusted").map((e) => e.name)).toEqual(["HQ B"]);
    const outputs = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout);
    expect(outputs).toEqual({ hqId: emu.entries("trusted")[0].pk, count: 1, listed: 1 });
    await p.ok(["preview", "--expect-no-changes"]);

    emu.edit("trusted", emu.entries("trusted")[0].pk, { description: "by hand" });
    const drift = await p.run(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    expect(drift.code).not.toBe(0);
    expect(drift.stdout).toMatch(/description: "by hand" => "Head office"/);
    await p.ok(["up", "--refresh", "--yes"]);
    expect(emu.entries("trusted")[0].description).toBe("Head office");

    await p.ok(["config", "set", "hqDescription", "Paris"]);
    await p.ok(["up", "--yes"]);
    expect(emu.entries("trusted")[0]).toMatchObject({ pk: outputs.hqId, description: "Paris" });
    const state = (await p.ok(["stack", "export"])).stdout;
    expect(state).not.toContain("tenant-b-token-ts");
    expect(state).not.toContain(TOKEN);

    await p.ok(["destroy", "--yes"]);
    expect([...emu.entries("trusted"), ...emu.entries("suspicious"), ...other.entries("trusted")]).toEqual(
      [],
    );
  } finally {
    await other.close();
  }
});

test("per-entry resources folded into a set in one up: the entries stay (same pks), held by the set", async () => {
  const { emu } = suite;
  const p = await yamlProject("fold", emu, (doc) =>
    Object.assign(doc, {
      resources: {
        paris: { type: "cloudlock:index:TrustedIp", properties: { name: "Paris", ipAddress: "203.0.113.1" } },
        berlin: {
          type: "cloudlock:index:TrustedIp",
          properties: { name: "Berlin", ipAddress: "203.0.113.2" },
        },
      },
      outputs: {},
    }),
  );
  await p.ok(["up", "--yes"]);
  const before = emu
    .entries("trusted")
    .map((e) => e.pk)
    .sort();
  const doc = readDoc(p);
  doc.resources = {
    offices: {
      type: "cloudlock:index:TrustedIpSet",
      properties: {
        entries: [
          { name: "Paris", ipAddress: "203.0.113.1" },
          { name: "Berlin", ipAddress: "203.0.113.2" },
        ],
      },
    },
  };
  writeDoc(p, doc);
  emu.clearRequests();
  await p.ok(["up", "--yes"]);
  expect(emu.requests().counters.byMethod.DELETE ?? 0).toBe(0);
  expect(
    emu
      .entries("trusted")
      .map((e) => e.pk)
      .sort(),
  ).toEqual(before);
  const set = (await stateOf(p)).find((r) => r.type === "cloudlock:index:TrustedIpSet") as {
    outputs: { entries: Record<string, { pk: string }> };
  };
  expect(
    Object.values(set.outputs.entries)
      .map((e) => e.pk)
      .sort(),
  ).toEqual(before);
  await p.ok(["preview", "--refresh", "--expect-no-changes"]);
});
