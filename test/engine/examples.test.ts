/**
 * Every example under examples/ is a Pulumi project folder a user can copy. Each one is copied outside the
 * checkout, installed from the packed package, and run through the real `pulumi` CLI and Node.js language host
 * against the emulator: preview, up, the drift check passing, a hand edit failing it, up --refresh reconciling,
 * destroy leaving the library empty.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { parseCsv, readLibraryFile, resourceName } from "../../sdk";
import type { IpEntry } from "../../provider/client/types";
import { TOKEN } from "../helpers/emulator";
import { Project, TARBALL, project, projectFolder, removeProject } from "../helpers/project";
import { engineSuite } from "./helpers";

const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, "../..");
const examplesDir = path.join(root, "examples");

/** Example folders with a Pulumi.yaml that other test files run, with the reason. */
const TESTED_ELSEWHERE: Record<string, string> = {
  "policy-pack": "a policy pack, not a program: its own tests run it with --policy-pack",
  yaml: "a YAML program through the native plugin: test/engine/plugin.test.ts runs it",
};

/** Every example folder that is a Pulumi project, so that a new one cannot be forgotten. */
const projects = fs
  .readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(examplesDir, d.name, "Pulumi.yaml")))
  .map((d) => d.name)
  .sort();
const runnable = projects.filter((name) => !(name in TESTED_ELSEWHERE));

const suite = engineSuite("examples");

interface PackageJson {
  main?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const rootPackage = readJson<{ version: string; dependencies: Record<string, string> }>(
  path.join(root, "package.json"),
);

/**
 * What a user's `npm install` gives the example: this package packed, and every other dependency at the version
 * this checkout is tested with (the examples' ranges are checked to name it).
 */
function installDeps(example: string): Record<string, string> {
  const pkg = readJson<PackageJson>(path.join(examplesDir, example, "package.json"));
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  return Object.fromEntries(
    Object.keys(all).map((name) => [
      name,
      name === "pulumi-cloudlock"
        ? TARBALL
        : readJson<{ version: string }>(path.join(root, "node_modules", name, "package.json")).version,
    ]),
  );
}

/** Every entry in the emulator, with its collection. */
function library(): Array<IpEntry & { collection: "trusted" | "suspicious" }> {
  return (["trusted", "suspicious"] as const).flatMap((collection) =>
    suite.emu.entries(collection).map((e) => ({ ...e, collection })),
  );
}

const sortedNames = (entries: IpEntry[]) => entries.map((e) => e.name).sort();

/** A preview's plan, from `pulumi preview --json`. */
interface Plan {
  steps: Array<{ op: string; urn: string }>;
  changeSummary: Record<string, number>;
}

/** What an example adds to the common lifecycle: its config, entries made by hand first, its own checks. */
interface ExampleCase {
  config?: Record<string, string>;
  /** Entries someone made by hand before the first up (they are not the example's). */
  byHand?: {
    collection: "trusted" | "suspicious";
    entries: Array<Partial<IpEntry> & { name: string; ip_address: string }>;
  };
  /** After the first preview and up: what the example declares, as the plan and Cloudlock show it. */
  afterUp?: (dir: string, plan: Plan, p: Project) => Promise<void>;
  /** Before destroy: the example's own further steps. */
  beforeDestroy?: (dir: string, p: Project) => Promise<void>;
  /** Its steps remove the entries made by hand (otherwise they must outlive destroy untouched). */
  removesByHand?: boolean;
}

/** The offices example's data (from the copied folder): one TrustedIp per entry, named by `resource`. */
function expectOffices(dir: string, plan: Plan) {
  const rows = readLibraryFile(path.join(dir, "offices.yaml")).trusted!;
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(plan.steps).toContainEqual(
      expect.objectContaining({
        op: "create",
        urn: expect.stringMatching(
          new RegExp(`cloudlock:TrustedIp::${r.resource ?? resourceName("trusted", r.name)}$`),
        ),
      }),
    );
  }
  expect(sortedNames(suite.emu.entries("trusted"))).toEqual(rows.map((r) => r.name).sort());
  expect(suite.emu.entries("trusted").find((e) => e.name === "HQ Berlin")?.categories).toEqual([
    "office",
    "berlin",
  ]);
}

/** The threat feed's rows (from the copied folder). */
function feedRows(dir: string) {
  const rows = parseCsv(fs.readFileSync(path.join(dir, "feed.csv"), "utf8"));
  expect(rows.length).toBeGreaterThan(0);
  return rows;
}

