/**
 * How emulator/ is built: one file per job, handlers that return values and one adapter (http.ts) that writes
 * responses, no import cycle among its files, and nothing from the CLI above it.
 */
import * as fs from "fs";
import * as path from "path";
import {
  DISK,
  type Files,
  UNNAMED_RULE,
  cycles,
  overlay,
  readImports,
  rel,
  resolveModule,
  tsFiles,
} from "../helpers/imports";

const DIR = path.join(__dirname, "..", "..", "emulator");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts"));
const source = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
/**
 * What the emulator imports none of (by path or by the package's name): the folders above it, and the providers'
 * behaviour (an independent reading of the API docs shares only the API's types, address grammar and errors).
 */
const ABOVE = ["cli", "sdk", "policy", "scripts", "provider/dynamic", "provider/plugin"];

/**
 * The emulator's import graph, read with the shared reader: each file (repository path) and the repository files
 * it names, every relative or self-referencing specifier resolved (`./x`, `../emulator/x`, `pulumi-cloudlock/…`),
 * and every load it cannot name.
 */
function emulatorGraph(sources: string[], read: Files = DISK) {
  const graph = new Map<string, string[]>();
  const unnamed: string[] = [];
  for (const file of sources) {
    const { modules, unnamed: u } = readImports(read.read(file) ?? "", file);
    const targets = modules.flatMap((m) => {
      const t = resolveModule(file, m.specifier, read);
      return t ? [{ line: m.line, spec: m.specifier, to: rel(t) }] : [];
    });
    graph.set(rel(file), [...new Set(targets.map((t) => t.to))]);
    unnamed.push(...u.map((x) => `${rel(file)}:${x.line}: ${x.code}: ${UNNAMED_RULE}`));
    for (const t of targets) {
      if (ABOVE.some((a) => t.to.startsWith(`${a}/`)))
        unnamed.push(`${rel(file)}:${t.line}: "${t.spec}" reaches ${t.to}`);
    }
  }
  const inside = new Map([...graph].map(([f, ts]) => [f, ts.filter((t) => graph.has(t))]));
  return { graph, inside, offences: unnamed };
}

test("only http.ts writes responses", () => {
  const writers = files.filter((f) => /\.writeHead\(|\bres\.(end|write)\(/.test(source(f)));
  expect(writers).toEqual(["http.ts"]);
});

test("no import cycle among the emulator's files", () => {
  const { graph, inside } = emulatorGraph(tsFiles(DIR));
  // The reader does read them: the server stands on its routes.
  expect(graph.get("emulator/server.ts")).toEqual(expect.arrayContaining(["emulator/routes.ts"]));
  expect(cycles(inside)).toEqual([]);
});

test("the cycle check finds a cycle where there is one", () => {
  const graph = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
    ["d.ts", ["a.ts"]],
  ]);
  expect(cycles(graph)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
});

test("the emulator stands on common/ and the provider's client and grammar, never on the providers, the CLI, the SDK, policy or scripts", () => {
  expect(emulatorGraph(tsFiles(DIR)).offences).toEqual([]);
});

describe("the checks see each way an emulator file can name another (so an offence cannot slip past them)", () => {
  const fields = path.join(DIR, "fields.ts");
  const server = path.join(DIR, "server.ts");
  /** The emulator's real files, with fields.ts's text replaced by `text`. */
  const withFields = (text: string) => emulatorGraph(tsFiles(DIR), overlay({ [fields]: text }));
  /** Does the server (transitively) import fields.ts today? The cycle probe needs it to. */
  const reaches = (from: string, to: string): boolean => {
    const { inside } = emulatorGraph(tsFiles(DIR));
    const seen = new Set<string>();
    const walk = (f: string): boolean =>
      f === to || (!seen.has(f) && (seen.add(f), (inside.get(f) ?? []).some(walk)));
    return walk(from);
  };

  test("a cycle made through a ../emulator/ path", () => {
    expect(reaches(rel(server), rel(fields))).toBe(true);
    const { inside } = withFields(`${source("fields.ts")}\nimport { Emulator } from "../emulator/server";\n`);
    const found = cycles(inside);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((c) => c.includes("emulator/fields.ts") && c.includes("emulator/server.ts"))).toBe(
      true,
    );
  });

  test("a cycle made by a lazy require inside a function", () => {
    const { inside } = withFields(
      `${source("fields.ts")}\nexport function later() { return require('./server'); }\n`,
    );
    expect(cycles(inside).length).toBeGreaterThan(0);
  });

  test.each([
    ['const main = require("../cli/main");', 'emulator/fields.ts:1: "../cli/main" reaches cli/main.ts'],
    ["const m = require(`../cli/main`);", 'emulator/fields.ts:1: "../cli/main" reaches cli/main.ts'],
    ['export { x } from "../sdk/index";', 'emulator/fields.ts:1: "../sdk/index" reaches sdk/index.ts'],
    [
      'import { sameValue } from "../provider/dynamic/schema";',
      'emulator/fields.ts:1: "../provider/dynamic/schema" reaches provider/dynamic/schema.ts',
    ],
    [
      'import type { P } from "pulumi-cloudlock/policy";',
      'emulator/fields.ts:1: "pulumi-cloudlock/policy" reaches policy/index.ts',
    ],
    [
      'async function f() { return import("../scripts/lib/engine"); }',
      'emulator/fields.ts:1: "../scripts/lib/engine" reaches scripts/lib/engine.ts',
    ],
    [
      'const c = require(path.join(__dirname, "..", "cli", "main"));',
      `emulator/fields.ts:1: require(path.join(__dirname, "..", "cli", "main")): ${UNNAMED_RULE}`,
    ],
  ])("%s", (line, offence) => {
    expect(withFields(line).offences).toEqual([offence]);
  });
});
