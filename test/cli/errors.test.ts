/**
 * How both commands fail: an expected error (provider/problems.ts) is one line on stderr, no stack, exit 1 (2 for
 * configuration and usage); a bug shows its stack. Run from the built bins too, as users run them.
 */
import { execFile, spawnSync } from "child_process";
import * as net from "net";
import * as path from "path";
import { main } from "../../cli/main";
import { failureReport } from "../../emulator/cli";
import { problem } from "../../provider/client/errors";
import { TOKEN, startEmulator } from "../helpers/emulator";
import type { Emulator } from "../../emulator";

const CLI = path.join(__dirname, "../../dist/cli/main.js");
const EMULATOR = path.join(__dirname, "../../dist/emulator/cli.js");
/** A stack frame or a source location. */
const FRAMES = /^\s+at |\.(js|ts):\d+/m;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

/** The built bin, run asynchronously: the emulator answering it lives in this process. */
const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { encoding: "utf8", env, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
    );
  });

test("cloudlock-pulumi: a refused token is one line naming the URL and where the token came from; exit 1", async () => {
  const secret = "not-the-token-4242";
  const r = await cli(["import", "--collection", "all", "--quiet"], {
    CLOUDLOCK_API_URL: emu.apiUrl,
    CLOUDLOCK_API_TOKEN: secret,
  });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")).toEqual([
    "cloudlock-pulumi: Cloudlock API GET /ip/trusted?offset=0&limit=100 returned 401 Unauthorized: the access " +
      `token is invalid. ${emu.apiUrl} did not accept the API token from the environment variable ` +
      "CLOUDLOCK_API_TOKEN. Create a token in Cloudlock (Settings > Authentication & API > Generate) for the " +
      "tenant of that URL, and set it: export CLOUDLOCK_API_TOKEN=<token>.",
    "",
  ]);
  expect(r.stderr).not.toContain(secret);
});

test("cloudlock-pulumi: a setting that cannot be used is one line, exit 2; an unreachable server one line, exit 1", async () => {
  const bad = await cli(["import", "--collection", "all"], {
    CLOUDLOCK_API_URL: emu.apiUrl,
    CLOUDLOCK_API_TOKEN: TOKEN,
    CLOUDLOCK_TIMEOUT_SECONDS: "soon",
  });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(
    /^cloudlock-pulumi: CLOUDLOCK_TIMEOUT_SECONDS must be a positive number, got "soon"\. [^\n]*\n$/,
  );

  // A port nothing listens on: connection refused, not retried for long (it was never sent).
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const down = await cli(["import", "--collection", "trusted", "--quiet"], {
    CLOUDLOCK_API_URL: `http://127.0.0.1:${port}/api/v2`,
    CLOUDLOCK_API_TOKEN: TOKEN,
    CLOUDLOCK_TIMEOUT_SECONDS: "0.3",
  });
  expect(down.status).toBe(1);
  expect(down.stderr).toMatch(
    /^cloudlock-pulumi: Cloudlock API GET \/ip\/trusted\?offset=0&limit=100 failed: network error ECONNREFUSED.*Check the API URL \(http:\/\/127\.0\.0\.1:\d+\/api\/v2\)[^\n]*\n$/,
  );
  for (const r of [bad, down]) expect(r.stderr).not.toMatch(FRAMES);
});

test("cloudlock-pulumi: a bug shows its stack, after saying it is unexpected", async () => {
  let stderr = "";
  const code = await main(["--version"], {
    stdout: () => {
      throw new TypeError("cannot write");
    },
    stderr: (s) => (stderr += s),
    env: {},
    tty: false,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(/^cloudlock-pulumi: unexpected error: TypeError: cannot write\n\s+at /);
});

test("cloudlock-emulator: a taken port is one line, exit 1; a bug shows its stack", async () => {
  // The port of the emulator above: taken (spawnSync is fine here, nothing needs to answer).
  const r = spawnSync(process.execPath, [EMULATOR, "--port", String(emu.port), "--host", "127.0.0.1"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    `cloudlock-emulator: cannot listen on 127.0.0.1:${emu.port} (EADDRINUSE: the port is in use). Pick another ` +
      "--port (0 picks a free one) or --host, or stop what listens there.\n",
  );
  expect(failureReport(problem("emulator-start", { problem: "x" }))).toEqual({
    text: "cloudlock-emulator: x\n",
    code: 1,
  });
  const bug = failureReport(new RangeError("out of range"));
  expect(bug.code).toBe(1);
  expect(bug.text).toMatch(/^cloudlock-emulator: unexpected error: RangeError: out of range\n\s+at /);
});
