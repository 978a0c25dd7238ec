/**
 * `npm run build:plugin`: the plugin `pulumi-resource-cloudlock` as Pulumi release archives,
 * `pulumi-resource-cloudlock-v<version>-<os>-<arch>.tar.gz`, the assets `pulumi plugin install resource cloudlock
 * <version>` downloads from the schema's pluginDownloadURL (or installs with `--file`). Each is self-contained:
 * the package as `npm pack` makes it, with its production dependencies at the versions of package-lock.json,
 * and at its root the executables the engine runs from the installed plugin folder (an sh script and a .cmd, in
 * every archive). It needs only Node.js.
 *
 * Usage: node dist/scripts/build-plugin.js [OUT_DIR] (default release/; needs `npm run build` first).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { PACKAGE } from "../provider/tokens";

/** Repository root (this file lives in scripts/ or dist/scripts/). */
const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return dir;
})();

/** The `<os>-<arch>` pairs released, in the CLI's spelling (Go's GOOS/GOARCH, `x64` as `amd64`). */
export const PLATFORMS = [
  "linux-amd64",
  "linux-arm64",
  "darwin-amd64",
  "darwin-arm64",
  "windows-amd64",
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The executable the engine looks for in the plugin folder. */
export const EXECUTABLE = `pulumi-resource-${PACKAGE}`;

/** The asset name the CLI asks for (workspace.standardAssetName in pulumi/pulumi). */
export function assetName(version: string, platform: Platform): string {
  return `${EXECUTABLE}-v${version}-${platform}.tar.gz`;
}

/** The plugin's entry point inside the package. */
const MAIN = "dist/provider/plugin/main.js";

/**
 * The launchers at the archive's root, both in every archive: on Windows the engine probes `<name>.exe` then
 * `<name>.cmd` (as Pulumi's own Node.js plugin, pulumi-resource-pulumi-nodejs.cmd) and never runs the sh one;
 * elsewhere it runs `<name>` itself and ignores the `.cmd`. So an archive of one platform installed on another
 * still runs wherever Node.js does, instead of failing for want of an executable. `nodeRange` is package.json's
 * engines.node; the sh launcher checks its first major version (`>=22` → 22), the one check sh can make cheaply.
 */
export function launchers(nodeRange: string): { name: string; text: string }[] {
  const need = `${EXECUTABLE}: needs Node.js ${nodeRange} on PATH`;
  const major = Number(/\d+/.exec(nodeRange)?.[0] ?? 0);
  const cmd = {
    name: `${EXECUTABLE}.cmd`,
    text: [
      "@echo off",
      // cmd.exe reads < > & | ^ ( ) in an echo as its own syntax: ^ escapes them.
      `where node >nul 2>nul || (echo ${need.replace(/[<>&|^()]/g, "^$&")} 1>&2 & exit /b 1)`,
      `node "%~dp0${MAIN.replace(/\//g, "\\")}" %*`,
      "",
    ].join("\r\n"),
  };
  const sh = {
    name: EXECUTABLE,
    text: [
      "#!/bin/sh",
      "# The Pulumi plugin of package cloudlock: the Node.js code beside this file.",
      `command -v node >/dev/null 2>&1 || { echo "${need}, and there is no node on PATH: install Node.js ${major} or later." >&2; exit 1; }`,
      // An older Node.js would fail later, on syntax or an API it lacks, with a message that does not say why.
      "version=$(node -p process.versions.node 2>/dev/null)",
      "major=${version%%.*}",
      'case "$major" in "" | *[!0-9]*) major=0 ;; esac',
      `if [ "$major" -lt ${major} ]; then`,
      `  echo "${need}, but $(command -v node) is \${version:+v}\${version:-of unknown version}: install Node.js ${major} or later, first on PATH." >&2`,
      "  exit 1",
      "fi",
      // The folder by parameter expansion, not dirname(1): PATH may hold nothing but node's folder.
      'case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac',
      `exec node "$here/${MAIN}" "$@"`,
      "",
    ].join("\n"),
  };
  return [sh, cmd];
}

/** Files a running plugin never reads: source maps and type declarations (dependencies ship both). */
const UNUSED = /\.(map|d\.ts|d\.mts|d\.cts)$/;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * The package with its production dependencies, in a fresh folder: `npm pack` output unpacked, then `npm ci
 * --omit=dev` against this checkout's lockfile (the versions the tests ran), without install scripts or bin links
 * (the plugin runs none of them; links would be symlinks in the archive).
 */
function stage(root: string, work: string): string {
  const packed = JSON.parse(
    run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root),
  ) as Array<{ filename: string }>;
  const dir = path.join(work, "stage");
  fs.mkdirSync(dir);
  run("tar", ["-xzf", path.join(work, packed[0].filename), "-C", dir, "--strip-components=1"], root);
  fs.copyFileSync(path.join(root, "package-lock.json"), path.join(dir, "package-lock.json"));
  run(
    "npm",
    [
      "ci",
      "--omit=dev",
      "--ignore-scripts",
      "--no-bin-links",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
    ],
    dir,
  );
  // node_modules/.package-lock.json records the installed versions; the copy was only npm ci's input.
  fs.rmSync(path.join(dir, "package-lock.json"));
  return dir;
}

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
}

