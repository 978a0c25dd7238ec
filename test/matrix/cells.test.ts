/**
 * The compatibility matrix (scripts/matrix.json, docs/compatibility.md): in each cell, a Node.js release, an
 * @pulumi/pulumi and a Pulumi CLI, the main lifecycle on both routes through the real engine, as users run it:
 * project folders whose node_modules hold the packed package and the cell's @pulumi/pulumi, the cell's `pulumi`
 * started in them with the cell's `node` first on PATH (the language hosts, the dynamic-provider host and the
 * plugin all run on it). A TypeScript program with the dynamic SDK (per-entry resources and a set): up, a no-op
 * preview, a hand edit caught by the drift check, destroy removing exactly its entries. A YAML program with the
 * plugin: up, a no-op preview, destroy. scripts/ensure-cell.sh prepares each cell (cached under .tools/).
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { REPO_ROOT } from "../../scripts/lib/engine";
import { engineSuite } from "../engine/helpers";
import { TOKEN } from "../helpers/emulator";
import { TARBALL, installed, project, projectFolder, removeProject } from "../helpers/project";
import { writes } from "../helpers/requests";

interface Matrix {
  node: Record<string, string>;
  cli: Record<string, string>;
  cells: Record<string, { node: string; sdk: string; cli: string }>;
}
const MATRIX = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "scripts/matrix.json"), "utf8")) as Matrix;
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** A cell's @pulumi/pulumi: `locked` is the lockfile's, `floor` the oldest package.json declares. */
function sdkOf(spec: Matrix["cells"][string]): string {
  if (spec.sdk === "locked") {
    const file = path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  }
  if (spec.sdk === "floor") return manifest.dependencies["@pulumi/pulumi"].replace(/^\^/, "");
  return spec.sdk;
}

/** What scripts/ensure-cell.sh prepared: the folder of the cell's node, its SDK version, its CLI's root. */
interface Cell {
  name: string;
  node: string;
  sdk: string;
  pulumi: string;
}

/** Prepares the cell (quick once .tools/ holds it: `pretest` prepared every cell). */
function prepare(name: string): Cell {
  const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts/ensure-cell.sh"), name], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const kv = Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((l) => l.split(/=(.*)/s, 2)),
  );
  return { name, node: kv.node, sdk: kv.sdk, pulumi: kv.pulumi };
}

const run = promisify(execFile);
const version = async (bin: string) => (await run(bin, ["version"])).stdout.trim();

/** A TypeScript program on the dynamic SDK: two per-entry resources and a set. */
const PROGRAM_TS = `import { version as sdk } from "@pulumi/pulumi/version";
import * as cloudlock from "pulumi-cloudlock";

const hq = new cloudlock.TrustedIp("hq", {
  name: "HQ Berlin",
  ipAddress: "198.51.100.0/24",
  categories: ["office"],
  description: "Main office egress",
});
new cloudlock.SuspiciousIp("tor-exit", {
  name: "TOR exit",
  ipAddress: "203.0.113.7",
  categories: ["TOR network"],
  expiresOn: "2031-01-01T00:00:00Z",
});
const saas = new cloudlock.TrustedIpSet("saas", {
  entries: [
    { name: "SaaS egress A", ipAddress: "203.0.113.64/27", categories: ["saas"] },
    { name: "SaaS egress B", ipAddress: "2001:db8:10::/48", categories: ["saas"] },
  ],
});

export const hqId = hq.id;
export const saasCount = saas.count;
// What the program ran on: the cell's node and @pulumi/pulumi.
export const runtime = { node: process.version, sdk };
`;

const suite = engineSuite("matrix");
const folders: string[] = [];
afterAll(() => folders.forEach(removeProject));

const names = (kind: "trusted" | "suspicious") =>
  suite.emu
    .entries(kind)
    .map((e) => e.name)
    .sort();

