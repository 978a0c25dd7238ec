/**
 * Pulumi's YAML language host (pulumi-language-yaml), which scripts/ensure-pulumi.sh puts beside the CLI (or finds
 * on PATH): a project folder whose Pulumi.yaml says `runtime: yaml` runs through the real CLI on a local file
 * backend. The program has no provider resources, only stack config, variables and outputs, so it needs nothing
 * but the CLI and the host: stack init, up, the output read back, a no-change preview, destroy.
 *
 * ensure-pulumi.sh only warns when it cannot provide the host (Node.js users don't need it); this test is where
 * its absence fails, saying what to do.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiRoot } from "../../scripts/lib/engine";
import { Project, project, removeProject } from "../helpers/project";
import { ENGINE_TIMEOUT } from "./helpers";

// A bound for a hang (the run itself takes seconds); ensure-pulumi.sh may build the host first if `pretest` did not.
jest.setTimeout(ENGINE_TIMEOUT);

const HOST = "pulumi-language-yaml";

/** The YAML host the CLI will find: beside it (first on its PATH), else elsewhere on PATH. */
function yamlHost(): string | undefined {
  const dirs = [
    path.join(pulumiRoot({ yaml: true }), "bin"),
    ...(process.env.PATH ?? "").split(path.delimiter),
  ];
  for (const dir of dirs.filter(Boolean)) {
    const file = path.join(dir, HOST);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Project settings and program in one file, as `pulumi new yaml` writes them. */
const PULUMI_YAML = `name: yaml-host-check
runtime: yaml
description: A YAML program with no provider resources, run by the real CLI and YAML language host.
config:
  greeting:
    type: string
  count:
    type: integer
    default: 3
variables:
  message:
    fn::join:
      - ", "
      - - \${greeting}
        - from YAML
outputs:
  message: \${message}
  count: \${count}
  words:
    fn::split:
      - ", "
      - \${message}
`;

let dir: string;
let proj: Project;

beforeAll(async () => {
  const host = yamlHost();
  if (!host) {
    throw new Error(
      `${HOST} not found beside ${path.join(pulumiRoot({ yaml: true }), "bin", "pulumi")} or on PATH. ` +
        "Run `bash scripts/ensure-pulumi.sh` with Go installed (it builds the host from scripts/pulumi-language-yaml), " +
        "or install the Pulumi CLI the official way (it ships the host beside pulumi), or put the host on PATH.",
    );
  }
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-yaml-")), "yaml-host-check");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PULUMI_YAML);
  proj = await project(dir, "dev", { greeting: "hello" });
});

afterAll(() => {
  if (dir) removeProject(dir);
});

/** The stack's outputs, as `pulumi stack output --json` prints them. */
async function stackOutputs(): Promise<Record<string, unknown>> {
  return JSON.parse((await proj.ok(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
}

test("a `runtime: yaml` project folder runs: up, its outputs, a no-change preview, destroy", async () => {
  const up = await proj.ok(["up", "--yes"]);
  expect(up.stdout).toMatch(/\+ 1 created/); // the stack resource itself

  const outputs = await stackOutputs();
  expect(outputs).toEqual({ message: "hello, from YAML", count: 3, words: ["hello", "from YAML"] });

  await proj.ok(["preview", "--expect-no-changes"]);

  // A changed config value changes the outputs (the host evaluates the program with the stack's config each time).
  await proj.ok(["config", "set", "greeting", "bye"]);
  const again = await proj.ok(["up", "--yes"]);
  expect(again.stdout).toContain('~ message: "hello, from YAML" => "bye, from YAML"');
  const changed = await stackOutputs();
  expect(changed).toEqual({ message: "bye, from YAML", count: 3, words: ["bye", "from YAML"] });

  await proj.ok(["destroy", "--yes"]);
  const state = JSON.parse((await proj.ok(["stack", "export"])).stdout) as {
    deployment: { resources?: unknown[] };
  };
  expect(state.deployment.resources ?? []).toEqual([]);
});
