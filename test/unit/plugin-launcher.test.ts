/**
 * The plugin archive's launchers (scripts/build-plugin.ts): both in every archive, and the sh one checks Node.js's
 * major version against package.json's engines, saying what it found and what is needed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXECUTABLE, launchers } from "../../scripts/build-plugin";

const ENGINES: string = require("../../package.json").engines.node;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-launcher-"));
  const plugin = path.join(dir, "plugin");
  fs.mkdirSync(path.join(plugin, "dist/provider/plugin"), { recursive: true });
  fs.writeFileSync(
    path.join(plugin, "dist/provider/plugin/main.js"),
    'console.log("ran", process.argv[2]);\n',
  );
  for (const l of launchers(">=22")) fs.writeFileSync(path.join(plugin, l.name), l.text, { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The sh launcher run with PATH holding only a fake node of `version` (which echoes what it is asked to run). */
function launch(version: string) {
  const bin = fs.mkdtempSync(path.join(dir, "bin-"));
  const node = `#!/bin/sh\nif [ "$1" = -p ]; then echo ${version}; else echo "ran $*"; fi\n`;
  fs.writeFileSync(path.join(bin, "node"), node, { mode: 0o755 });
  return spawnSync("/bin/sh", [path.join(dir, "plugin", EXECUTABLE), "arg"], {
    env: { PATH: bin },
    encoding: "utf8",
  });
}

test("every archive holds both launchers (the sh one for Linux and macOS, the .cmd for Windows)", () => {
  expect(launchers(ENGINES).map((l) => l.name)).toEqual([EXECUTABLE, `${EXECUTABLE}.cmd`]);
  // The version is read from engines, not written twice.
  const major = /\d+/.exec(ENGINES)![0];
  expect(launchers(ENGINES)[0].text).toContain(`-lt ${major} ]`);
  expect(launchers(ENGINES)[0].text).toContain(`needs Node.js ${ENGINES} on PATH`);
});

test.each(["22.0.0", "24.3.1", "100.0.0"])("Node.js %s: the plugin runs, with its arguments", (version) => {
  const r = launch(version);
  const main = path.join(dir, "plugin", "dist/provider/plugin/main.js");
  expect([r.status, r.stdout, r.stderr]).toEqual([0, `ran ${main} arg\n`, ""]);
});

test.each([
  ["18.19.0", "v18.19.0"],
  ["21.7.3", "v21.7.3"],
  ["", "of unknown version"],
])("Node.js %s: refused, saying what it found and what is needed", (version, found) => {
  const r = launch(version);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(
      `^${EXECUTABLE}: needs Node\\.js >=22 on PATH, but /.+/node is ${found}: install Node\\.js 22 or later, ` +
        "first on PATH\\.\\n$",
    ),
  );
});

test("no node on PATH: says so", () => {
  const r = spawnSync("/bin/sh", [path.join(dir, "plugin", EXECUTABLE)], {
    env: { PATH: dir },
    encoding: "utf8",
  });
  expect([r.status, r.stderr]).toEqual([
    1,
    `${EXECUTABLE}: needs Node.js >=22 on PATH, and there is no node on PATH: install Node.js 22 or later.\n`,
  ]);
});
