/**
 * examples/ci/feed-update.yml run as GitHub runs its one job: each step in order, its `if:` evaluated from the
 * earlier steps' outputs and outcomes, `continue-on-error` honoured, `run:` scripts under
 * `bash --noprofile --norc -eo pipefail` with the workflow's, the job's and the step's env. The checkout is a
 * clone of a bare `origin` (so the branch is really pushed); `gh`, `pulumi`, `npm` and `npx` are stand-ins on
 * PATH: `gh` logs its calls and answers `pr list` from canned pull requests through the script's own `--jq`;
 * `pulumi preview --json` previews the data file the pull wrote as a SuspiciousIpSet; `npx -p pulumi-cloudlock
 * cloudlock-pulumi` is this checkout's built CLI (dist/). The feed is served by the local feed server. What is
 * checked is the pull request the workflow would open: its branch, its commit, its body.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { main } from "../../cli/main";
import { type FeedServer, startFeedServer } from "../helpers/feed-server";
import type { Workflow } from "../helpers/workflow";

const root = path.resolve(__dirname, "../..");
const CLI = path.join(root, "dist/cli/main.js");
const WORKFLOW = path.join(root, "examples/ci/feed-update.yml");

const workflow = yaml.load(fs.readFileSync(WORKFLOW, "utf8")) as Workflow;
const job = Object.values(workflow.jobs)[0];
const BRANCH = workflow.env!.BRANCH;
const FEED_FILE = workflow.env!.FEED_FILE;
const STACK = workflow.env!.STACK;
const RUN_URL = "https://github.com/acme/infra/actions/runs/42";

/** What the expressions in the workflow's env stand for in these runs. An expression not here fails the run. */
const CONTEXT: Record<string, string> = {
  "secrets.PULUMI_ACCESS_TOKEN_READONLY": "pul-readonly-test",
  "secrets.CLOUDLOCK_API_TOKEN_READONLY": "cl-readonly-test",
  "vars.CLOUDLOCK_API_URL": "https://cloudlock.test/api",
  "github.token": "ghs-test-token",
  "github.repository": "acme/infra",
  "github.server_url": "https://github.com",
  "github.run_id": "42",
};
const expand = (value: string) =>
  value.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in CONTEXT)) throw new Error(`the test's runner has no value for \${{ ${expr} }}`);
    return CONTEXT[expr];
  });

/** A step's outputs, as written to its GITHUB_OUTPUT file (`name=value` and `name<<EOF` forms). */
function outputsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("="))
      out[lines[i].slice(0, lines[i].indexOf("="))] = lines[i].slice(lines[i].indexOf("=") + 1);
  }
  return out;
}

interface StepState {
  outcome: "success" | "failure" | "skipped";
  outputs: Record<string, string>;
}

/**
 * A step's `if:`, for the forms GitHub has that the workflow uses: terms joined by `&&`, each a step output or
 * outcome compared with `==`, or a status function. Without a status function GitHub adds `success()`.
 * Anything else fails the test rather than being guessed at.
 */
function condition(expr: string | undefined, steps: Record<string, StepState>, failed: boolean): boolean {
  if (expr === undefined) return !failed;
  const body = expr.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, "$1");
  let status = false;
  const terms = body.split("&&").map((t) => {
    const term = t.trim();
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)\s*==\s*'([^']*)'$/.exec(term);
    if (output) return (steps[output[1]]?.outputs[output[2]] ?? "") === output[3];
    const outcome = /^steps\.([\w-]+)\.outcome\s*==\s*'([^']*)'$/.exec(term);
    if (outcome) return (steps[outcome[1]]?.outcome ?? "") === outcome[2];
    status = true;
    if (term === "!cancelled()" || term === "always()") return true;
    if (term === "cancelled()") return false;
    if (term === "success()") return !failed;
    if (term === "failure()") return failed;
    throw new Error(`the test's runner does not evaluate "${term}" (in if: ${expr})`);
  });
  return terms.every(Boolean) && (status || !failed);
}

