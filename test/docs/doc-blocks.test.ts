/**
 * Every code block in the docs' overview and guides says how it runs (a marker comment before it, see
 * CONTRIBUTING.md), so test/engine/doc-blocks.test.ts can run them all; a block that only repeats a repository file
 * is that file, byte for byte. The marker reader itself is tested here on small pages.
 */
import * as fs from "fs";
import * as path from "path";
import { pageSteps } from "../helpers/doc-blocks";
import { repoFiles } from "../helpers/markdown";

const ROOT = path.resolve(__dirname, "../..");
/** The pages whose blocks run: the overview and every guide. */
const RUN_PAGES = repoFiles(ROOT, "docs/_index.md", "docs/guides/*.md");

test("there are guides to run, and the overview among them", () => {
  expect(RUN_PAGES).toEqual(expect.arrayContaining(["docs/_index.md", "docs/guides/feeds.md"]));
});

test("each page with blocks to run has its test file under test/engine/guides/, and each file names such a page", () => {
  const dir = path.join(ROOT, "test/engine/guides");
  const named = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => /guideTest\("([^"]+)"\)/.exec(fs.readFileSync(path.join(dir, f), "utf8"))?.[1] ?? f);
  const running = RUN_PAGES.filter((p) =>
    pageSteps(fs.readFileSync(path.join(ROOT, p), "utf8")).steps.some((s) => s.kind === "run"),
  );
  expect(named.sort()).toEqual(running.sort());
});

describe.each(RUN_PAGES)("%s", (page) => {
  const { steps, problems } = pageSteps(fs.readFileSync(path.join(ROOT, page), "utf8"));

  test("every block is marked and every marker is well formed", () => {
    expect(problems).toEqual([]);
  });

  test("a same-as block is that repository file, whole", () => {
    for (const s of steps.filter((s) => s.kind === "same-as")) {
      const file = path.join(ROOT, s.path);
      expect([s.line, fs.existsSync(file)]).toEqual([s.line, true]);
      expect(s.text).toBe(fs.readFileSync(file, "utf8"));
    }
  });

  test("a copy names a file or folder of the repository", () => {
    for (const s of steps.filter((s) => s.kind === "copy"))
      expect([s.line, s.from, fs.existsSync(path.join(ROOT, s.from))]).toEqual([s.line, s.from, true]);
  });

  test("a project's package.json asks for this package and @pulumi/pulumi, which the runner provides", () => {
    for (const s of steps) {
      if (s.kind !== "file" || path.posix.basename(s.path) !== "package.json") continue;
      const deps = (JSON.parse(s.text) as { dependencies?: Record<string, string> }).dependencies ?? {};
      expect(Object.keys(deps)).toEqual(expect.arrayContaining(["pulumi-cloudlock"]));
    }
  });
});

describe("the marker reader", () => {
  const page = (...lines: string[]) => pageSteps(lines.join("\n"));

  test("files, runs with an exit, hand steps, outputs", () => {
    const { steps, problems } = page(
      "<!-- file: app/index.ts -->",
      "```ts",
      "export const x = 1;",
      "```",
      '<!-- hand: edit trusted "HQ Berlin" {"description": "changed in the UI"} -->',
      "<!-- run: app exit=255 -->",
      "",
      "```sh",
      "pulumi preview --expect-no-changes",
      "```",
      "<!-- output -->",
      "```text",
      "Resources: 1 unchanged",
      "```",
    );
    expect(problems).toEqual([]);
    expect(steps).toEqual([
      { kind: "file", line: 1, path: "app/index.ts", text: "export const x = 1;\n" },
      {
        kind: "hand",
        line: 5,
        op: "edit",
        collection: "trusted",
        args: ["HQ Berlin", { description: "changed in the UI" }],
      },
      { kind: "run", line: 6, dir: "app", exit: 255, text: "pulumi preview --expect-no-changes\n" },
      { kind: "output", line: 11, text: "Resources: 1 unchanged\n" },
    ]);
  });

  test("an unmarked block, a marker without a block, a bad path, a wrong language are each named by line", () => {
    expect(page("```sh", "ls", "```").problems).toEqual(["line 1: a `sh` block without a marker"]);
    expect(page("<!-- file: a.ts -->", "Some text.").problems).toEqual([
      'line 1: a "file" marker with text, not a block, after it',
    ]);
    expect(page("<!-- file: ../x -->", "```ts", "x", "```").problems).toEqual([
      'line 1: path "../x" leaves the workspace',
    ]);
    expect(page("<!-- run: . -->", "```bash", "ls", "```").problems).toEqual([
      'line 1: a "run" block is `sh`, not `bash`',
    ]);
    expect(page("<!-- output -->", "```sh", "ls", "```").problems).toEqual([
      'line 1: an "output" block is `text`, not `sh`',
    ]);
    expect(page("<!-- hand: seed trusted {oops} -->").problems).toEqual([
      'line 1: "hand seed": "{oops}" is not JSON',
    ]);
    expect(page('<!-- hand: delete trusted {"a":1} -->').problems).toEqual([
      'line 1: "hand delete" takes "NAME"',
    ]);
  });

  test("a block inside <details> keeps its marker", () => {
    const { steps, problems } = page(
      "<!-- file: Pulumi.yaml -->",
      "<details><summary>Pulumi.yaml</summary>",
      "",
      "```yaml",
      "name: x",
      "```",
      "</details>",
    );
    expect(problems).toEqual([]);
    expect(steps).toEqual([{ kind: "file", line: 1, path: "Pulumi.yaml", text: "name: x\n" }]);
  });
});
