import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Emulator } from "../../emulator";
import { TOKEN, startEmulator } from "../helpers/emulator";

const captured: pulumi.runtime.MockResourceArgs[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      captured.push(args);
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "project",
  "stack",
  false,
);

// Imported after setMocks, as a program would be run.
import * as cloudlock from "../../sdk";

const root = path.resolve(__dirname, "../..");
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
  process.env.CLOUDLOCK_API_TOKEN = TOKEN; // must not end up in __provider
  process.env.CLOUDLOCK_API_URL = emu.apiUrl;
  new cloudlock.TrustedIp("hq", { name: "HQ Berlin", ipAddress: "198.51.100.0/24", categories: ["office"] });
  const s = new cloudlock.SuspiciousIp("tor", {
    name: "TOR exit",
    ipAddress: "203.0.113.7",
    expiresOn: new Date("2099-01-01T00:00:00Z"),
  });
  await new Promise<void>((resolve) => s.urn.apply(() => resolve()));
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(async () => {
  delete process.env.CLOUDLOCK_API_TOKEN;
  delete process.env.CLOUDLOCK_API_URL;
  await emu.close();
});

const byType = (t: string) => {
  const r = captured.find((c) => c.type === t);
  if (!r) throw new Error(`no resource of type ${t}; saw ${captured.map((c) => c.type).join(", ")}`);
  return r;
};

test("each class registers as its own type, with its inputs and a Date turned into ISO-8601", () => {
  expect(byType("pulumi-nodejs:dynamic/cloudlock:TrustedIp").inputs).toMatchObject({
    name: "HQ Berlin",
    ipAddress: "198.51.100.0/24",
    categories: ["office"],
  });
  expect(byType("pulumi-nodejs:dynamic/cloudlock:SuspiciousIp").inputs).toMatchObject({
    expiresOn: "2099-01-01T00:00:00.000Z",
  });
});

test("__provider is small and captures no token, URL or client", () => {
  for (const t of [
    "pulumi-nodejs:dynamic/cloudlock:TrustedIp",
    "pulumi-nodejs:dynamic/cloudlock:SuspiciousIp",
  ]) {
    const code = byType(t).inputs.__provider as string;
    expect(typeof code).toBe("string");
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(2048);
    expect(code).toContain('require("pulumi-cloudlock/provider")');
    expect(code).not.toContain(TOKEN);
    expect(code).not.toContain(emu.apiUrl);
    expect(code).not.toMatch(/CloudlockClient|node-fetch|LibraryCache/);
  }
});

test("the serialised provider loads in a fresh process, as the provider host loads it, and works", async () => {
  const code = byType("pulumi-nodejs:dynamic/cloudlock:TrustedIp").inputs.__provider as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prov-"));
  fs.writeFileSync(path.join(dir, "provider.js"), code);
  // What cmd/dynamic-provider does: requireFromString(__provider).handler(), configure, then CRUD.
  const driver = `
    const rfs = require(${JSON.stringify(require.resolve("require-from-string", { paths: [root] }))});
    const fs = require("fs");
    (async () => {
      const p = rfs(fs.readFileSync(${JSON.stringify(path.join(dir, "provider.js"))}, "utf8")).handler();
      const cfg = { "cloudlock:apiUrl": ${JSON.stringify(emu.apiUrl)}, "cloudlock:apiToken": ${JSON.stringify(TOKEN)} };
      await p.configure({ config: { get: (k) => cfg[k] } });
      const check = await p.check({}, { name: "Fresh", ipAddress: "192.0.2.10" });
      const created = await p.create(check.inputs);
      const read = await p.read(created.id, created.outs);
      await p.delete(created.id, created.outs);
      const gone = await p.read(created.id, created.outs);
      console.log(JSON.stringify({ check, created, read, gone }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ["-e", driver],
      { cwd: root, env: { PATH: process.env.PATH } },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  const r = JSON.parse(out);
  expect(r.check.failures).toEqual([]);
  expect(r.created.id).toMatch(/^[A-Za-z0-9]{10}$/);
  expect(r.read.id).toBe(r.created.id);
  expect(r.read.props).toMatchObject({ name: "Fresh", ipAddress: "192.0.2.10", type: "trusted" });
  expect(r.gone.id).toBe("");
  expect(emu.entries("trusted").find((e) => e.name === "Fresh")).toBeUndefined();
  expect(emu.requests().counters.byMethod).toMatchObject({ POST: 1, DELETE: 1 });
});
