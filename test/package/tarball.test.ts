/**
 * The tarball `npm publish` would upload (after `npm run build`): exactly the compiled modules users run and the
 * documents that go with them; every entry point it names exists in it; nothing npm runs on a user's machine
 * needs a file it lacks; and its types name no module a user's project would not get by installing it.
 */
import { execFileSync } from "child_process";
import { builtinModules } from "module";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/engine";

interface Manifest {
  name: string;
  license: string;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
}

const pkg: Manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));

/** The folders whose compiled output is the package: everything users import or run. */
const SHIPPED_SOURCES = ["common", "sdk", "provider", "emulator", "cli", "policy"];

/** The provider modules existing state requires by path (see CHANGELOG.md, "State contract"). */
const STATE_CONTRACT = ["trusted", "suspicious", "trusted-set", "suspicious-set"].map(
  (m) => `dist/sdk/providers/${m}.js`,
);

// What `npm pack` would put in the tarball, without running any script (the build is the caller's job).
const packed: string[] = (
  JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }),
  ) as Array<{ files: Array<{ path: string }> }>
)[0].files.map((f) => f.path);
const files = new Set(packed);

/** Every TypeScript source (not a test, not a declaration) under `dir`, relative to the repository. */
function sources(dir: string): string[] {
  const abs = path.join(REPO_ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return (fs.readdirSync(abs, { recursive: true }) as string[])
    .map((f) => path.join(dir, f).split(path.sep).join("/"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"));
}

const expected = new Set([
  "package.json",
  "README.md",
  "LICENSE",
  "CHANGELOG.md",
  // The plugin's schema, for `pulumi package gen-sdk` in a project that installed the package.
  "provider/plugin/schema.json",
  // The plugin's command, a file of that exact name so Pulumi.yaml `plugins.providers` can point at its folder.
  "bin/pulumi-resource-cloudlock",
  ...SHIPPED_SOURCES.flatMap(sources).flatMap((f) => {
    const base = `dist/${f.slice(0, -".ts".length)}`;
    return [`${base}.js`, `${base}.d.ts`];
  }),
]);

/** Whether `target` (an exports target, `./` relative, maybe with one `*`) names shipped files; for `*`, which. */
function shippedTargets(target: string): string[] {
  const rel = target.replace(/^\.\//, "");
  if (!rel.includes("*")) return files.has(rel) ? [rel] : [];
  const [head, tail] = rel.split("*");
  return packed.filter(
    (f) => f.startsWith(head) && f.endsWith(tail) && f.length >= head.length + tail.length,
  );
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for a relative one. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith(".") || spec.startsWith("/")) return undefined;
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const isBuiltin = (spec: string): boolean =>
  spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0]);

/** Module specifiers a compiled file loads or a declaration file refers to (comments, e.g. JSDoc examples, aside). */
function specifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/(?!\/).*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+["']([^"']+)["']/g,
    /\bimport\s+["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
    /\/\/\/\s*<reference\s+types=["']([^"']+)["']/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

/** The exports entry that serves subpath `sub` (`.`, `./provider`, …): an exact key, else a `*` pattern. */
function exportFor(sub: string): string | Record<string, string> | undefined {
  if (sub in pkg.exports) return pkg.exports[sub];
  const key = Object.keys(pkg.exports).find((k) => {
    const [head, tail] = k.split("*");
    return (
      k.includes("*") && sub.startsWith(head) && sub.endsWith(tail) && sub.length > head.length + tail.length
    );
  });
  return key === undefined ? undefined : pkg.exports[key];
}

/** Whether a relative specifier from shipped file `from` reaches a shipped file, as Node or tsc would look. */
function resolvesInside(from: string, spec: string, candidates: string[]): boolean {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return candidates.some((ext) => files.has(base + ext));
}

const read = (f: string): string => fs.readFileSync(path.join(REPO_ROOT, f), "utf8");

test("the tarball holds exactly the compiled modules of common, sdk, provider, emulator, cli and policy, and the documents", () => {
  const missing = [...expected].filter((f) => !files.has(f)).sort();
  const unexpected = packed.filter((f) => !expected.has(f)).sort();
  expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
  // The sources are not shipped, so neither are maps that would point at them.
  for (const f of packed.filter((f) => f.endsWith(".js"))) expect(read(f)).not.toMatch(/sourceMappingURL/);
});

test("LICENSE is the Apache License 2.0 the manifest declares", () => {
  expect(pkg.license).toBe("Apache-2.0");
  const text = read("LICENSE");
  expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(text).toContain("END OF TERMS AND CONDITIONS");
});

test("every entry point the manifest names is in the tarball, and exports open only the public modules", () => {
  expect(files.has(pkg.main)).toBe(true);
  expect(files.has(pkg.types)).toBe(true);
  for (const [name, bin] of Object.entries(pkg.bin)) {
    expect([name, files.has(bin)]).toEqual([name, true]);
    expect(read(bin).startsWith("#!/usr/bin/env node")).toBe(true);
  }
  expect(Object.keys(pkg.exports).sort()).toEqual(
    [
      ".",
      "./client",
      "./dist/sdk/providers/*",
      "./emulator",
      "./package.json",
      "./policy",
      "./provider",
    ].sort(),
  );
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const targets = typeof target === "string" ? [target] : Object.values(target);
    for (const t of targets) expect([sub, t, shippedTargets(t).length > 0]).toEqual([sub, t, true]);
  }
});

test("the state contract: every provider module that state requires by path stays exported and shipped", () => {
  // sdk/providers/ holds exactly the modules whose paths state records; a new one must join the contract.
  expect(sources("sdk/providers").map((f) => `dist/${f.replace(/\.ts$/, ".js")}`)).toEqual(
    expect.arrayContaining(STATE_CONTRACT),
  );
  expect(sources("sdk/providers")).toHaveLength(STATE_CONTRACT.length);
  const reachable = shippedTargets(pkg.exports["./dist/sdk/providers/*"] as string);
  for (const f of STATE_CONTRACT) expect([f, reachable.includes(f)]).toEqual([f, true]);
  // Each provider module loads the implementation through the public ./provider export.
  for (const f of STATE_CONTRACT) expect(read(f)).toContain('require("pulumi-cloudlock/provider")');
});

test("nothing npm runs on a user's machine needs a file that is not shipped; nothing runs at install", () => {
  // npm runs these in an installed package (prepare also for git and folder installs); the rest of `scripts`
  // are contributors' commands, run only in a checkout.
  const installTime = ["preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare"];
  expect(installTime.filter((s) => s in pkg.scripts)).toEqual([]);
  for (const f of packed.filter((f) => f.endsWith(".js"))) {
    for (const spec of specifiers(read(f))) {
      if (isBuiltin(spec)) continue;
      const dep = packageOf(spec);
      if (dep === undefined) {
        expect([f, spec, resolvesInside(f, spec, ["", ".js", "/index.js", ".json"])]).toEqual([
          f,
          spec,
          true,
        ]);
      } else if (dep === pkg.name) {
        // The package loading itself (the serialised providers do): only through an exported subpath.
        expect([f, spec, exportFor(`.${spec.slice(pkg.name.length)}`) !== undefined]).toEqual([
          f,
          spec,
          true,
        ]);
      } else {
        const declared = dep in pkg.dependencies || dep in (pkg.peerDependencies ?? {});
        expect([f, spec, declared]).toEqual([f, spec, true]);
      }
    }
  }
});

test("the published types name only modules a user gets by installing the package (no devDependency)", () => {
  const declarations = packed.filter((f) => f.endsWith(".d.ts"));
  expect(declarations.length).toBeGreaterThan(0);
  const leaks: string[] = [];
  for (const f of declarations) {
    for (const spec of specifiers(read(f))) {
      const dep = packageOf(spec);
      if (dep === undefined) {
        if (!resolvesInside(f, spec.replace(/\.js$/, ""), [".d.ts", "/index.d.ts"]))
          leaks.push(`${f}: ${spec}`);
        continue;
      }
      // Node's own modules and globals come with @types/node, which @pulumi/pulumi's own types already need.
      if (isBuiltin(spec) || spec === "node") continue;
      if (dep === pkg.name && exportFor(`.${spec.slice(pkg.name.length)}`) !== undefined) continue;
      if (dep in pkg.dependencies || dep in (pkg.peerDependencies ?? {})) continue;
      leaks.push(`${f}: ${spec}`);
    }
  }
  expect(leaks).toEqual([]);
});

test("dependencies a user can live with: a caret range of @pulumi/pulumi; @pulumi/policy an optional peer", () => {
  expect(pkg.dependencies["@pulumi/pulumi"]).toMatch(/^\^3\.\d+\.\d+$/);
  expect(pkg.peerDependencies?.["@pulumi/policy"]).toBeDefined();
  expect(pkg.peerDependenciesMeta?.["@pulumi/policy"]?.optional).toBe(true);
  expect(pkg.devDependencies["@pulumi/policy"]).toBeDefined();
  expect(pkg.dependencies["@pulumi/policy"]).toBeUndefined();
  // No type package among the runtime dependencies: the public types do not need one (test above).
  expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith("@types/"))).toEqual([]);
});