describe.each(Object.keys(MATRIX.cells))("cell %s", (name) => {
  const spec = MATRIX.cells[name];
  let cell: Cell;
  /** The install both programs link: the packed package and the cell's @pulumi/pulumi. */
  let modules: string;
  /** The cell's folders first: its CLI (language hosts beside it), its node, the package's commands. */
  let env: Record<string, string>;
  /** `node --version` of the cell's node. */
  let nodeVersion: string;

  beforeAll(async () => {
    cell = prepare(name);
    nodeVersion = (await run(path.join(cell.node, "node"), ["--version"])).stdout.trim();
    modules = path.join(
      installed({ "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": cell.sdk }),
      "node_modules",
    );
    env = {
      PATH: [path.join(cell.pulumi, "bin"), cell.node, path.join(modules, ".bin"), process.env.PATH].join(
        path.delimiter,
      ),
    };
  });
  beforeEach(() => suite.emu.reset());

  const cli = () => path.join(cell.pulumi, "bin", "pulumi");

  /** A project folder of `files` on the cell's install, with a stack configured for the emulator. */
  async function cellProject(label: string, files: Record<string, string>) {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-matrix-src-"));
    const dir = projectFolder(empty, `${name}-${label}`, {
      deps: { "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": cell.sdk },
      files,
    });
    fs.rmSync(empty, { recursive: true, force: true });
    folders.push(dir);
    const config = { "cloudlock:apiUrl": suite.emu.apiUrl, "cloudlock:apiToken": TOKEN };
    return project(dir, "dev", config, env, cli());
  }

  test("runs the versions it names", async () => {
    if (name === "main") {
      // The machine's own node when it is new enough (as `npm test` runs Jest), else the pinned release.
      expect(Number(nodeVersion.slice(1).split(".")[0])).toBeGreaterThanOrEqual(Number(spec.node));
      expect(process.version).toBe(nodeVersion);
    } else {
      expect(nodeVersion).toBe(`v${MATRIX.node[spec.node]}`);
    }
    // The node a project's programs get is the cell's: first on the PATH the CLI runs with.
    const onPath = execFileSync("bash", ["-c", "command -v node"], { env: { ...process.env, ...env } });
    expect(String(onPath).trim()).toBe(path.join(cell.node, "node"));

    expect(await version(cli())).toBe(`v${spec.cli}`);
    const sdk = JSON.parse(fs.readFileSync(path.join(modules, "@pulumi/pulumi/package.json"), "utf8"));
    expect(sdk.version).toBe(cell.sdk);
    expect(cell.sdk).toBe(sdkOf(spec));
    // One copy of the SDK: the package uses the program's, as a user's install dedupes it.
    expect(fs.existsSync(path.join(modules, "pulumi-cloudlock/node_modules/@pulumi/pulumi"))).toBe(false);
  });

  test("TypeScript, dynamic SDK: up creates the entries, preview has no changes, a hand edit is drift, destroy removes exactly them", async () => {
    const { emu } = suite;
    const [bystander] = emu.seed("trusted", [{ name: "Not ours", ip_address: "192.0.2.99" }]);
    const p = await cellProject("ts", {
      "Pulumi.yaml": "name: cloudlock-matrix\nruntime: nodejs\n",
      "package.json": JSON.stringify({ name: "cloudlock-matrix", private: true, main: "index.ts" }),
      "index.ts": PROGRAM_TS,
    });

    const up = await p.ok(["up", "--yes"]);
    expect(up.stdout).toMatch(/4 created/);
    expect(names("trusted")).toEqual(["HQ Berlin", "Not ours", "SaaS egress A", "SaaS egress B"]);
    expect(names("suspicious")).toEqual(["TOR exit"]);
    const hq = emu.entries("trusted").find((e) => e.name === "HQ Berlin")!;
    expect(hq).toMatchObject({ ip_address: "198.51.100.0/24", description: "Main office egress" });
    const outputs = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout);
    expect(outputs).toEqual({ hqId: hq.pk, saasCount: 2, runtime: { node: nodeVersion, sdk: cell.sdk } });

    emu.clearRequests();
    const clean = await p.ok(["preview", "--refresh", "--expect-no-changes"]);
    expect(clean.stdout).toMatch(/4 unchanged/);
    expect(writes(emu)).toBe(0);

    emu.edit("trusted", hq.pk, { description: "edited by hand in the UI" });
    const drift = await p.run(["preview", "--refresh", "--expect-no-changes"]);
    expect(drift.code).not.toBe(0);
    expect(drift.stdout).toMatch(
      /~\s*pulumi-nodejs:dynamic\/cloudlock:TrustedIp hq update \[diff: ~description\]/,
    );
    expect(writes(emu)).toBe(0);

    await p.ok(["destroy", "--yes"]);
    expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk: bystander.pk, name: "Not ours" })]);
    expect(emu.entries("suspicious")).toEqual([]);
  });

  test("YAML, the plugin: up creates the entries, preview has no changes, destroy removes them", async () => {
    const { emu } = suite;
    const p = await cellProject("yaml", {
      "Pulumi.yaml": fs.readFileSync(path.join(REPO_ROOT, "examples/yaml/Pulumi.yaml"), "utf8"),
    });
    // The plugin the engine runs is this install's, on the cell's node.
    const which = execFileSync("bash", ["-c", "command -v pulumi-resource-cloudlock"], {
      env: { ...process.env, ...env },
    });
    expect(String(which).trim()).toBe(path.join(modules, ".bin", "pulumi-resource-cloudlock"));

    await p.ok(["up", "--yes"]);
    expect(names("trusted")).toEqual(["HQ egress", "SaaS egress A", "SaaS egress B", "VPN concentrators"]);
    expect(names("suspicious")).toEqual(["Botnet C2"]);

    emu.clearRequests();
    await p.ok(["preview", "--expect-no-changes", "--diff"]);
    expect(writes(emu)).toBe(0);

    await p.ok(["destroy", "--yes"]);
    expect(emu.entries("trusted")).toEqual([]);
    expect(emu.entries("suspicious")).toEqual([]);
  });
});

