/**
 * Pulumi project folders, run the way users run them: the packed package installed with npm, the `pulumi` CLI
 * started in the folder (so the Node.js language host runs the program), a local file backend.
 */
import { execFile, execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT, engineEnv, pulumiRoot } from "../../scripts/lib/engine";

/** The @pulumi/pulumi this checkout is built and tested with (from its lockfile). */
export const PULUMI_SDK_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
).version;

const cacheDir = path.join(REPO_ROOT, ".pulumi", "installs");
let tarball: string | undefined;

/**
 * `npm pack` of this checkout (its `dist` must be built), once per test process. Scripts are not run: the
 * tarball is what `npm publish` would upload after the build.
 */
export function packedTarball(): string {
  if (tarball) return tarball;
  // Jest gives each test file its own copy of this module, so `tarball` is per file; the folder is per process
  // (its pid and start time: a pid alone is reused by later runs, whose `dist` may differ), so the later files a
  // worker runs reuse its pack instead of running `npm pack` again.
  const started = Math.round(Date.now() / 1000 - process.uptime());
  const dir = path.join(cacheDir, `pack-${process.pid}-${started}`);
  const made = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".tgz")) : [];
  if (made.length === 1) return (tarball = path.join(dir, made[0]));
  fs.mkdirSync(dir, { recursive: true });
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  tarball = path.join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0].filename);
  return tarball;
}

/** The sha256 of a file, for cache keys. */
function digest(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * A folder whose node_modules holds `deps` (npm specs; `TARBALL` stands for this package, packed), installed once
 * per distinct set and package content, and shared by the test files that ask for the same set. Installs
 * prefer npm's cache, which `npm ci` filled.
 */
export function installed(deps: Record<string, string>): string {
  const resolved = Object.fromEntries(
    Object.entries(deps).map(([k, v]) => [k, v === TARBALL ? `file:${packedTarball()}` : v]),
  );
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify(Object.entries(deps).sort()))
    .update(Object.values(deps).includes(TARBALL) ? digest(packedTarball()) : "")
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(cacheDir, key);
  const done = path.join(dir, ".installed");
  if (fs.existsSync(done)) return dir;
  // Another worker may be installing the same set: the first to make the lock folder installs, the rest wait.
  const lock = `${dir}.lock`;
  let mine = false;
  try {
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.mkdirSync(lock);
    mine = true;
  } catch {
    while (!fs.existsSync(done) && fs.existsSync(lock))
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    if (fs.existsSync(done)) return dir;
    return installed(deps);
  }
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "cloudlock-test-install", private: true, dependencies: resolved }, null, 2),
    );
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    fs.writeFileSync(done, "");
    return dir;
  } finally {
    if (mine) fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Stands for this package, packed with `npm pack`, in {@link installed} and {@link projectFolder}. */
export const TARBALL = "<this package>";

/**
 * A copy of a project folder (`src`, e.g. `examples/offices`) in a fresh temporary folder outside this checkout
 * (as a user's would be: the language host looks upward for package.json and node_modules), with
 * `node_modules` linked to an install of `deps` (default: the packed package and the SDK it is tested with).
 * Files named in `files` are written over the copy (relative path → content). Remove it with
 * {@link removeProject}.
 */
export function projectFolder(
  src: string,
  name: string,
  opts: { deps?: Record<string, string>; files?: Record<string, string> } = {},
): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-project-")), name);
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.resolve(REPO_ROOT, src), dir, {
    recursive: true,
    filter: (f) => !/(^|[\\/])(node_modules|package-lock\.json)$/.test(f),
  });
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const deps = opts.deps ?? { "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": PULUMI_SDK_VERSION };
  fs.symlinkSync(path.join(installed(deps), "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Removes a folder made by {@link projectFolder}, with its state. */
export function removeProject(dir: string): void {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}

/** A project folder's stacks: a file backend and PULUMI_HOME of its own, beside the folder. */
export interface Project {
  dir: string;
  env: Record<string, string>;
  /** The `pulumi` it runs. */
  cli: string;
  /** Runs `pulumi <args>` in the folder; never throws on a non-zero exit (read `code`). */
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** Like {@link run}, but throws with the CLI's output when it exits non-zero. */
  ok(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
}

/**
 * Prepares `dir` for the CLI: a file backend beside it, stack `stack` created and selected, and `config` set
 * (keys ending in `apiToken` as secrets). `cli` is the `pulumi` to run (default: the one ensure-pulumi.sh
 * provides; the compatibility matrix passes its cell's, with that cell's folders first on `extraEnv.PATH`).
 */
export async function project(
  dir: string,
  stack: string,
  config: Record<string, string>,
  extraEnv: Record<string, string> = {},
  cli: string = path.join(pulumiRoot({ yaml: true }), "bin", "pulumi"),
): Promise<Project> {
  const stateDir = path.join(path.dirname(dir), "state");
  const home = path.join(path.dirname(dir), "home");
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const p = bound(dir, engineEnv(stateDir, home, extraEnv), cli);
  await p.ok(["stack", "init", stack]);
  // One CLI run for all the keys (each run costs a CLI start and a state read).
  const pairs = Object.entries(config).flatMap(([k, v]) => [
    /apiToken$/.test(k) ? "--secret" : "--plaintext",
    `${k}=${v}`,
  ]);
  if (pairs.length > 0) await p.ok(["config", "set-all", ...pairs]);
  return p;
}

/**
 * The project as another checkout would have it: its folder and its file backend copied to a new temporary
 * folder (another path, as on another machine or CI runner), with a PULUMI_HOME of its own. The stacks and
 * their config come along; nothing is initialised again. Remove it with {@link removeProject}.
 */
export function movedProject(p: Project, name = path.basename(p.dir)): Project {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-moved-"));
  const dir = path.join(root, name);
  // node_modules stays a link to the same install, as `npm ci` on the new machine would make it.
  fs.cpSync(p.dir, dir, { recursive: true, verbatimSymlinks: true });
  fs.cpSync(path.join(path.dirname(p.dir), "state"), path.join(root, "state"), { recursive: true });
  fs.mkdirSync(path.join(root, "home"));
  const extra = Object.fromEntries(
    Object.entries(p.env).filter(([k]) => !["PULUMI_BACKEND_URL", "PULUMI_HOME"].includes(k)),
  );
  return bound(dir, engineEnv(path.join(root, "state"), path.join(root, "home"), extra), p.cli);
}

/** The CLI `cli` run in `dir` with `env`. */
function bound(dir: string, env: Record<string, string>, cli: string): Project {
  const run = (args: string[], more: Record<string, string> = {}): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        cli,
        [...args, "--non-interactive"],
        { cwd: dir, env: { ...process.env, ...env, ...more }, maxBuffer: 256 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  const ok = async (args: string[], more?: Record<string, string>): Promise<CliResult> => {
    const r = await run(args, more);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  };
  return { dir, env, cli, run, ok };
}