/** A process run asynchronously: the feed server answering it lives in this process. */
const spawn = (file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { ...opts, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });

/** A stand-in for the GitHub CLI: logs each call (arguments, body, token, repo); answers `pr list`. */
const FAKE_GH = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const dir = process.env.FAKE_DIR;
const args = process.argv.slice(2);
const opt = (n) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
const body = opt("--body-file") !== undefined ? fs.readFileSync(path.resolve(opt("--body-file")), "utf8") : opt("--body");
fs.appendFileSync(
  path.join(dir, "calls.jsonl"),
  JSON.stringify({ args, body, token: process.env.GH_TOKEN, repo: process.env.GH_REPO }) + "\\n",
);
if (args[0] === "pr" && args[1] === "list") {
  // As GitHub does: filtered by --head and --state, cut to --limit, each PR only the --json fields.
  const state = (opt("--state") || "open").toUpperCase();
  const prs = JSON.parse(fs.readFileSync(path.join(dir, "prs.json"), "utf8"))
    .filter((p) => (state === "ALL" || p.state === state) && (!opt("--head") || p.headRefName === opt("--head")))
    .slice(0, Number(opt("--limit") || 30));
  const fields = (opt("--json") || "").split(",").filter(Boolean);
  const out = prs.map((p) => Object.fromEntries(fields.map((f) => [f, p[f]])));
  const jq = opt("--jq");
  process.stdout.write(jq ? execFileSync("jq", ["-r", jq], { input: JSON.stringify(out) }) : JSON.stringify(out) + "\\n");
} else if (args[0] === "pr" && args[1] === "create") {
  process.stdout.write("https://github.com/" + process.env.GH_REPO + "/pull/100\\n");
} else if (args[0] === "pr" && args[1] === "edit") {
  process.stdout.write("https://github.com/" + process.env.GH_REPO + "/pull/" + args[2] + "\\n");
} else {
  process.stderr.write("fake gh: not stood in for: gh " + args.join(" ") + "\\n");
  process.exit(97);
}
`;

/**
 * A stand-in for the Pulumi CLI: `pulumi preview --json` of the program on main,
 * `new SuspiciousIpSet("threats", { entries: readLibraryFile("feeds/drop.yaml").suspicious })`, on a stack that
 * does not have the set yet (the pull requests are not merged): the set is created with the data file's entries.
 * With preview-fails in FAKE_DIR it fails as a preview that cannot reach its backend does. Anything else is
 * refused.
 */
const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const yaml = require(${JSON.stringify(require.resolve("js-yaml"))});
const dir = process.env.FAKE_DIR;
const args = process.argv.slice(2);
const env = ["PULUMI_ACCESS_TOKEN", "CLOUDLOCK_API_TOKEN", "CLOUDLOCK_API_URL"].map((k) => [k, process.env[k]]);
fs.appendFileSync(path.join(dir, "pulumi-calls.jsonl"), JSON.stringify({ args, env: Object.fromEntries(env) }) + "\\n");
if (args[0] !== "preview" || !args.includes("--json")) {
  process.stderr.write("fake pulumi: not stood in for: pulumi " + args.join(" ") + "\\n");
  process.exit(97);
}
if (fs.existsSync(path.join(dir, "preview-fails"))) {
  process.stderr.write("error: [401] Unauthorized: No credentials provided or are invalid.\\n");
  process.exit(255);
}
const news = yaml.load(fs.readFileSync("feeds/drop.yaml", "utf8")).suspicious;
const STACK_URN = "urn:pulumi:prod::cloudlock-ip-libraries::pulumi:pulumi:Stack::cloudlock-ip-libraries-prod";
const TYPE = "pulumi-nodejs:dynamic/cloudlock:SuspiciousIpSet";
const URN = "urn:pulumi:prod::cloudlock-ip-libraries::" + TYPE + "::threats";
const PROVIDER = "exports.handler = __f0;\\nfunction __f0() { return require(\\"pulumi-cloudlock/provider\\").suspiciousSet; }";
const keyed = (list) => Object.fromEntries(list.map(({ resource, ...e }) => [e.ipAddress, e]));
const stack = { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack", inputs: {}, outputs: {} };
process.stdout.write(JSON.stringify({
  config: { "cloudlock:apiUrl": process.env.CLOUDLOCK_API_URL },
  steps: [
    { op: "same", urn: STACK_URN, provider: "", oldState: stack, newState: stack },
    {
      op: "create",
      urn: URN,
      provider: "urn:pulumi:prod::cloudlock-ip-libraries::pulumi:providers:pulumi-nodejs::default::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      newState: {
        urn: URN,
        custom: true,
        type: TYPE,
        inputs: { __provider: PROVIDER, entries: keyed(news), mode: "additive" },
        parent: STACK_URN,
        dependencies: [],
      },
    },
  ],
  duration: 2413000000,
  changeSummary: { create: 1, same: 1 },
}, null, 2) + "\\n");
`;

