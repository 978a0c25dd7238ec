/**
 * `cloudlock-pulumi review` on the JSON the real engine writes: a project folder (per-entry resources and an
 * authoritative set) run by the `pulumi` CLI against the emulator; the first preview (all adds), then after `up`
 * a changed program (a change, a replace, removals, an adoption, set entries added/changed/removed, an entry
 * nobody declares), and the same with a policy pack. The review runs as CI runs it: `npx cloudlock-pulumi review preview.json`, from the packed
 * package installed in the project.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { engineSuite } from "./helpers";
import { TOKEN } from "../helpers/emulator";
import { PULUMI_SDK_VERSION, installed, project, projectFolder, removeProject } from "../helpers/project";

const ctx = engineSuite("review");

const PKG = JSON.stringify({ name: "review-demo", main: "index.ts", private: true });
const YAML = "name: review-demo\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n";

/** Version 1, then version 2 of the same program: what a pull request changes. */
function program(v: 1 | 2): string {
  return `import { SuspiciousIp, TrustedIpSet } from "pulumi-cloudlock";
const v: number = ${v};
new SuspiciousIp("scan", { name: "Scanner", ipAddress: "198.51.100.0/24", description: v === 1 ? "old text" : "new text" });
new SuspiciousIp("bad", { name: v === 1 ? "Bad | one" : "Bad two", ipAddress: "203.0.113.7" });
if (v === 1) new SuspiciousIp("gone", { name: "Gone", ipAddress: "192.0.2.1" });
if (v === 2) new SuspiciousIp("adopted", { name: "Made by hand", ipAddress: "192.0.2.50", adoptId: process.env.ADOPT_ID });
new TrustedIpSet("offices", {
  mode: "authoritative",
  entries: v === 1
    ? [{ name: "Paris", ipAddress: "10.0.0.1" }, { name: "Rome", ipAddress: "10.0.0.2" }]
    : [{ name: "Paris 2", ipAddress: "10.0.0.1/32" }, { name: "Oslo", ipAddress: "10.0.0.3" }],
});
`;
}

/**
 * A policy pack beside the project: one mandatory rule refusing the name "Bad two", one advisory rule on "Scanner".
 * Plain `preview --json` drops policy events; the streamed form keeps them.
 */