test("the matrix agrees with package.json and the Go wrapper modules", () => {
  // Node: the package supports the main cell's major and newer; its types are that major's.
  expect(manifest.engines.node).toBe(`>=${MATRIX.cells.main.node}`);
  expect(manifest.devDependencies["@types/node"]).toMatch(new RegExp(`^\\^${MATRIX.cells.main.node}\\.`));
  for (const spec of Object.values(MATRIX.cells)) expect(MATRIX.node[spec.node]).toMatch(/^\d+\.\d+\.\d+$/);
  // Each CLI's wrapper module pins that version.
  for (const [cli, dir] of Object.entries(MATRIX.cli)) {
    const goMod = fs.readFileSync(path.join(REPO_ROOT, dir, "go.mod"), "utf8");
    expect(goMod).toMatch(new RegExp(`github\\.com/pulumi/pulumi/pkg/v3 v${cli.replace(/\./g, "\\.")}\\b`));
    expect(goMod).toMatch(new RegExp(`github\\.com/pulumi/pulumi/sdk/v3 v${cli.replace(/\./g, "\\.")}\\b`));
  }
  // The oldest-supported cell differs from main in its SDK: the floor of the declared range, not the lockfile's.
  expect(MATRIX.cells["oldest-supported"].sdk).toBe("floor");
});

test("docs/compatibility.md names each cell's exact versions", () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/compatibility.md"), "utf8");
  const table = doc.slice(doc.indexOf("<!-- cells -->")).split("\n\n")[1];
  const rows = Object.fromEntries(
    table
      .split("\n")
      .slice(2)
      .map((l) =>
        l
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim()),
      )
      .map(([cell, ...rest]) => [cell.replace(/`/g, ""), rest]),
  );
  expect(Object.keys(rows)).toEqual(Object.keys(MATRIX.cells));
  for (const [name, spec] of Object.entries(MATRIX.cells)) {
    const [node, sdk, cli] = rows[name];
    expect(node.split(" ")[0]).toBe(MATRIX.node[spec.node]);
    expect(sdk.split(" ")[0]).toBe(sdkOf(spec));
    expect(cli).toBe(spec.cli);
  }
});