/** `npx -p pulumi-cloudlock cloudlock-pulumi ARGS` is this checkout's built CLI; any other npx is refused. */
const FAKE_NPX = `#!/usr/bin/env bash
echo "npx $*" >> "$FAKE_DIR/npx-calls.log"
if [ "$1" = "-p" ] && [ "$2" = "pulumi-cloudlock" ] && [ "$3" = "cloudlock-pulumi" ]; then
  shift 3
  exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"
fi
echo "fake npx: not stood in for: npx $*" >&2
exit 97
`;

/** `npm ci` installs the package the npx stand-in runs; any other npm is refused. */
const FAKE_NPM = `#!/usr/bin/env bash
echo "npm $*" >> "$FAKE_DIR/npm-calls.log"
[ "$*" = "ci" ] && exit 0
echo "fake npm: not stood in for: npm $*" >&2
exit 97
`;

interface Call {
  args: string[];
  body?: string;
  token?: string;
  repo?: string;
}

let feeds: FeedServer;
let tmp: string;
/** The bare repository the workspace's `origin` is. */
let origin: string;
let fake: string;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  // The workflow's scripts need both (and so does gh's --jq): fail here, loudly, without them.
  for (const tool of ["git", "jq"]) execFileSync(tool, ["--version"], { stdio: "ignore" });
  feeds = await startFeedServer();
});
afterAll(() => feeds.close());

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: gitEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
/** Git without the machine's or the user's configuration. */
const gitEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: path.join(tmp, "home"),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: path.join(tmp, "home", ".gitconfig"),
  LANG: "C",
});

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "feed-update-"));
  fs.mkdirSync(path.join(tmp, "home"));
  fs.writeFileSync(path.join(tmp, "home", ".gitconfig"), "");
  fake = path.join(tmp, "fake");
  fs.mkdirSync(path.join(fake, "bin"), { recursive: true });
  for (const [name, text] of Object.entries({
    gh: FAKE_GH,
    pulumi: FAKE_PULUMI,
    npx: FAKE_NPX,
    npm: FAKE_NPM,
  }))
    fs.writeFileSync(path.join(fake, "bin", name), text, { mode: 0o755 });
  fs.writeFileSync(path.join(fake, "prs.json"), "[]");
  // The infrastructure repository: a program and its package files on main, pushed to a bare origin.
  origin = path.join(tmp, "origin.git");
  git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", origin);
  const seed = path.join(tmp, "seed");
  git(tmp, "init", "--quiet", "--initial-branch=main", seed);
  fs.writeFileSync(
    path.join(seed, "index.ts"),
    'import * as cloudlock from "pulumi-cloudlock";\n' +
      `new cloudlock.SuspiciousIpSet("threats", { entries: cloudlock.readLibraryFile("${FEED_FILE}").suspicious ?? [] });\n`,
  );
  fs.writeFileSync(path.join(seed, "Pulumi.yaml"), "name: cloudlock-ip-libraries\nruntime: nodejs\n");
  fs.writeFileSync(path.join(seed, ".gitignore"), "node_modules/\n");
  git(seed, "add", ".");
  git(
    seed,
    "-c",
    "user.name=Dev",
    "-c",
    "user.email=dev@example.com",
    "commit",
    "--quiet",
    "-m",
    "The program",
  );
  git(seed, "push", "--quiet", origin, "main");
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Ran {
  name: string;
  ran: boolean;
  outcome: StepState["outcome"];
  stdout: string;
  stderr: string;
}