/** Expiry as declared: a row's ExpiresOn is the entry's, an empty one leaves it without. */
function expectFeedExpiry() {
  const byName = (n: string) => suite.emu.entries("suspicious").find((e) => e.name === n);
  expect(byName("TOR exit relay")?.expires_on).toBe("2031-12-31T00:00:00.000000+00:00");
  expect(byName("Scanner range")?.expires_on).toBeNull();
}

async function outputs(p: Project): Promise<Record<string, unknown>> {
  return JSON.parse((await p.ok(["stack", "output", "--json", "--show-secrets"])).stdout);
}

const CASES: Record<string, ExampleCase> = {
  main: {
    afterUp: async (dir, plan, p) => {
      expectOffices(dir, plan);
      const rows = feedRows(dir);
      for (const r of rows) {
        expect(plan.steps.map((s) => s.urn)).toContainEqual(
          expect.stringMatching(new RegExp(`cloudlock:SuspiciousIp::${resourceName("threat", r.Name)}$`)),
        );
      }
      expect(sortedNames(suite.emu.entries("suspicious"))).toEqual(rows.map((r) => r.Name).sort());
      expectFeedExpiry();
      const out = await outputs(p);
      expect(out.trustedIds).toHaveLength(suite.emu.entries("trusted").length);
      expect(new Set(out.suspiciousIds as string[])).toEqual(
        new Set(suite.emu.entries("suspicious").map((e) => e.pk)),
      );
    },
  },
  offices: {
    afterUp: async (dir, plan, p) => {
      expectOffices(dir, plan);
      expect(suite.emu.entries("suspicious")).toEqual([]);
      expect(new Set((await outputs(p)).trustedIds as string[])).toEqual(
        new Set(suite.emu.entries("trusted").map((e) => e.pk)),
      );
    },
  },
  "threat-feed": {
    byHand: { collection: "suspicious", entries: [{ name: "Manual block", ip_address: "192.0.2.250" }] },
    removesByHand: true,
    afterUp: async (dir, plan, p) => {
      const rows = feedRows(dir);
      // One resource for the whole feed; additive (the default) leaves the entry made by hand alone.
      expect(plan.steps.filter((s) => s.op === "create").map((s) => s.urn)).toEqual([
        expect.stringMatching(/::pulumi:pulumi:Stack::/),
        expect.stringMatching(/cloudlock:SuspiciousIpSet::threat-feed$/),
      ]);
      expect(sortedNames(suite.emu.entries("suspicious"))).toEqual(
        [...rows.map((r) => r.Name), "Manual block"].sort(),
      );
      expectFeedExpiry();
      expect((await outputs(p)).count).toBe(rows.length);
    },
    beforeDestroy: async (dir, p) => {
      const rows = feedRows(dir);
      // A mode the program does not know fails preview, naming the setting.
      await p.ok(["config", "set", "mode", "exclusive"]);
      const bad = await p.run(["preview"]);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout + bad.stderr).toContain(
        'cloudlock-threat-feed:mode must be "additive" or "authoritative"',
      );
      // Authoritative: the library must equal the feed. Preview names the entry nobody declared; up removes it.
      await p.ok(["config", "set", "mode", "authoritative"]);
      const pv = await p.ok(["preview", "--diff"]);
      expect(pv.stdout).toContain("Manual block");
      await p.ok(["up", "--yes"]);
      expect(sortedNames(suite.emu.entries("suspicious"))).toEqual(rows.map((r) => r.Name).sort());
    },
  },
};

