/**
 * Every example of the generated reference (docs/reference/examples/) runs as it is, through the real `pulumi`
 * CLI against the emulator: all TypeScript examples in one project of the packed package (each example a module
 * the program imports; type-checked by tsc, previewed, applied, then a no-change preview and destroy), and all
 * YAML examples in one project through the plugin, merged into one Pulumi.yaml. Each page's two examples make the
 * same entries, so both routes must leave the library alike, holding every entry the YAML declares.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import * as yaml from "js-yaml";
import { pulumiRoot } from "../../scripts/lib/engine";
import { EXAMPLES_DIR, exampleSlugs } from "../../scripts/lib/reference";
import { TOKEN } from "../helpers/emulator";
import { COLLECTIONS } from "../../provider/client/types";
import {
  PULUMI_SDK_VERSION,
  TARBALL,
  installed,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { engineSuite } from "./helpers";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const suite = engineSuite("reference-examples");
const slugs = exampleSlugs();
const folders: string[] = [];
afterAll(() => folders.forEach(removeProject));

/** The version of a dependency this checkout is tested with. */
const versionOf = (name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;

/** Both libraries as the emulator holds them, in a form both routes must agree on. */
function library() {
  return COLLECTIONS.flatMap((kind) =>
    suite.emu
      .entries(kind)
      .map((e) => ({
        kind,
        name: e.name,
        ipAddress: e.ip_address,
        description: e.description ?? "",
        categories: [...(e.categories ?? [])].sort(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.ipAddress.localeCompare(b.ipAddress)),
  );
}

let tsLibrary: ReturnType<typeof library> | undefined;

test("every TypeScript example: tsc, preview, up, no changes on a second preview, destroy", async () => {
  suite.emu.reset();
  const program = slugs.map((s) => `import "./${s}";`).join("\n") + "\n";
  const dir = projectFolder(EXAMPLES_DIR, "reference-ts", {
    // What `npm install` of an example gives (the same set as examples/offices: one shared install).
    deps: {
      "@pulumi/pulumi": PULUMI_SDK_VERSION,
      "pulumi-cloudlock": TARBALL,
      "@types/node": versionOf("@types/node"),
      typescript: versionOf("typescript"),
    },
    files: {
      "index.ts": program,
      "package.json": JSON.stringify({ name: "reference-ts", private: true, main: "index.ts" }),
      "tsconfig.json": JSON.stringify({
        compilerOptions: { strict: true, target: "ES2020", module: "node16", types: ["node"], noEmit: true },
        include: ["*.ts"],
      }),
      "Pulumi.yaml": "name: reference-ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    },
  });
  folders.push(dir);
  // The examples type-check as users' programs would, without skipLibCheck.
  await execFileAsync(process.execPath, [path.join(dir, "node_modules/typescript/bin/tsc"), "-p", dir]);

  const p = await project(dir, "dev", { "cloudlock:apiUrl": suite.emu.apiUrl, "cloudlock:apiToken": TOKEN });
  await p.ok(["preview"]);
  expect(library()).toEqual([]);
  await p.ok(["up", "--yes"]);
  tsLibrary = library();
  expect(tsLibrary.length).toBeGreaterThan(0);
  await p.ok(["preview", "--expect-no-changes"]);
  await p.ok(["destroy", "--yes"]);
  expect(library()).toEqual([]);
});

type Doc = Record<string, Record<string, unknown> | string | undefined>;

/** Every YAML example in one program: their config, variables, resources and outputs, no name twice. */
function mergedYaml(): Doc {
  const merged: Doc = { name: "reference-yaml", runtime: "yaml" };
  for (const slug of slugs) {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, EXAMPLES_DIR, `${slug}.yaml`), "utf8")) as Doc;
    for (const section of ["config", "variables", "resources", "outputs"]) {
      const part = (doc[section] ?? {}) as Record<string, unknown>;
      const into = (merged[section] ??= {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(part)) {
        if (k in into)
          throw new Error(`${EXAMPLES_DIR}/${slug}.yaml: ${section} ${k} is in another example too`);
        into[k] = v;
      }
    }
  }
  return merged;
}

/** The entry names the YAML declares, per-entry resources and set entries. */
function declaredNames(doc: Doc): string[] {
  return Object.values(doc.resources as Record<string, { properties?: Record<string, unknown> }>).flatMap(
    (r) => [
      ...(typeof r.properties?.name === "string" ? [r.properties.name] : []),
      ...((r.properties?.entries as { name: string }[] | undefined) ?? []).map((e) => e.name),
    ],
  );
}

test("every YAML example through the plugin: preview, up, the same library as TypeScript, no changes, destroy", async () => {
  suite.emu.reset();
  const doc = mergedYaml();
  const dir = projectFolder(EXAMPLES_DIR, "reference-yaml", {
    deps: { "pulumi-cloudlock": TARBALL },
    files: { "Pulumi.yaml": yaml.dump(doc) },
  });
  folders.push(dir);
  const bin = path.join(installed({ "pulumi-cloudlock": TARBALL }), "node_modules", ".bin");
  const env = {
    PATH: [path.join(pulumiRoot({ yaml: true }), "bin"), bin, process.env.PATH].join(path.delimiter),
  };
  const p = await project(
    dir,
    "dev",
    {
      "cloudlock:apiUrl": suite.emu.apiUrl,
      "cloudlock:apiToken": TOKEN,
      // The provider page's explicit provider: here the same tenant.
      tenantApiUrl: suite.emu.apiUrl,
    },
    env,
  );
  await p.ok(["config", "set", "--secret", "tenantApiToken", TOKEN]);
  await p.ok(["preview"]);
  expect(library()).toEqual([]);
  await p.ok(["up", "--yes"]);
  const held = library();
  expect(held.map((e) => e.name)).toEqual(expect.arrayContaining(declaredNames(doc)));
  if (tsLibrary) expect(held).toEqual(tsLibrary);
  await p.ok(["preview", "--expect-no-changes"]);
  await p.ok(["destroy", "--yes"]);
  expect(library()).toEqual([]);
});
