/**
 * Two sets, chosen by what a test does: "engine" is every test that starts the Pulumi engine (the CLI, the
 * Automation API, a project folder); "fast" is the rest, which needs no Pulumi CLI. `npm test` runs both;
 * `npm run test:fast` runs only "fast" (`--selectProjects fast`). An engine test is a file under one of
 * ENGINE_FOLDERS, or anywhere else if it imports a helper that starts the engine (ENGINE_IMPORT). A test in the
 * fast set that asks for the CLI anyway fails, saying where it belongs: test/fast-environment.js marks the set,
 * and pulumiRoot() (scripts/lib/engine.ts) and scripts/ensure-pulumi.sh refuse under that mark.
 */
const fs = require("fs");
const path = require("path");

const ENGINE_FOLDERS = ["test/engine/", "test/upgrade/", "test/matrix/"];
/** An import of a helper that makes project folders or stacks, or locates the CLI. */
const ENGINE_IMPORT = new RegExp(
  String.raw`from\s+["'](?:\.\.?/)+(?:helpers/project|helpers/policy-pack|engine/helpers|upgrade/helpers|scripts/demo|scripts/bench)["']` +
    String.raw`|import\s*\{[^}]*\b(?:pulumiRoot|localStack|engineEnv)\b[^}]*\}\s*from\s+["'](?:\.\.?/)+scripts/lib/engine["']`,
);

/** Test files outside ENGINE_FOLDERS that import an engine helper, relative to the repository. */
function engineFilesElsewhere(dir = path.join(__dirname, "test")) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    const rel = path.relative(__dirname, abs).split(path.sep).join("/");
    if (e.isDirectory())
      return ENGINE_FOLDERS.includes(`${rel}/`) || rel === "test/fixtures" ? [] : engineFilesElsewhere(abs);
    return e.name.endsWith(".test.ts") && ENGINE_IMPORT.test(fs.readFileSync(abs, "utf8")) ? [rel] : [];
  });
}
const engineElsewhere = engineFilesElsewhere();
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Settings both sets share. */
const common = {
  // Transpile only: the type check is `npm run typecheck` (one tsc over sources and tests, in pretest and
  // test:fast). ts-jest's per-worker type checker made each worker hold 1-2.5 GB, and a worker that large takes longer
  // than Jest's 500 ms to exit on a loaded machine ("A worker process has failed to exit gracefully").
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
  testEnvironment: "node",
  rootDir: __dirname,
  roots: ["<rootDir>/test"],
  // Upgrade programs and their recorded copies are project folders, not modules of the suite (their package.json
  // names repeat across releases).
  modulePathIgnorePatterns: ["<rootDir>/test/upgrade/programs/", "<rootDir>/test/fixtures/upgrade/"],
  // Examples import the package by name, as users do; in tests that is this checkout's source.
  moduleNameMapper: { "^pulumi-cloudlock$": "<rootDir>/sdk" },
  coveragePathIgnorePatterns: ["/node_modules/", "<rootDir>/sdk/provider.ts", "<rootDir>/sdk/providers/"],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: "fast",
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: [
        "/node_modules/",
        ...ENGINE_FOLDERS.map((f) => `<rootDir>/${f}`),
        ...engineElsewhere.map((f) => `<rootDir>/${escape(f)}$`),
      ],
      testEnvironment: "<rootDir>/test/fast-environment.js",
    },
    {
      ...common,
      displayName: "engine",
      testMatch: [
        ...ENGINE_FOLDERS.map((f) => `<rootDir>/${f}**/*.test.ts`),
        ...engineElsewhere.map((f) => `<rootDir>/${f}`),
      ],
    },
  ],
  // sdk/provider.ts is serialised into state and runs in the provider host: instrumenting it would make the
  // serialiser capture coverage counters (28 KB instead of 2 KB per resource).
  collectCoverageFrom: [
    "common/**/*.ts",
    "provider/**/*.ts",
    "sdk/**/*.ts",
    "emulator/**/*.ts",
    "cli/**/*.ts",
    "policy/**/*.ts",
    "!**/*.d.ts",
    "!sdk/provider.ts",
    "!sdk/providers/**",
  ],
  coverageReporters: ["text-summary", "lcov"],
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
  // The emulator and client tests use real sockets; keep them from starving each other on 2 cores.
  maxWorkers: 2,
  testTimeout: 30000,
};