function policyPack(dir: string): string {
  const pack = path.join(path.dirname(dir), "pack");
  fs.mkdirSync(pack);
  fs.writeFileSync(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  fs.writeFileSync(
    path.join(pack, "package.json"),
    JSON.stringify({ name: "pack", version: "0.0.1", main: "index.js" }),
  );
  fs.writeFileSync(
    path.join(pack, "index.js"),
    `const { PolicyPack } = require("@pulumi/policy");
const rule = (name, level, bad, text) => ({
  name, description: name, enforcementLevel: level,
  validateResource: (a, report) => { if (a.props.name === bad) report(text); },
});
new PolicyPack("review-rules", { policies: [
  rule("no-bad-two", "mandatory", "Bad two", "name <b>Bad two</b> | refused"),
  rule("scanner-note", "advisory", "Scanner", "scanners need a ticket"),
] });
`,
  );
  const deps = installed({ "@pulumi/policy": "1.21.0", "@pulumi/pulumi": PULUMI_SDK_VERSION });
  fs.symlinkSync(path.join(deps, "node_modules"), path.join(pack, "node_modules"), "dir");
  return pack;
}

/** The rows of the Markdown tables that mention `needle`. */
const rows = (md: string, needle: string) =>
  md.split("\n").filter((l) => l.startsWith("| ") && l.includes(needle));

test("first preview: every entry added; after up, a changed program: each kind of change, named by entry and field", async () => {
  const dir = projectFolder("examples/offices", "review-demo", {
    files: { "index.ts": program(1), "package.json": PKG, "Pulumi.yaml": YAML },
  });
  try {
    const p = await project(dir, "dev", { "cloudlock:apiUrl": ctx.emu.apiUrl, "cloudlock:apiToken": TOKEN });
    // As the CI workflow does: preview JSON to a file, then the review of that file.
    const review = (json: string) => {
      fs.writeFileSync(path.join(dir, "preview.json"), json);
      return execFileSync("npx", ["--no-install", "cloudlock-pulumi", "review", "preview.json"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, ...p.env },
      });
    };

    const first = review((await p.ok(["preview", "--json"])).stdout);
    expect(first.split("\n")[0]).toBe("### Cloudlock IP libraries: 5 added");
    expect(first).toContain("| Added | 2 | 3 |");
    for (const [name, address, by] of [
      ["Paris", "10.0.0.1", 'TrustedIpSet "offices"'],
      ["Rome", "10.0.0.2", 'TrustedIpSet "offices"'],
      ["Scanner", "198.51.100.0/24", 'SuspiciousIp "scan"'],
      ["Bad &#124; one", "203.0.113.7", 'SuspiciousIp "bad"'],
      ["Gone", "192.0.2.1", 'SuspiciousIp "gone"'],
    ])
      expect(rows(first, address)).toEqual([`| ${name} | ${address} | ${by} | create a new entry |`]);
    expect(first).toMatch(
      /^> TrustedIpSet "offices": authoritative; this preview found no undeclared entries/m,
    );
    expect(first).not.toContain("Needs a human");

    await p.ok(["up", "--yes", "--skip-preview"]);
    /** The pk `up` gave the entry at an address: the rows name the entry they act on. */
    const pkAt = (address: string) =>
      [...ctx.emu.entries("trusted"), ...ctx.emu.entries("suspicious")].find((e) => e.ip_address === address)!
        .pk;
    const [scan, bad, gone, paris, rome] = [
      "198.51.100.0/24",
      "203.0.113.7",
      "192.0.2.1",
      "10.0.0.1",
      "10.0.0.2",
    ].map(pkAt);
    const [hand] = ctx.emu.seed("suspicious", [{ name: "Made by hand", ip_address: "192.0.2.50" }]);
    const [stray] = ctx.emu.seed("trusted", [{ name: "Stray", ip_address: "10.0.0.9" }]);
    fs.writeFileSync(path.join(dir, "index.ts"), program(2));
    const second = review((await p.ok(["preview", "--json"], { ADOPT_ID: hand.pk })).stdout);

    expect(second.split("\n")[0]).toBe(
      "### Cloudlock IP libraries: 1 added, 1 adopted, 2 changed, 1 replaced, 2 removed · 1 needs a human",
    );
    // Per-entry resources.
    expect(rows(second, "Scanner")).toEqual([
      `| Scanner | 198.51.100.0/24 | description: old text → new text | SuspiciousIp "scan" | update entry ${scan} in place |`,
    ]);
    expect(rows(second, "Bad two")).toEqual([
      `| Bad two | 203.0.113.7 | name | name: Bad &#124; one → Bad two | SuspiciousIp "bad" | delete entry ${bad}, then create a new entry |`,
    ]);
    expect(rows(second, "Gone")).toEqual([
      `| Gone | 192.0.2.1 | SuspiciousIp "gone" | delete entry ${gone} |`,
    ]);
    expect(rows(second, "Made by hand")).toEqual([
      `| Made by hand | 192.0.2.50 | SuspiciousIp "adopted" | take over entry ${hand.pk}, creating none |`,
    ]);
    // The set, entry by entry: 10.0.0.1/32 is the same address as 10.0.0.1, so only the name changes.
    expect(rows(second, "Oslo")).toEqual([
      '| Oslo | 10.0.0.3 | TrustedIpSet "offices" | create a new entry |',
    ]);
    expect(rows(second, "Paris 2")).toEqual([
      `| Paris 2 | 10.0.0.1 | name: Paris → Paris 2 | TrustedIpSet "offices" | update entry ${paris} in place |`,
    ]);
    expect(rows(second, "Rome")).toEqual([
      `| Rome | 10.0.0.2 | TrustedIpSet "offices" | delete entry ${rome} |`,
    ]);
    // Sections in their places.
    const trusted = second.slice(second.indexOf("#### Trusted IPs"), second.indexOf("#### Suspicious IPs"));
    expect(trusted.indexOf("**Removed (1)**")).toBeLessThan(trusted.indexOf("Rome"));
    expect(second.indexOf("**Replaced (1)**: deleted, then created again")).toBeLessThan(
      second.indexOf("Bad two"),
    );
    // What needs a human: the entry an authoritative set removes though nobody declared it.
    const human = second.slice(second.indexOf("#### Needs a human"), second.indexOf("#### Trusted IPs"));
    expect(human).toContain('**Removes 1 entry nobody declares** (authoritative TrustedIpSet "offices")');
    expect(human).toContain(`"Stray" 10.0.0.9, id ${stray.pk}`);

    // With a policy pack: plain JSON only says the preview failed; the streamed JSON names each violation.
    const pack = policyPack(dir);
    const plain = await p.run(["preview", "--json", "--policy-pack", pack], { ADOPT_ID: hand.pk });
    expect(plain.code).not.toBe(0);
    expect(review(plain.stdout)).toContain(
      "**Preview error**: preview failed (a resource error or a mandatory policy",
    );
    const streamed = await p.run(["preview", "--json", "--policy-pack", pack], {
      ADOPT_ID: hand.pk,
      PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "1",
    });
    const withPolicy = review(streamed.stdout);
    expect(withPolicy.split("\n")[0]).toBe(
      "### Cloudlock IP libraries: 1 added, 1 adopted, 2 changed, 1 replaced, 2 removed · 4 need a human",
    );
    expect(withPolicy).toContain(
      "**Policy**: &#91;mandatory&#93; review-rules/no-bad-two &#40;bad&#41;: no-bad-two name &#60;b&#62;Bad two&#60;/b&#62; &#124; refused",
    );
    expect(withPolicy).toContain(
      "**Policy**: &#91;advisory&#93; review-rules/scanner-note &#40;scan&#41;: scanner-note scanners need a ticket",
    );
    // The same entries as the plain review.
    for (const needle of ["Bad two", "Scanner", "Gone", "Made by hand", "Oslo", "Paris 2", "Rome"])
      expect(rows(withPolicy, needle)).toEqual(rows(second, needle));
  } finally {
    removeProject(dir);
  }
});