/** Every file and folder under `dir` but the unused, sorted (archive bytes depend only on the content). */
function entries(dir: string): Entry[] {
  const out: Entry[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${d.name}` : d.name;
      const full = path.join(dir, name);
      if (d.isDirectory()) {
        out.push({ name: `${name}/`, mode: 0o755 });
        walk(name);
      } else if (d.isFile()) {
        if (UNUSED.test(d.name)) continue;
        // Only the execute bit is kept: owner, umask and the like are the builder's, not the plugin's.
        out.push({ name, mode: fs.statSync(full).mode & 0o100 ? 0o755 : 0o644, data: fs.readFileSync(full) });
      } else {
        throw new Error(
          `build-plugin: ${name} is neither a file nor a folder (npm ci ran with --no-bin-links)`,
        );
      }
    }
  };
  walk("");
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One 512-byte ustar header (POSIX.1-1988); names over 100 bytes get a PAX `path` record before it. */
function header(name: string, mode: number, size: number, type: "0" | "5" | "x", mtime: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) =>
    h.write(s, off, Math.min(len, Buffer.byteLength(s)), "utf8");
  const octal = (n: number, off: number, len: number) =>
    put(n.toString(8).padStart(len - 1, "0"), off, len - 1);
  put(name, 0, 100);
  octal(mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(mtime, 136, 12);
  h.fill(" ", 148, 156);
  put(type, 156, 1);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\u0000 ", 148, 8);
  return h;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/** A tar stream of `files`: owner root, a fixed mtime, no links (Pulumi's extractor takes files and folders). */
function tar(files: Entry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 99) {
      const body = (len: number) => `${len} path=${f.name}\n`;
      let len = Buffer.byteLength(body(0));
      while (Buffer.byteLength(body(len)) !== len) len = Buffer.byteLength(body(len));
      const record = Buffer.from(body(len));
      parts.push(header("PaxHeader", 0o644, record.length, "x", mtime), record, pad(record.length));
    }
    const size = f.data?.length ?? 0;
    parts.push(header(f.name.slice(0, 99), f.mode, size, f.data ? "0" : "5", mtime));
    if (f.data) parts.push(f.data, pad(size));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface BuiltArchives {
  version: string;
  /** Archive path by platform. */
  archives: Record<Platform, string>;
  /** Bytes of the unpacked plugin folder (files only). */
  unpackedBytes: number;
}

/** Writes the archives of `platforms` into `outDir` (made if missing). Needs `npm run build` first. */
export function buildPluginArchives(
  outDir: string,
  platforms: readonly Platform[] = PLATFORMS,
  root: string = ROOT,
): BuiltArchives {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
    engines: { node: string };
  };
  if (!fs.existsSync(path.join(root, MAIN)))
    throw new Error(`build-plugin: ${MAIN} is missing: run npm run build`);
  // SOURCE_DATE_EPOCH (reproducible-builds.org) when a release pipeline sets one; else the epoch.
  const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-plugin-"));
  try {
    const files = entries(stage(root, work));
    const unpackedBytes = files.reduce((n, f) => n + (f.data?.length ?? 0), 0);
    fs.mkdirSync(outDir, { recursive: true });
    // Every platform's archive is the same bytes: the same JavaScript and both launchers (see launchers).
    const gz = zlib.gzipSync(
      tar(
        [
          ...launchers(pkg.engines.node).map((l) => ({
            name: l.name,
            mode: 0o755,
            data: Buffer.from(l.text),
          })),
          ...files,
        ],
        mtime,
      ),
    );
    const archives = {} as Record<Platform, string>;
    for (const platform of platforms) {
      archives[platform] = path.join(outDir, assetName(pkg.version, platform));
      fs.writeFileSync(archives[platform], gz);
    }
    return { version: pkg.version, archives, unpackedBytes };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, "release"));
  const built = buildPluginArchives(out);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  for (const file of Object.values(built.archives))
    console.log(`${path.relative(process.cwd(), file)}  ${mb(fs.statSync(file).size)}`);
  console.log(`unpacked: ${mb(built.unpackedBytes)}`);
}
