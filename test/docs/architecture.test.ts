/**
 * ARCHITECTURE.md's code map names every folder of the repository, and names no folder that is gone. A folder is
 * named by a `### \`path/\`` heading, or, inside the section of its nearest such ancestor, by its path relative to
 * it (`\`lib/\``). A name ending in `/**` (`\`upgrade/**\``) covers everything below it: recorded data.
 */
import * as fs from "fs";
import * as path from "path";
import { repoFiles } from "../helpers/markdown";

const ROOT = path.resolve(__dirname, "../..");
const map = fs.readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8");
const folders = [
  ...new Set(
    repoFiles(ROOT).flatMap((f) =>
      f
        .split("/")
        .slice(0, -1)
        .map((_, i, p) => p.slice(0, i + 1).join("/")),
    ),
  ),
].sort();

/** The code map's sections: heading path (no trailing slash) → the section's text. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = text.split(/^### /m).slice(1);
  for (const p of parts) {
    const m = /^`([^`]+)\/`/.exec(p);
    if (m) out.set(m[1], p.split(/^## /m)[0]);
  }
  return out;
}

/** Where the map names `folder`, or undefined. */
function namedAt(folder: string, bySection: Map<string, string>): string | undefined {
  if (bySection.has(folder)) return folder;
  const ancestors = folder
    .split("/")
    .map((_, i, p) => p.slice(0, i).join("/"))
    .filter((a) => a && bySection.has(a))
    .reverse();
  const home = ancestors[0];
  if (!home) return undefined;
  const text = bySection.get(home)!;
  const rel = folder.slice(home.length + 1).split("/");
  for (let n = rel.length; n >= 1; n--) {
    const named = rel.slice(0, n).join("/");
    if (n === rel.length && text.includes(`\`${named}/\``)) return home;
    if (text.includes(`\`${named}/**\``)) return home;
  }
  return undefined;
}

test("the code map names every folder of the repository", () => {
  const bySection = sections(map);
  const unnamed = folders.filter((f) => !namedAt(f, bySection));
  expect(unnamed).toEqual([]);
});

test("the code map names no folder that does not exist", () => {
  const gone = [...sections(map).keys()].filter((s) => !folders.includes(s));
  expect(gone).toEqual([]);
});

test("the check itself: a new folder not in the map is caught, with and without a section of its own", () => {
  const bySection = sections(map);
  expect(namedAt("provider/newroom", bySection)).toBeUndefined();
  expect(namedAt("brand-new", bySection)).toBeUndefined();
  expect(namedAt("provider/client", bySection)).toBe("provider/client");
  expect(namedAt("test/fixtures/upgrade/v0.1.0/dynamic/program", bySection)).toBe("test");
});
