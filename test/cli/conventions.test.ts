/**
 * `cloudlock-pulumi`'s command-line conventions: -h/--help everywhere, --version from package.json (also from the
 * built bin in dist/), --flag=value everywhere, one-line usage errors naming the flag (exit 2), and a missing
 * connection named by what this command reads (flags and environment, not stack config).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
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
  expect(inline.stderr).toContain('--format must be one of ts, yaml, json, pulumi, got "xml"');
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

test("a bad API URL (flag or environment): refused before any request, masked, its fix said once and naming where it was read", async () => {
  const flag = await run(
    ["import", "--collection", "all", "--api-url", "https://u:SECRET@t.example.com/api/v2?"],
    { CLOUDLOCK_API_TOKEN: "t" },
  );
  expect(flag.code).toBe(2);
  expect(flag.stderr).not.toContain("SECRET");
  expect(flag.stderr).toContain(
    '--api-url: Cloudlock API URL "https://***@t.example.com/api/v2?" must not contain credentials; set the ' +
      "token separately. Correct --api-url: no request was sent to Cloudlock.",
  );
  const env = await run(["import", "--collection", "all"], {
    CLOUDLOCK_API_URL: "https://t.example.com/api/v2?token=SECRET",
    CLOUDLOCK_API_TOKEN: "t",
  });
  expect(env.code).toBe(2);
  expect(env.stderr).not.toContain("SECRET");
  expect(env.stderr).toContain(
    'CLOUDLOCK_API_URL: Cloudlock API URL "https://t.example.com/api/v2?…" must not contain a query or fragment',
  );
  expect(env.stderr.split("no request was sent").length).toBe(2);
  expect(env.stderr).toContain("Correct the environment variable CLOUDLOCK_API_URL: no request was sent");
});

describe("input and --out files", () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-conventions-"))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  /** A connection nobody answers: a command that got as far as fetching would fail with ECONNREFUSED. */
  const unreachable = { CLOUDLOCK_API_URL: "http://127.0.0.1:9/api/v2", CLOUDLOCK_API_TOKEN: "t" };
  const preview = () => {
    const file = path.join(tmp, "preview.json");
    fs.writeFileSync(file, JSON.stringify({ steps: [] }));
    return file;
  };
  const csv = () => {
    const file = path.join(tmp, "in.csv");
    fs.writeFileSync(file, "Name,Description,Type,Ip\nA,b,c,1.2.3.4\n");
    return file;
  };
  const commands = () => [
    ["import", "--collection", "trusted"],
    ["review", preview()],
    ["csv-to-code", "--collection", "trusted", csv()],
  ];

  test("csv-to-code of a missing file: exit 1 and the reason, no usage hint", async () => {
    const r = await run(["csv-to-code", "--collection", "trusted", path.join(tmp, "nofile.csv")]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: `cloudlock-pulumi: cannot read ${path.join(tmp, "nofile.csv")}: ENOENT\n`,
    });
  });

  test("--out in a missing folder: one line naming the path, exit 1, checked before fetching", async () => {
    for (const args of commands()) {
      const r = await run([...args, "--out", "/nonexistent/x.ts"], unreachable);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /^cloudlock-pulumi: cannot write --out \/nonexistent\/x\.ts: its folder \/nonexistent does not exist/,
      );
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/unexpected error|ECONNREFUSED| {4}at /);
    }
  });

  test("--out a directory is refused up front and leaves no temp file; --out= is a usage error", async () => {
    const dir = path.join(tmp, "outdir");
    fs.mkdirSync(dir, { recursive: true });
    for (const args of commands()) {
      const r = await run([...args, "--out", dir], unreachable);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`cloudlock-pulumi: cannot write --out ${dir}: it is a directory; name a file\n`);
      expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const empty = await run([...args, "--out="], unreachable);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain("cloudlock-pulumi: --out needs a value");
    }
  });

  test("--version after any command; --help=yes and --version=1 say they take no value", async () => {
    for (const command of ["import", "csv-to-code", "review"])
      expect(await run([command, "--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    for (const args of [["--help=yes"], ["review", "--help=yes"], ["--version=1"]]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr.split("\n")[0]).toBe(
        `cloudlock-pulumi: ${args[args.length - 1].replace(/=.*/, "")} takes no value`,
      );
    }
  });
});
