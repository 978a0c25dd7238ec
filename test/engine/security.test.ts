/**
 * Scenario 8 through the real engine: the API token, set as a secret stack
 * config value, appears nowhere in the exported state, the backend's files or
 * the engine's output.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as cloudlock from "../../sdk";
import { localStack, pulumiRoot } from "../../scripts/lib/engine";
import { engineStack, engineSuite } from "./helpers";

const SECRET = "tok-SECRET-9f8e7d6c5b4a";
const suite = engineSuite("security", { tokens: [SECRET] });

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : [p];
  });
}

test("8. a cloudlock:apiToken secret never reaches state or output", async () => {
  const s = await engineStack(suite.base, "secret", suite.emu, SECRET, async () => {
    const t = new cloudlock.TrustedIp("office", {
      name: "Office",
      ipAddress: "198.51.100.5",
      categories: ["office"],
    });
    new cloudlock.SuspiciousIp("feed", {
      name: "Feed",
      ipAddress: "203.0.113.50",
      expiresOn: "2099-01-01T00:00:00Z",
    });
    return { id: t.id };
  });
  await s.stack.up({ ...s.io, diff: true });
  await s.stack.refresh(s.io);
  // The token was used (the emulator accepts only it), so it did reach the provider.
  expect(suite.emu.entries("trusted")).toHaveLength(1);
  // `pulumi stack export`, as a user or CI runs it. (The engine keeps stack config as inputs of the
  // default pulumi-nodejs provider, encrypted like every secret; Automation's exportStack() passes
  // --show-secrets and would decrypt it.)
  const exported = execFileSync(
    path.join(pulumiRoot(), "bin", "pulumi"),
    ["stack", "export", "--stack", "secret"],
    {
      cwd: s.workDir,
      env: { ...process.env, ...s.env },
      encoding: "utf8",
    },
  );
  expect(exported).toContain("pulumi-nodejs:dynamic/cloudlock:TrustedIp");
  expect(exported).toContain("ciphertext");
  expect(exported).not.toContain(SECRET);
  // No resource of ours carries it, even decrypted.
  const decrypted = (await s.stack.exportStack()).deployment.resources as {
    type: string;
    inputs?: object;
    outputs?: object;
  }[];
  for (const r of decrypted.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/"))) {
    expect(JSON.stringify(r)).not.toContain(SECRET);
  }
  const stateFiles = filesUnder(s.stateDir);
  expect(stateFiles.length).toBeGreaterThan(0);
  for (const f of stateFiles) expect(fs.readFileSync(f, "utf8")).not.toContain(SECRET);
  await s.stack.destroy(s.io);
  expect(s.output().length).toBeGreaterThan(100);
  expect(s.output()).not.toContain(SECRET);
  expect(suite.emu.entries("trusted")).toHaveLength(0);
});

test("8b. a token from CLOUDLOCK_API_TOKEN is in no state, output or log, even at -v=9 with plugin logs", async () => {
  const { stack, stateDir } = await localStack({
    stackName: "env-token",
    baseDir: suite.base,
    program: async () => {
      new cloudlock.TrustedIp("env-office", { name: "Env office", ipAddress: "198.51.100.6" });
    },
    env: { CLOUDLOCK_API_URL: suite.emu.apiUrl, CLOUDLOCK_API_TOKEN: SECRET },
  });
  suite.emu.clearRequests();
  let log = "";
  const v9 = {
    logToStdErr: true,
    logVerbosity: 9,
    logFlow: true,
    debug: true,
    onOutput: (t: string) => (log += t),
    onError: (t: string) => (log += t),
  };
  const up = await stack.up(v9);
  const pv = await stack.preview({ refresh: true, ...v9 });
  const destroy = await stack.destroy(v9);
  log += up.stdout + up.stderr + pv.stdout + pv.stderr + destroy.stdout + destroy.stderr;
  // It was used (the emulator accepts only it), and the log is the verbose one, RPC payloads included.
  expect(suite.emu.requests().log.some((r) => r.method === "POST" && r.status === 200)).toBe(true);
  expect(log).toContain("Marshaling property for RPC");
  expect(log).toContain("198.51.100.6");
  expect(log).not.toContain(SECRET);
  for (const f of filesUnder(stateDir)) expect(fs.readFileSync(f, "utf8")).not.toContain(SECRET);
});
