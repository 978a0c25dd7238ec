/**
 * What `npm run demo` asks scripts/ensure-pulumi.sh for: the CLI and the Node.js language host, never the YAML
 * language host (the demo runs a Node.js program; on a new machine the YAML host is a 2-6 minute Go build).
 * `npm test` asks for it with --yaml. Checked in a sandbox copy of the scripts, with a CLI and a Node.js host
 * already there, no YAML host, and a `go` that records what it is asked to build.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/engine";

let box: string;
let env: NodeJS.ProcessEnv;
const goLog = () => path.join(box, "go.log");
const cliLog = () => path.join(box, "pulumi.log");
const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");

beforeAll(() => {
  box = fs.mkdtempSync(path.join(os.tmpdir(), "demo-setup-"));
  fs.writeFileSync(path.join(box, "package.json"), "{}\n");
  fs.mkdirSync(path.join(box, "scripts", "pulumi-language-yaml"), { recursive: true });
  for (const f of ["ensure-pulumi.sh", "matrix.json"])
    fs.copyFileSync(path.join(REPO_ROOT, "scripts", f), path.join(box, "scripts", f));
  // The compiled demo, as `npm run demo` runs it (it finds the repository root from its own folder).
  fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(box, "dist"), { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, "examples", "main"), path.join(box, "examples", "main"), {
    recursive: true,
  });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(box, "node_modules"), "dir");
  const bin = path.join(box, ".tools", "pulumi", "bin");
  fs.mkdirSync(bin, { recursive: true });
  // A CLI new enough for the script, that records every other command and fails it (the demo stops there).
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\n[ "$1" = version ] && { echo v3.259.0; exit 0; }\necho "$*" >> "${cliLog()}"\nexit 1\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, "pulumi-language-nodejs"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const fakes = path.join(box, "fakes");
  fs.mkdirSync(fakes);
  fs.writeFileSync(path.join(fakes, "go"), `#!/bin/sh\necho "$*" >> "${goLog()}"\nexit 1\n`, { mode: 0o755 });
  env = { PATH: [fakes, path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter), HOME: box };
});

afterAll(() => fs.rmSync(box, { recursive: true, force: true }));

beforeEach(() => {
  fs.rmSync(goLog(), { force: true });
  fs.rmSync(cliLog(), { force: true });
});

/** The ensure-pulumi.sh command line of an npm script in package.json. */
function ensureStep(script: string): string {
  const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts;
  const m = /bash scripts\/ensure-pulumi\.sh[^&|>]*/.exec(scripts[script]);
  if (!m) throw new Error(`package.json's ${script} script does not run scripts/ensure-pulumi.sh`);
  return m[0].trim();
}

test("npm run demo's set-up step asks for the CLI and the Node.js host, not the YAML host", () => {
  expect(ensureStep("demo")).toBe("bash scripts/ensure-pulumi.sh");
  const r = spawnSync("sh", ["-c", ensureStep("demo")], { cwd: box, env, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe(path.join(box, ".tools", "pulumi"));
  expect(read(goLog())).toBe("");
});

test("the demo itself (pulumiRoot() in dist/scripts/demo.js) asks for no YAML host either", () => {
  const r = spawnSync(process.execPath, [path.join(box, "dist", "scripts", "demo.js")], {
    cwd: box,
    env,
    encoding: "utf8",
  });
  // It got as far as running the CLI (which this sandbox's fake then fails) without building anything.
  if (!/stack/.test(read(cliLog()))) throw new Error(`the demo did not reach the CLI:\n${r.stderr}`);
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/YAML/);
  expect(read(goLog())).toBe("");
});

test("npm test's set-up asks for the YAML host too (--yaml), and builds it when it is missing", () => {
  expect(ensureStep("pretest")).toBe("bash scripts/ensure-pulumi.sh --yaml");
  const r = spawnSync("sh", ["-c", ensureStep("pretest")], { cwd: box, env, encoding: "utf8" });
  expect(r.status).toBe(0); // only a warning when the build fails
  expect(r.stderr).toMatch(/building the YAML language host/);
  expect(read(goLog())).toMatch(/^build .*pulumi-language-yaml/m);
});