let runs = 0;
/**
 * One run of the job, as the runner makes it: a fresh checkout of origin's main (what actions/checkout gives a
 * scheduled run), then every step in order. Returns each step's fate and the workspace.
 */
async function runJob(feedUrl: string): Promise<{ steps: Ran[]; failed: boolean; ws: string }> {
  const ws = path.join(tmp, `run-${++runs}`);
  git(tmp, "clone", "--quiet", origin, ws);
  const runner = path.join(tmp, `runner-${runs}`);
  fs.mkdirSync(runner);
  const base: NodeJS.ProcessEnv = {
    ...gitEnv(),
    PATH: `${path.join(fake, "bin")}:${process.env.PATH}`,
    FAKE_DIR: fake,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "acme/infra",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "42",
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: runner,
  };
  const envOf = (e?: Record<string, string>) =>
    Object.fromEntries(Object.entries(e ?? {}).map(([k, v]) => [k, expand(String(v))]));
  // The workflow's env, with the feed at the local server, then the job's.
  let env: NodeJS.ProcessEnv = { ...base, ...envOf(workflow.env), FEED_URL: feedUrl, ...envOf(job.env) };
  const states: Record<string, StepState> = {};
  const steps: Ran[] = [];
  let failed = false;
  for (const [i, step] of job.steps.entries()) {
    const name = step.name ?? step.run ?? step.uses ?? `step ${i}`;
    // The actions (checkout, setup-node, pulumi/actions) are what the clone and the stand-ins already give.
    if (step.uses) continue;
    if (!condition(step.if, states, failed)) {
      if (step.id) states[step.id] = { outcome: "skipped", outputs: {} };
      steps.push({ name, ran: false, outcome: "skipped", stdout: "", stderr: "" });
      continue;
    }
    const output = path.join(runner, `output-${i}`);
    const envFile = path.join(runner, `env-${i}`);
    fs.writeFileSync(output, "");
    fs.writeFileSync(envFile, "");
    const script = path.join(runner, `step-${i}.sh`);
    fs.writeFileSync(script, step.run!);
    const r = await spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd: ws,
      env: {
        ...env,
        ...envOf(step.env),
        GITHUB_OUTPUT: output,
        GITHUB_ENV: envFile,
        GITHUB_STEP_SUMMARY: path.join(runner, "summary.md"),
      },
    });
    const outcome = r.status === 0 ? "success" : "failure";
    if (step.id) states[step.id] = { outcome, outputs: outputsOf(fs.readFileSync(output, "utf8")) };
    env = { ...env, ...outputsOf(fs.readFileSync(envFile, "utf8")) };
    if (outcome === "failure" && !step["continue-on-error"]) failed = true;
    steps.push({ name, ran: true, outcome, stdout: r.stdout, stderr: r.stderr });
  }
  return { steps, failed, ws };
}

const lines = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : [];
const ghCalls = () => lines(path.join(fake, "calls.jsonl")).map((l) => JSON.parse(l) as Call);
const pulumiCalls = () =>
  lines(path.join(fake, "pulumi-calls.jsonl")).map((l) => JSON.parse(l) as { args: string[]; env: object });
const ran = (steps: Ran[]) => steps.filter((s) => s.ran).map((s) => s.name);
const originRefs = () => git(origin, "for-each-ref", "--format=%(refname) %(objectname)");
const onOrigin = (ref: string, file: string) => git(origin, "show", `${ref}:${file}`) + "\n";

/** What `cloudlock-pulumi review` makes of a preview file. */
async function review(file: string): Promise<string> {
  let out = "";
  const code = await main(["review", file], {
    stdout: (s) => (out += s),
    stderr: () => undefined,
    env: {},
    tty: false,
  });
  expect(code).toBe(0);
  return out;
}

