/**
 * User documentation describes the product as it is (CONTRIBUTING.md, "Conventions"): no issue numbers. A user
 * cannot open "#15"; history and its references belong in commits, CHANGELOG.md and docs/internals/. Scanned:
 * every tracked Markdown file but those two homes, the examples users copy, the plugin's schema (its descriptions
 * become the generated SDKs' docs) and the commands' --help. The README also stays short enough to read.
 */
import * as fs from "fs";
import * as path from "path";
import { repoFiles } from "../helpers/markdown";
import { runCli } from "../helpers/cli";

const ROOT = path.resolve(__dirname, "../..");

/** Where history may be written down. */
const HISTORY = (f: string) => f === "CHANGELOG.md" || f.startsWith("docs/internals/");

/**
 * The issue references in `text`, by line: `#15`, `owner/repo#15`, `GH-15`. Not: an `#anchor` in a link target
 * (`[x](#15-steps)`), a URL (`…/issues/15#issuecomment-1`), an HTML entity (`&#35;`), or a colour written next to
 * the word (`--color 123456` style options and `color: #333`).
 */
function issueRefs(text: string): { line: number; ref: string }[] {
  return text.split(/\r?\n/).flatMap((raw, i) => {
    const t = raw
      .replace(/\]\([^)\s]*\)/g, "]()") // link targets
      .replace(/^\s*\[[^\]]+\]:\s*\S+/, "") // reference-style link definitions
      .replace(/\bhttps?:\/\/\S+/g, "") // URLs
      .replace(/&#x?[0-9a-f]+;/gi, ""); // HTML entities
    const colour = /colou?r/i.test(t);
    return [...t.matchAll(/(?:[\w.-]+\/[\w.-]+)?#\d+\b|\bGH-\d+\b/g)]
      .filter((m) => !(colour && /^#(\d{3}|\d{6})$/.test(m[0])))
      .map((m) => ({ line: i + 1, ref: m[0] }));
  });
}

const scanned = [
  ...repoFiles(ROOT, "*.md").filter((f) => !HISTORY(f)),
  ...repoFiles(ROOT, "examples").filter((f) => !f.endsWith(".md")),
  "provider/plugin/schema.json",
];

test("the scan covers the README, the docs, the examples and the schema", () => {
  expect(scanned).toEqual(
    expect.arrayContaining([
      "README.md",
      "docs/_index.md",
      "docs/guides/feeds.md",
      "examples/ci/drift-check.yml",
      "examples/yaml/Pulumi.yaml",
      "provider/plugin/schema.json",
    ]),
  );
  expect(scanned).not.toContain("CHANGELOG.md");
});

test.each(scanned)("%s names no issue number", (file) => {
  const found = issueRefs(fs.readFileSync(path.join(ROOT, file), "utf8")).map(
    (r) => `${file}:${r.line}: ${r.ref}`,
  );
  expect(found).toEqual([]);
});

test("the commands' --help names no issue number", async () => {
  const helps = await Promise.all(
    [
      ["--help"],
      ["import", "--help"],
      ["csv-to-code", "--help"],
      ["review", "--help"],
      ["feed", "pull", "--help"],
    ].map((args) => runCli(args)),
  );
  for (const h of helps) expect(h.code).toBe(0);
  const emulatorHelp = /const HELP = `([\s\S]*?)`;/.exec(
    fs.readFileSync(path.join(ROOT, "emulator/cli.ts"), "utf8"),
  )![1];
  expect(issueRefs([...helps.map((h) => h.stdout), emulatorHelp].join("\n"))).toEqual([]);
});

test("the README is at most 300 lines", () => {
  const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length;
  expect(lines).toBeLessThanOrEqual(300);
});

describe("the checker itself", () => {
  test("finds issue references, and leaves anchors, URLs, entities and colours alone", () => {
    const text = [
      "### Before and after the core redesign (#15)",
      "would pass it in plain text: pulumi/pulumi#8794, see GH-12",
      "[the steps](#15-steps) and [docs](guide.md#2-install) and https://github.com/o/r/issues/15#issuecomment-9",
      "a literal &#35; and &#x23; sign",
      'gh label create x --color 123456 --description "drift"',
      "[ref]: other.md#3-notes",
    ].join("\n");
    expect(issueRefs(text)).toEqual([
      { line: 1, ref: "#15" },
      { line: 2, ref: "pulumi/pulumi#8794" },
      { line: 2, ref: "GH-12" },
    ]);
  });
});
