/**
 * One reader of the modules a TypeScript file names, for the architecture guards (common/ is the floor, emulator/
 * has no cycle, the client loads no Pulumi). It parses the file with the TypeScript compiler, so comments, quotes,
 * line breaks and template literals are the compiler's business, not a regex's, and it looks everywhere in the file
 * (inside functions too, where a lazy require() hides):
 *
 * - static `import … from "x"`, `import "x"`, `export … from "x"` (type-only ones too, marked `typeOnly`);
 * - `import x = require("x")`, and type positions `import("x").T`;
 * - `require("x")`, `require.resolve("x")` and `import("x")` calls whose specifier is a string or a template literal
 *   without substitutions.
 *
 * A `require()`, `require.resolve()` or `import()` whose specifier is anything else (`path.join(...)`, a variable,
 * a template with `${}`, a concatenation), `require` used as a value (`const r = require`), `module.require` and
 * `createRequire` are reported as `unnamed`: modules must be named by a literal, so the import graph can be checked.
 * Not seen: a module loaded by other means than these (`fs.readFileSync` + `eval`, `vm`, `process.binding`).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const REPO = path.resolve(__dirname, "..", "..");

export type RefKind =
  "import" | "export" | "import-equals" | "import-type" | "require" | "resolve" | "dynamic";

/** A module a file names: the specifier as written, and where. */
export interface ModuleRef {
  specifier: string;
  kind: RefKind;
  line: number;
  /** `import type`, `export type` or a type position: names the module without loading it. */
  typeOnly: boolean;
}

/** A module load the reader cannot name: a violation of its own. */
export interface Unnamed {
  line: number;
  /** The code as written (one line). */
  code: string;
  why: string;
}

export interface FileImports {
  modules: ModuleRef[];
  unnamed: Unnamed[];
}

export const UNNAMED_RULE = "name modules by a literal, so the import graph can be checked";

const literal = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

const isRequire = (node: ts.Node): boolean => ts.isIdentifier(node) && node.text === "require";

/** Every module `text` names, and every load it cannot name. `fileName` only picks the parser's dialect. */
export function readImports(text: string, fileName = "source.ts"): FileImports {
  const kind = fileName.endsWith(".tsx")
    ? ts.ScriptKind.TSX
    : fileName.endsWith(".js")
      ? ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const modules: ModuleRef[] = [];
  const unnamed: Unnamed[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const add = (node: ts.Node, specifier: string, k: RefKind, typeOnly = false) =>
    modules.push({ specifier, kind: k, line: lineOf(node), typeOnly });
  const refuse = (node: ts.Node, why: string) =>
    unnamed.push({ line: lineOf(node), code: node.getText(sf).replace(/\s+/g, " "), why });

  /** A call that loads or resolves a module: its kind, or undefined. */
  const loader = (call: ts.CallExpression): RefKind | undefined => {
    const callee = call.expression;
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return "dynamic";
    if (isRequire(callee)) return "require";
    if (
      ts.isPropertyAccessExpression(callee) &&
      isRequire(callee.expression) &&
      callee.name.text === "resolve"
    )
      return "resolve";
    return undefined;
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) add(node, spec, "import", !!node.importClause?.isTypeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) add(node, spec, "export", node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = literal(node.moduleReference.expression);
      if (spec !== undefined) add(node, spec, "import-equals", node.isTypeOnly);
      else refuse(node, "import = require() of a computed specifier");
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      const spec = ts.isLiteralTypeNode(arg) ? literal(arg.literal) : undefined;
      if (spec !== undefined) add(node, spec, "import-type", true);
    } else if (ts.isCallExpression(node)) {
      const k = loader(node);
      if (k) {
        const spec = node.arguments.length >= 1 ? literal(node.arguments[0]) : undefined;
        if (spec !== undefined) add(node, spec, k);
        else
          refuse(
            node,
            `${k === "dynamic" ? "import()" : k === "resolve" ? "require.resolve()" : "require()"} of a computed specifier`,
          );
      }
    }
    // require as a value (aliased, passed on, called through call/apply), module.require, createRequire.
    if (isRequire(node)) {
      const p = node.parent;
      const called = ts.isCallExpression(p) && p.expression === node;
      const member = ts.isPropertyAccessExpression(p) && p.expression === node;
      const declared =
        (ts.isVariableDeclaration(p) ||
          ts.isParameter(p) ||
          ts.isFunctionDeclaration(p) ||
          ts.isBindingElement(p)) &&
        p.name === node;
      const named = ts.isPropertyAccessExpression(p) && p.name === node;
      if (!called && !member && !declared && !named) refuse(p, "require used as a value");
      if (member && (p as ts.PropertyAccessExpression).name.text !== "resolve") {
        const used = (p as ts.PropertyAccessExpression).name.text;
        // require.cache, require.main: no module is loaded by naming them; require.resolve is read above.
        if (!["cache", "main", "extensions"].includes(used)) refuse(p, `require.${used}`);
      }
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === "require" &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "module"
    )
      refuse(node, "module.require");
    if (ts.isIdentifier(node) && node.text === "createRequire" && !ts.isImportSpecifier(node.parent))
      refuse(node.parent, "createRequire");
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const ref of sf.referencedFiles)
    modules.push({
      specifier: ref.fileName,
      kind: "import-type",
      line: sf.getLineAndCharacterOfPosition(ref.pos).line + 1,
      typeOnly: true,
    });
  return { modules, unnamed };
}

