/**
 * Small helpers are declared once and imported everywhere else: a second copy drifts from the first. Reads the
 * sources (not tests) with the TypeScript compiler (comments and quote styles are its business) for:
 *
 * - a declaration of each helper by its name: a function, class or variable; a method, property or accessor of a
 *   class or object literal (`{ sleep: (ms) => … }`, `async sleep(ms) {}`); an assignment `x.sleep = …`; a
 *   re-export under the name (`export { setTimeout as sleep } from …`), unless it passes on the one in its home.
 *   A property whose value is a plain reference (`{ sleep }`, `{ sleep: sleep }`) passes the helper on and is not
 *   a copy; a type's member (`sleep(ms): Promise<void>` in an interface) declares no code.
 * - a sleep by any name outside common/sleep.ts: a `new Promise` whose executor hands its resolve (the first
 *   parameter) to `setTimeout` (as the callback or inside it); `timers/promises` named at all (its setTimeout is a
 *   sleep, under whatever alias or re-export); `promisify(setTimeout)`.
 * - the two-library list written by hand (an array literal or tuple type of exactly "trusted" and "suspicious", in
 *   any quote style, any order, with or without a trailing comma): only provider/model.ts.
 * - the unexpired filter written inline (`!hasExpired(…)`, `hasExpired(…) === false`): only provider/dynamic/schema.ts.
 *
 * Not caught: a sleep whose executor is a named function defined elsewhere, or whose resolve is renamed or passed
 * through another variable before it reaches setTimeout; a helper copied under another name with other behaviour
 * (there is no telling it is a copy); the libraries as a union type (`"trusted" | "suspicious"`: common/csv.ts
 * types its parameter so, and common/ may not import the model) or built from parts (`Object.keys({ trusted, … })`).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { readImports, resolveModule } from "../helpers/imports";

const ROOT = path.resolve(__dirname, "../..");
const FOLDERS = ["common", "provider", "sdk", "cli", "emulator", "policy", "scripts"];
const SLEEP_HOME = path.join("common", "sleep.ts");

interface Source {
  file: string;
  text: string;
}

function sources(): Source[] {
  const out: Source[] = [];
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

/** Every node of `f`'s syntax tree that `pick` names, as `file:line` (once per line). */
function findIn(files: Source[], pick: (node: ts.Node, f: Source) => boolean): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const sf = ts.createSourceFile(f.file, f.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (pick(node, f)) out.add(`${f.file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return [...out];
}

const strip = (node: ts.Node): ts.Node => {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node))
    node = node.expression;
  return node;
};

/** A property or declaration name's text (`sleep`, `"sleep"`, `["sleep"]`), when it is a literal. */
function nameText(name: ts.Node | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const e = strip(name.expression);
    if (ts.isStringLiteralLike(e)) return e.text;
  }
  return undefined;
}

/** A value that only passes something on (`sleep`, `deps.sleep`), as opposed to code. */
const reference = (e: ts.Node | undefined): boolean =>
  !!e && (ts.isIdentifier(strip(e)) || ts.isPropertyAccessExpression(strip(e)));

/** Does the module `spec`, named by `file`, resolve to `home`? */
const isHome = (file: string, spec: string, home: string): boolean =>
  resolveModule(path.join(ROOT, file), spec) === path.join(ROOT, home);

/** Files (as `file:line`) that declare `name`, by any of the forms in the header. */
function declaring(name: string, home: string, files = sources()): string[] {
  return findIn(files, (node, f) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isClassDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)
    )
      return (
        nameText(node.name) === name &&
        (!ts.isMethodDeclaration(node) || !!node.body || ts.isClassLike(node.parent))
      );
    if (ts.isVariableDeclaration(node)) return nameText(node.name) === name;
    if (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node))
      return nameText(node.name) === name && !!node.initializer && !reference(node.initializer);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = strip(node.left);
      const key = ts.isElementAccessExpression(left) ? strip(left.argumentExpression) : undefined;
      const prop = ts.isPropertyAccessExpression(left)
        ? left.name.text
        : key && ts.isStringLiteralLike(key)
          ? key.text
          : undefined;
      return prop === name && !reference(node.right);
    }
    if (ts.isExportSpecifier(node) && node.name.text === name) {
      const decl = node.parent.parent;
      const spec =
        decl.moduleSpecifier && ts.isStringLiteral(decl.moduleSpecifier)
          ? decl.moduleSpecifier.text
          : undefined;
      if (spec !== undefined) return !isHome(f.file, spec, home);
      // `export { sleep }` of a local: fine when that local is imported from the home.
      const local = (node.propertyName ?? node.name).text;
      const imported = node
        .getSourceFile()
        .statements.some(
          (s) =>
            ts.isImportDeclaration(s) &&
            ts.isStringLiteral(s.moduleSpecifier) &&
            isHome(f.file, s.moduleSpecifier.text, home) &&
            s.importClause?.namedBindings &&
            ts.isNamedImports(s.importClause.namedBindings) &&
            s.importClause.namedBindings.elements.some((el) => el.name.text === local),
        );
      return !imported;
    }
    return false;
  });
}

/** Sleeps by any name (see the header), as `file:line`, outside common/sleep.ts. */
function sleepsByBehaviour(files = sources()): string[] {
  const others = files.filter((f) => f.file !== SLEEP_HOME);
  const mentions = (node: ts.Node, id: string): boolean =>
    (ts.isIdentifier(node) && node.text === id) ||
    !!ts.forEachChild(node, (c) => mentions(c, id) || undefined);
  const isSetTimeout = (callee: ts.Node) =>
    (ts.isIdentifier(callee) && callee.text === "setTimeout") ||
    (ts.isPropertyAccessExpression(callee) && callee.name.text === "setTimeout");
  const promised = findIn(others, (node) => {
    if (!ts.isNewExpression(node)) return false;
    const ctor = strip(node.expression);
    const isPromise =
      (ts.isIdentifier(ctor) && ctor.text === "Promise") ||
      (ts.isPropertyAccessExpression(ctor) && ctor.name.text === "Promise");
    const exec = node.arguments?.[0] && strip(node.arguments[0]);
    if (!isPromise || !exec || !(ts.isArrowFunction(exec) || ts.isFunctionExpression(exec))) return false;
    const resolve = exec.parameters[0]?.name;
    if (!resolve || !ts.isIdentifier(resolve)) return false;
    const timesResolve = (n: ts.Node): boolean =>
      (ts.isCallExpression(n) &&
        isSetTimeout(strip(n.expression)) &&
        n.arguments.length > 0 &&
        mentions(n.arguments[0], resolve.text)) ||
      !!ts.forEachChild(n, (c) => timesResolve(c) || undefined);
    return timesResolve(exec.body);
  });
  const promisified = findIn(others, (node) => {
    if (!ts.isCallExpression(node)) return false;
    const callee = strip(node.expression);
    const name = ts.isIdentifier(callee)
      ? callee.text
      : ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : "";
    return name === "promisify" && node.arguments.some((a) => isSetTimeout(strip(a)));
  });
  const timers = others.flatMap((f) =>
    readImports(f.text, f.file)
      .modules.filter((m) => /^(node:)?timers\/promises$/.test(m.specifier))
      .map((m) => `${f.file}:${m.line}`),
  );
  return [...new Set([...promised, ...promisified, ...timers])].sort();
}

const LIBRARIES = ["suspicious", "trusted"];
const isPair = (texts: (string | undefined)[]) =>
  texts.length === 2 && JSON.stringify([...texts].sort()) === JSON.stringify(LIBRARIES);

/** Files (as `file:line`) that write the two-library list by hand. */
function libraryLists(files = sources()): string[] {
  return findIn(files, (node) => {
    if (ts.isArrayLiteralExpression(node))
      return isPair(
        node.elements.map((e) =>
          ts.isStringLiteralLike(strip(e)) ? (strip(e) as ts.StringLiteralLike).text : undefined,
        ),
      );
    if (ts.isTupleTypeNode(node))
      return isPair(
        node.elements.map((e) =>
          ts.isLiteralTypeNode(e) && ts.isStringLiteralLike(e.literal) ? e.literal.text : undefined,
        ),
      );
    return false;
  });
}

/** Files (as `file:line`) that filter by !hasExpired themselves. */
function inlineUnexpired(files = sources()): string[] {
  const callsHasExpired = (n: ts.Node) => {
    const e = strip(n);
    if (!ts.isCallExpression(e)) return false;
    const c = strip(e.expression);
    return (
      (ts.isIdentifier(c) && c.text === "hasExpired") ||
      (ts.isPropertyAccessExpression(c) && c.name.text === "hasExpired")
    );
  };
  return findIn(files, (node) => {
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken)
      return callsHasExpired(node.operand);
    if (ts.isBinaryExpression(node)) {
      const eq = [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(
        node.operatorToken.kind,
      );
      const isFalse = (n: ts.Node) => strip(n).kind === ts.SyntaxKind.FalseKeyword;
      return (
        eq &&
        ((callsHasExpired(node.left) && isFalse(node.right)) ||
          (callsHasExpired(node.right) && isFalse(node.left)))
      );
    }
    return false;
  });
}

const fileOf = (at: string) => at.replace(/:\d+$/, "");

describe("in the sources", () => {
  test.each([
    ["sleep", SLEEP_HOME],
    ["absent", path.join("provider", "dynamic", "schema.ts")],
    ["isUnknown", path.join("provider", "pulumi-internals.ts")],
    ["unexpired", path.join("provider", "dynamic", "schema.ts")],
    ["hasExpired", path.join("provider", "dynamic", "schema.ts")],
  ])("%s is declared once, in %s", (name, home) => {
    expect(declaring(name, home).map(fileOf)).toEqual([home]);
  });

  test("there is no sleep by another name outside common/sleep.ts", () => {
    expect(sleepsByBehaviour()).toEqual([]);
  });

  test("the two libraries are listed by hand once, in the model; everything else takes COLLECTIONS", () => {
    expect(libraryLists().map(fileOf)).toEqual([path.join("provider", "model.ts")]);
  });

  test("the unexpired filter is written once: no other file filters by !hasExpired itself", () => {
    const inline = inlineUnexpired().map(fileOf);
    expect(inline).toContain(path.join("provider", "dynamic", "schema.ts"));
    expect(inline.filter((f) => f !== path.join("provider", "dynamic", "schema.ts"))).toEqual([]);
  });
});

describe("the checks themselves: each sneak is found", () => {
  const one = (text: string): Source[] => [{ file: "x.ts", text }];
  const home = path.join("common", "sleep.ts");
  /** Each text with a one-line title. */
  const cases = (...texts: string[]) => texts.map((t) => [t.replace(/\s*\n\s*/g, " "), t]);

  test.each(
    cases(
      "export function sleep(ms: number) {}",
      "const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));",
      "export const helpers = { sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) };",
      "export const helpers = { 'sleep': async (ms: number) => undefined };",
      "export const helpers = { async sleep(ms: number) { return ms; } };",
      "export class Waiter {\n  async sleep(ms: number) {\n    return ms;\n  }\n}",
      "export class Waiter { sleep = (ms: number) => ms; }",
      'export { setTimeout as sleep } from "timers/promises";',
      'import { wait } from "./wait";\nexport { wait as sleep };',
      "module.exports.sleep = function (ms: number) { return ms; };",
    ),
  )("a declaration of sleep: %s", (_, text) => {
    expect(declaring("sleep", home, one(text))).toHaveLength(1);
  });

  test.each(
    cases(
      'import { sleep } from "../common/sleep";\nawait sleep(5);',
      'export { sleep } from "./common/sleep";',
      'import { sleep } from "./common/sleep";\nexport { sleep };',
      'import { sleep } from "./common/sleep";\nexport const deps = { sleep, other: sleep };',
      "export interface Deps { sleep(ms: number): Promise<void>; }",
    ),
  )("not a second sleep: %s", (_, text) => {
    expect(declaring("sleep", home, one(text))).toEqual([]);
  });

  test.each(
    cases(
      "const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));",
      "export function pause(ms: number) { return new Promise<void>((done) => { setTimeout(() => done(), ms); }); }",
      "const p = new Promise(function (res) { global.setTimeout(res, 10); });",
      'export { setTimeout as sleep2 } from "timers/promises";',
      'import { setTimeout as delay } from "node:timers/promises";',
      "const later = () => require('timers/promises').setTimeout(5);",
      'import { promisify } from "util";\nconst nap = promisify(setTimeout);',
    ),
  )("a sleep by another name: %s", (_, text) => {
    expect(sleepsByBehaviour(one(text))).toHaveLength(1);
  });

  test.each(
    cases(
      "const t = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 5));",
      "const timer = setTimeout(() => abort.abort(), 5);",
      "const p = new Promise((resolve) => setImmediate(resolve));",
    ),
  )("not a sleep: %s", (_, text) => {
    expect(sleepsByBehaviour(one(text))).toEqual([]);
  });

  test("a sleep in its home is the one sleep", () => {
    expect(
      sleepsByBehaviour([{ file: SLEEP_HOME, text: fs.readFileSync(path.join(ROOT, SLEEP_HOME), "utf8") }]),
    ).toEqual([]);
  });

  test.each(
    cases(
      'const all = ["trusted", "suspicious"];',
      "const all = ['trusted', 'suspicious'];",
      'const all = ["trusted", "suspicious",];',
      "const all = [`suspicious`, `trusted`];",
      'const all = [\n  "trusted", // the first\n  "suspicious",\n] as const;',
      'type All = ["trusted", "suspicious"];',
      'const s = new Set(["suspicious", "trusted"] as const);',
    ),
  )("a two-library list: %s", (_, text) => {
    expect(libraryLists(one(text))).toHaveLength(1);
  });

  test.each(cases('const one = ["trusted"];', 'const three = ["trusted", "suspicious", "other"];'))(
    "not the list: %s",
    (_, text) => expect(libraryLists(one(text))).toEqual([]),
  );

  test.each(
    cases(
      "const live = es.filter((e) => !hasExpired(e.expires_on));",
      "const live = es.filter((e) => !(hasExpired(e.x, now)));",
      "const live = es.filter((e) => schema.hasExpired(e.x) === false);",
      "const live = es.filter((e) => false == hasExpired(e.x));",
    ),
  )("an inline unexpired filter: %s", (_, text) => {
    expect(inlineUnexpired(one(text))).toHaveLength(1);
  });
});
