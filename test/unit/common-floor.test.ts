/**
 * common/ is the floor: the shared formats and command-line conventions that sdk/, cli/, emulator/ and the plugin
 * all stand on. It imports only itself, Node's modules and the package's dependencies, never a folder above it.
 */
import * as fs from "fs";
import * as path from "path";
import { CloudlockError as ClientError, isCloudlockError, isProblem } from "../../provider/client/errors";
import { CsvImportError, CsvSyntaxError, csvEntries, readCsvRecords } from "../../common/csv";

const ROOT = path.join(__dirname, "..", "..");
const COMMON = path.join(ROOT, "common");
/** The project's own folders: common/ may import none of them. */
const ABOVE = ["provider", "sdk", "cli", "emulator", "policy", "scripts", "test", "examples"];

/** Every module a source names: static and type imports, re-exports, require() and import() with a literal. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^"';]*?\sfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:require|import)\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]);
  return out;
}

/** Why `spec`, named by a file of `dir`, is not allowed in the floor; undefined when it is. */
function refusal(dir: string, spec: string): string | undefined {
  if (spec.startsWith(".")) {
    const target = path.resolve(dir, spec);
    const rel = path.relative(COMMON, target);
    if (rel.startsWith("..") || path.isAbsolute(rel))
      return `leaves common/ for ${path.relative(ROOT, target).split(path.sep).join("/")}`;
    return undefined;
  }
  const top = spec.split("/")[0];
  if (spec === "pulumi-cloudlock" || spec.startsWith("pulumi-cloudlock/"))
    return "imports this package by name";
  if (ABOVE.includes(top)) return `names the project folder ${top}/`;
  return undefined;
}

function commonSources(): string[] {
  return (fs.readdirSync(COMMON, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(COMMON, f));
}

describe("common/ imports nothing from the folders above it", () => {
  test("every import of every file stays in common/ or names Node or a dependency", () => {
    const files = commonSources();
    expect(files.map((f) => path.basename(f)).sort()).toEqual(
      expect.arrayContaining(["args.ts", "csv.ts", "error.ts", "sleep.ts"]),
    );
    const offences = files.flatMap((file) =>
      specifiers(fs.readFileSync(file, "utf8")).flatMap((spec) => {
        const why = refusal(path.dirname(file), spec);
        return why ? [`${path.relative(ROOT, file)}: "${spec}" ${why}`] : [];
      }),
    );
    expect(offences).toEqual([]);
  });

  test("the check sees each way a module can be named (so an offence cannot slip past it)", () => {
    const src = [
      'import { a } from "../provider/address";',
      'import type { B } from "../sdk/data";',
      'export { c } from "../cli/main";',
      'export * from "../emulator/api";',
      'import "../policy/rules";',
      'const d = require("../provider/model");',
      'const e = await import("pulumi-cloudlock/client");',
      'import { parse } from "csv-parse/sync";',
      'import * as fs from "fs";',
      'import { joinFix } from "./error";',
    ].join("\n");
    const found = specifiers(src);
    expect(found).toHaveLength(10);
    expect(found.filter((spec) => refusal(COMMON, spec) !== undefined).sort()).toEqual(
      [
        "../provider/address",
        "../sdk/data",
        "../cli/main",
        "../emulator/api",
        "../policy/rules",
        "../provider/model",
        "pulumi-cloudlock/client",
      ].sort(),
    );
  });
});

describe("the CSV errors of the floor are the client's CloudlockErrors", () => {
  test("CsvSyntaxError and CsvImportError are CloudlockErrors of kind csv-file, by class and by mark", () => {
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error("expected a throw");
    };
    const syntax = thrown(() => readCsvRecords('a,"b\n'));
    const importing = thrown(() => csvEntries("trusted", ""));
    expect(syntax).toBeInstanceOf(CsvSyntaxError);
    expect(importing).toBeInstanceOf(CsvImportError);
    for (const e of [syntax, importing]) {
      expect(e).toBeInstanceOf(ClientError);
      expect(isCloudlockError(e)).toBe(true);
      expect(isProblem(e, "csv-file")).toBe(true);
    }
  });
});