/** How the guards read and test for files: the disk by default, or text given in a self-test. */
export interface Files {
  read(file: string): string | undefined;
}

export const DISK: Files = {
  read: (file) => {
    try {
      return fs.statSync(file).isFile() ? fs.readFileSync(file, "utf8") : undefined;
    } catch {
      return undefined;
    }
  },
};

/** The disk, with some files' text replaced (or added) by the given map of absolute paths. */
export function overlay(texts: Record<string, string>, under: Files = DISK): Files {
  return { read: (file) => (file in texts ? texts[file] : under.read(file)) };
}

/** This package's name and its `exports` map, for a specifier that names the package itself. */
const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { default?: string }>;
};

/** Does `spec` name this package (`pulumi-cloudlock` or `pulumi-cloudlock/…`)? */
export const isSelf = (spec: string): boolean => spec === PACKAGE.name || spec.startsWith(`${PACKAGE.name}/`);

/** Is `spec` a path (`./x`, `../x`, `/x`) rather than a package? */
export const isRelative = (spec: string): boolean =>
  spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === ".." || path.isAbsolute(spec);

/** The file a path names, the way TypeScript and Node find it (x.ts, x/index.ts; x.js spelling x.ts). */
function resolvePath(target: string, files: Files): string | undefined {
  const candidates = [
    target,
    `${target}.ts`,
    `${target}.tsx`,
    `${target}.d.ts`,
    `${target}.js`,
    `${target}.json`,
  ];
  const js = /\.(c|m)?js$/.exec(target);
  if (js) candidates.push(target.slice(0, -js[0].length) + ".ts");
  candidates.push(
    path.join(target, "index.ts"),
    path.join(target, "index.d.ts"),
    path.join(target, "index.js"),
  );
  return candidates.find((c) => files.read(c) !== undefined);
}

/**
 * The repository file a specifier named by `fromFile` stands for: a relative path resolved against its folder, or a
 * self-reference mapped through package.json's `exports` from dist/ back to its source. Undefined for Node's modules
 * and dependencies (and for a path that names no file).
 */
export function resolveModule(fromFile: string, spec: string, files: Files = DISK): string | undefined {
  if (isRelative(spec)) return resolvePath(path.resolve(path.dirname(fromFile), spec), files);
  if (!isSelf(spec)) return undefined;
  const sub = spec === PACKAGE.name ? "." : `./${spec.slice(PACKAGE.name.length + 1)}`;
  const entry = PACKAGE.exports[sub] ?? PACKAGE.exports[`${sub}.js`];
  const target = typeof entry === "string" ? entry : entry?.default;
  if (target === undefined) {
    // "./dist/sdk/providers/*" and the like: map the path itself.
    return resolvePath(path.join(REPO, sub.replace(/^\.\/dist\//, "./")), files);
  }
  return resolvePath(path.join(REPO, target.replace(/^\.\/dist\//, "./").replace(/\.js$/, "")), files);
}

/** A repository path, relative and with forward slashes, for messages. */
export const rel = (file: string): string => path.relative(REPO, file).split(path.sep).join("/");

/** One file of an import graph: what it names, each with the repository file it resolves to (if any). */
export interface Node {
  file: string;
  refs: (ModuleRef & { target?: string })[];
  unnamed: Unnamed[];
}

/**
 * The transitive import graph from `entries`: every repository file reachable through the modules each names
 * (type-only ones too unless `runtimeOnly`), keyed by absolute path. Packages are recorded as refs, not followed.
 */
export function importGraph(
  entries: string[],
  opts: { files?: Files; runtimeOnly?: boolean } = {},
): Map<string, Node> {
  const files = opts.files ?? DISK;
  const graph = new Map<string, Node>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift() as string;
    if (graph.has(file)) continue;
    const text = files.read(file);
    if (text === undefined) throw new Error(`no such file: ${file}`);
    const read = /\.(ts|tsx|js)$/.test(file) ? readImports(text, file) : { modules: [], unnamed: [] };
    const refs = read.modules
      .filter((m) => !(opts.runtimeOnly && m.typeOnly))
      .map((m) => ({ ...m, target: resolveModule(file, m.specifier, files) }));
    graph.set(file, { file, refs, unnamed: read.unnamed });
    for (const r of refs) if (r.target && !graph.has(r.target)) queue.push(r.target);
  }
  return graph;
}

/** Every import cycle among `graph`'s nodes, each as the path that closes it (first node repeated at the end). */
export function cycles<T>(graph: Map<T, T[]>): T[][] {
  const found: T[][] = [];
  const state = new Map<T, "open" | "done">();
  const visit = (node: T, trail: T[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") return void found.push([...trail.slice(trail.indexOf(node)), node]);
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

/** Every .ts source under `dir` (recursively), .d.ts files left out. */
export function tsFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(dir, f))
    .sort();
}
