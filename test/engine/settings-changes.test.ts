/**
 * Settings that change around a stack, through the real CLI on both routes (a TypeScript project with the
 * dynamic SDK; a YAML project with the plugin, a provider of its own and the default one): another spelling of
 * the API URL changes nothing; the project moved to another folder, backend and PULUMI_HOME (another checkout)
 * changes nothing; a rotated token works by the documented path (set it, then `up`, which changes no entry; until
 * then `--run-program`), and the refresh that still sends the old one says which settings it used and what to run;
 * an API URL with credentials or a query is never printed; a token set without `--secret` is never stored in plain
 * text by the plugin, and the SDK warns that it is in stack config.
 */
import * as path from "path";
import * as yaml from "js-yaml";
import { pulumiRoot } from "../../scripts/lib/engine";
import { TOKEN, startEmulator } from "../helpers/emulator";
import {
  type Project,
  TARBALL,
  installed,
  movedProject,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { writes } from "../helpers/requests";
import { FRAMES, engineSuite } from "./helpers";

const suite = engineSuite("settings");
const folders: string[] = [];
afterAll(() => folders.forEach(removeProject));

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const NEW_TOKEN = "rotated-token-0123456789";
/** A stack frame or a source location: never in the output of an expected error. */

const TS = `import * as cloudlock from "pulumi-cloudlock";
new cloudlock.TrustedIp("hq", { name: "HQ", ipAddress: "203.0.113.10" });
new cloudlock.TrustedIpSet("saas", { entries: [{ name: "SaaS A", ipAddress: "203.0.113.64/27" }] });
`;

/** The YAML program: `hq` through a provider of its own (its URL and token from project config), `c2` the default's. */
const YAML = {
  name: "settings-yaml",
  runtime: "yaml",
  config: { tenantUrl: { type: "string" }, tenantApiToken: { type: "string" } },
  resources: {
    tenant: {
      type: "pulumi:providers:cloudlock",
      properties: { apiUrl: "${tenantUrl}", apiToken: "${tenantApiToken}" },
    },
    hq: {
      type: "cloudlock:index:TrustedIp",
      properties: { name: "HQ", ipAddress: "203.0.113.10" },
      options: { provider: "${tenant}" },
    },
    c2: {
      type: "cloudlock:index:SuspiciousIp",
      properties: { name: "C2", ipAddress: "192.0.2.66", expiresOn: "2099-01-01T00:00:00Z" },
    },
  },
};

type Route = "ts" | "yaml";

/** The config keys that hold the URL and the token on a route. */
const KEYS: Record<Route, { url: string[]; token: string[] }> = {
  ts: { url: ["cloudlock:apiUrl"], token: ["cloudlock:apiToken"] },
  yaml: {
    url: ["cloudlock:apiUrl", "settings-yaml:tenantUrl"],
    token: ["cloudlock:apiToken", "settings-yaml:tenantApiToken"],
  },
};

async function routeProject(route: Route): Promise<Project> {
  const { emu } = suite;
  const config = Object.fromEntries([
    ...KEYS[route].url.map((k) => [k, `http://localhost:${emu.port}/api/v2`]),
    ...KEYS[route].token.map((k) => [k, TOKEN]),
  ]);
  if (route === "ts") {
    const dir = projectFolder("examples/offices", "settings-ts", { files: { "index.ts": TS } });
    folders.push(dir);
    return project(dir, "dev", config, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" });
  }
  const bin = path.join(installed({ "pulumi-cloudlock": TARBALL }), "node_modules", ".bin");
  const dir = projectFolder("examples/yaml", "settings-yaml", {
    deps: { "pulumi-cloudlock": TARBALL },
    files: { "Pulumi.yaml": yaml.dump(YAML) },
  });
  folders.push(dir);
  return project(dir, "dev", config, {
    PATH: [path.join(pulumiRoot(), "bin"), bin, process.env.PATH].join(path.delimiter),
  });
}

describe.each(["ts", "yaml"] as const)("%s", (route) => {
  let p: Project;
  beforeAll(async () => {
    suite.emu.reset();
    p = await routeProject(route);
    await p.ok(["up", "--yes"]);
  });

  test("another spelling of the API URL (the case of its scheme and host, a trailing slash) changes nothing", async () => {
    const { emu } = suite;
    // The default port and the other forms are unit-tested (test/unit/config.test.ts): the emulator has its own port.
    const spelled = `HTTP://LocalHost:${emu.port}/api/v2/`;
    for (const k of KEYS[route].url) await p.ok(["config", "set", k, spelled]);
    emu.clearRequests();
    await p.ok(["preview", "--expect-no-changes", "--diff"]);
    await p.ok(["up", "--yes", "--expect-no-changes"]);
    await p.ok(["preview", "--refresh", "--expect-no-changes"]);
    expect(writes(emu)).toBe(0);
    // And back to the first spelling: still nothing.
    for (const k of KEYS[route].url) await p.ok(["config", "set", k, `http://localhost:${emu.port}/api/v2`]);
    await p.ok(["up", "--yes", "--expect-no-changes"]);
    expect(writes(emu)).toBe(0);
  });

  test("moved to another folder, backend and PULUMI_HOME (another checkout): preview, refresh and up change nothing", async () => {
    const { emu } = suite;
    const moved = movedProject(p);
    folders.push(moved.dir);
    expect(moved.dir).not.toBe(p.dir);
    // A new checkout selects its stack, as CI does.
    await moved.ok(["stack", "select", "dev"]);
    emu.clearRequests();
    await moved.ok(["preview", "--expect-no-changes", "--diff"]);
    await moved.ok(["preview", "--refresh", "--expect-no-changes"]);
    await moved.ok(["up", "--yes", "--expect-no-changes"]);
    expect(writes(emu)).toBe(0);
  });

  test("pointed at another tenant where Pulumi cannot see it (stack config of the SDK, the environment of a default provider): preview refuses, naming both URLs, and nothing is written in either", async () => {
    const { emu } = suite;
    const other = await startEmulator();
    try {
      const before = emu.dump();
      // TS: the SDK's stack config. YAML: the default provider's URL from the environment instead of stack config.
      const env: Record<string, string> = route === "ts" ? {} : { CLOUDLOCK_API_URL: other.apiUrl };
      if (route === "ts") await p.ok(["config", "set", "cloudlock:apiUrl", other.apiUrl]);
      else await p.ok(["config", "rm", "cloudlock:apiUrl"]);
      for (const args of [
        ["preview", "--diff"],
        ["preview", "--refresh"],
      ]) {
        const r = await p.run(args, env);
        const out = r.stdout + r.stderr;
        expect([args.join(" "), r.code]).toEqual([args.join(" "), 1]);
        expect(out).not.toMatch(FRAMES);
        expect(out).toMatch(
          new RegExp(
            `(TrustedIp|SuspiciousIp)(Set)? \\S+ was made in the tenant at ${escape(`http://localhost:${emu.port}/api/v2`)}, and the provider now points at ${escape(other.apiUrl)}`,
          ),
        );
        expect(out).toContain("set the API URL back to");
      }
      expect(other.requests().log.filter((q) => q.method !== "GET")).toHaveLength(0);
      expect(other.entries("trusted")).toHaveLength(0);
      expect(emu.dump()).toEqual(before);
    } finally {
      await other.close();
      for (const k of KEYS[route].url.filter((k) => k.startsWith("cloudlock:")))
        await p.ok(["config", "set", k, `http://localhost:${emu.port}/api/v2`]);
    }
    await p.ok(["preview", "--refresh", "--expect-no-changes"]);
  });

  test("a rotated token: the refresh that still sends the recorded one says so and what to run; --run-program, then up, use the new one", async () => {
    const { emu } = suite;
    emu.rotateToken(TOKEN, NEW_TOKEN);
    for (const k of KEYS[route].token) await p.ok(["config", "set", "--secret", k, NEW_TOKEN]);

    const stale = await p.run(["preview", "--refresh"]);
    expect(stale.code).not.toBe(0);
    const out = stale.stdout + stale.stderr;
    expect(out).not.toMatch(FRAMES);
    const from =
      route === "ts" ? 'from stack config "cloudlock:apiToken"' : 'from the apiToken of provider "tenant"';
    expect(out).toContain(`did not accept the API token ${from}.`);
    // Said as a possibility: the provider cannot tell whether the program ran.
    expect(out).not.toContain("not the current stack config");
    expect(out).toContain(
      "If you set a new token after the stack's last `pulumi up`, a command that does not run the program " +
        "(`pulumi refresh`, `preview --refresh`, `up --refresh`, `destroy`, `pulumi import`) still sends the one " +
        "recorded then",
    );
    // What to run, said once per run (later failures of the same cause say only what happened).
    const fix = "run it again with `--run-program`";
    expect(out).toContain(fix);
    expect(out).toContain("PULUMI_RUN_PROGRAM=true");
    // Each provider process says it for one resource, which the engine shows in at most three places (its
    // progress line, its failure line, Diagnostics); YAML's stack has two providers, the default and "tenant".
    const providers = route === "ts" ? 1 : 2;
    expect(out.split("\n").filter((l) => l.includes(fix)).length).toBeLessThanOrEqual(3 * providers);

    // The documented path: --run-program (or PULUMI_RUN_PROGRAM) until an `up` records the new token. No entry
    // changes; a provider of the program's own shows its new token as an update of the provider alone.
    emu.clearRequests();
    const fresh = await p.ok(["preview", "--refresh", "--run-program", "--diff"]);
    expect(fresh.stdout).not.toMatch(/^\s*[-+~]+\s+cloudlock:index:/m);
    if (route === "ts") expect(fresh.stdout).not.toMatch(/to (update|create|delete|replace)/);
    else expect(fresh.stdout).toMatch(/~ pulumi:providers:cloudlock: \(update\)[\s\S]*1 to update/);
    await p.ok(["refresh", "--yes"], { PULUMI_RUN_PROGRAM: "true" });
    await p.ok(["up", "--yes"]);
    expect(writes(emu)).toBe(0);
    // Recorded now: a refresh without the program sends the new token.
    await p.ok(["preview", "--refresh", "--expect-no-changes"]);
    await p.ok(["destroy", "--yes"]);
    expect(emu.entries("trusted")).toHaveLength(0);
    expect(emu.entries("suspicious")).toHaveLength(0);
  });

  test("an API URL with credentials or a query: refused before any request, never printed", async () => {
    const { emu } = suite;
    const good = `http://localhost:${emu.port}/api/v2`;
    for (const [bad, shown] of [
      [`http://user:pw-SECRET@localhost:${emu.port}/api/v2`, `http://***@localhost:${emu.port}/api/v2`],
      [`${good}?token=SECRET`, `${good}?…`],
    ]) {
      for (const k of KEYS[route].url) await p.ok(["config", "set", k, bad]);
      emu.clearRequests();
      const r = await p.run(["preview", "--diff"]);
      const out = r.stdout + r.stderr;
      expect(r.code).not.toBe(0);
      expect(out).not.toMatch(/SECRET|user:/);
      expect(out).toContain(`"${shown}"`);
      expect(out).not.toMatch(FRAMES);
      expect(emu.requests().log).toHaveLength(0);
    }
    for (const k of KEYS[route].url) await p.ok(["config", "set", k, good]);
  });

  test("a token set without --secret: the plugin has the engine store it encrypted; the SDK warns", async () => {
    for (const k of KEYS[route].token) await p.ok(["config", "set", k, NEW_TOKEN]);
    const up = await p.ok(["up", "--yes"]);
    const warning = "is not a secret, so the token is stored in plain text";
    if (route === "ts") {
      // pulumi-nodejs records the whole stack config in the state: only the program can tell, and it says so.
      expect(up.stdout + up.stderr).toContain(
        'Stack config "cloudlock:apiToken" is not a secret, so the token is stored in plain text',
      );
    } else {
      expect(up.stdout + up.stderr).not.toContain(warning);
      const state = await p.ok(["stack", "export"]);
      expect(state.stdout).toContain("apiToken");
      expect(state.stdout).not.toContain(NEW_TOKEN);
    }
    for (const k of KEYS[route].token) await p.ok(["config", "set", "--secret", k, NEW_TOKEN]);
    await p.ok(["destroy", "--yes"]);
  });
});
