/**
 * As users install it (files under node_modules, not a checkout), the SDK's
 * provider objects are serialised by reference: __provider is a few hundred
 * bytes that `require` the installed package, and that code loads and works
 * the way the provider host loads it.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { installedCopy } from "../../scripts/lib/install";
import { TOKEN, startEmulator } from "../helpers/emulator";

// Outside the checkout: inside it, Node would resolve "pulumi-cloudlock" to the checkout itself (self-reference).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-installed-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// A fresh Node process in the user's project: the SDK from node_modules, under Pulumi's mocks.
const SERIALISE = `
const pulumi = require("@pulumi/pulumi");
const out = {};
pulumi.runtime.setMocks({
  newResource: (a) => { out[a.type] = a.inputs.__provider; return { id: "x", state: a.inputs }; },
  call: () => ({}),
}, "p", "s", false);
const sdk = require("pulumi-cloudlock");
new sdk.TrustedIp("t", { name: "T", ipAddress: "192.0.2.1" });
new sdk.SuspiciousIp("s", { name: "S", ipAddress: "192.0.2.2" });
new sdk.TrustedIpSet("ts", { entries: [{ name: "T", ipAddress: "192.0.2.3" }] });
new sdk.SuspiciousIpSet("ss", { entries: [{ name: "S", ipAddress: "192.0.2.4" }] });
setTimeout(() => process.stdout.write(JSON.stringify(out)), 1000);
`;

// What cmd/dynamic-provider does with __provider: load it from a string, call handler(), configure, CRUD.
const LOAD = `
const Module = require("module");
const m = new Module("provider", module);
m.paths = Module._nodeModulePaths(process.cwd());
m._compile(process.argv[1], "provider.js");
const provider = m.exports.handler();
const config = { get: (k) => ({ "cloudlock:apiUrl": process.argv[2], "cloudlock:apiToken": process.argv[3] })[k] };
(async () => {
  await provider.configure({ config });
  const checked = await provider.check({}, { name: "Loaded", ipAddress: "198.51.100.9" });
  const made = await provider.create(checked.inputs);
  process.stdout.write(JSON.stringify(made));
})();
`;

test("__provider is a few hundred bytes requiring the installed package, and it works", async () => {
  const pkg = installedCopy(dir);
  expect(fs.lstatSync(pkg).isSymbolicLink()).toBe(false);
  const out = JSON.parse(execFileSync(process.execPath, ["-e", SERIALISE], { cwd: dir, encoding: "utf8" }));
  const types: [string, string][] = [
    ["TrustedIp", "trusted"],
    ["SuspiciousIp", "suspicious"],
    ["TrustedIpSet", "trusted-set"],
    ["SuspiciousIpSet", "suspicious-set"],
  ];
  for (const [type, file] of types) {
    const code = out[`pulumi-nodejs:dynamic/cloudlock:${type}`];
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(400);
    expect(code).toContain(`require("pulumi-cloudlock/dist/sdk/providers/${file}.js")`);
  }
  const emu = await startEmulator();
  try {
    const code = out["pulumi-nodejs:dynamic/cloudlock:TrustedIp"];
    // Asynchronously: the emulator answers from this process.
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", LOAD, code, emu.apiUrl, TOKEN], {
      cwd: dir,
      encoding: "utf8",
    });
    const made = JSON.parse(stdout);
    expect(made.id).toBe(emu.entries("trusted")[0].pk);
    expect(made.outs).toMatchObject({ name: "Loaded", ipAddress: "198.51.100.9" });
  } finally {
    await emu.close();
  }
});
