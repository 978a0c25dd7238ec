/**
 * `cloudlock-pulumi`'s command-line conventions: -h/--help everywhere, --version from package.json (also from the
 * built bin in dist/), --flag=value everywhere, one-line usage errors naming the flag (exit 2), and a missing
 * connection named by what this command reads (flags and environment, not stack config).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { main } from "../../cli/main";

const VERSION: string = require("../../package.json").version;
const BIN = path.join(__dirname, "../../dist/cli/main.js");

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env,
    tty: false,
  });
  return { code, stdout, stderr };
}

test("-h and --help for the tool and every command; --version", async () => {
  for (const args of [["-h"], ["--help"], ["help"]]) {
    const r = await run(args);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^Usage: cloudlock-pulumi <command>/);
    expect(r.stdout).toContain("review");
  }
  for (const command of ["import", "csv-to-code", "review"])
    for (const h of ["-h", "--help"]) {
      const r = await run([command, h]);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      expect(r.stdout).toMatch(new RegExp(`^Usage: cloudlock-pulumi ${command}`));
    }
  expect(await run(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
});

test("the built bin prints the version from the package.json beside dist/", () => {
  const r = spawnSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(`${VERSION}\n`);
});

test("usage errors: one line naming the flag, then the hint; exit 2; nothing on stdout", async () => {
  const cases: [string[], string, string][] = [
    [["import", "--limit", "5"], "unknown option --limit", "import"],
    [["import", "-x"], "unknown option -x", "import"],
    [["import", "--collection"], "--collection needs a value", "import"],
    [
      ["import", "--collection", "--quiet"],
      '--collection needs a value (for a value that starts with "-", write --collection=VALUE)',
      "import",
    ],
    [["import", "--quiet=yes", "--collection=all"], "--quiet takes no value", "import"],
    [
      ["import", "--collection=both"],
      '--collection must be one of trusted, suspicious, all, got "both"',
      "import",
    ],
    [
      ["csv-to-code", "--format=xml", "--collection=trusted", "f.csv"],
      '--format must be one of ts, yaml, json, got "xml"',
      "csv-to-code",
    ],
    [["--bogus"], "unknown option --bogus", ""],
    [["frobnicate"], 'unknown command "frobnicate"', ""],
  ];
  for (const [args, message, command] of cases) {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `cloudlock-pulumi: ${message}\nRun "cloudlock-pulumi ${command ? `${command} ` : ""}--help" for usage.\n`,
    );
  }
});

test("--flag=value is the same as --flag value", async () => {
  const spaced = await run(["import", "--collection", "all", "--format", "xml"]);
  const inline = await run(["import", "--collection=all", "--format=xml"]);
  expect(inline).toEqual(spaced);
  expect(inline.stderr).toContain('--format must be one of ts, yaml, json, got "xml"');
});

test("no connection settings: the hint names --api-url and the environment variables, not stack config", async () => {
  const r = await run(["import", "--collection", "all"]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain("--api-url");
  expect(r.stderr).toContain("CLOUDLOCK_API_URL");
  expect(r.stderr).toContain("CLOUDLOCK_API_TOKEN");
  expect(r.stderr).not.toMatch(/pulumi config|stack config/);
  // Only what is missing is named.
  const noToken = await run(["import", "--collection", "all", "--api-url", "http://127.0.0.1:9/api/v2"]);
  expect(noToken.stderr).toMatch(/API token is not set: set the environment variable CLOUDLOCK_API_TOKEN/);
  expect(noToken.stderr).not.toContain("API URL is not set");
  const noUrl = await run(["import", "--collection", "all"], { CLOUDLOCK_API_TOKEN: "t" });
  expect(noUrl.stderr).toMatch(
    /API URL is not set: pass --api-url .* or set the environment variable CLOUDLOCK_API_URL/,
  );
  expect(noUrl.stderr).not.toContain("token is not set");
});