/** The body the workflow writes around a review. */
const bodyOf = (feedUrl: string, reviewText: string) =>
  `The feed \`${feedUrl}\` changed ([run](${RUN_URL})). What \`pulumi up\` will do once this is merged:\n\n${reviewText}`;

const FEED_V1 = [
  "; Drop list (invented): documentation ranges only",
  "; generated 2026-05-01T05:23:00Z",
  "192.0.2.0/24 ; scanners",
  "198.51.100.9 ; botnet C2",
  "203.0.113.7 ; credential stuffing",
  "",
].join("\n");
/** The next day: one address gone, one new, a newer "generated" line. */
const FEED_V2 = [
  "; Drop list (invented): documentation ranges only",
  "; generated 2026-05-02T05:23:00Z",
  "192.0.2.0/24 ; scanners",
  "198.51.100.9 ; botnet C2",
  "198.51.100.200 ; open proxy",
  "",
].join("\n");

/** PR 17 is ours, open; another head's PR comes first, so a list not filtered by --head would pick it. */
const OPEN_PR = [
  { number: 3, headRefName: "renovate/pulumi", state: "OPEN" },
  { number: 17, headRefName: "cloudlock-feed-update", state: "OPEN" },
];

test("the job's steps, as this runner reads them: no value pasted into a script, every condition understood", () => {
  const scripts = job.steps.filter((s) => s.run);
  expect(scripts.length).toBeGreaterThanOrEqual(4);
  for (const s of scripts) expect(s.run).not.toContain("${{");
  for (const s of job.steps) expect(() => condition(s.if, {}, false)).not.toThrow();
  // The ids the conditions read are the steps'.
  const ids = job.steps.map((s) => s.id).filter(Boolean);
  for (const s of job.steps)
    for (const m of (s.if ?? "").matchAll(/steps\.([\w-]+)\./g)) expect(ids).toContain(m[1]);
});

test("(a) a new feed: the data file alone committed on the branch and pushed; one pull request created with the review", async () => {
  feeds.put("/drop.txt", FEED_V1);
  const url = feeds.at("/drop.txt");
  const mainBefore = git(origin, "rev-parse", "main");
  const { steps, failed, ws } = await runJob(url);
  expect(failed).toBe(false);
  expect(steps.map((s) => [s.name, s.outcome])).toEqual([
    ["npm ci", "success"],
    ["Pull the feed", "success"],
    ["pulumi preview --json", "success"],
    ["Review", "success"],
    ["Open or update the pull request", "success"],
  ]);
  expect(steps[1].stderr).toContain("3 entries written (3 suspicious), 0 skipped");
  // The package's commands, as the workflow runs them.
  expect(lines(path.join(fake, "npm-calls.log"))).toEqual(["npm ci"]);
  expect(lines(path.join(fake, "npx-calls.log"))).toEqual([
    `npx -p pulumi-cloudlock cloudlock-pulumi feed pull --collection suspicious --url ${url} --out ${FEED_FILE}`,
    "npx -p pulumi-cloudlock cloudlock-pulumi review preview.json --out review.md",
  ]);

  // The data file is what feed pull writes: the three entries.
  const data = yaml.load(fs.readFileSync(path.join(ws, FEED_FILE), "utf8")) as {
    suspicious: { ipAddress: string }[];
  };
  expect(data.suspicious.map((e) => e.ipAddress)).toEqual(["192.0.2.0/24", "198.51.100.9", "203.0.113.7"]);

  // The preview ran with the read-only tokens, on the workflow's stack.
  expect(pulumiCalls()).toEqual([
    {
      args: ["preview", "--stack", STACK, "--non-interactive", "--json"],
      env: {
        PULUMI_ACCESS_TOKEN: "pul-readonly-test",
        CLOUDLOCK_API_TOKEN: "cl-readonly-test",
        CLOUDLOCK_API_URL: "https://cloudlock.test/api",
      },
    },
  ]);

  // On origin: the branch, one commit on main holding the data file and nothing else (not preview.json,
  // review.md or body.md); main itself untouched.
  expect(git(origin, "rev-parse", "main")).toBe(mainBefore);
  expect(git(origin, "rev-parse", `${BRANCH}^`)).toBe(mainBefore);
  expect(git(origin, "diff-tree", "--no-commit-id", "--name-only", "-r", BRANCH)).toBe(FEED_FILE);
  expect(onOrigin(BRANCH, FEED_FILE)).toBe(fs.readFileSync(path.join(ws, FEED_FILE), "utf8"));
  expect(git(origin, "log", "-1", "--format=%an|%s", BRANCH)).toBe(
    `github-actions[bot]|Feed update: ${FEED_FILE} from ${url}`,
  );

  // GitHub: asked for an open PR from the branch, found none, created one whose body is the review.
  const calls = ghCalls();
  expect(calls.map((c) => c.args.slice(0, 2))).toEqual([
    ["pr", "list"],
    ["pr", "create"],
  ]);
  expect(calls[0].args).toEqual(expect.arrayContaining(["--head", BRANCH, "--state", "open"]));
  expect(calls[1].args).toEqual(expect.arrayContaining(["--head", BRANCH, "--body-file", "body.md"]));
  expect(calls[1].args[calls[1].args.indexOf("--title") + 1]).toBe(`Cloudlock feed update: ${FEED_FILE}`);
  for (const c of calls) expect(c).toMatchObject({ token: "ghs-test-token", repo: "acme/infra" });
  const reviewText = await review(path.join(ws, "preview.json"));
  expect(reviewText.split("\n")[0]).toBe("### Cloudlock IP libraries: 3 added");
  for (const address of ["192.0.2.0/24", "198.51.100.9", "203.0.113.7"])
    expect(reviewText).toContain(address);
  expect(calls[1].body).toBe(bodyOf(url, reviewText));
});

