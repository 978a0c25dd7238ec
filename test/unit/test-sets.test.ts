/**
 * The suite's two sets (jest.config.js): every test file is in exactly one; a file that starts the engine is in
 * "engine" even outside its folders; the fast set refuses to find a Pulumi CLI, saying where such a test belongs;
 * and a run that leaks fails (no forceExit; scripts/jest.sh turns Jest's leak lines into a failure).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
// As a namespace: jest.config.js puts a file that imports pulumiRoot by name in the engine set, and this file
// belongs in the fast set, where pulumiRoot() must refuse.
import * as engine from "../../scripts/lib/engine";

const { REPO_ROOT } = engine;

const JEST = path.join(REPO_ROOT, "node_modules", ".bin", "jest");

/** The test files Jest would run for one set, relative to the repository. */
function listed(set: string): string[] {
  const out = execFileSync(JEST, ["--listTests", "--json", "--selectProjects", set], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return (JSON.parse(out) as string[])
    .map((f) => path.relative(REPO_ROOT, f).split(path.sep).join("/"))
    .sort();
}

/** Every *.test.ts under test/ that is a test of this suite (not a fixture or an upgrade program). */
function allTestFiles(dir = path.join(REPO_ROOT, "test")): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    const rel = path.relative(REPO_ROOT, abs).split(path.sep).join("/");
    if (e.isDirectory())
      return ["test/fixtures", "test/upgrade/programs"].includes(rel) ? [] : allTestFiles(abs);
    return e.name.endsWith(".test.ts") ? [rel] : [];
  });
}

describe("the two sets", () => {
  const fast = listed("fast");
  const engine = listed("engine");

  test("every test file is in exactly one set", () => {
    expect([...fast, ...engine].sort()).toEqual(allTestFiles().sort());
    expect(fast.filter((f) => engine.includes(f))).toEqual([]);
  });

  test("the engine folders, and a file elsewhere that imports an engine helper, are in the engine set", () => {
    for (const folder of ["test/engine/", "test/upgrade/", "test/matrix/"]) {
      expect(fast.filter((f) => f.startsWith(folder))).toEqual([]);
      expect(engine.some((f) => f.startsWith(folder))).toBe(true);
    }
    // The README quickstart is a package test that runs a project folder through the CLI.
    expect(engine).toContain("test/package/quickstart.test.ts");
    expect(fast).toContain("test/package/tarball.test.ts");
    expect(fast).toContain(path.relative(REPO_ROOT, __filename));
  });

  test("Jest is not told to force its exit", () => {
    const config = require(path.join(REPO_ROOT, "jest.config.js")) as Record<string, unknown>;
    expect(config.forceExit).toBeUndefined();
    expect(config.detectOpenHandles).toBeUndefined();
  });
});

describe("in the fast set", () => {
  test("pulumiRoot() refuses, saying where a test that starts the engine belongs", () => {
    expect(process.env.CLOUDLOCK_TEST_SET).toBe("fast");
    expect(() => engine.pulumiRoot()).toThrow(/runs in the fast set .*Move its file under test\/engine\//);
    expect(() => engine.pulumiRoot({ yaml: true })).toThrow(/fast set/);
  });

  test("so does scripts/ensure-pulumi.sh, in a child process (which inherits the mark)", () => {
    const r = spawnSync("bash", [path.join(REPO_ROOT, "scripts/ensure-pulumi.sh")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/runs in the fast set .* Move its file under test\/engine\//);
  });
});

describe("scripts/jest.sh", () => {
  /** Runs the wrapper with a fake `jest` that prints `output` and exits `code`. */
  function wrapped(output: string, code: number) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-jest-"));
    try {
      fs.writeFileSync(path.join(bin, "jest"), `#!/bin/sh\nprintf '%s\\n' "${output}"\nexit ${code}\n`, {
        mode: 0o755,
      });
      const env = {
        ...process.env,
        PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}:/usr/bin:/bin`,
      };
      return spawnSync("bash", [path.join(REPO_ROOT, "scripts/jest.sh"), "--selectProjects", "fast"], {
        env,
        encoding: "utf8",
      });
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  }

  test("passes a clean run through, output and exit code", () => {
    const ok = wrapped("Tests: 3 passed, 3 total", 0);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("Tests: 3 passed, 3 total");
    expect(wrapped("Tests: 1 failed", 1).status).toBe(1);
  });

  test("reports a worker that was slow to exit without failing the run: a loaded machine can be slow", () => {
    const r = wrapped(
      "Tests: 3 passed, 3 total\nA worker process has failed to exit gracefully and has been force exited.",
      0,
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/slow to exit .*not a failure/);
    expect(wrapped("Tests: 1 failed\nA worker process has failed to exit gracefully", 1).status).toBe(1);
  });

  test.each([
    "Force exiting Jest: Have you considered using `--detectOpenHandles`",
    "Jest did not exit one second after the test run has completed.",
  ])("fails a passing run that leaked: %s", (line) => {
    const r = wrapped(`Tests: 3 passed, 3 total\n${line}`, 0);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/left something open .*--detectOpenHandles/);
  });
});
