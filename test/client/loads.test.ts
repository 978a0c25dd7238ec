/**
 * `pulumi-cloudlock/client` is the API client alone: it derives its types from the field model (provider/model.ts)
 * but must not load what is Pulumi's (the resources' type tokens in provider/tokens.ts, or @pulumi/pulumi). Two
 * checks:
 * - Static: the transitive import graph of provider/client/index.ts, read by the shared import reader
 *   (test/helpers/imports.ts: every import, require() and import() anywhere in a file, lazy ones inside functions
 *   included, type-only ones too), holds no provider/tokens.ts and names no @pulumi/* module, and every load in it
 *   is named by a literal.
 * - Runtime: a fresh node process requires the built entry point (dist/, as users get it) and reports every module
 *   it loaded and every type token their exports hold: as an export, or a key or value of an exported object, map,
 *   set, array or function's own property, at any depth (a seen-set stops cycles). A token quoted inside longer text
 *   (the problems table's troubleshooting examples) is not a token value and is not reported.
 * Not walked: the example facts of the problems table's entries, which quote a type token for the troubleshooting
 * page. Not seen: a token rebuilt at run time from parts, or returned by a function only when it is called.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FUNCTION_TOKENS, PLUGIN_TOKENS, TYPE_TOKENS } from "../../provider/tokens";
import { DISK, type Files, UNNAMED_RULE, importGraph, overlay, rel } from "../helpers/imports";

const ROOT = path.join(__dirname, "../..");
const DIST = path.join(ROOT, "dist");
const CLIENT = path.join(ROOT, "provider/client/index.ts");
const TOKENS = [
  ...Object.values(TYPE_TOKENS),
  ...Object.values(PLUGIN_TOKENS),
  ...Object.values(FUNCTION_TOKENS),
];

/**
 * The exports walk, as JavaScript source: run in the child process, and in this one by the self-test. Every value
 * reachable from `roots` through own enumerable keys and values, Map keys and values, Set values and functions'
 * own properties; returns the members of `tokens` found as a key or a value.
 */
const WALK = `
  function tokensIn(roots, tokens) {
    const found = new Set();
    const seen = new Set();
    const stack = [...roots];
    const look = (s) => { if (tokens.has(s)) found.add(s); };
    while (stack.length) {
      const v = stack.pop();
      if (typeof v === "string") { look(v); continue; }
      if (!v || (typeof v !== "object" && typeof v !== "function") || seen.has(v)) continue;
      seen.add(v);
      if (v instanceof Map) { for (const [k, x] of v) stack.push(k, x); continue; }
      if (v instanceof Set) { for (const x of v) stack.push(x); continue; }
      for (const k of Object.getOwnPropertyNames(v)) {
        look(k);
        // An entry of the problems table (it has a title and a when) documents its error with example facts for
        // the troubleshooting page, in a user's words (the type token to import with): not values the client uses.
        if (k === "example" && "title" in v && "when" in v) continue;
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (d && "value" in d) stack.push(d.value);
        else if (d && d.get && d.enumerable) { try { stack.push(v[k]); } catch {} }
      }
    }
    return [...found];
  }
`;