test("(b) the feed changes while the pull request is open: the branch replaced, that pull request edited, none created", async () => {
  feeds.put("/drop.txt", FEED_V1);
  const url = feeds.at("/drop.txt");
  await runJob(url);
  const first = git(origin, "rev-parse", BRANCH);
  const firstBody = ghCalls()[1].body!;
  fs.rmSync(path.join(fake, "calls.jsonl"));
  fs.writeFileSync(path.join(fake, "prs.json"), JSON.stringify(OPEN_PR));

  feeds.put("/drop.txt", FEED_V2);
  const { steps, failed, ws } = await runJob(url);
  expect(failed).toBe(false);
  expect(ran(steps)).toEqual([
    "npm ci",
    "Pull the feed",
    "pulumi preview --json",
    "Review",
    "Open or update the pull request",
  ]);

  // The branch now holds the new file, as one commit on main (replaced, not stacked on the first).
  const mainNow = git(origin, "rev-parse", "main");
  expect(git(origin, "rev-parse", BRANCH)).not.toBe(first);
  expect(git(origin, "rev-parse", `${BRANCH}^`)).toBe(mainNow);
  const pushed = yaml.load(onOrigin(BRANCH, FEED_FILE)) as { suspicious: { ipAddress: string }[] };
  expect(pushed.suspicious.map((e) => e.ipAddress)).toEqual([
    "192.0.2.0/24",
    "198.51.100.200",
    "198.51.100.9",
  ]);

  const calls = ghCalls();
  expect(calls.map((c) => c.args.slice(0, 3))).toEqual([
    ["pr", "list", "--head"],
    ["pr", "edit", "17"],
  ]);
  expect(calls[1].args).toEqual(["pr", "edit", "17", "--body-file", "body.md"]);
  const reviewText = await review(path.join(ws, "preview.json"));
  expect(reviewText).toContain("198.51.100.200");
  expect(reviewText).not.toContain("203.0.113.7");
  expect(calls[1].body).toBe(bodyOf(url, reviewText));
  expect(calls[1].body).not.toBe(firstBody);
});

