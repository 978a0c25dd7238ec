/**
 * The emulator's command line: every option in both spellings, one-line usage errors naming the flag, exit 2 for
 * any bad value (a knob's too), --help/-h/--version from the built bin.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fetch from "node-fetch";
import { Emulator } from "../../emulator";
import { MemoryStore } from "../../emulator/store";
import { parseArgs } from "../../emulator/cli";
import { parseKnobs } from "../../emulator/knobs";
import { UsageError } from "../../common/args";

const BIN = path.join(__dirname, "../../dist/emulator/cli.js");
const VERSION: string = require("../../package.json").version;

function bin(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });
}

test("--flag value and --flag=value give the same settings", () => {
  const spaced = parseArgs([
    "--port",
    "0",
    "--latency",
    "5",
    "--duplicates",
    "allow",
    "--knob",
    "pkLength=11",
  ]);
  const inline = parseArgs(["--port=0", "--latency=5", "--duplicates=allow", "--knob=pkLength=11"]);
  expect(inline).toEqual(spaced);
  expect(spaced.knobs).toEqual({ latencyMs: 5, duplicates: "allow", pkLength: 11 });
});

test("repeated tokens, knobs as JSON or plain strings", () => {
  const a = parseArgs([
    "--token",
    "a",
    "--token=b",
    "--read-only-token",
    "ro",
    "--knob",
    "listOrder=newest-first",
  ]);
  expect(a.tokens).toEqual([{ token: "a" }, { token: "b" }, { token: "ro", readOnly: true }]);
  expect(a.knobs).toEqual({ listOrder: "newest-first" });
  expect(parseArgs(["--read-only-token", "ro"]).tokens).toEqual([
    { token: "ro", readOnly: true },
    { token: "demo" },
  ]);
  expect(parseKnobs(["rateLimit=null", 'faultMethods=["POST"]', "a=b=c"])).toEqual({
    rateLimit: null,
    faultMethods: ["POST"],
    a: "b=c",
  });
});

test.each([
  [["--bogus"], "unknown option --bogus"],
  [["-x"], "unknown option -x"],
  [["--token"], "--token needs a value"],
  [["--data", "--port", "1"], '--data needs a value (for a value that starts with "-", write --data=VALUE)'],
  [["--no-retry-after=yes"], "--no-retry-after takes no value"],
  [["stray"], 'unexpected argument "stray"'],
  [["--port", "65536"], '--port needs a non-negative integer up to 65535, got "65536"'],
  [["--port", "1.5"], '--port needs a non-negative integer up to 65535, got "1.5"'],
  [["--latency", "x"], '--latency needs a non-negative number, got "x"'],
  [["--error-rate", "2"], "--error-rate must be a number from 0 to 1, got 2"],
  [["--duplicates", "maybe"], '--duplicates must be "reject" or "allow", got "maybe"'],
  [["--expired=forever"], '--expired must be "hide" or "keep", got "forever"'],
  [["--burst", "3"], "--burst needs --rate-limit"],
  [["--rate-limit", "1", "--burst", "0.5"], "knob rateLimit must be null or {perSecond > 0, burst >= 1}"],
  [["--knob", "pkLength"], '--knob needs NAME=VALUE, got "pkLength"'],
  [["--knob", "pkLength=12"], "knob pkLength must be 10 or 11"],
  [["--knob", "noSuchKnob=1"], 'unknown knob "noSuchKnob"'],
  [["--profile", "strict"], '--profile must be reference or lenient, got "strict"'],
  [["--token="], "--token needs a non-empty value"],
  [["--token", "a", "--token", ""], "--token needs a non-empty value"],
  [["--read-only-token="], "--read-only-token needs a non-empty value"],
  [["--token", "my token"], '--token cannot contain white space (sent as "Bearer <token>"), got "my token"'],
  [["--data="], "--data needs a file name"],
])("%j is a usage error: %s", (args, message) => {
  let thrown: unknown;
  try {
    parseArgs(args);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(UsageError);
  expect((thrown as Error).message).toBe(message);
});

describe("the built bin", () => {
  test("a bad knob value exits 2 with one line naming it and the hint, nothing on stdout", () => {
    for (const args of [
      ["--knob", "errorRate=2"],
      ["--duplicates=maybe"],
      ["--port", "70000"],
      ["--bogus"],
    ]) {
      const r = bin(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^cloudlock-emulator: .*(errorRate|--duplicates|--port|--bogus)/);
      expect(lines[1]).toBe('Run "cloudlock-emulator --help" for usage.');
    }
  });

  test("-h, --help (even beside a mistake) and --version exit 0 without starting a server", () => {
    for (const args of [["-h"], ["--help"], ["--port=x", "--help"]]) {
      const r = bin(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: cloudlock-emulator/);
    }
    const v = bin(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`${VERSION}\n`);
  });
});

describe("--data FILE", () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "emu-data-"));

  test("a file in a folder that does not exist is refused at start, naming the path", () => {
    const file = path.join(tmp(), "no", "such", "x.json");
    expect(() => new MemoryStore(file)).toThrow(
      `cannot keep data in "${file}": its folder "${path.dirname(file)}" does not exist`,
    );
    const inFile = path.join(tmp(), "plain");
    fs.writeFileSync(inFile, "");
    expect(() => new MemoryStore(path.join(inFile, "x.json"))).toThrow(
      /^cannot keep data in ".*": .*is not a folder/,
    );
  });

  test("a file that is not valid JSON is refused, naming it; so is JSON of another shape", () => {
    const file = path.join(tmp(), "state.json");
    fs.writeFileSync(file, "{ broken");
    expect(() => new MemoryStore(file)).toThrow(
      new RegExp(`^data file "${file}" is not valid JSON \\(.+\\); fix or remove it$`),
    );
    fs.writeFileSync(file, "[1]");
    expect(() => new MemoryStore(file)).toThrow(`data file "${file}" is not an emulator data file`);
    fs.writeFileSync(file, '{"trusted": [{"pk": "a1"}]}');
    expect(new MemoryStore(file).all("trusted")).toEqual([{ pk: "a1" }]);
  });

  test("a write that cannot be saved changes nothing in memory (and answers 500)", async () => {
    const file = path.join(tmp(), "state.json");
    const emu = await Emulator.start({ port: 0, tokens: ["t"], dataFile: file, knobs: { rateLimit: null } });
    try {
      const post = (ip: string) =>
        fetch(`${emu.apiUrl}/ip/trusted`, {
          method: "POST",
          headers: { Authorization: "Bearer t", "Content-Type": "application/json" },
          body: JSON.stringify({ name: ip, ip_address: ip }),
        });
      expect((await post("1.1.1.1")).status).toBeLessThan(300);
      // The save goes through FILE.tmp: a folder in its place makes every save fail, deterministically.
      fs.mkdirSync(`${file}.tmp`);
      expect((await post("2.2.2.2")).status).toBe(500);
      expect(emu.entries("trusted").map((e) => e.ip_address)).toEqual(["1.1.1.1"]);
      const pk = emu.entries("trusted")[0].pk;
      const del = await fetch(`${emu.apiUrl}/ip/trusted?ids=${pk}`, {
        method: "DELETE",
        headers: { Authorization: "Bearer t" },
      });
      expect(del.status).toBe(500);
      expect(emu.entries("trusted").map((e) => e.pk)).toEqual([pk]);
      expect(JSON.parse(fs.readFileSync(file, "utf8")).trusted.map((e: { pk: string }) => e.pk)).toEqual([
        pk,
      ]);
      fs.rmdirSync(`${file}.tmp`);
      expect((await post("2.2.2.2")).status).toBeLessThan(300);
      expect(emu.entries("trusted").map((e) => e.ip_address)).toEqual(["1.1.1.1", "2.2.2.2"]);
    } finally {
      await emu.close();
    }
  });

  test("the built bin exits 1 naming the file, for a missing folder or a corrupt file", () => {
    const dir = tmp();
    const missing = path.join(dir, "nonexistent", "x.json");
    const corrupt = path.join(dir, "state.json");
    fs.writeFileSync(corrupt, "{ broken");
    for (const [file, why] of [
      [missing, "its folder .* does not exist"],
      [corrupt, "is not valid JSON"],
    ]) {
      const r = bin(["--port", "0", "--data", file]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(new RegExp(`^cloudlock-emulator: .*"${file}".*${why}`));
    }
  });

  test("the built bin refuses an empty --token with exit 2, naming the flag", () => {
    const r = bin(["--token="]);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("cloudlock-emulator: --token needs a non-empty value");
  });
});
