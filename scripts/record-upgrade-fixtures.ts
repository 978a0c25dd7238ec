/**
 * `npm run record-upgrade-fixtures [-- TAG]`: records the stacks the upgrade tests (test/upgrade) start from,
 * with a released version (default: the newest `v*` tag), as a user of that release made them.
 *
 * The release is checked out in a temporary git worktree, built and packed; each program of
 * test/upgrade/programs/ gets a project folder with that tarball installed by npm, the release's own emulator
 * (from the tarball) seeded with test/upgrade/programs/hand-made.json, and `pulumi up` (or `pulumi import`) on a
 * local file backend. Saved under test/fixtures/upgrade/TAG/CASE/: the exported state, the stack config file,
 * the program as it ran, and the library the emulator held afterwards; and TAG/schema.json, the release's plugin
 * schema. Nothing here writes or edits state: it is what the CLI exported.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { COLLECTIONS } from "../provider/model";
import { REPO_ROOT, engineEnv, pulumiRoot } from "./lib/engine";

/** The emulator's clock while recording: the fixtures' timestamps are near it, and the tests set it again. */
export const RECORDING_CLOCK = "2027-01-15T12:00:00.000Z";
/** The token the recording's emulator accepts. */
export const RECORDING_TOKEN = "test-token-0123456789";

export interface UpgradeCase {
  /** Folder under test/upgrade/programs and under the fixture's tag. */
  name: string;
  /** npm packages the project needs beside pulumi-cloudlock (versions from the release's lockfile). */
  devDeps: string[];
  /** Stack config besides the connection (it lands in state, as the default provider's inputs). */
  config?: Record<string, string>;
  /** `pulumi import --file` this file (relative to the program) and paste the code it prints, then `up`. */
  importFile?: string;
}

/**
 * Every case reaches Cloudlock through CLOUDLOCK_API_URL / CLOUDLOCK_API_TOKEN. Stack config would land in state
 * (the dynamic providers' default provider keeps the whole config as its inputs; the plugin's provider keeps its
 * apiUrl), and the tests' emulator listens on another port: that would be another tenant, not an upgrade.
 */
export const CASES: UpgradeCase[] = [
  {
    name: "dynamic",
    devDeps: ["@pulumi/pulumi", "typescript", "@types/node"],
    config: { "cloudlock:timeoutSeconds": "60" },
  },
  { name: "data-file", devDeps: ["@pulumi/pulumi", "typescript", "@types/node"] },
  { name: "yaml-provider", devDeps: [] },
  { name: "yaml-import", devDeps: [], importFile: "import.json" },
];

export const PROGRAMS_DIR = path.join(REPO_ROOT, "test/upgrade/programs");
export const FIXTURES_DIR = path.join(REPO_ROOT, "test/fixtures/upgrade");
export const STACK = "dev";

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  try {
    return execFileSync(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(
      `${cmd} ${args.join(" ")} failed in ${opts.cwd}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`,
    );
  }
}

function newestTag(): string {
  const tags = run("git", ["tag", "--list", "v*", "--sort=-v:refname"], { cwd: REPO_ROOT }).split("\n");
  if (!tags[0]) throw new Error("no v* tag to record");
  return tags[0];
}

