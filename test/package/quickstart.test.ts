/**
 * The README's quickstart, as a user follows it: a project folder made of the README's own code blocks (marked
 * `<!-- quickstart: FILE -->`, `<!-- quickstart-esm: FILE -->`, `<!-- quickstart-js: FILE -->`), the packed
 * package installed with npm, `tsc --noEmit` without skipLibCheck, then the README's commands through the real
 * `pulumi` CLI against the emulator: preview, up, the drift check passing and then failing after a hand edit,
 * destroy. Variants: CommonJS on TypeScript 5 with the newest and the oldest @pulumi/pulumi the package
 * claims, ESM with the README's ts-node/esm setup (TypeScript 6), plain JavaScript.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { Emulator } from "../../emulator";
import { REPO_ROOT } from "../../scripts/lib/engine";
import { ENGINE_TIMEOUT } from "../engine/helpers";
import { TOKEN, startEmulator } from "../helpers/emulator";
import { PULUMI_SDK_VERSION, TARBALL, project, projectFolder, removeProject } from "../helpers/project";

jest.setTimeout(ENGINE_TIMEOUT);

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

/** The README's code blocks marked `<!-- TAG: NAME -->`, by name. */
function blocks(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  const re = new RegExp(`<!-- ${tag}: (\\S+) -->\\s*\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``, "g");
  for (const m of README.matchAll(re)) found[m[1]] = `${m[2]}\n`;
  return found;
}

const quickstart = blocks("quickstart");
const { commands, ...tsFiles } = quickstart;

/** The README's commands, comments dropped. */
const commandLines = commands
  .split("\n")
  .map((l) => l.replace(/\s+#.*$/, "").trim())
  .filter(Boolean);

/** The oldest @pulumi/pulumi the package claims: the floor of its caret range. */
const SDK_RANGE = manifest.dependencies["@pulumi/pulumi"];
const OLDEST_SDK = SDK_RANGE.replace(/^\^/, "");

/**
 * What npm would install for a README package.json: its own ranges, except this package (the packed tarball)
 * and @pulumi/pulumi, which each variant pins to a version the package claims.
 */
function depsOf(pkgJson: string, sdk: string): Record<string, string> {
  const pkg = JSON.parse(pkgJson) as {
    dependencies: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  // The README asks for what this package is and declares.
  expect(pkg.dependencies["pulumi-cloudlock"]).toBe(`^${manifest.version}`);
  expect(pkg.dependencies["@pulumi/pulumi"]).toBe(SDK_RANGE);
  return { ...pkg.dependencies, ...pkg.devDependencies, "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": sdk };
}

const run = promisify(execFile);

/** `tsc --noEmit` with the project's own TypeScript and tsconfig.json, as `npx tsc --noEmit` would. */
async function typeCheck(dir: string): Promise<void> {
  const tsconfig = fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8");
  expect(tsconfig).not.toMatch(/skipLibCheck/);
  const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
  try {
    await run(process.execPath, [tsc, "--noEmit", "-p", dir], { cwd: dir });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`tsc --noEmit failed in ${dir}\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const times: Record<string, number> = {};
afterAll(() => {
  // Each variant's runtime, for the report (install included the first time a dependency set is seen).
  process.stdout.write(`quickstart variants (s): ${JSON.stringify(times)}\n`);
});

/**
 * Builds the variant's folder from `files`, installs `deps`, type-checks it when it is TypeScript, and runs the
 * README's commands in order against a fresh emulator library.
 */
async function quickstartRun(label: string, files: Record<string, string>, deps: Record<string, string>) {
  const started = Date.now();
  emu.reset();
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-quickstart-src-"));
  const dir = projectFolder(empty, "cloudlock-quickstart", { deps, files });
  fs.rmSync(empty, { recursive: true, force: true });
  try {
    if ("tsconfig.json" in files) await typeCheck(dir);
    // The README's set-up lines (login, stack init, config) are what project() does with a local backend.
    expect(commandLines).toEqual(
      expect.arrayContaining([
        "pulumi login --local",
        "pulumi stack init dev",
        "pulumi config set cloudlock:apiUrl https://<server>/api/v2",
        "pulumi config set --secret cloudlock:apiToken <token>",
      ]),
    );
    const p = await project(dir, "dev", { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN });
    const steps = commandLines
      .filter((l) => /^pulumi (preview|up|destroy)\b/.test(l))
      .map((l) => l.split(/\s+/).slice(1));
    expect(steps.map((s) => s.join(" "))).toEqual([
      "preview --diff",
      "up",
      "preview --refresh --expect-no-changes",
      "destroy",
    ]);
    // --yes only because the CLI runs without a terminal here; a user confirms at the prompt.
    const cli = (args: string[]) => p.run(["up", "destroy"].includes(args[0]) ? [...args, "--yes"] : args);
    const [preview, up, driftCheck, destroy] = steps;

    const pv = await cli(preview);
    expect(pv.code).toBe(0);
    expect(pv.stdout).toMatch(/\+ 3 to create/);
    expect(emu.entries("trusted")).toEqual([]);

    expect((await cli(up)).code).toBe(0);
    const [hq] = emu.entries("trusted");
    expect(hq).toMatchObject({ name: "HQ Berlin", ip_address: "198.51.100.0/24", categories: ["office"] });
    expect(hq.description).toBe("Main office egress");
    expect(emu.entries("suspicious")).toEqual([
      expect.objectContaining({ name: "TOR exit", ip_address: "203.0.113.7", categories: ["TOR network"] }),
    ]);
    const outputs = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout);
    expect(outputs).toEqual({ trustedId: hq.pk, suspiciousId: emu.entries("suspicious")[0].pk });

    const clean = await cli(driftCheck);
    expect([clean.code, clean.stdout]).toEqual([0, expect.stringMatching(/3 unchanged/)]);

    emu.edit("trusted", hq.pk, { description: "edited by hand in the UI" });
    const drifted = await cli(driftCheck);
    expect(drifted.code).not.toBe(0);
    expect(drifted.stdout).toMatch(
      /~\s*pulumi-nodejs:dynamic\/cloudlock:TrustedIp hq update \[diff: ~description\]/,
    );

    expect((await cli(destroy)).code).toBe(0);
    expect(emu.entries("trusted")).toEqual([]);
    expect(emu.entries("suspicious")).toEqual([]);
  } finally {
    removeProject(dir);
    times[label] = Math.round((Date.now() - started) / 1000);
  }
}

test("the README marks a complete quickstart and each variant's files", () => {
  expect(Object.keys(tsFiles).sort()).toEqual(["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"]);
  expect(Object.keys(blocks("quickstart-esm")).sort()).toEqual([
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
  ]);
  expect(Object.keys(blocks("quickstart-js")).sort()).toEqual(["index.js", "package.json"]);
  expect(README).toContain("npm install pulumi-cloudlock @pulumi/pulumi\n");
  expect(commandLines[0]).toBe("npm install");
});

test(`CommonJS, TypeScript 5, the newest @pulumi/pulumi testable here (${PULUMI_SDK_VERSION})`, async () => {
  await quickstartRun("cjs-ts5-newest", tsFiles, depsOf(tsFiles["package.json"], PULUMI_SDK_VERSION));
});

test(`CommonJS, TypeScript 5, the oldest @pulumi/pulumi the package claims (${OLDEST_SDK})`, async () => {
  expect(OLDEST_SDK).toMatch(/^3\.\d+\.\d+$/);
  await quickstartRun("cjs-ts5-oldest", tsFiles, depsOf(tsFiles["package.json"], OLDEST_SDK));
});

test("ESM (type: module) with the README's ts-node/esm setup, TypeScript 6", async () => {
  const files = { ...tsFiles, ...blocks("quickstart-esm") };
  expect(JSON.parse(files["package.json"]).type).toBe("module");
  await quickstartRun("esm-ts6", files, depsOf(files["package.json"], PULUMI_SDK_VERSION));
});

test("plain JavaScript", async () => {
  const files: Record<string, string> = { "Pulumi.yaml": tsFiles["Pulumi.yaml"], ...blocks("quickstart-js") };
  await quickstartRun("js", files, depsOf(files["package.json"], PULUMI_SDK_VERSION));
});
