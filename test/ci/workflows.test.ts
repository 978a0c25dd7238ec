/**
 * The example GitOps workflows (examples/ci): actionlint finds nothing in any of them, and each does what
 * examples/ci/README.md says (triggers, commands, permissions, secrets, concurrency, comment and issue steps).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

const root = path.resolve(__dirname, "../..");
const dir = path.join(root, "examples/ci");
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

type Step = {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  "continue-on-error"?: boolean;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Job = { if?: string; env?: Record<string, string>; steps: Step[] };
type Workflow = {
  on: Record<string, Record<string, unknown> | null>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};

const text = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
const load = (f: string) => yaml.load(text(f)) as Workflow;
const onlyJob = (wf: Workflow) => {
  expect(Object.keys(wf.jobs)).toHaveLength(1);
  return Object.values(wf.jobs)[0];
};
/** The index of the one step whose `run` matches, failing the test if there is none or several. */
const stepIndex = (job: Job, re: RegExp) => {
  const found = job.steps.flatMap((s, i) => (s.run && re.test(s.run) ? [i] : []));
  expect(found).toHaveLength(1);
  return found[0];
};

/** One actionlint finding, as its JSON format spells it. */
interface Finding {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

describe("actionlint", () => {
  let actionlint: string;
  beforeAll(() => {
    // Reuses one on PATH or in .tools/, else builds it with Go (~15 s); fails loudly if neither can be had.
    actionlint = execFileSync("bash", [path.join(root, "scripts/ensure-actionlint.sh")], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  }, 600_000);

  const lint = (file: string): Finding[] => {
    const r = spawnSync(actionlint, ["-format", "{{json .}}", "-no-color", file], {
      cwd: root,
      encoding: "utf8",
    });
    // 0: no findings, 1: findings; anything else is actionlint itself failing.
    if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout || "[]") as Finding[];
  };

  test("there are the three workflows", () =>
    expect(files).toEqual(["drift-check.yml", "pulumi-preview.yml", "pulumi-up.yml"]));

  test.each(files)("%s has no findings", (f) => {
    const findings = lint(path.join(dir, f));
    expect(findings.map((x) => `${f}:${x.line}:${x.column}: ${x.message} [${x.kind}]`)).toEqual([]);
  });

  test("it does find mistakes (a typo'd input, an unknown step, a bad expression)", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
    try {
      const broken = text("drift-check.yml")
        .replace("persist-credentials: false", "persist-credential: false")
        .replace("if: steps.drift.outcome == 'success'", "if: steps.drfit.outcome == 'success'")
        .replace("${{ github.token }}", "${{ github.tokn }}");
      expect(broken).not.toBe(text("drift-check.yml"));
      const file = path.join(tmp, "broken.yml");
      fs.writeFileSync(file, broken);
      const messages = lint(file).map((x) => x.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringContaining('"persist-credential"'),
          expect.stringContaining('"drfit"'),
          expect.stringContaining('"tokn"'),
        ]),
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("every workflow", () => {
  // The first majors that run on the Node 24 action runtime (Node 20 is end-of-life).
  const minMajor: Record<string, number> = {
    "actions/checkout": 6,
    "actions/setup-node": 6,
    "actions/upload-artifact": 6,
    "pulumi/actions": 7,
    "pulumi/auth-actions": 2,
  };

  test.each(files)("%s: actions at Node 24 majors, Node 22 or 24", (f) => {
    const steps = onlyJob(load(f)).steps;
    for (const s of steps.filter((x) => x.uses)) {
      const [name, ref] = s.uses!.split("@");
      expect(Object.keys(minMajor)).toContain(name);
      expect(Number(/^v(\d+)$/.exec(ref)?.[1])).toBeGreaterThanOrEqual(minMajor[name]);
    }
    const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect([22, 24]).toContain(node?.with?.["node-version"]);
    // The commented OIDC option uses a current major too.
    for (const m of text(f).matchAll(/uses: (pulumi\/auth-actions)@v(\d+)/g))
      expect(Number(m[2])).toBeGreaterThanOrEqual(minMajor[m[1]]);
  });

  test.each(files)("%s: secrets come from repository secrets only, never inline", (f) => {
    const wf = load(f);
    const job = onlyJob(wf);
    expect(job.env?.CLOUDLOCK_API_TOKEN).toBe("${{ secrets.CLOUDLOCK_API_TOKEN }}");
    expect(job.env?.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
    // No other secret is referenced, and no token-looking name is given anything but a secret or github.token.
    const refs = [...text(f).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect([...new Set(refs)].sort()).toEqual(["CLOUDLOCK_API_TOKEN", "PULUMI_ACCESS_TOKEN"]);
    const envs = [wf.env, job.env, ...job.steps.map((s) => s.env)].filter(Boolean) as Record<
      string,
      string
    >[];
    for (const env of envs)
      for (const [k, v] of Object.entries(env))
        if (/TOKEN|PASSPHRASE|SECRET/.test(k))
          expect(v).toMatch(/^\$\{\{ (secrets\.[A-Z_]+|github\.token) \}\}$/);
  });

  test.each(files)("%s: least-privilege permissions, declared at the top", (f) => {
    const expected: Record<string, Record<string, string>> = {
      "pulumi-preview.yml": { contents: "read", "pull-requests": "write" },
      "pulumi-up.yml": { contents: "read" },
      "drift-check.yml": { contents: "read", issues: "write" },
    };
    expect(load(f).permissions).toEqual(expected[f]);
    // The OIDC option is offered beside the token, commented out.
    expect(text(f)).toMatch(/^\s*# id-token: write/m);
    expect(text(f)).toMatch(/^\s*# - uses: pulumi\/auth-actions@v\d+/m);
  });

  test.each(files)("%s: an org-qualified stack, used by every pulumi command", (f) => {
    const wf = load(f);
    expect(wf.env?.STACK).toMatch(/^my-org\/[a-z0-9-]+\/[a-z0-9-]+$/);
    expect(wf.env?.STACK?.split("/")[1]).toBe(
      (yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name,
    );
    const commands = onlyJob(wf)
      .steps.flatMap((s) => (s.run ?? "").split("\n"))
      .filter((l) => /^\s*pulumi (preview|up|refresh|destroy)\b/.test(l));
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect(c).toContain('--stack "$STACK"');
  });
});

describe("pulumi-preview.yml", () => {
  const wf = load("pulumi-preview.yml");
  const job = onlyJob(wf);

  test("runs on every pull request, whatever files it changes", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.on.pull_request).not.toHaveProperty("paths");
    expect(wf.on.pull_request).not.toHaveProperty("paths-ignore");
    expect(wf.on.pull_request).not.toHaveProperty("branches");
  });

  test("previews as JSON, reviews it with cloudlock-pulumi review, and posts review.md as one comment", () => {
    const preview = stepIndex(job, /pulumi preview .*--json > preview\.json/);
    const review = stepIndex(job, /^npx cloudlock-pulumi review preview\.json > review\.md$/m);
    const comment = stepIndex(job, /gh api .*issues\/\$PR\/comments/);
    expect(preview).toBeLessThan(review);
    expect(review).toBeLessThan(comment);
    // A failed preview still gets its review posted, then fails the job.
    expect(job.steps[preview]["continue-on-error"]).toBe(true);
    const fail = job.steps.findIndex(
      (s) => s.if === "steps.preview.outcome == 'failure'" && /exit 1/.test(s.run!),
    );
    expect(fail).toBeGreaterThan(comment);
    // One comment edited in place: found again by its marker, PATCHed if there, POSTed otherwise.
    const run = job.steps[comment].run!;
    expect(run).toMatch(/marker='<!-- [a-z-]+ -->'/);
    expect(run).toMatch(/startswith\(\\"\$marker\\"\)/);
    expect(run).toMatch(
      /--method PATCH "repos\/\$GITHUB_REPOSITORY\/issues\/comments\/\$id" -F body=@comment\.md/,
    );
    expect(run).toMatch(
      /--method POST "repos\/\$GITHUB_REPOSITORY\/issues\/\$PR\/comments" -F body=@comment\.md/,
    );
    expect(run).toContain("review.md");
    expect(job.steps[comment].env?.GH_TOKEN).toBe("${{ github.token }}");
  });

  test("keeps the raw --diff output in the job summary and an artifact", () => {
    const diff = job.steps[stepIndex(job, /pulumi preview .*--diff .*> preview-diff\.txt/)].run!;
    expect(diff).toContain("$GITHUB_STEP_SUMMARY");
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(String(upload?.with?.path)).toContain("preview-diff.txt");
    expect(upload?.if).toBe("always()");
  });

  test("never runs a fork's code with the secrets", () => {
    expect(wf.on).not.toHaveProperty("pull_request_target");
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
  });
});

describe("pulumi-up.yml", () => {
  const wf = load("pulumi-up.yml");
  const job = onlyJob(wf);

  test("runs up on merge to the default branch, never two at once, never cancelled", () => {
    expect(wf.on.push).toEqual({ branches: ["main"] });
    expect(wf.concurrency?.group).toMatch(/\S/);
    expect(wf.concurrency?.group).not.toMatch(/github\.(sha|run_id|ref)/); // one group for every run
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(job.steps[stepIndex(job, /^\s*pulumi up /m)].run).toMatch(/pulumi up --stack "\$STACK" .*--yes/);
  });
});

describe("drift-check.yml", () => {
  const wf = load("drift-check.yml");
  const job = onlyJob(wf);

  test("a scheduled preview with refresh that fails on any change", () => {
    expect(wf.on).toHaveProperty("schedule");
    const run = job.steps[stepIndex(job, /pulumi preview /)].run!;
    expect(run).toMatch(/--refresh/);
    expect(run).toMatch(/--expect-no-changes/);
    expect(run).toMatch(/set -o pipefail/); // the tee must not hide the failure
  });

  test("opens an issue or updates the open one on failure, closes it on success, and still fails", () => {
    const drift = job.steps.find((s) => /--expect-no-changes/.test(s.run ?? ""))!;
    expect(drift["continue-on-error"]).toBe(true);
    const open = job.steps.find(
      (s) => s.if === `steps.${drift.id}.outcome == 'failure'` && /gh issue/.test(s.run!),
    );
    expect(open?.run).toMatch(/gh issue list --label "\$DRIFT_LABEL" --state open/);
    expect(open?.run).toMatch(/gh issue edit "\$number"/);
    expect(open?.run).toMatch(/gh issue create .*--label "\$DRIFT_LABEL"/);
    const close = job.steps.find((s) => s.if === `steps.${drift.id}.outcome == 'success'`);
    expect(close?.run).toMatch(/gh issue close "\$number"/);
    const fail = job.steps.find(
      (s) => s.if === `steps.${drift.id}.outcome == 'failure'` && /exit 1/.test(s.run!),
    );
    expect(fail).toBeDefined();
  });
});

test("the README documents the OIDC option and every workflow", () => {
  const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
  expect(readme).toContain("pulumi/auth-actions@v2");
  expect(readme).toContain("id-token: write");
  for (const f of files) expect(readme).toContain(`\`${f}\``);
});