/** What requiring `entry` in a fresh process loads: module files, and the tokens found in their exports. */
function load(entry: string): { modules: string[]; tokens: string[] } {
  const script = `
    ${WALK}
    require(${JSON.stringify(entry)});
    const tokens = tokensIn(Object.values(require.cache).map((m) => m.exports), new Set(${JSON.stringify(TOKENS)}));
    process.stdout.write(JSON.stringify({ modules: Object.keys(require.cache), tokens }));
  `;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

/** The static check: why the client's import graph (from `entry`) is not Pulumi-free; empty when it is. */
function pulumiInGraph(entry: string, files: Files = DISK): string[] {
  const tokens = path.join(ROOT, "provider/tokens.ts");
  return [...importGraph([entry], { files }).values()].flatMap((node) => [
    ...node.refs.flatMap((r) => {
      const at = `${rel(node.file)}:${r.line}: "${r.specifier}"`;
      if (r.target === tokens) return [`${at} reaches provider/tokens.ts`];
      if (r.specifier === "@pulumi" || r.specifier.startsWith("@pulumi/"))
        return [`${at} is a Pulumi package`];
      return [];
    }),
    ...node.unnamed.map((u) => `${rel(node.file)}:${u.line}: ${u.code}: ${UNNAMED_RULE}`),
  ]);
}

test("the client's import graph, read statically, holds no tokens module, no Pulumi package and no unnamed load", () => {
  const graph = importGraph([CLIENT]);
  // The reader does follow it: the client reaches the field model through its files.
  expect([...graph.keys()].map(rel)).toEqual(
    expect.arrayContaining(["provider/client/collection.ts", "provider/model.ts"]),
  );
  expect(pulumiInGraph(CLIENT)).toEqual([]);
});

test("the client loads the field model but no tokens module or Pulumi package", () => {
  const { modules } = load(path.join(DIST, "provider/client/index.js"));
  const ours = modules.filter((m) => m.startsWith(DIST + path.sep)).map((m) => path.relative(DIST, m));
  expect(ours).toContain(path.join("provider", "model.js"));
  expect(ours).not.toContain(path.join("provider", "tokens.js"));
  expect(modules.filter((m) => m.includes(`${path.sep}@pulumi${path.sep}`))).toEqual([]);
});

test("no Pulumi type token is reachable, at any depth, from what the client's modules export", () => {
  expect(load(path.join(DIST, "provider/client/index.js")).tokens).toEqual([]);
});

describe("the checks see what they claim to (so a token cannot slip past them)", () => {
  const collection = path.join(ROOT, "provider/client/collection.ts");
  const real = fs.readFileSync(collection, "utf8");
  const sneak = (code: string) => pulumiInGraph(CLIENT, overlay({ [collection]: `${real}\n${code}\n` }));
  const last = real.split("\n").length + 1;

  test.each([
    ['export function later() { return require("../tokens"); }', '"../tokens" reaches provider/tokens.ts'],
    ["export const t = () => require(`../tokens`).TYPE_TOKENS;", '"../tokens" reaches provider/tokens.ts'],
    ['export type T = typeof import("../tokens");', '"../tokens" reaches provider/tokens.ts'],
    [
      'export async function p() { return import("@pulumi/pulumi"); }',
      '"@pulumi/pulumi" is a Pulumi package',
    ],
    [
      'export const x = () => require(require("path").join(__dirname, "..", "tokens"));',
      `require(require("path").join(__dirname, "..", "tokens")): ${UNNAMED_RULE}`,
    ],
  ])("statically: %s", (code, why) => {
    expect(sneak(code)).toEqual([`provider/client/collection.ts:${last}: ${why}`]);
  });

  test("statically: through a file the client reaches (a new file, required lazily)", () => {
    const extra = path.join(ROOT, "provider/client/extra.ts");
    const files = overlay({
      [collection]: `${real}\nexport function later() { return require("./extra"); }\n`,
      [extra]: 'import { TYPE_TOKENS } from "../tokens";\nexport const all = TYPE_TOKENS;\n',
    });
    expect(pulumiInGraph(CLIENT, files)).toEqual([
      'provider/client/extra.ts:1: "../tokens" reaches provider/tokens.ts',
    ]);
  });

  test("at run time: the tokens module itself exports every token", () => {
    const { modules, tokens } = load(path.join(DIST, "provider/tokens.js"));
    expect(modules.map((m) => path.relative(DIST, m))).toContain(path.join("provider", "tokens.js"));
    expect(tokens.sort()).toEqual([...TOKENS].sort());
  });

  test("at run time: a token at any depth, as a key, in a Map, a Set or on a function is found; cycles end", () => {
    const tokensIn = new Function(`${WALK}; return tokensIn;`)() as (
      r: unknown[],
      t: Set<string>,
    ) => string[];
    const [t] = TOKENS;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const fn = Object.assign(() => 0, { meta: { deep: [t] } });
    for (const root of [
      { a: { b: { c: t } } },
      { a: [[[{ [t]: 1 }]]] },
      { m: new Map([["k", new Map([[t, 1]])]]) },
      { s: new Set([new Set([t])]) },
      { f: fn },
      { c: cyclic, deeper: { d: { e: { f: { g: t } } } } },
    ])
      expect(tokensIn([root], new Set(TOKENS))).toEqual([t]);
    expect(tokensIn([cyclic, { text: `quote ${t} in prose` }], new Set(TOKENS))).toEqual([]);
  });
});
