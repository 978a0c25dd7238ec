/**
 * docs/troubleshooting.md is generated from the table of expected errors (provider/problems.ts) by
 * `npm run gen-docs`: the checked-in page is current, and has a section for every kind.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROBLEMS, PROBLEM_IDS, problemText } from "../../provider/problems";
import { troubleshootingMarkdown } from "../../scripts/gen-docs";

const file = path.join(__dirname, "../../docs/troubleshooting.md");
const page = fs.readFileSync(file, "utf8");

test("every kind has its section: anchor, title, an example message", () => {
  const missing = PROBLEM_IDS.filter(
    (id) =>
      !page.includes(`<a id="${id}"></a>\n\n## ${PROBLEMS[id].title}\n`) ||
      !page.includes(problemText(id, PROBLEMS[id].example as never)),
  );
  // A kind added to the table without `npm run gen-docs` is named here.
  expect(missing).toEqual([]);
  const anchors = [...page.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]);
  expect(anchors).toEqual(PROBLEM_IDS);
});

test("the page says what the table says (`npm run gen-docs` writes it)", () => {
  // Formatted as gen-docs formats it, by Prettier's own command (Jest cannot load Prettier 3's ESM core).
  const expected = execFileSync(
    process.execPath,
    [require.resolve("prettier/bin/prettier.cjs"), "--stdin-filepath", file],
    { input: troubleshootingMarkdown(), encoding: "utf8" },
  );
  if (page !== expected)
    throw new Error("docs/troubleshooting.md is stale: run `npm run gen-docs` and commit it");
});
