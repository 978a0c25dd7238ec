/**
 * common/ is the floor: the shared formats and command-line conventions that sdk/, cli/, emulator/ and the plugin
 * all stand on. It imports only itself, Node's modules and the package's dependencies, never a folder above it.
 */
import * as path from "path";
import { CloudlockError as ClientError, isCloudlockError, isProblem } from "../../provider/client/errors";
import { CsvImportError, CsvSyntaxError, csvEntries, readCsvRecords } from "../../common/csv";
import {
  DISK,
  type Files,
  UNNAMED_RULE,
  isRelative,
  isSelf,
  overlay,
  readImports,
  rel,
  tsFiles,
} from "../helpers/imports";

const ROOT = path.join(__dirname, "..", "..");
const COMMON = path.join(ROOT, "common");
/** The project's own folders: common/ may import none of them. */
const ABOVE = ["provider", "sdk", "cli", "emulator", "policy", "scripts", "test", "examples"];

/** Why `spec`, named by `file` in common/, is not allowed in the floor; undefined when it is. */
function refusal(file: string, spec: string): string | undefined {
  if (isRelative(spec)) {
    const target = path.resolve(path.dirname(file), spec);
    const inside = path.relative(COMMON, target);
    if (inside.startsWith("..") || path.isAbsolute(inside)) return `leaves common/ for ${rel(target)}`;
    return undefined;
  }
  if (isSelf(spec)) return "imports this package by name";
  const top = spec.split("/")[0];
  if (ABOVE.includes(top)) return `names the project folder ${top}/`;
  return undefined;
}

/** Every offence of the given files of common/: a module from above the floor, or a load named by no literal. */
function offences(files: string[], read: Files = DISK): string[] {
  return files.flatMap((file) => {
    const text = read.read(file);
    if (text === undefined) throw new Error(`no such file: ${file}`);
    const { modules, unnamed } = readImports(text, file);
    return [
      ...modules.flatMap(({ specifier, line }) => {
        const why = refusal(file, specifier);
        return why ? [`${rel(file)}:${line}: "${specifier}" ${why}`] : [];
      }),
      ...unnamed.map((u) => `${rel(file)}:${u.line}: ${u.code}: ${UNNAMED_RULE}`),
    ];
  });
}

describe("common/ imports nothing from the folders above it", () => {
  test("every import of every file stays in common/ or names Node or a dependency", () => {
    const files = tsFiles(COMMON);
    expect(files.map((f) => path.basename(f)).sort()).toEqual(
      expect.arrayContaining(["args.ts", "csv.ts", "error.ts", "sleep.ts"]),
    );
    // The reader does read them: csv.ts names csv-parse and ./error.
    const csv = readImports(DISK.read(path.join(COMMON, "csv.ts")) ?? "", "csv.ts").modules.map(
      (m) => m.specifier,
    );
    expect(csv).toEqual(expect.arrayContaining(["csv-parse/sync", "./error"]));
    expect(offences(files)).toEqual([]);
  });

  test("the check sees each way a module can be named (so an offence cannot slip past it)", () => {
    const probe = path.join(COMMON, "probe.ts");
    const lines = [
      'import { a } from "../provider/address";', // 1
      'import type { B } from "../sdk/data";', // 2
      'export { c } from "../cli/main";', // 3
      'export * from "../emulator/api";', // 4
      'import "../policy/rules";', // 5
      'const d = require("../provider/model");', // 6
      'const e = async () => await import("pulumi-cloudlock/client");', // 7
      'import { parse } from "csv-parse/sync";', // 8: allowed
      'import * as fs from "fs";', // 9: allowed
      'import { joinFix } from "./error";', // 10: allowed
      "import {", // 11: a multi-line import whose comment has an apostrophe
      "  // it's the model's",
      "  X,",
      '} from "../provider/model";',
      "const t = require(`../provider/tokens`);", // 15: backticks
      'const s = require(path.join(__dirname, "..", "sdk", "data"));', // 16: computed
      "function later() { return require('../scripts/lib/engine'); }", // 17: lazy, single quotes
      'import cli = require("../cli/io");', // 18
      "type T = import('../provider/client/types').IpEntry;", // 19: a type position
      "const r = require; r('../provider/model');", // 20: require as a value
      "const z = import(`../sdk/${name}`);", // 21: a template with a substitution
      'import { w } from "pulumi-cloudlock";', // 22
      'import { v } from "../common/csv";', // 23: leaves and comes back: still common/, allowed
    ];
    const got = offences([probe], overlay({ [probe]: lines.join("\n") }));
    const at = (n: number) => got.filter((o) => o.startsWith(`common/probe.ts:${n}:`));
    for (const n of [1, 2, 3, 4, 5, 6, 7, 11, 15, 16, 17, 18, 19, 20, 21, 22]) expect(at(n)).not.toEqual([]);
    for (const n of [8, 9, 10, 23]) expect(at(n)).toEqual([]);
    expect(at(11)).toEqual(['common/probe.ts:11: "../provider/model" leaves common/ for provider/model']);
    expect(at(15)).toEqual(['common/probe.ts:15: "../provider/tokens" leaves common/ for provider/tokens']);
    expect(at(16)).toEqual([
      `common/probe.ts:16: require(path.join(__dirname, "..", "sdk", "data")): ${UNNAMED_RULE}`,
    ]);
    expect(at(20)).toEqual([`common/probe.ts:20: r = require: ${UNNAMED_RULE}`]);
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
