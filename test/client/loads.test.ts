/**
 * `pulumi-cloudlock/client` is the API client alone: it derives its types from the field model (provider/model.ts)
 * but must not load what is Pulumi's (the resources' type tokens in provider/tokens.ts, or @pulumi/pulumi). A fresh
 * node process requires the built entry point (dist/, as users get it) and reports every module it loaded and
 * every type token they export (as an export, or a value or key of an exported object or map, as the tokens
 * module does). Deeper text is not looked at: the problems table's troubleshooting examples quote a token.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { FUNCTION_TOKENS, PLUGIN_TOKENS, TYPE_TOKENS } from "../../provider/tokens";

const DIST = path.join(__dirname, "../../dist");
const TOKENS = [
  ...Object.values(TYPE_TOKENS),
  ...Object.values(PLUGIN_TOKENS),
  ...Object.values(FUNCTION_TOKENS),
];

/** What requiring `entry` in a fresh process loads: module files, and the tokens found in their exports. */
function load(entry: string): { modules: string[]; tokens: string[] } {
  const script = `
    require(${JSON.stringify(entry)});
    const tokens = new Set(${JSON.stringify(TOKENS)});
    const found = new Set();
    const seen = new Set();
    const walk = (v, depth) => {
      if (typeof v === "string") { if (tokens.has(v)) found.add(v); return; }
      if (!v || typeof v !== "object" || depth > 1 || seen.has(v)) return;
      seen.add(v);
      const values = v instanceof Map ? [...v.keys(), ...v.values()] : Object.values(v);
      for (const x of values) walk(x, depth + 1);
    };
    for (const m of Object.values(require.cache)) walk(m.exports, 0);
    process.stdout.write(JSON.stringify({ modules: Object.keys(require.cache), tokens: [...found] }));
  `;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

test("the client loads the field model but no Pulumi type token, tokens module or Pulumi package", () => {
  const { modules, tokens } = load(path.join(DIST, "provider/client/index.js"));
  const ours = modules.filter((m) => m.startsWith(DIST + path.sep)).map((m) => path.relative(DIST, m));
  expect(ours).toContain(path.join("provider", "model.js"));
  expect(ours).not.toContain(path.join("provider", "tokens.js"));
  expect(modules.filter((m) => m.includes(`${path.sep}@pulumi${path.sep}`))).toEqual([]);
  expect(tokens).toEqual([]);
});

test("the check sees type tokens where a module does load them", () => {
  // The tokens module itself: every token is found in its exports, so an empty list above means none was loaded.
  const { modules, tokens } = load(path.join(DIST, "provider/tokens.js"));
  expect(modules.map((m) => path.relative(DIST, m))).toContain(path.join("provider", "tokens.js"));
  expect(tokens.sort()).toEqual([...TOKENS].sort());
});
