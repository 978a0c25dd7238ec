/**
 * Files generated from one home (the schema, the documentation pages): formatted as the repository's Prettier
 * settings format them, so `npm run lint` passes, and written only by their `npm run gen-*` script. A unit test
 * of each fails while the checked-in file says something else.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./engine";

/** `text` formatted by Prettier with the settings that apply to `file` (its extension picks the parser). */
export async function formatted(text: string, file: string): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

/**
 * The command of a `gen-*` script: write the text `make(file)` gives to the path on the command line, or to
 * `defaultPath` (relative to the repository), saying whether it changed.
 */
export function generate(defaultPath: string, make: (file: string) => Promise<string>): void {
  const run = async () => {
    const out = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, defaultPath));
    write(out, await make(out), path.relative(process.cwd(), out) || out);
  };
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

/**
 * The command of a script writing many files: each page `make()` returns (path relative to the repository →
 * Markdown), formatted, saying which changed; and every `.md` file under `owned` (folders it alone writes) that it
 * no longer returns is removed.
 */
export function generateAll(make: () => Record<string, string>, owned: readonly string[] = []): void {
  const run = async () => {
    const pages = make();
    for (const [rel, markdown] of Object.entries(pages)) {
      const out = path.join(REPO_ROOT, rel);
      write(out, await formatted(markdown, out), rel);
    }
    for (const dir of owned)
      for (const f of fs.readdirSync(path.join(REPO_ROOT, dir)).filter((f) => f.endsWith(".md"))) {
        const rel = `${dir}/${f}`;
        if (rel in pages) continue;
        fs.rmSync(path.join(REPO_ROOT, rel));
        console.log(`removed ${rel}`);
      }
  };
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

/** Writes `text` to `out`, saying under `label` whether it changed. */
function write(out: string, text: string, label: string): void {
  const before = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : undefined;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  console.log(`${before === text ? "unchanged" : "wrote"} ${label}`);
}
