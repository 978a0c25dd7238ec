/**
 * How emulator/ is built: one file per job, handlers that return values and one adapter (http.ts) that writes
 * responses, no import cycle among its files, and nothing from the CLI above it.
 */
import * as fs from "fs";
import * as path from "path";

const DIR = path.join(__dirname, "..", "..", "emulator");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts"));
const source = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");

/** The modules a source imports or re-exports (static forms; the emulator has no dynamic ones). */
function imports(text: string): string[] {
  return [...text.matchAll(/\b(?:import|export)\s[^"';]*?\sfrom\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

/** The emulator files that `file` imports. */
function localImports(file: string): string[] {
  return imports(source(file))
    .filter((s) => s.startsWith("./"))
    .map((s) => `${s.slice(2)}.ts`);
}

/** Every import cycle among `graph`'s nodes, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") return void found.push([...trail.slice(trail.indexOf(node)), node]);
    state.set(node, "open");
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

test("only http.ts writes responses", () => {
  const writers = files.filter((f) => /\.writeHead\(|\bres\.(end|write)\(/.test(source(f)));
  expect(writers).toEqual(["http.ts"]);
});

test("no import cycle among the emulator's files", () => {
  const graph = new Map(files.map((f) => [f, localImports(f)]));
  for (const targets of graph.values()) for (const t of targets) expect(files).toContain(t);
  expect(cycles(graph)).toEqual([]);
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

test("the emulator stands on common/ and the provider, never on the CLI", () => {
  const upward = files.flatMap((f) =>
    imports(source(f))
      .filter((s) => /^\.\.\/(cli|sdk|policy|scripts)\b/.test(s))
      .map((s) => `${f}: ${s}`),
  );
  expect(upward).toEqual([]);
});
