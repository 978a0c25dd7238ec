/**
 * The package's commands are not named like the package, so a bare `npx cloudlock-pulumi …` outside a project
 * that installed it asks the registry for a package called `cloudlock-pulumi`: someone else's, or nobody's. Every
 * command the docs and examples show (tracked Markdown, and everything under examples/: workflows, scripts)
 * names the package: `npx -p pulumi-cloudlock cloudlock-pulumi …` or
 * `npm exec --package=pulumi-cloudlock -- cloudlock-pulumi …`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoFiles } from "../helpers/markdown";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};
const BINS = Object.keys(pkg.bin);

/** One npx / npm exec invocation: where it is, the packages it names, and the command it runs. */
interface Invocation {
  line: number;
  /** The words from the launcher up to and including the command. */
  launcher: string;
  packages: string[];
  command: string;
}

/** Options of npx / npm exec that take a value as the next word. */
const WITH_VALUE = new Set(["-p", "--package", "-c", "--call", "-w", "--workspace", "--registry", "--cache"]);

/** Every npx / npm exec / npm x invocation in `text` (shell lines, Markdown, YAML), line continuations joined. */
function invocations(text: string): Invocation[] {
  const out: Invocation[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const start = i;
    while (/\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i];
    for (const m of line.matchAll(/(?<![\w-])(npx|npm\s+(?:exec|x))(?![\w-])/g)) {
      // The words after the launcher, up to the end of the shell command or the code span.
      const rest = line.slice(m.index! + m[0].length).split(/[`|;&<>()]|\$\(/)[0];
      const words = rest.trim().split(/\s+/).filter(Boolean);
      const packages: string[] = [];
      let command = "";
      let used = 0;
      for (let w = 0; w < words.length; w++) {
        const word = words[w];
        used = w + 1;
        if (word === "--") {
          command = words[w + 1] ?? "";
          used = w + 2;
          break;
        }
        const eq = /^(--?[\w-]+)=(.*)$/.exec(word);
        if (eq) {
          if (eq[1] === "--package" || eq[1] === "-p") packages.push(eq[2]);
          continue;
        }
        if (WITH_VALUE.has(word)) {
          if (word === "-p" || word === "--package") packages.push(words[w + 1] ?? "");
          w++;
          continue;
        }
        if (word.startsWith("-")) continue;
        command = word;
        break;
      }
      command = command.replace(/^["']|["']$/g, "");
      out.push({ line: start + 1, launcher: [m[1], ...words.slice(0, used)].join(" "), packages, command });
    }
  }
  return out;
}

/** The package name a package spec names (`pulumi-cloudlock@0.1.0` → `pulumi-cloudlock`). */
const specName = (spec: string) => spec.replace(/^(@?[^@]+)@.*$/, "$1");

/** Why an invocation could run someone else's package; undefined when it can only run this one's. */
function hazard(inv: Invocation): string | undefined {
  if (inv.command === pkg.name)
    return `\`${inv.launcher}\`: ${pkg.name} has no command of that name; name one of ${BINS.join(", ")}`;
  if (!BINS.includes(inv.command)) return undefined;
  if (inv.packages.length === 0)
    return `\`${inv.launcher}\` names no package: outside a project that installed ${pkg.name} it fetches a package called "${inv.command}"`;
  const others = inv.packages.filter((p) => specName(p) !== pkg.name);
  if (others.length) return `\`${inv.launcher}\` names ${others.join(", ")}, not ${pkg.name}`;
  return undefined;
}

const scanned = [...new Set([...repoFiles(ROOT, "*.md"), ...repoFiles(ROOT, "examples")])];
const found = scanned.flatMap((file) =>
  invocations(fs.readFileSync(path.join(ROOT, file), "utf8")).map((inv) => ({ file, ...inv })),
);

test("the scan covers the README, every example's README, the CI workflows and the examples' scripts", () => {
  expect(scanned).toEqual(
    expect.arrayContaining([
      "README.md",
      "examples/main/README.md",
      "examples/ci/pulumi-preview.yml",
      "examples/ci/drift-check.yml",
      "examples/main/package.json",
    ]),
  );
  // The docs do show our commands run through npx, so the scan below has something to check.
  expect(found.filter((f) => BINS.includes(f.command)).length).toBeGreaterThanOrEqual(10);
});

test("no doc or example runs one of our commands in a form that could fetch another package", () => {
  const bad = found.flatMap((f) => {
    const why = hazard(f);
    return why ? [`${f.file}:${f.line}: ${why}`] : [];
  });
  expect(bad).toEqual([]);
});

test("the scanner tells the forms apart", () => {
  const check = (text: string) => invocations(text).map((i) => hazard(i) ?? `ok ${i.command}`);
  expect(
    check(
      [
        "npx cloudlock-pulumi review preview.json > review.md",
        "        run: npx --yes cloudlock-emulator --port 8080",
        "In another terminal: `npx cloudlock-emulator --help` then",
        "pulumi preview --json | npm exec cloudlock-pulumi -- review",
        "npm x -- pulumi-resource-cloudlock",
        "npx -p cloudlock-pulumi cloudlock-pulumi --help",
        "npx \\",
        "  cloudlock-pulumi import",
        "npx pulumi-cloudlock --help",
      ].join("\n"),
    ),
  ).toEqual([
    expect.stringContaining('fetches a package called "cloudlock-pulumi"'),
    expect.stringContaining('fetches a package called "cloudlock-emulator"'),
    expect.stringContaining('fetches a package called "cloudlock-emulator"'),
    expect.stringContaining('fetches a package called "cloudlock-pulumi"'),
    expect.stringContaining('fetches a package called "pulumi-resource-cloudlock"'),
    expect.stringContaining("names cloudlock-pulumi, not pulumi-cloudlock"),
    expect.stringContaining('fetches a package called "cloudlock-pulumi"'),
    expect.stringContaining("has no command of that name"),
  ]);
  expect(
    check(
      [
        "npx -p pulumi-cloudlock cloudlock-pulumi review preview.json > review.md",
        "`npx -p pulumi-cloudlock cloudlock-emulator --port 8080 --token demo`",
        "npx --package=pulumi-cloudlock@0.1.0 --yes cloudlock-pulumi --help",
        "npm exec --package=pulumi-cloudlock -- cloudlock-pulumi import --collection all",
        "npm exec -p pulumi-cloudlock -- cloudlock-emulator --help",
        "npx tsc --noEmit",
        "npx jest test/ci --coverage=false",
        "a bare `npx` of a command name",
      ].join("\n"),
    ),
  ).toEqual([
    "ok cloudlock-pulumi",
    "ok cloudlock-emulator",
    "ok cloudlock-pulumi",
    "ok cloudlock-pulumi",
    "ok cloudlock-emulator",
    "ok tsc",
    "ok jest",
    "ok ",
  ]);
});

describe("the forms the docs use, run as written (npm offline: any registry lookup fails)", () => {
  let project: string;
  let empty: string;
  const offline = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false" };
  beforeAll(() => {
    // A project that installed the package, as `npm install pulumi-cloudlock` leaves it (the package linked).
    project = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-npx-"));
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "infra", private: true, dependencies: { [pkg.name]: "*" } }),
    );
    fs.mkdirSync(path.join(project, "node_modules/.bin"), { recursive: true });
    fs.symlinkSync(ROOT, path.join(project, "node_modules", pkg.name), "dir");
    for (const [name, file] of Object.entries(pkg.bin))
      fs.symlinkSync(path.join("..", pkg.name, file), path.join(project, "node_modules/.bin", name));
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-npx-empty-"));
  });
  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  });
  const run = (cwd: string, launcher: string) =>
    spawnSync("sh", ["-c", `${launcher} --help`], { cwd, env: offline, encoding: "utf8" });

  test("each launcher the docs show runs this package's command in a project that installed it", () => {
    const launchers = [...new Set(found.filter((f) => BINS.includes(f.command)).map((f) => f.launcher))];
    expect(launchers).toEqual(expect.arrayContaining(["npx -p pulumi-cloudlock cloudlock-pulumi"]));
    for (const launcher of launchers) {
      const r = run(project, launcher);
      const command = launcher.split(" ").pop();
      expect({ launcher, status: r.status, stderr: r.stderr }).toEqual({ launcher, status: 0, stderr: "" });
      expect(r.stdout).toMatch(new RegExp(`^Usage: ${command}\\b`));
    }
  });

  test("outside such a project a bare form asks the registry for a package named after the command", () => {
    const bare = run(empty, "npx cloudlock-pulumi");
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toMatch(/ENOTCACHED[\s\S]*\/cloudlock-pulumi\b/);
    const named = run(empty, "npx -p pulumi-cloudlock cloudlock-pulumi");
    expect(named.stderr).toMatch(/\/pulumi-cloudlock\b/);
    expect(named.stderr).not.toMatch(/\/cloudlock-pulumi\b/);
  });
});
