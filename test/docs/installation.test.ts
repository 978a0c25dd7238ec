/**
 * docs/installation-configuration.md says what the code says: the install commands name package.json's version,
 * the schema's pluginDownloadURL and the archive names of scripts/build-plugin.ts, and its settings table holds
 * provider/settings.ts row for row. test/engine/plugin-install.test.ts runs those commands.
 */
import * as fs from "fs";
import * as path from "path";
import { PLATFORMS, assetName } from "../../scripts/build-plugin";
import { PACKAGE, packageSchema } from "../../provider/plugin/schema";
import { SETTINGS } from "../../provider/settings";
import { settingsRows } from "../helpers/settings-table";

const ROOT = path.join(__dirname, "../..");
const doc = fs.readFileSync(path.join(ROOT, "docs/installation-configuration.md"), "utf8");
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const { pluginDownloadURL } = packageSchema() as { pluginDownloadURL: string };

/** The first fenced block after `<!-- marker -->`. */
const blockAfter = (marker: string) => {
  const at = doc.indexOf(`<!-- ${marker} -->`);
  expect(at).toBeGreaterThan(-1);
  return /```\w*\n([\s\S]*?)```/.exec(doc.slice(at))![1].trim();
};

test("the install commands: this version, the schema's download URL, a release archive's name", () => {
  expect(blockAfter("install: download")).toBe(
    `pulumi plugin install resource ${PACKAGE} ${version} --server ${pluginDownloadURL}`,
  );
  expect(blockAfter("install: file")).toBe(
    `pulumi plugin install resource ${PACKAGE} ${version} --file ${assetName(version, "linux-amd64")}`,
  );
  for (const p of PLATFORMS) expect(doc).toContain(`\`${p}\``);
  expect(doc).toContain(`version: ${version}\n      pluginDownloadURL: ${pluginDownloadURL}\n`);
  // Every version the page names is this one.
  expect([...new Set(doc.match(/(?<![\d.])\d+\.\d+\.\d+(?![\d.])/g))]).toEqual([version]);
});

test("the settings table matches provider/settings.ts, row for row", () => {
  const byEnv = settingsRows(doc.slice(doc.indexOf("<!-- settings table")));
  for (const [name, s] of Object.entries(SETTINGS)) {
    const cells = byEnv
      .get(s.env)!
      .split("|")
      .map((c) => c.trim());
    if ("config" in s && s.config) expect(cells[2]).toContain(`\`${s.config}\` / \`${name}\``);
    else expect(cells[2]).toBe("");
    expect(cells[4]).toBe(s.default === undefined ? "none" : s.default === false ? "off" : String(s.default));
  }
});

test("every plugin install command in the README, docs and examples names this version and the download URL", () => {
  const files = ["README.md", "examples/yaml/README.md", "examples/yaml/Pulumi.yaml"];
  const docs = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
      const rel = path.join(dir, d.name);
      return d.isDirectory() ? docs(rel) : rel.endsWith(".md") ? [rel] : [];
    });
  const commands = [...files, ...docs("docs")].flatMap((f) =>
    [
      ...fs
        .readFileSync(path.join(ROOT, f), "utf8")
        .matchAll(/pulumi plugin install resource (\S+) (\S+)(?: --server (\S+))?/g),
    ].map((m) => ({ f, pkg: m[1], version: m[2], server: m[3] })),
  );
  expect(commands.length).toBeGreaterThanOrEqual(5);
  for (const c of commands.filter((c) => !c.version.startsWith("<"))) {
    expect(c).toMatchObject({ pkg: PACKAGE, version });
    if (c.server) expect(c.server.replace(/[`)]+$/, "")).toBe(pluginDownloadURL);
  }
});
