/**
 * The plugin's schema against the last release's (saved with its upgrade fixtures): a program or generated SDK
 * written for that release must keep working, unless the major version moved. The kinds of break are unit-tested
 * in test/unit/schema-compat.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/engine";
import { describeBreaks, schemaCompatibility } from "../../scripts/lib/schema-compat";
import { FIXTURES } from "./helpers";

const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const version = (v: string) => v.replace(/^v/, "").split(".").map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [version(a), version(b)];
  const i = x.findIndex((n, k) => n !== y[k]);
  return i >= 0 && x[i] > y[i];
};

test("provider/plugin/schema.json keeps everything the last release's schema promised", () => {
  const tags = fs.readdirSync(FIXTURES).filter((t) => fs.existsSync(path.join(FIXTURES, t, "schema.json")));
  expect(tags.length).toBeGreaterThan(0);
  const last = tags.reduce((a, b) => (newer(b, a) ? b : a));
  const released = read(path.join(FIXTURES, last, "schema.json"));
  const current = read(path.join(REPO_ROOT, "provider/plugin/schema.json"));
  const pkg = read(path.join(REPO_ROOT, "package.json")) as { version: string };
  const verdict = schemaCompatibility(released, current, {
    old: read(path.join(FIXTURES, last, "recording.json")).version,
    next: pkg.version,
  });
  // Breaks are allowed with a new major version only; otherwise they are listed, one a line.
  expect(verdict.ok ? "" : `${last}:\n${describeBreaks(verdict.breaks)}`).toBe("");
});
