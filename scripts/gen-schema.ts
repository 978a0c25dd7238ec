/**
 * `npm run gen-schema`: writes the native provider's package schema (provider/plugin/schema.ts) to
 * provider/plugin/schema.json, formatted as the repository's Prettier settings format it (so `npm run lint`
 * passes). A unit test fails while the checked-in file says something else. Give a path to write somewhere else.
 */
import * as fs from "fs";
import * as path from "path";
import { packageSchema } from "../provider/plugin/schema";

/** The schema file's text: the schema as JSON, formatted by Prettier with the settings that apply to `file`. */
export async function schemaText(file: string): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(packageSchema()), { ...options, filepath: file });
}

/** The repository root: this file lives in scripts/ or dist/scripts/. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

async function main() {
  const out = path.resolve(process.argv[2] ?? path.join(repoRoot(), "provider/plugin/schema.json"));
  const text = await schemaText(out);
  const before = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : undefined;
  fs.writeFileSync(out, text);
  console.log(`${before === text ? "unchanged" : "wrote"} ${path.relative(process.cwd(), out) || out}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
