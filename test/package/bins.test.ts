/**
 * The commands package.json `bin` names run from a source checkout as built: `npm run build` recreates dist/,
 * and tsc writes files without execute bits, so the build sets them (scripts/bin-modes.js). Each bin is run
 * as a file (not through `node`), as npx and a shell run it: without the bit that is "Permission denied".
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as ts from "typescript";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const bins = Object.entries(pkg.bin);
const executable = (file: string) => (fs.statSync(file).mode & 0o111) === 0o111;

/** Run a bin as a file with --help, from `cwd`; the first line of its help names it. */
function expectHelp(cwd: string, name: string, file: string) {
  const r = spawnSync(path.join(cwd, file), ["--help"], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH },
  });
  expect({ name, error: r.error?.message, status: r.status, stderr: r.stderr }).toEqual({
    name,
    error: undefined,
    status: 0,
    stderr: "",
  });
  expect(r.stdout).toMatch(new RegExp(`^Usage: ${name}\\b`));
}

test("package.json names the three commands, two of them built into dist/", () => {
  expect(pkg.bin).toEqual({
    "cloudlock-emulator": "dist/emulator/cli.js",
    "cloudlock-pulumi": "dist/cli/main.js",
    "pulumi-resource-cloudlock": "bin/pulumi-resource-cloudlock",
  });
});

describe("a fresh `npm run build` (in a copy of the sources, so this checkout's dist/ is left alone)", () => {
  let copy: string;
  beforeAll(() => {
    // The folders the build compiles, as tsconfig.build.json lists them (JSON with comments).
    const file = path.join(ROOT, "tsconfig.build.json");
    const BUILT: string[] = ts.parseConfigFileTextToJson(file, fs.readFileSync(file, "utf8")).config.include;
    copy = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-build-"));
    const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\0")
      .filter(
        (f) =>
          [...BUILT, "bin"].some((dir) => f.startsWith(`${dir}/`)) || /^(package|tsconfig.*)\.json$/.test(f),
      )
      .filter((f) => !f.startsWith("scripts/pulumi-"));
    for (const f of tracked) {
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
      fs.chmodSync(path.join(copy, f), fs.statSync(path.join(ROOT, f)).mode);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
    execFileSync("npm", ["run", "build", "--silent"], { cwd: copy, stdio: ["ignore", "ignore", "pipe"] });
  }, 300_000);
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  test.each(bins)("%s (%s) is executable and answers --help", (name, file) => {
    expect({ file, executable: executable(path.join(copy, file)) }).toEqual({ file, executable: true });
    expectHelp(copy, name, file);
  });

  test("the build's last step is the one that sets the bits; without it tsc's output is not executable", () => {
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig\.build\.json && node scripts\/bin-modes\.js$/);
    const js = path.join(copy, pkg.bin["cloudlock-pulumi"]);
    fs.chmodSync(js, 0o644);
    const r = spawnSync(js, ["--help"], { cwd: copy, encoding: "utf8" });
    expect(r.error?.message).toMatch(/EACCES/);
    execFileSync(process.execPath, [path.join(ROOT, "scripts/bin-modes.js"), copy]);
    expect(fs.statSync(js).mode & 0o777).toBe(0o755);
  });

  test("a bin the build did not write is an error naming it", () => {
    fs.rmSync(path.join(copy, pkg.bin["cloudlock-emulator"]));
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts/bin-modes.js"), copy], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'bin-modes: package.json bin "cloudlock-emulator" names dist/emulator/cli.js, which the build did not write (ENOENT)\n',
    );
  });
});

describe("this checkout, as built", () => {
  test.each(bins)("%s (%s) is executable and answers --help", (name, file) => {
    expect({ file, executable: executable(path.join(ROOT, file)) }).toEqual({ file, executable: true });
    expectHelp(ROOT, name, file);
  });
});
