/**
 * The example GitOps workflows (examples/ci): actionlint finds nothing in any of them, and each does what
 * examples/ci/README.md says (triggers, commands, permissions, secrets, concurrency, comment and issue steps).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { main } from "../../cli/main";
import type { Job, Workflow } from "../helpers/workflow";

const root = path.resolve(__dirname, "../..");
const dir = path.join(root, "examples/ci");
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

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

  test("there are the four workflows", () =>
    expect(files).toEqual(["drift-check.yml", "feed-update.yml", "pulumi-preview.yml", "pulumi-up.yml"]));

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

  /**
   * Which secret each job's token comes from. Read-only tokens are repository secrets (any branch's code can
   * read them); the write tokens are secrets of the cloudlock-prod environment, entered only by `up`.
   */
  const tokens: Record<string, { environment?: string; pulumi: string; cloudlock: string }> = {
    "pulumi-preview.yml": {
      pulumi: "PULUMI_ACCESS_TOKEN_READONLY",
      cloudlock: "CLOUDLOCK_API_TOKEN_READONLY",
    },
    "drift-check.yml": { pulumi: "PULUMI_ACCESS_TOKEN_READONLY", cloudlock: "CLOUDLOCK_API_TOKEN_READONLY" },
    "feed-update.yml": { pulumi: "PULUMI_ACCESS_TOKEN_READONLY", cloudlock: "CLOUDLOCK_API_TOKEN_READONLY" },
    "pulumi-up.yml": {
      environment: "cloudlock-prod",
      pulumi: "PULUMI_ACCESS_TOKEN",
      cloudlock: "CLOUDLOCK_API_TOKEN",
    },
  };

  test.each(files)("%s: secrets come from secrets (repository or environment) only, never inline", (f) => {
    const wf = load(f);
    const job = onlyJob(wf);
    const want = tokens[f];
    expect(job.environment).toBe(want.environment);
    expect(job.env?.CLOUDLOCK_API_TOKEN).toBe(`\${{ secrets.${want.cloudlock} }}`);
    expect(job.env?.PULUMI_ACCESS_TOKEN).toBe(`\${{ secrets.${want.pulumi} }}`);
    // No other secret is referenced, and no token-looking name is given anything but a secret or github.token.
    const refs = [...text(f).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect([...new Set(refs)].sort()).toEqual([want.cloudlock, want.pulumi].sort());
    // Nor all of them at once, or one by a computed name.
    expect(text(f)).not.toMatch(/toJSON\(\s*secrets\s*\)|secrets\[|secrets: inherit/);
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
      // It pushes the feed-update branch and opens the pull request; the preview in it uses read-only tokens.
      "feed-update.yml": { contents: "write", "pull-requests": "write" },
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
    const review = stepIndex(
      job,
      /^npx -p pulumi-cloudlock cloudlock-pulumi review preview\.json > review\.md \|\| code=\$\?$/m,
    );
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
    // Posted after any failure, also when there is no review to post (its script then says so).
    expect(job.steps[comment].if).toBe("${{ !cancelled() }}");
    expect(job.steps[comment].env?.REVIEW_OUTCOME).toBe("${{ steps.review.outcome }}");
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

  test("never sees the write tokens: a PR branch's code gets read-only tokens and no environment", () => {
    // Every same-repository branch runs its own code here, so the preview job must hold nothing that writes.
    const writeTokens = /secrets\.(CLOUDLOCK_API_TOKEN|PULUMI_ACCESS_TOKEN)(?![A-Za-z0-9_])/;
    expect(text("pulumi-preview.yml")).not.toMatch(writeTokens);
    expect(job).not.toHaveProperty("environment");
    for (const s of job.steps) expect(JSON.stringify(s.env ?? {})).not.toMatch(writeTokens);
    // The write tokens are read only inside the cloudlock-prod environment, by `up`.
    expect(text("pulumi-up.yml")).toMatch(writeTokens);
    expect(onlyJob(load("pulumi-up.yml")).environment).toBe("cloudlock-prod");
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

/**
 * The workflows' own shell scripts, run as the runner runs them (bash -eo pipefail) against a fake `gh` that
 * logs each call and answers from canned comments and issues, filtering them with the scripts' own `--jq`.
 */
describe("the comment and issue scripts, run", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ci-scripts-"));
    fs.mkdirSync(path.join(tmp, "bin"));
    fs.writeFileSync(path.join(tmp, "bin/gh"), FAKE_GH, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  interface Call {
    args: string[];
    body?: string;
  }
  /** Runs one step's script in `tmp` with `env`; answers come from `canned` (comments.json, issues.json). */
  function runStep(file: string, name: RegExp, env: Record<string, string>, canned: Record<string, unknown>) {
    const step = onlyJob(load(file)).steps.find((s) => name.test(s.name ?? ""));
    expect(step?.run).toBeDefined();
    // Values reach scripts through env, never pasted in by ${{ }} (script injection).
    expect(step!.run).not.toContain("${{");
    fs.rmSync(path.join(tmp, "calls.jsonl"), { force: true });
    for (const [f, v] of Object.entries(canned)) fs.writeFileSync(path.join(tmp, f), JSON.stringify(v));
    fs.writeFileSync(path.join(tmp, "step.sh"), step!.run!);
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "step.sh"], {
      cwd: tmp,
      encoding: "utf8",
      env: {
        PATH: `${path.join(tmp, "bin")}:${process.env.PATH}`,
        FAKE_GH_DIR: tmp,
        GITHUB_REPOSITORY: "acme/infra",
        GITHUB_STEP_SUMMARY: path.join(tmp, "summary.md"),
        STACK: "my-org/cloudlock-ip-libraries/prod",
        RUN_URL: "https://github.com/acme/infra/actions/runs/42",
        ...(load(file).env ?? {}),
        ...env,
      },
    });
    expect(r.stderr).not.toMatch(/jq: (command )?not found/);
    const log = path.join(tmp, "calls.jsonl");
    const calls: Call[] = fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Call)
      : [];
    return { status: r.status, stderr: r.stderr, calls };
  }
  const marker = "<!-- cloudlock-pulumi-review -->";
  const bot = { login: "github-actions[bot]" };
  const postStep = /^Post or update the review comment$/;
  const prEnv = {
    PR: "7",
    PREVIEW_OUTCOME: "success",
    REVIEW_OUTCOME: "success",
    HEAD_SHA: "0123456789abcdef",
  };

  test("the first review is posted as a new comment that starts with the marker", () => {
    fs.writeFileSync(path.join(tmp, "review.md"), "## Cloudlock changes\n+ 1 to add\n");
    const { status, calls } = runStep("pulumi-preview.yml", postStep, prEnv, { "comments.json": [] });
    expect(status).toBe(0);
    const post = calls.find((c) => c.args.includes("POST"));
    expect(post?.args).toContain("repos/acme/infra/issues/7/comments");
    expect(post?.body?.startsWith(`${marker}\n## Cloudlock changes\n+ 1 to add\n`)).toBe(true);
    expect(post?.body).toContain("0123456");
    expect(calls.some((c) => c.args.includes("PATCH"))).toBe(false);
  });

  test("later pushes edit our comment in place: never a second one, never someone else's", () => {
    fs.writeFileSync(path.join(tmp, "review.md"), "no changes\n");
    const comments = [
      { id: 101, user: { login: "alice" }, body: `${marker}\nquoted by a human` },
      { id: 102, user: bot, body: "another bot comment" },
      { id: 103, user: bot, body: `${marker}\nold review` },
    ];
    const { status, calls } = runStep("pulumi-preview.yml", postStep, prEnv, { "comments.json": comments });
    expect(status).toBe(0);
    const writes = calls.filter((c) => c.args.includes("PATCH") || c.args.includes("POST"));
    expect(writes).toHaveLength(1);
    expect(writes[0].args).toEqual(expect.arrayContaining(["PATCH", "repos/acme/infra/issues/comments/103"]));
    expect(writes[0].body).toContain("no changes");
  });

  test("a plan `up` would refuse (review exit 3): the review is posted with a banner, then the job fails", () => {
    const job = onlyJob(load("pulumi-preview.yml"));
    const review = job.steps.find((s) => s.id === "review")!;
    // The step passes on 0 and 3 (the review is written either way) and records which.
    expect(review.run).toContain(`echo "code=$code" >> "$GITHUB_OUTPUT"`);
    expect(review.run).toMatch(/\[ "\$code" = 0 \] \|\| \[ "\$code" = 3 \]\s*$/);
    const fail = job.steps.findIndex(
      (s) => s.if === "${{ !cancelled() && steps.review.outputs.code == '3' }}" && /exit 1/.test(s.run!),
    );
    expect(fail).toBeGreaterThan(job.steps.findIndex((s) => postStep.test(s.name ?? "")));
    fs.writeFileSync(path.join(tmp, "review.md"), "### Cloudlock IP libraries: 1 added · `up` will fail\n");
    const env = { ...prEnv, UP_WILL_FAIL: "true" };
    const { status, calls } = runStep("pulumi-preview.yml", postStep, env, { "comments.json": [] });
    expect(status).toBe(0);
    const body = calls.find((c) => c.args.includes("POST"))!.body!;
    expect(body).toContain("**`pulumi up` would fail on this plan**");
    expect(body).toContain("`up` will fail");
    const quiet = runStep(
      "pulumi-preview.yml",
      postStep,
      { ...prEnv, UP_WILL_FAIL: "false" },
      { "comments.json": [] },
    );
    expect(quiet.calls.find((c) => c.args.includes("POST"))!.body!).not.toContain("would fail on this plan");
  });

  test("a failed preview is said in the comment, and a huge review is cut to fit a comment", () => {
    fs.writeFileSync(path.join(tmp, "review.md"), "x".repeat(200_000));
    const env = { ...prEnv, PREVIEW_OUTCOME: "failure" };
    const { status, calls } = runStep("pulumi-preview.yml", postStep, env, { "comments.json": [] });
    expect(status).toBe(0);
    const body = calls.find((c) => c.args.includes("POST"))!.body!;
    expect(body).toContain("**pulumi preview failed**");
    expect(body).toContain("cut here");
    expect(body.length).toBeLessThanOrEqual(65_536);
  });

  test("a preview that failed before planning (empty preview.json) still posts, in place, and says so", async () => {
    // What `pulumi preview --json` leaves when it fails before planning (no stack, not logged in): 0 bytes.
    fs.writeFileSync(path.join(tmp, "preview.json"), "");
    // The Review step on it, as the workflow runs it: `cloudlock-pulumi review preview.json > review.md`.
    const review = onlyJob(load("pulumi-preview.yml")).steps.find((s) => s.id === "review")!;
    expect(review.run).toMatch(/cloudlock-pulumi review preview\.json > review\.md/);
    let out = "";
    const code = await main(["review", path.join(tmp, "preview.json")], {
      stdout: (x) => (out += x),
      stderr: () => undefined,
      env: {},
      tty: false,
    });
    expect(code).not.toBe(0); // the step fails...
    fs.writeFileSync(path.join(tmp, "review.md"), out); // ...and its redirect leaves review.md (empty)
    const env = { ...prEnv, PREVIEW_OUTCOME: "failure", REVIEW_OUTCOME: "failure" };
    const old = [{ id: 103, user: bot, body: `${marker}\nan earlier, good review` }];
    const { status, calls } = runStep("pulumi-preview.yml", postStep, env, { "comments.json": old });
    expect(status).toBe(0);
    const writes = calls.filter((c) => c.args.includes("PATCH") || c.args.includes("POST"));
    expect(writes).toHaveLength(1); // the one sticky comment, edited
    expect(writes[0].args).toEqual(expect.arrayContaining(["PATCH", "repos/acme/infra/issues/comments/103"]));
    const body = writes[0].body!;
    expect(body.startsWith(`${marker}\n`)).toBe(true);
    expect(body).toContain("**pulumi preview failed before planning**");
    expect(body).toContain("https://github.com/acme/infra/actions/runs/42");
    expect(body).not.toContain("an earlier, good review");
    // With no review.md at all (an install step failed, the review never ran), the same.
    fs.rmSync(path.join(tmp, "review.md"));
    const skipped = { ...prEnv, PREVIEW_OUTCOME: "skipped", REVIEW_OUTCOME: "skipped" };
    const none = runStep("pulumi-preview.yml", postStep, skipped, { "comments.json": [] });
    expect(none.status).toBe(0);
    expect(none.calls.find((c) => c.args.includes("POST"))?.body).toContain("failed before planning");
  });

  const openStep = /^Open or update the drift issue$/;
  const closeStep = /^Close the drift issue$/;
  const driftIssue = { number: 12, state: "open", labels: [{ name: "cloudlock-drift" }] };

  test("drift with no open issue opens one, labelled, with the drift in its body", () => {
    fs.writeFileSync(path.join(tmp, "drift.txt"), '~ description: "a" => "b"\n');
    const other = { number: 3, state: "open", labels: [{ name: "bug" }] };
    const { status, calls } = runStep("drift-check.yml", openStep, {}, { "issues.json": [other] });
    expect(status).toBe(0);
    const create = calls.find((c) => c.args[0] === "issue" && c.args[1] === "create");
    expect(create?.args).toEqual(expect.arrayContaining(["--label", "cloudlock-drift"]));
    expect(create?.body).toContain('~ description: "a" => "b"');
    expect(create?.body).toContain("https://github.com/acme/infra/actions/runs/42");
    expect(calls.some((c) => c.args[1] === "edit")).toBe(false);
  });

  test("drift while the issue is open updates that issue instead of opening another", () => {
    fs.writeFileSync(path.join(tmp, "drift.txt"), "still drifting\n");
    const { status, calls } = runStep("drift-check.yml", openStep, {}, { "issues.json": [driftIssue] });
    expect(status).toBe(0);
    expect(calls.some((c) => c.args[0] === "issue" && c.args[1] === "create")).toBe(false);
    expect(calls.find((c) => c.args[1] === "edit")?.args.slice(0, 3)).toEqual(["issue", "edit", "12"]);
    expect(calls.find((c) => c.args[1] === "edit")?.body).toContain("still drifting");
    expect(calls.find((c) => c.args[1] === "comment")?.args.slice(0, 3)).toEqual(["issue", "comment", "12"]);
  });

  test("a passing check closes the open drift issue, and does nothing when there is none", () => {
    const closed = runStep("drift-check.yml", closeStep, {}, { "issues.json": [driftIssue] });
    expect(closed.status).toBe(0);
    expect(closed.calls.find((c) => c.args[1] === "close")?.args.slice(0, 3)).toEqual([
      "issue",
      "close",
      "12",
    ]);
    const none = runStep("drift-check.yml", closeStep, {}, { "issues.json": [] });
    expect(none.status).toBe(0);
    expect(none.calls.map((c) => c.args.slice(0, 2))).toEqual([["issue", "list"]]);
  });
});

/**
 * A stand-in for the GitHub CLI: logs its arguments (and any body file) to calls.jsonl; `api …/comments` and
 * `issue list` answer comments.json / issues.json (issues filtered by --label and --state, as GitHub does)
 * through the caller's `--jq` with the real jq, as gh's own --jq would.
 */
const FAKE_GH = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const dir = process.env.FAKE_GH_DIR;
const args = process.argv.slice(2);
const opt = (n) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
let body;
const field = args.find((a) => a.startsWith("body=@"));
if (field) body = fs.readFileSync(path.resolve(field.slice(6)), "utf8");
if (opt("--body-file")) body = fs.readFileSync(path.resolve(opt("--body-file")), "utf8");
if (opt("--body") !== undefined) body = opt("--body");
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify({ args, body }) + "\\n");
let answer;
if (args[0] === "api" && !args.includes("--method") && /\\/comments$/.test(args.find((a) => a.startsWith("repos/")))) {
  answer = JSON.parse(fs.readFileSync(path.join(dir, "comments.json"), "utf8"));
} else if (args[0] === "issue" && args[1] === "list") {
  answer = JSON.parse(fs.readFileSync(path.join(dir, "issues.json"), "utf8")).filter(
    (i) => i.state === (opt("--state") || "open") && (!opt("--label") || i.labels.some((l) => l.name === opt("--label"))),
  );
}
if (answer !== undefined) {
  const jq = opt("--jq");
  process.stdout.write(jq ? execFileSync("jq", ["-r", jq], { input: JSON.stringify(answer) }) : JSON.stringify(answer));
}
`;

test("the README documents the OIDC option and every workflow", () => {
  const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
  expect(readme).toContain("pulumi/auth-actions@v2");
  expect(readme).toContain("id-token: write");
  for (const f of files) expect(readme).toContain(`\`${f}\``);
  // Every secret a workflow reads has a row in the secrets table saying where to create it.
  const secrets = new Set(
    files.flatMap((f) => [...text(f).matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1])),
  );
  expect(secrets.size).toBe(4);
  for (const name of secrets) {
    const row = readme.split("\n").find((l) => l.trim().startsWith(`| \`${name}\``));
    expect(row).toBeDefined();
    expect(row).toContain(/_READONLY$/.test(name) ? "| repository" : "| environment `cloudlock-prod`");
  }
});