test("(c) an unchanged feed, and one whose only change is its timestamp comment: no preview, no gh call, no commit", async () => {
  feeds.put("/drop.txt", FEED_V1);
  const url = feeds.at("/drop.txt");
  await runJob(url);
  // The pull request is merged (and its branch deleted, as GitHub does), so main holds the data file.
  git(origin, "update-ref", "refs/heads/main", `refs/heads/${BRANCH}`);
  git(origin, "update-ref", "-d", `refs/heads/${BRANCH}`);
  fs.rmSync(path.join(fake, "calls.jsonl"));
  fs.rmSync(path.join(fake, "pulumi-calls.jsonl"));
  const refs = originRefs();

  for (const body of [FEED_V1, FEED_V1.replace("2026-05-01T05:23:00Z", "2026-05-02T05:23:00Z")]) {
    feeds.put("/drop.txt", body);
    const { steps, failed, ws } = await runJob(url);
    expect(failed).toBe(false);
    expect(steps.map((s) => [s.name, s.outcome])).toEqual([
      ["npm ci", "success"],
      ["Pull the feed", "success"],
      ["pulumi preview --json", "skipped"],
      ["Review", "skipped"],
      ["Open or update the pull request", "skipped"],
    ]);
    expect(steps[1].stdout).toContain("The feed has not changed: nothing to propose.");
    expect(git(ws, "status", "--porcelain")).toBe("");
    expect(pulumiCalls()).toEqual([]);
    expect(ghCalls()).toEqual([]);
    expect(originRefs()).toBe(refs);
  }
});

test("(d) the feed answers 500: the pull step fails, nothing after it runs, the data file is left as it is", async () => {
  feeds.put("/drop.txt", FEED_V1);
  const url = feeds.at("/drop.txt");
  await runJob(url);
  git(origin, "update-ref", "refs/heads/main", `refs/heads/${BRANCH}`);
  fs.rmSync(path.join(fake, "calls.jsonl"));
  fs.rmSync(path.join(fake, "pulumi-calls.jsonl"));
  const refs = originRefs();

  feeds.put("/drop.txt", { status: 500, body: "upstream broke" });
  const { steps, failed, ws } = await runJob(url);
  expect(failed).toBe(true);
  expect(steps.map((s) => [s.name, s.outcome])).toEqual([
    ["npm ci", "success"],
    ["Pull the feed", "failure"],
    ["pulumi preview --json", "skipped"],
    ["Review", "skipped"],
    ["Open or update the pull request", "skipped"],
  ]);
  expect(steps[1].stderr).toMatch(
    /^cloudlock-pulumi: feed drop\.txt \(http:\/\/127\.0\.0\.1:\d+\/drop\.txt\): the server answered 500 Internal Server Error\./m,
  );
  expect(git(ws, "status", "--porcelain")).toBe("");
  expect(pulumiCalls()).toEqual([]);
  expect(ghCalls()).toEqual([]);
  expect(originRefs()).toBe(refs);
});

test("(e) the preview fails: the pull request is still opened, its body saying so, and the job passes", async () => {
  fs.writeFileSync(path.join(fake, "preview-fails"), "");
  feeds.put("/drop.txt", FEED_V1);
  const url = feeds.at("/drop.txt");
  const { steps, failed } = await runJob(url);
  // Both are continue-on-error: the job goes on to the pull request, which a person then looks at.
  expect(failed).toBe(false);
  expect(steps.map((s) => [s.name, s.outcome])).toEqual([
    ["npm ci", "success"],
    ["Pull the feed", "success"],
    ["pulumi preview --json", "failure"],
    ["Review", "failure"],
    ["Open or update the pull request", "success"],
  ]);
  const create = ghCalls().find((c) => c.args[1] === "create")!;
  expect(create.body).toBe(bodyOf(url, "**The preview or its review failed**: see the run.\n"));
  expect(git(origin, "diff-tree", "--no-commit-id", "--name-only", "-r", BRANCH)).toBe(FEED_FILE);
});