/** The release's emulator as its own command, on a free port, keeping its library in `dataFile`. */
async function startEmulator(
  pkgDir: string,
  dataFile: string,
): Promise<{ apiUrl: string; base: string; proc: ChildProcess }> {
  const proc = spawn(
    process.execPath,
    [
      path.join(pkgDir, "dist/emulator/cli.js"),
      "--port",
      "0",
      "--token",
      RECORDING_TOKEN,
      "--rate-limit",
      "0",
      "--data",
      dataFile,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const apiUrl = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => {
      out += String(c);
      const m = /CLOUDLOCK_API_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once("exit", (code) => reject(new Error(`the emulator exited ${code}: ${out}`)));
  });
  return { apiUrl, base: apiUrl.replace(/\/api\/v2$/, ""), proc };
}

async function control(base: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}/_emulator/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST /_emulator/${route}: ${res.status} ${await res.text()}`);
}

/** Records one case into `out`. */
async function recordCase(c: UpgradeCase, tarball: string, srcDir: string, work: string, out: string) {
  const dir = path.join(work, c.name, "project");
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(PROGRAMS_DIR, c.name), dir, { recursive: true });
  const version = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(srcDir, "node_modules", name, "package.json"), "utf8")).version;
  // A real npm install into the folder, as a user's: the providers' stored require() paths come from it.
  run(
    "npm",
    [
      "install",
      "--no-save",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      tarball,
      ...c.devDeps.map((d) => `${d}@${version(d)}`),
    ],
    { cwd: dir },
  );
  const pkgDir = path.join(dir, "node_modules/pulumi-cloudlock");
  const dataFile = path.join(work, c.name, "library.json");
  const emu = await startEmulator(pkgDir, dataFile);
  try {
    await control(emu.base, "clock", { set: RECORDING_CLOCK });
    const handMade = JSON.parse(fs.readFileSync(path.join(PROGRAMS_DIR, "hand-made.json"), "utf8"));
    for (const collection of COLLECTIONS)
      await control(emu.base, "seed", { collection, entries: handMade[collection] });

    const stateDir = path.join(work, c.name, "state");
    const home = path.join(work, c.name, "home");
    fs.mkdirSync(stateDir, { recursive: true });
    fs.mkdirSync(home, { recursive: true });
    const env = {
      ...process.env,
      ...engineEnv(stateDir, home, { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: RECORDING_TOKEN }),
    };
    const pulumi = (...args: string[]) =>
      run(path.join(pulumiRoot(), "bin/pulumi"), [...args, "--non-interactive"], { cwd: dir, env });
    pulumi("stack", "init", STACK);
    for (const [k, v] of Object.entries(c.config ?? {})) pulumi("config", "set", k, v);
    if (c.importFile) {
      // Unprotected, so the stack manages them like any other resource (destroy included).
      const generated = path.join(work, c.name, "imported.yaml");
      pulumi("import", "--file", c.importFile, "--protect=false", "--yes", "--out", generated);
      const program = path.join(dir, "Pulumi.yaml");
      const text = fs.readFileSync(program, "utf8").replace(/^resources: \{\}\n/m, "");
      const resources = (yaml.load(fs.readFileSync(generated, "utf8")) as { resources: object }).resources;
      fs.writeFileSync(program, `${text}${yaml.dump({ resources })}`);
    }
    pulumi("up", "--yes", "--skip-preview");
    // A stack its own release does not see as clean would prove nothing after an upgrade.
    pulumi("preview", "--expect-no-changes");
    pulumi("preview", "--refresh", "--expect-no-changes");

    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(path.join(out, "program"), { recursive: true });
    fs.writeFileSync(path.join(out, "state.json"), pulumi("stack", "export"));
    fs.copyFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), path.join(out, `Pulumi.${STACK}.yaml`));
    fs.cpSync(dir, path.join(out, "program"), {
      recursive: true,
      filter: (f) =>
        !/(^|[\\/])(node_modules|package-lock\.json|bin)$/.test(f) && !/Pulumi\.[^.]+\.yaml$/.test(f),
    });
    fs.copyFileSync(dataFile, path.join(out, "library.json"));
  } finally {
    emu.proc.kill();
  }
}

async function main(): Promise<void> {
  const tag = process.argv[2] ?? newestTag();
  const commit = run("git", ["rev-parse", `${tag}^{commit}`], { cwd: REPO_ROOT }).trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-record-"));
  const src = path.join(work, "src");
  run("git", ["worktree", "add", "--detach", src, commit], { cwd: REPO_ROOT });
  try {
    console.log(`${tag} (${commit.slice(0, 7)}): npm ci, build, pack in ${src}`);
    run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: src });
    run("npm", ["run", "build"], { cwd: src });
    const packed = JSON.parse(
      run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: src }),
    ) as Array<{ filename: string; version: string }>;
    const tarball = path.join(work, packed[0].filename);
    const outDir = path.join(FIXTURES_DIR, tag);
    fs.mkdirSync(outDir, { recursive: true });
    for (const c of CASES) {
      const t0 = Date.now();
      await recordCase(c, tarball, src, work, path.join(outDir, c.name));
      console.log(`  ${c.name}: recorded in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
    fs.copyFileSync(path.join(src, "provider/plugin/schema.json"), path.join(outDir, "schema.json"));
    const cli = run(path.join(pulumiRoot(), "bin/pulumi"), ["version"], { cwd: work }).trim();
    fs.writeFileSync(
      path.join(outDir, "recording.json"),
      `${JSON.stringify({ tag, commit, version: packed[0].version, pulumiCli: cli, clock: RECORDING_CLOCK, cases: CASES.map((c) => c.name) }, null, 2)}\n`,
    );
    console.log(`wrote ${path.relative(process.cwd(), outDir)}`);
  } finally {
    run("git", ["worktree", "remove", "--force", src], { cwd: REPO_ROOT });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
