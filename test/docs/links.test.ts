/**
 * Every relative link in every tracked Markdown file resolves on GitHub: the file or folder it names is in the
 * repository, and its `#anchor` is a heading of that file as GitHub slugs it (or an explicit <a id|name>).
 * Absolute http(s) links are not followed.
 */
import * as fs from "fs";
import * as path from "path";
import { anchorsOf, headingText, isExternal, linksOf, repoFiles, slug } from "../helpers/markdown";

const ROOT = path.resolve(__dirname, "../..");
const markdown = repoFiles(ROOT, "*.md");
const files = new Set(repoFiles(ROOT));
/** Every folder that holds a repository file: a link to a folder opens its listing. */
const folders = new Set(
  [...files].flatMap((f) =>
    f
      .split("/")
      .slice(0, -1)
      .map((_, i, p) => p.slice(0, i + 1).join("/")),
  ),
);

const anchorCache = new Map<string, Set<string>>();
const anchorsIn = (file: string) => {
  if (!anchorCache.has(file))
    anchorCache.set(file, anchorsOf(fs.readFileSync(path.join(ROOT, file), "utf8")));
  return anchorCache.get(file)!;
};

/** What is wrong with `target`, linked from repository file `from`; undefined when it resolves. */
function problem(
  from: string,
  target: string,
  exists: (f: string) => boolean,
  anchors: (f: string) => Set<string>,
) {
  const hash = target.indexOf("#");
  const rawPath = hash < 0 ? target : target.slice(0, hash);
  const fragment = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const rel = decodeURIComponent(rawPath.replace(/\?.*$/, ""));
  const file =
    rel === ""
      ? from
      : path.posix
          .normalize(rel.startsWith("/") ? rel.slice(1) : path.posix.join(path.posix.dirname(from), rel))
          .replace(/\/$/, "");
  if (file.startsWith("../") || file === "..") return `${target}: leaves the repository`;
  if (!exists(file)) return `${target}: ${file} is not in the repository`;
  if (fragment === undefined || fragment === "" || !file.endsWith(".md")) return undefined;
  if (!anchors(file).has(fragment)) return `${target}: ${file} has no heading or anchor "${fragment}"`;
  return undefined;
}

const inRepo = (f: string) => f === "" || files.has(f) || folders.has(f);

test("there are Markdown files to check, the README among them", () => {
  expect(markdown).toEqual(
    expect.arrayContaining(["README.md", "CHANGELOG.md", "examples/offices/README.md"]),
  );
});

test.each(markdown)("%s: every relative link and #anchor resolves", (file) => {
  const broken = linksOf(fs.readFileSync(path.join(ROOT, file), "utf8"))
    .filter((l) => !isExternal(l.target))
    .map((l) => ({ ...l, problem: problem(file, l.target, inRepo, anchorsIn) }))
    .filter((l) => l.problem)
    .map((l) => `${file}:${l.line}: ${l.problem}`);
  expect(broken).toEqual([]);
});

describe("the checker itself", () => {
  test("headings slug as GitHub slugs them", () => {
    const cases: [string, string][] = [
      [
        "Adopting a whole library: `cloudlock-pulumi import`",
        "adopting-a-whole-library-cloudlock-pulumi-import",
      ],
      [
        "Every Pulumi language: the plugin `pulumi-resource-cloudlock`",
        "every-pulumi-language-the-plugin-pulumi-resource-cloudlock",
      ],
      ["Tolerance: what the docs leave open", "tolerance-what-the-docs-leave-open"],
      ["Before and after the core redesign (#15)", "before-and-after-the-core-redesign-15"],
      ["Big per-entry stacks: `PULUMI_SKIP_CHECKPOINTS`", "big-per-entry-stacks-pulumi_skip_checkpoints"],
      [
        "Whole libraries as one resource: `TrustedIpSet` / `SuspiciousIpSet`",
        "whole-libraries-as-one-resource-trustedipset--suspiciousipset",
      ],
      ["**Bold** and _emphasis_ and [a link](x.md) ##", "bold-and-emphasis-and-a-link"],
      ["Ünïcode — dash", "ünïcode--dash"],
    ];
    for (const [heading, want] of cases) expect(slug(headingText(heading))).toBe(want);
  });

  test("duplicate headings are suffixed -1, -2; code blocks hold no headings; <a id> and <a name> count", () => {
    const doc = [
      "# Setup",
      "## Setup",
      "```sh",
      "# Setup",
      "```",
      "### Setup",
      "Other title",
      "===========",
      '<a id="custom-anchor"></a> <a name="old-name"></a>',
    ].join("\n");
    expect([...anchorsOf(doc)].sort()).toEqual([
      "custom-anchor",
      "old-name",
      "other-title",
      "setup",
      "setup-1",
      "setup-2",
    ]);
  });

  test("finds broken files and anchors, and ignores links in code and absolute URLs", () => {
    const doc = [
      "# Title",
      "[ok](#title) [bad anchor](#titel) [file](other.md#intro) [missing](nope.md) [dir](sub/)",
      "`[in code](nope.md)` <!-- [in a comment](nope.md) --> [web](https://example.com/x.md)",
      "```",
      "[in a block](nope.md)",
      "```",
      "[ref]: other.md#missing",
      '<a href="../../outside.md">up</a>',
    ].join("\n");
    const exists = (f: string) => ["docs/a.md", "docs/other.md", "docs/sub"].includes(f);
    const anchors = (f: string) => (f === "docs/a.md" ? anchorsOf(doc) : new Set(["intro"]));
    const found = linksOf(doc)
      .filter((l) => !isExternal(l.target))
      .map((l) => `${l.line} ${problem("docs/a.md", l.target, exists, anchors) ?? "ok"}`);
    expect(found).toEqual([
      "2 ok",
      '2 #titel: docs/a.md has no heading or anchor "titel"',
      "2 ok",
      "2 nope.md: docs/nope.md is not in the repository",
      "2 ok",
      '7 other.md#missing: docs/other.md has no heading or anchor "missing"',
      "8 ../../outside.md: leaves the repository",
    ]);
  });
});
