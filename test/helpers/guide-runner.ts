/**
 * Runs a documentation page's code blocks the way a user runs them: each page gets a workspace folder made of its `file`
 * blocks, a fresh emulator library and a local backend; its `run` blocks are bash scripts run in order with the
 * real `pulumi` CLI (the Node.js and YAML language hosts, the plugin from the packed package on PATH), and its
 * `hand` steps change the library as a person in the Cloudlock UI would. A run must exit as its marker says and
 * print no stack trace. The markers are read by test/helpers/doc-blocks.ts (convention in CONTRIBUTING.md). One
 * test file per page under test/engine/guides/, so Jest runs pages side by side.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import type { Emulator } from "../../emulator";
import { VERSION } from "../../provider/version";
import { engineEnv, pulumiRoot } from "../../scripts/lib/engine";
import { type Step, pageSteps } from "./doc-blocks";
import { TOKEN, startEmulator } from "./emulator";
import { PULUMI_SDK_VERSION, TARBALL, installed } from "./project";
import { ENGINE_TIMEOUT, FRAMES } from "../engine/helpers";

const ROOT = path.resolve(__dirname, "../..");

/**
 * What a user's shell has that a test's does not: `npm install` has been done (node_modules is linked to an
 * install of the folder's package.json, with this package packed), `npx -p pulumi-cloudlock` finds the package's
 * commands, and `pulumi login` is the test's local backend already.
 */
const PREAMBLE = `set -euo pipefail
npm() { case "\${1:-}" in install|i|ci) echo "(npm $1: node_modules is linked by the test)";; *) command npm "$@";; esac; }
npx() { if [ "\${1:-}" = -p ]; then shift 2; fi; if [ -x "node_modules/.bin/$1" ]; then "node_modules/.bin/$1" "\${@:2}"; else "$@"; fi; }
pulumi() { if [ "\${1:-}" = login ]; then return 0; fi; command pulumi "$@"; }
`;

/** The package's own commands (cloudlock-pulumi, the plugin), as `npm install pulumi-cloudlock` puts them on PATH. */
const packageBin = () =>
  path.join(
    installed({ "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": PULUMI_SDK_VERSION }),
    "node_modules",
    ".bin",
  );

/** Links node_modules into every folder of `work` whose package.json has none yet. */
function linkInstalls(work: string): void {
  for (const rel of fs.readdirSync(work, { recursive: true }) as string[]) {
    if (path.basename(rel) !== "package.json" || rel.split(path.sep).includes("node_modules")) continue;
    const dir = path.join(work, path.dirname(rel));
    if (fs.existsSync(path.join(dir, "node_modules"))) continue;
    const pkg = JSON.parse(fs.readFileSync(path.join(work, rel), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    if (deps["pulumi-cloudlock"]) deps["pulumi-cloudlock"] = TARBALL;
    if (deps["@pulumi/pulumi"]) deps["@pulumi/pulumi"] = PULUMI_SDK_VERSION;
    fs.symlinkSync(path.join(installed(deps), "node_modules"), path.join(dir, "node_modules"), "dir");
  }
}

/** The one entry of `collection` named `name` (a hand step names exactly one). */
function entryNamed(emu: Emulator, collection: "trusted" | "suspicious", name: string) {
  const found = emu.entries(collection).filter((e) => e.name === name);
  if (found.length !== 1)
    throw new Error(`hand step: ${found.length} ${collection} entries are named "${name}"`);
  return found[0];
}

function hand(emu: Emulator, s: Extract<Step, { kind: "hand" }>): void {
  if (s.op === "reset") emu.reset();
  else if (s.op === "seed") emu.seed(s.collection, s.args[0] as Parameters<Emulator["seed"]>[1]);
  else if (s.op === "edit")
    emu.edit(s.collection, entryNamed(emu, s.collection, s.args[0] as string).pk, s.args[1] as object);
  else emu.remove(s.collection, [entryNamed(emu, s.collection, s.args[0] as string).pk]);
}

/**
 * `https://feeds.example/` in a guide is a feed server the reader has; here it is a loopback server of the
 * workspace's `feeds.example` folder (plain http is allowed on loopback only, as for the API).
 */
async function feedServer(work: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = path.join(work, "feeds.example", path.posix.normalize(decodeURIComponent(req.url ?? "/")));
    if (!file.startsWith(path.join(work, "feeds.example") + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain" }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function bash(script: string, cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile("bash", ["-c", script], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/**
 * Runs `page`'s steps in order against `emu` (reset first); throws naming the block that exited otherwise than its
 * marker says or printed a stack trace.
 */
export async function runGuide(page: string, emu: Emulator): Promise<void> {
  const steps = pageSteps(fs.readFileSync(path.join(ROOT, page), "utf8")).steps;
  if (!steps.some((s) => s.kind === "run")) throw new Error(`${page} has no block to run`);
  emu.reset();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-guide-"));
  const work = path.join(root, "work");
  for (const d of [work, path.join(root, "state"), path.join(root, "home")]) fs.mkdirSync(d);
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(process.env).filter(
      (kv): kv is [string, string] => !kv[0].startsWith("CLOUDLOCK_") && !!kv[1],
    ),
  );
  Object.assign(env, engineEnv(path.join(root, "state"), path.join(root, "home")), {
    PULUMI_SKIP_CONFIRMATIONS: "true",
  });
  env.PATH = [path.join(pulumiRoot({ yaml: true }), "bin"), packageBin(), env.PATH].join(path.delimiter);
  const feeds = await feedServer(work);
  const place = (text: string) =>
    text
      .replaceAll("https://feeds.example/", feeds.url)
      .replaceAll("https://<server>/api/v2", emu.apiUrl)
      .replaceAll("<server>", new URL(emu.apiUrl).host)
      .replaceAll("<token>", TOKEN)
      .replaceAll("<version>", VERSION);
  try {
    for (const s of steps) {
      if (s.kind === "file") {
        fs.mkdirSync(path.dirname(path.join(work, s.path)), { recursive: true });
        fs.writeFileSync(path.join(work, s.path), place(s.text));
      } else if (s.kind === "copy") {
        fs.cpSync(path.join(ROOT, s.from), path.join(work, s.to), {
          recursive: true,
          filter: (f) => !/(^|[\\/])(node_modules|package-lock\.json|Pulumi\.[^/\\]+\.yaml)$/.test(f),
        });
      } else if (s.kind === "hand") hand(emu, s);
      else if (s.kind === "run") {
        linkInstalls(work);
        const r = await bash(PREAMBLE + place(s.text), path.join(work, s.dir), env);
        const where = `${page}:${s.line} (exit ${r.code}, expected ${s.exit})\n${r.out}`;
        // For whoever writes a page's output blocks: GUIDE_OUTPUT=1 prints what each block printed.
        if (process.env.GUIDE_OUTPUT) process.stdout.write(`--- ${page}:${s.line}\n${r.out}\n`);
        if (r.code !== s.exit) throw new Error(`the block at ${where}`);
        if (FRAMES.test(r.out)) throw new Error(`a stack trace from the block at ${where}`);
      }
    }
  } finally {
    await feeds.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The Jest test that runs `page`'s blocks against an emulator of its own: a file under test/engine/guides/ calls it. */
export function guideTest(page: string): void {
  jest.setTimeout(ENGINE_TIMEOUT);
  test(`${page}: its blocks run`, async () => {
    const emu = await startEmulator();
    try {
      await runGuide(page, emu);
    } finally {
      await emu.close();
    }
  });
}
