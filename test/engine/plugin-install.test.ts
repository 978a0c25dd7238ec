/**
 * The plugin installed the way Pulumi plugins install: the release archive `npm run build:plugin` makes for this
 * machine (scripts/build-plugin.ts), built once for the file, put into an empty PULUMI_HOME by the CLI, from the
 * file and from a download, then run by the real CLI and YAML language host for a YAML program with no `plugins:`
 * section, no node_modules, and nothing of ours on PATH (PATH holds node's folder and the CLI's, nothing else).
 *
 * Downloads stay on this machine: PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES sends the schema's pluginDownloadURL
 * (GitHub releases) to a local server laid out as GitHub's release downloads are.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { engineEnv, pulumiRoot } from "../../scripts/lib/engine";
import {
  type BuiltArchives,
  EXECUTABLE,
  PLATFORMS,
  type Platform,
  assetName,
  buildPluginArchives,
} from "../../scripts/build-plugin";
import { PACKAGE } from "../../provider/plugin/schema";
import { TOKEN } from "../helpers/emulator";
import { type CliResult, project, removeProject } from "../helpers/project";
import { engineSuite } from "./helpers";

const suite = engineSuite("plugin-install");
beforeEach(() => suite.emu.reset());

/** This machine as the CLI names platforms (Go's GOOS-GOARCH). */
const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${
  process.arch === "x64" ? "amd64" : process.arch
}` as Platform;

/** The schema's pluginDownloadURL, as the checked-in schema.json says it. */
const DOWNLOAD_URL: string = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../provider/plugin/schema.json"), "utf8"),
).pluginDownloadURL;

let out: string;
let built: BuiltArchives;
const folders: string[] = [];
beforeAll(() => {
  expect(PLATFORMS).toContain(HOST);
  out = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-release-"));
  built = buildPluginArchives(out, [HOST]);
});
afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  folders.forEach(removeProject);
});

/** PATH for the CLI: node's folder and the CLI's (with its language hosts), after checking neither holds the plugin. */
function barePath(): string {
  const dirs = [path.join(pulumiRoot({ yaml: true }), "bin"), path.dirname(process.execPath)];
  for (const dir of dirs) expect(fs.readdirSync(dir).filter((f) => f.startsWith(EXECUTABLE))).toEqual([]);
  expect(fs.existsSync(path.join(pulumiRoot({ yaml: true }), "bin", "pulumi-language-yaml"))).toBe(true);
  return dirs.join(path.delimiter);
}

type Doc = { resources: Record<string, { options?: Record<string, unknown> }> } & Record<string, unknown>;

/**
 * examples/yaml (two offices, a threat IP, a set of two SaaS ranges) alone in a fresh folder, changed by `edit`.
 * Its PULUMI_HOME and state (beside it, where {@link project} puts them) do not exist yet.
 */
function yamlFolder(name: string, edit: (doc: Doc) => void = () => undefined) {
  const doc = yaml.load(
    fs.readFileSync(path.join(__dirname, "../../examples/yaml/Pulumi.yaml"), "utf8"),
  ) as Doc;
  expect(doc.runtime).toBe("yaml");
  expect(doc.plugins).toBeUndefined();
  edit(doc);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-project-")), name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump(doc));
  folders.push(dir);
  const home = path.join(path.dirname(dir), "home");
  expect(fs.existsSync(home)).toBe(false);
  const extra = { PATH: barePath() };
  return { dir, home, extra, env: engineEnv(path.join(path.dirname(dir), "state"), home, extra) };
}

/** `pulumi <args>` in `cwd` with exactly `env` (no variable of this process leaks in). */
function pulumi(args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) =>
    execFile(
      path.join(pulumiRoot({ yaml: true }), "bin", "pulumi"),
      [...args, "--non-interactive"],
      { cwd, env },
      (err, o, e) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: String(o), stderr: String(e) }),
    ),
  );
}

/** Where the CLI unpacks plugin cloudlock at the built version, and the executable it runs there. */
const pluginExecutable = (home: string) =>
  path.join(home, "plugins", `resource-${PACKAGE}-v${built.version}`, EXECUTABLE);

const names = (kind: "trusted" | "suspicious") =>
  suite.emu
    .entries(kind)
    .map((e) => e.name)
    .sort();

/** The example's lifecycle with the installed plugin: up makes its entries, (preview shows nothing,) destroy removes them. */
async function lifecycle(dir: string, extra: Record<string, string>, noopPreview: boolean) {
  const p = await project(
    dir,
    "dev",
    { "cloudlock:apiUrl": suite.emu.apiUrl, "cloudlock:apiToken": TOKEN },
    extra,
  );
  const up = await p.ok(["up", "--yes"]);
  // The engine warns when it takes a plugin from PATH; this one comes from PULUMI_HOME.
  expect(up.stdout + up.stderr).not.toMatch(/from \$PATH/);
  expect(names("trusted")).toEqual(["HQ egress", "SaaS egress A", "SaaS egress B", "VPN concentrators"]);
  expect(names("suspicious")).toEqual(["Botnet C2"]);
  if (noopPreview) {
    const preview = await p.run(["preview", "--expect-no-changes", "--diff"]);
    expect(preview.code).toBe(0);
  }
  await p.ok(["destroy", "--yes"]);
  expect(names("trusted")).toEqual([]);
  expect(names("suspicious")).toEqual([]);
}

test("the archive: both launchers at its root, the compiled plugin and its dependencies, no maps or declarations", async () => {
  const list = await new Promise<string>((resolve, reject) =>
    execFile("tar", ["-tzvf", built.archives[HOST]], { maxBuffer: 64 * 1024 * 1024 }, (err, o) =>
      err ? reject(err) : resolve(o),
    ),
  );
  const files = list.split("\n").filter(Boolean);
  const named = (name: string) => files.find((l) => l.endsWith(` ${name}`));
  expect(path.basename(built.archives[HOST])).toBe(assetName(built.version, HOST));
  expect(named(EXECUTABLE)).toMatch(/^-rwxr-xr-x/);
  // The Windows launcher too: an archive of one platform installed on another still runs where Node.js does.
  expect(named(`${EXECUTABLE}.cmd`)).toBeDefined();
  expect(named("dist/provider/plugin/main.js")).toBeDefined();
  expect(named("node_modules/@pulumi/pulumi/package.json")).toBeDefined();
  expect(named("PulumiPlugin.yaml")).toBeUndefined(); // with one, the engine would run it through a language host
  expect(files.filter((l) => /\.(map|d\.ts)$/.test(l))).toEqual([]);
  expect(
    files.filter((l) => /node_modules\/(typescript-eslint|jest|eslint|ts-jest|prettier)\//.test(l)),
  ).toEqual([]);
});

test("`pulumi plugin install --file` into an empty PULUMI_HOME: a YAML program runs with it, up, no-op preview, destroy", async () => {
  const { dir, home, extra, env } = yamlFolder("from-file");
  const install = await pulumi(
    ["plugin", "install", "resource", PACKAGE, built.version, "--file", built.archives[HOST]],
    dir,
    env,
  );
  expect(install).toMatchObject({ code: 0 });
  fs.accessSync(pluginExecutable(home), fs.constants.X_OK);
  await lifecycle(dir, extra, true);
});

describe("downloads from the schema's pluginDownloadURL, sent to a local server", () => {
  let server: http.Server;
  const got: string[] = [];
  let overrides: string;
  beforeAll(async () => {
    // Laid out as GitHub's release downloads: /<owner>/<repo>/releases/download/v<version>/<asset>.
    server = http.createServer((req, res) => {
      got.push(`${req.method} ${req.url}`);
      const file = path.join(out, path.basename(req.url ?? ""));
      if (!req.url?.startsWith(`/releases/download/v${built.version}/`) || !fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      // The CLI checks the bytes it copied against Content-Length (a chunked answer fails: "expected -1 bytes").
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": fs.statSync(file).size,
      });
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    // The CLI matches the regexp against the source's URL (github://api.github.com/<owner>/pulumi-cloudlock) and
    // fills ${VERSION} in the replacement; it then asks for <replacement>/<asset name>.
    const escaped = DOWNLOAD_URL.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    overrides = `^${escaped}(/|$)=http://127.0.0.1:${port}/releases/download/v\${VERSION}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (got.length = 0));

  const asset = () => `GET /releases/download/v${built.version}/${assetName(built.version, HOST)}`;

  test("`pulumi plugin install resource cloudlock <version> --server <pluginDownloadURL>`, then a YAML program", async () => {
    expect(DOWNLOAD_URL).toMatch(/^github:\/\/api\.github\.com\/[^/]+$/);
    const { dir, home, extra, env } = yamlFolder("downloaded");
    const more = { PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: overrides };
    const install = await pulumi(
      ["plugin", "install", "resource", PACKAGE, built.version, "--server", DOWNLOAD_URL],
      dir,
      { ...env, ...more },
    );
    expect(install).toMatchObject({ code: 0 });
    expect(got).toEqual([asset()]);
    fs.accessSync(pluginExecutable(home), fs.constants.X_OK);
    await lifecycle(dir, { ...extra, ...more }, false);
    expect(got).toEqual([asset()]);
  });

  test("a program whose resources name `version` and `pluginDownloadURL`: the engine installs the missing plugin", async () => {
    const { dir, home, extra } = yamlFolder("auto-install", (doc) => {
      for (const r of Object.values(doc.resources))
        r.options = { ...r.options, version: built.version, pluginDownloadURL: DOWNLOAD_URL };
    });
    await lifecycle(dir, { ...extra, PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: overrides }, false);
    expect(got).toEqual([asset()]);
    fs.accessSync(pluginExecutable(home), fs.constants.X_OK);
  });
});