test("every example project is a folder a user can copy", () => {
  // The enumeration finds the examples this file is known to run (it is not empty by accident).
  expect(runnable).toEqual(expect.arrayContaining(["main", "offices", "threat-feed"]));
  for (const name of projects) {
    const dir = path.join(examplesDir, name);
    const settings = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
      runtime: string | { name: string };
    };
    // Node.js programs on the SDK; the YAML example runs through the plugin.
    expect([name, typeof settings.runtime === "string" ? settings.runtime : settings.runtime.name]).toEqual([
      name,
      name === "yaml" ? "yaml" : "nodejs",
    ]);
    if (name in TESTED_ELSEWHERE) continue;
    const pkg = readJson<PackageJson>(path.join(dir, "package.json"));
    expect([name, pkg.dependencies?.["pulumi-cloudlock"], pkg.dependencies?.["@pulumi/pulumi"]]).toEqual([
      name,
      `^${rootPackage.version}`,
      // The range the package itself claims (package.json), so an example never promises more.
      rootPackage.dependencies["@pulumi/pulumi"],
    ]);
    const program = fs.readFileSync(path.join(dir, pkg.main!), "utf8");
    expect([name, program]).toEqual([name, expect.stringContaining('from "pulumi-cloudlock"')]);
    // Nothing outside the folder: a copy must run on its own.
    expect([name, program]).toEqual([name, expect.not.stringMatching(/from "\.\.\//)]);
    const tsconfig = readJson<{ compilerOptions: Record<string, unknown> }>(path.join(dir, "tsconfig.json"));
    expect([name, tsconfig.compilerOptions.skipLibCheck]).toEqual([name, undefined]);
    expect(fs.existsSync(path.join(dir, "README.md"))).toBe(true);
  }
});

test("the repository's Pulumi project runs the main example, which is the offices and the threat feed", () => {
  const settings = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    runtime: { name: string };
    main: string;
  };
  expect(settings.runtime.name).toBe("nodejs");
  expect(path.resolve(root, settings.main)).toBe(path.join(examplesDir, "main"));
  // The main example's data are the two smaller examples' (each folder must carry its own copy).
  const same = (a: string, b: string) =>
    expect(fs.readFileSync(path.join(examplesDir, a), "utf8")).toBe(
      fs.readFileSync(path.join(examplesDir, b), "utf8"),
    );
  same("main/offices.yaml", "offices/offices.yaml");
  same("main/feed.csv", "threat-feed/feed.csv");
});

test.each(runnable)(
  "examples/%s through the CLI: preview, up, drift check, reconcile, destroy",
  async (name) => {
    const c = CASES[name] ?? {};
    suite.emu.reset();
    const byHand = c.byHand ? suite.emu.seed(c.byHand.collection, c.byHand.entries).map((e) => e.pk) : [];
    const dir = projectFolder(`examples/${name}`, name, { deps: installDeps(name) });
    let pending: Promise<unknown> = Promise.resolve();
    try {
      // The folder type-checks as it is, with a stock TypeScript 5 and without skipLibCheck: tsc's errors, or "".
      // It runs beside the CLI steps (which mostly wait on each other) and is awaited at the end.
      const typecheck = execFileAsync(process.execPath, [
        path.join(dir, "node_modules/typescript/bin/tsc"),
        "--noEmit",
        "-p",
        dir,
      ]).then(
        () => "",
        (e: { stdout?: string; message: string }) => e.stdout || e.message,
      );
      pending = typecheck;
      // The first preview runs as a user's does (ts-node type-checks the program); the later steps skip ts-node's
      // type check, which costs several CPU seconds per run on the same program, to keep this file's runtime.
      const p = await project(
        dir,
        "dev",
        { "cloudlock:apiUrl": suite.emu.apiUrl, "cloudlock:apiToken": TOKEN, ...c.config },
        { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      );
      const plan = JSON.parse(
        (await p.ok(["preview", "--json"], { PULUMI_NODEJS_TRANSPILE_ONLY: "false" })).stdout,
      ) as Plan;
      expect(plan.changeSummary.create).toBeGreaterThan(1);
      expect(library().map((e) => e.pk)).toEqual(byHand);
      await p.ok(["up", "--yes"]);
      await c.afterUp?.(dir, plan, p);
      await p.ok(["preview", "--refresh", "--expect-no-changes"]);

      // A hand edit in the UI: the drift check fails and names the field; up --refresh puts the declaration back.
      const target = library().find((e) => !byHand.includes(e.pk))!;
      suite.emu.edit(target.collection, target.pk, { description: "opened by hand for a contractor" });
      const drift = await p.run(["preview", "--refresh", "--expect-no-changes", "--diff"]);
      expect(drift.code).not.toBe(0);
      expect(drift.stdout).toMatch(/description.*opened by hand for a contractor/);
      await p.ok(["up", "--refresh", "--yes"]);
      expect(suite.emu.entries(target.collection).find((e) => e.pk === target.pk)?.description).toBe(
        target.description,
      );

      await c.beforeDestroy?.(dir, p);
      await p.ok(["destroy", "--yes"]);
      expect(library().filter((e) => !byHand.includes(e.pk))).toEqual([]);
      expect(library().map((e) => e.pk)).toEqual(c.removesByHand ? [] : byHand);
      expect(await typecheck).toBe("");
    } finally {
      await pending;
      removeProject(dir);
    }
  },
);
