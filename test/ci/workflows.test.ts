/**
 * The example GitOps workflows (examples/ci): they parse, and run the documented commands.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const root = path.resolve(__dirname, "../..");

describe("CI workflows", () => {
  type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
  const load = (f: string) =>
    yaml.load(fs.readFileSync(path.join(root, "examples/ci", f), "utf8")) as {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: Step[] }>;
    };
  const pulumiStep = (wf: ReturnType<typeof load>) =>
    Object.values(wf.jobs)[0].steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;

  test("pull requests get a preview with the diff posted as a comment", () => {
    const wf = load("pulumi-preview.yml");
    expect(wf.on).toHaveProperty("pull_request");
    expect(pulumiStep(wf).with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true });
  });

  test("a scheduled drift check fails on any change", () => {
    const wf = load("drift-check.yml");
    expect(wf.on).toHaveProperty("schedule");
    expect(pulumiStep(wf).with).toMatchObject({
      command: "preview",
      refresh: true,
      "expect-no-changes": true,
    });
  });

  test("secrets come from repository secrets, never inline", () => {
    for (const f of ["pulumi-preview.yml", "drift-check.yml"]) {
      const env = pulumiStep(load(f)).env ?? {};
      expect(env.CLOUDLOCK_API_TOKEN).toBe("${{ secrets.CLOUDLOCK_API_TOKEN }}");
      expect(env.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
    }
  });
});
