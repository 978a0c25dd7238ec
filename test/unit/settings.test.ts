/**
 * One settings resolver: explicit options, then stack config, then the environment, then the default; and the
 * README's configuration table says exactly what the table in provider/settings.ts holds.
 */
import * as fs from "fs";
import * as path from "path";
import { settingsRows } from "../helpers/settings-table";
import { missingConnection } from "../../provider/client/config";
import { SETTINGS, clientOptions, resolveSettings } from "../../provider/settings";

const config = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

test("defaults when nothing is set", () => {
  expect(resolveSettings(undefined, {})).toEqual({
    apiUrl: undefined,
    apiToken: undefined,
    timeoutSeconds: 120,
    maxRequestsPerSecond: 50,
    adoptIdentical: false,
  });
});

test("explicit beats stack config beats the environment; empty strings are unset", () => {
  const env = {
    CLOUDLOCK_API_URL: "https://env/api/v2",
    CLOUDLOCK_TIMEOUT_SECONDS: "7",
    CLOUDLOCK_API_TOKEN: "",
  };
  const cfg = config({ "cloudlock:apiUrl": "https://cfg/api/v2", "cloudlock:maxRequestsPerSecond": "9" });
  expect(resolveSettings(cfg, env)).toMatchObject({
    apiUrl: "https://cfg/api/v2",
    apiToken: undefined,
    timeoutSeconds: 7,
    maxRequestsPerSecond: 9,
  });
  expect(
    resolveSettings(cfg, env, { apiUrl: "https://explicit/api/v2", maxRequestsPerSecond: 3 }),
  ).toMatchObject({
    apiUrl: "https://explicit/api/v2",
    maxRequestsPerSecond: 3,
  });
  expect(resolveSettings(config({ "cloudlock:apiUrl": "  " }), env).apiUrl).toBe("https://env/api/v2");
});

test("a value that does not parse names where it was read", () => {
  expect(() => resolveSettings(config({ "cloudlock:timeoutSeconds": "soon" }), {})).toThrow(
    'cloudlock:timeoutSeconds must be a positive number, got "soon"',
  );
  expect(() => resolveSettings(undefined, { CLOUDLOCK_MAX_REQUESTS_PER_SECOND: "-1" })).toThrow(
    /CLOUDLOCK_MAX_REQUESTS_PER_SECOND must be a positive number/,
  );
  expect(() => resolveSettings(undefined, { CLOUDLOCK_ADOPT_IDENTICAL: "maybe" })).toThrow(
    /CLOUDLOCK_ADOPT_IDENTICAL must be 1\/true\/yes or 0\/false\/no/,
  );
  expect(resolveSettings(undefined, { CLOUDLOCK_ADOPT_IDENTICAL: "YES" }).adoptIdentical).toBe(true);
  expect(resolveSettings(undefined, { CLOUDLOCK_ADOPT_IDENTICAL: "0" }).adoptIdentical).toBe(false);
});

test("the README's configuration table matches the settings table, row for row", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Configuration"));
  const byEnv = settingsRows(section.slice(0, section.indexOf("\n## ", 1)));
  for (const s of Object.values(SETTINGS)) {
    const row = byEnv.get(s.env)!;
    if ("config" in s && s.config) expect(row).toContain(`\`${s.config}\``);
    else expect(row).not.toMatch(/`cloudlock:/);
    if (s.default !== undefined) expect(row).toContain(`default ${s.default === false ? "off" : s.default}`);
  }
});

test("a missing connection is explained by the ways the caller offers, each from the settings table", () => {
  const none = resolveSettings(undefined, {});
  expect(missingConnection(none, { config: true, option: "connection." })).toBe(
    'The Cloudlock API URL is not set: set stack config "cloudlock:apiUrl" (pulumi config set cloudlock:apiUrl ' +
      "https://<server>/api/v2), set the option connection.apiUrl, or set the environment variable CLOUDLOCK_API_URL; and the " +
      'Cloudlock API token is not set: set stack config "cloudlock:apiToken" (pulumi config set --secret ' +
      "cloudlock:apiToken <token>), set the option connection.apiToken, or set the environment variable CLOUDLOCK_API_TOKEN",
  );
  const cli = { flags: { apiUrl: "--api-url" }, notes: { apiToken: "no flag" } };
  expect(missingConnection(resolveSettings(undefined, { CLOUDLOCK_API_URL: "https://x/api/v2" }), cli)).toBe(
    "The Cloudlock API token is not set: set the environment variable CLOUDLOCK_API_TOKEN (no flag)",
  );
  expect(missingConnection(resolveSettings(undefined, { CLOUDLOCK_API_TOKEN: "t" }), cli)).toMatch(
    /^The Cloudlock API URL is not set: pass --api-url https:\/\/<server>\/api\/v2, or set the environment variable CLOUDLOCK_API_URL$/,
  );
  expect(
    missingConnection(
      resolveSettings(undefined, { CLOUDLOCK_API_TOKEN: "t" }, { apiUrl: "https://u/api/v2" }),
      cli,
    ),
  ).toBe(undefined);
  expect(() => clientOptions({ settings: none, sources: {} }, cli)).toThrow(/API URL is not set/);
});

test("the providers' message names stack config and the environment only: resources have no connection option", () => {
  const text = missingConnection(resolveSettings(undefined, {}), { config: true })!;
  expect(text).toContain('set stack config "cloudlock:apiUrl"');
  expect(text).toContain("CLOUDLOCK_API_TOKEN");
  expect(text).not.toMatch(/option/);
});

test("the connection's 'not set' message is written in one place, which every caller's message comes from", () => {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  const root = path.join(__dirname, "../..");
  const writers: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (
        rel.endsWith(".ts") &&
        /Cloudlock \$\{[^}]+\} is not set|is not set: /.test(fs.readFileSync(path.join(root, rel), "utf8"))
      )
        writers.push(rel);
    }
  };
  for (const dir of ["provider", "sdk", "cli", "policy"]) walk(dir);
  expect(writers).toEqual([path.join("provider", "client", "config.ts")]);
});
