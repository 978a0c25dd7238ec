/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Upgrade programs and their recorded copies are project folders, not modules of the suite (their package.json
  // names repeat across releases).
  modulePathIgnorePatterns: ["<rootDir>/test/upgrade/programs/", "<rootDir>/test/fixtures/upgrade/"],
  // Examples import the package by name, as users do; in tests that is this checkout's source.
  moduleNameMapper: { "^pulumi-cloudlock$": "<rootDir>/sdk" },
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
  coveragePathIgnorePatterns: ["/node_modules/", "<rootDir>/sdk/provider.ts", "<rootDir>/sdk/providers/"],
  coverageReporters: ["text-summary", "lcov"],
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
  // The emulator and client tests use real sockets; keep them from starving each other on 2 cores.
  maxWorkers: 2,
  testTimeout: 30000,
  // The Automation API leaves its inline-program gRPC server's handles open; without this Jest waits forever.
  forceExit: true,
};
