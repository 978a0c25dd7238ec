/**
 * The real Pulumi engine, driven by the Automation API with a local file
 * backend and passphrase secrets: nothing leaves the machine. Used by the
 * engine tests, the demo and the benchmark.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";

/** Repository root (this file lives in scripts/lib or dist/scripts/lib). */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return dir;
})();

/** Install roots found so far, by the hosts asked for ("" or "yaml"). */
const roots = new Map<string, string>();

/**
 * Why the fast test set (`npm run test:fast`, marked by test/fast-environment.js) may not start the engine, and
 * where a test that does belongs. scripts/ensure-pulumi.sh says the same to child processes.
 */
export const FAST_SET_REFUSAL =
  "this test starts the Pulumi engine, but it runs in the fast set (npm run test:fast), which needs no Pulumi CLI. " +
  "Move its file under test/engine/ (or test/upgrade/, test/matrix/): jest.config.js runs those folders only in " +
  "the whole suite (npm test).";

/**
 * Install root of the Pulumi CLI (runs scripts/ensure-pulumi.sh once per process), with the Node.js language host
 * beside it, and the YAML language host too when `yaml` is set (project folders with `runtime: yaml` need it; the
 * demo and the inline programs do not, and on a new machine it takes minutes to build).
 */
export function pulumiRoot(opts: { yaml?: boolean } = {}): string {
  if (process.env.CLOUDLOCK_TEST_SET === "fast") throw new Error(`pulumiRoot(): ${FAST_SET_REFUSAL}`);
  const key = opts.yaml ? "yaml" : "";
  let root = roots.get(key) ?? roots.get("yaml");
  if (root === undefined) {
    root = execFileSync(
      "bash",
      [path.join(REPO_ROOT, "scripts/ensure-pulumi.sh"), ...(opts.yaml ? ["--yaml"] : [])],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    ).trim();
    roots.set(key, root);
  }
  return root;
}

export interface LocalStackOptions {
  /** Stack name; also names its folders. */
  stackName: string;
  projectName?: string;
  /** An inline program (runs in this process, so only the `pulumi` binary is needed). */
  program: PulumiFn;
  /** Where state and work folders go (default <repo>/.pulumi). Must be inside the repo so node_modules is found. */
  baseDir?: string;
  /** Stack config, e.g. { "cloudlock:apiToken": { value, secret: true } }. */
  config?: Record<string, { value: string; secret?: boolean }>;
  /** Extra environment for the CLI and the provider process. */
  env?: Record<string, string>;
}

export interface LocalStack {
  stack: Stack;
  /** Folder of the file backend (the stack's state lives under it). */
  stateDir: string;
  workDir: string;
  env: Record<string, string>;
}

/**
 * The environment the CLI runs with: a file backend in `stateDir`, passphrase secrets, no update check, its own
 * PULUMI_HOME, and the CLI's folder first on PATH (the engine finds the language host and the dynamic-provider
 * plugin there).
 */
export function engineEnv(
  stateDir: string,
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    // metadata=skip: the file backend otherwise rewrites a `.attrs` sidecar beside each checkpoint in place
    // (not atomically), and a crash mid-write leaves a checkpoint that no longer loads ("EOF").
    PULUMI_BACKEND_URL: `file://${stateDir}?metadata=skip`,
    PULUMI_CONFIG_PASSPHRASE: "pulumi-cloudlock-local",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_HOME: home,
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PATH: `${path.join(pulumiRoot(), "bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    ...extra,
  };
}

const commands = new Map<string, Promise<PulumiCommand>>();

/** The CLI at `root`, for the Automation API: PulumiCommand.get runs `pulumi version`, once per root is enough. */
function pulumiCommandAt(root: string): Promise<PulumiCommand> {
  let command = commands.get(root);
  if (!command) {
    command = PulumiCommand.get({ root, skipVersionCheck: true });
    commands.set(root, command);
  }
  return command;
}

/** Create (or select) a stack on a local file backend with passphrase secrets. */
export async function localStack(opts: LocalStackOptions): Promise<LocalStack> {
  const base = opts.baseDir ?? path.join(REPO_ROOT, ".pulumi");
  const stateDir = path.join(base, "state", opts.stackName);
  const home = path.join(base, "home");
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const root = pulumiRoot();
  const env = engineEnv(stateDir, home, opts.env);
  const pulumiCommand = await pulumiCommandAt(root);
  const projectName = opts.projectName ?? "cloudlock-test";
  const workDir = path.join(base, "work", opts.stackName);
  fs.mkdirSync(workDir, { recursive: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: opts.stackName, projectName, program: opts.program },
    {
      workDir,
      envVars: env,
      pulumiCommand,
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL } },
    },
  );
  if (opts.config) await stack.setAllConfig(opts.config);
  return { stack, stateDir, workDir: stack.workspace.workDir, env };
}
