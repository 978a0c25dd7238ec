/**
 * Small helpers are declared once and imported everywhere else: a second copy drifts from the first. Reads the
 * sources (not tests) for declarations of each helper, and for the two-library list written out by hand.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const FOLDERS = ["common", "provider", "sdk", "cli", "emulator", "policy", "scripts"];

function sources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.ts$/.test(e.name) && !e.name.endsWith(".d.ts"))
        out.push({ file: rel, text: fs.readFileSync(path.join(ROOT, rel), "utf8") });
    }
  };
  FOLDERS.forEach(walk);
  return out;
}

/** Files that declare `name` as a function or a const (`function name(`, `const name =`). */
function declaring(name: string, files = sources()): string[] {
  const re = new RegExp(`(?:function\\s+${name}\\s*[(<]|(?:const|let|var)\\s+${name}\\s*[=:])`);
  return files.filter((f) => re.test(f.text)).map((f) => f.file);
}

test.each([
  ["sleep", path.join("common", "sleep.ts")],
  ["absent", path.join("provider", "dynamic", "schema.ts")],
  ["isUnknown", path.join("provider", "pulumi-internals.ts")],
  ["unexpired", path.join("provider", "dynamic", "schema.ts")],
  ["hasExpired", path.join("provider", "dynamic", "schema.ts")],
])("%s is declared once, in %s", (name, home) => {
  expect(declaring(name)).toEqual([home]);
});

test("the two libraries are listed by hand once, in the model; everything else takes COLLECTIONS", () => {
  const pair = /\[\s*"(trusted|suspicious)",\s*"(trusted|suspicious)"\s*\]/;
  const listing = sources()
    .filter((f) => pair.test(f.text))
    .map((f) => f.file);
  expect(listing).toEqual([path.join("provider", "model.ts")]);
});

test("the check itself: a second declaration is found", () => {
  const files = [
    { file: "a.ts", text: "export function sleep(ms: number) {}" },
    { file: "b.ts", text: "const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));" },
    { file: "c.ts", text: "await sleep(5);" },
  ];
  expect(declaring("sleep", files)).toEqual(["a.ts", "b.ts"]);
});

test("the unexpired filter is written once: no other file filters by !hasExpired itself", () => {
  const inline = sources()
    .filter((f) => /!\s*hasExpired\(/.test(f.text))
    .map((f) => f.file);
  expect(inline.filter((f) => f !== path.join("provider", "dynamic", "schema.ts"))).toEqual([]);
});
