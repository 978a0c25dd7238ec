/**
 * The policy pack (examples/policy-pack) on the plugin's resources: a YAML project (`runtime: yaml`, the plugin
 * `pulumi-resource-cloudlock` on PATH from the installed package, as plugin.test.ts runs it) previewed with
 * `pulumi preview --policy-pack`, at the pack's own levels. A declaration that breaks the rules is blocked by the
 * mandatory ones and told about the advisory ones, with the messages the dynamic SDK's resources get; one that
 * keeps them passes. One project folder, its Pulumi.yaml rewritten between the two.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PLUGIN_TOKENS } from "../../provider/tokens";
import { pulumiRoot } from "../../scripts/lib/engine";
import { TOKEN } from "../helpers/emulator";
import { policyPackFolder } from "../helpers/policy-pack";
import { type Project, TARBALL, installed, project, projectFolder, removeProject } from "../helpers/project";
import { engineSuite } from "./helpers";

const suite = engineSuite("policy-yaml");
const DAY = 86_400_000;

type Resources = Record<string, { type: string; properties: Record<string, unknown> }>;

/** A resource of the plugin's, by kind. */
const res = (kind: keyof typeof PLUGIN_TOKENS, properties: Record<string, unknown>) => ({
  type: PLUGIN_TOKENS[kind],
  properties,
});

/** Breaks a mandatory rule on a per-entry resource and across sets, and two advisory ones. */
const bad = (soon: string): Resources => ({
  lan: res("TrustedIp", { name: "LAN", ipAddress: "10.1.0.0/24", description: "d", categories: ["office"] }),
  offices: res("TrustedIpSet", {
    entries: [
      { name: "Wide", ipAddress: "9.9.0.0/16", description: "d", categories: ["office"] },
      { name: "HQ", ipAddress: "8.8.8.0/24", description: "d", categories: ["office"] },
    ],
  }),
  forever: res("SuspiciousIp", { name: "Forever", ipAddress: "45.33.32.156", description: "d" }),
  feed: res("SuspiciousIpSet", {
    entries: [{ name: "Inside HQ", ipAddress: "8.8.8.7", expiresOn: soon, description: "d" }],
  }),
});

/** The same kinds, keeping every rule. */
const good = (soon: string): Resources => ({
  hq: res("TrustedIp", { name: "HQ", ipAddress: "8.8.8.0/24", description: "d", categories: ["office"] }),
  offices: res("TrustedIpSet", { entries: [{ name: "VPN", ipAddress: "2a00:1450:4001::/48" }] }),
  tor: res("SuspiciousIp", { name: "TOR", ipAddress: "45.33.32.156", expiresOn: soon }),
  feed: res("SuspiciousIpSet", {
    entries: [{ name: "Scanner", ipAddress: "45.33.32.157", expiresOn: soon }],
  }),
});

/** What the bad declaration must be told: [level, policy, the resource the CLI shows, message]. */
const VIOLATIONS = [
  [
    "mandatory",
    "cloudlock-public-addresses-only",
    `${PLUGIN_TOKENS.TrustedIp}: lan`,
    'TrustedIp "lan" (entry "LAN") ipAddress "10.1.0.0/24" is in 10.0.0.0/8, private (RFC 1918): Cloudlock matches ' +
      "the public source addresses of SaaS activity, so this entry can never match",
  ],
  [
    "mandatory",
    "cloudlock-trusted-suspicious-overlap",
    `${PLUGIN_TOKENS.SuspiciousIpSet}: feed`,
    'SuspiciousIpSet "feed" entry "Inside HQ" (8.8.8.7) ipAddress "8.8.8.7" is suspicious, but TrustedIpSet ' +
      '"offices" entry "HQ" (8.8.8.0/24) ipAddress "8.8.8.0/24" trusts it (the suspicious 8.8.8.7 is inside the ' +
      "trusted 8.8.8.0/24): an address cannot be both",
  ],
  [
    "advisory",
    "cloudlock-trusted-block-size",
    `${PLUGIN_TOKENS.TrustedIpSet}: offices`,
    'TrustedIpSet "offices" entry "Wide" (9.9.0.0/16) ipAddress "9.9.0.0/16" is a /16 block (65,536 addresses): ' +
      "trusted IPv4 entries may be at most a /24 (256 addresses)",
  ],
  [
    "advisory",
    "cloudlock-suspicious-expiry",
    `${PLUGIN_TOKENS.SuspiciousIp}: forever`,
    'SuspiciousIp "forever" (entry "Forever") expiresOn is missing: suspicious entries must expire within 90 days',
  ],
] as const;

let packDir: string;
let p: Project;
/** Ten days ahead of the emulator's clock, which the provider judges expiries by. */
let soon: string;

beforeAll(async () => {
  packDir = policyPackFolder();
  const bin = path.join(installed({ "pulumi-cloudlock": TARBALL }), "node_modules", ".bin");
  expect(fs.existsSync(path.join(bin, "pulumi-resource-cloudlock"))).toBe(true);
  const dir = projectFolder("examples/yaml", "policyyaml", { deps: { "pulumi-cloudlock": TARBALL } });
  const env = {
    PATH: [path.join(pulumiRoot({ yaml: true }), "bin"), bin, process.env.PATH].join(path.delimiter),
  };
  p = await project(dir, "dev", { "cloudlock:apiUrl": suite.emu.apiUrl, "cloudlock:apiToken": TOKEN }, env);
  soon = new Date(suite.emu.now() + 10 * DAY).toISOString();
});

afterAll(() => {
  if (packDir) removeProject(packDir);
  if (p) removeProject(p.dir);
});

/** `pulumi preview --policy-pack` of examples/yaml declaring `resources`; the output with spaces collapsed. */
async function preview(resources: Resources) {
  const doc = yaml.load(fs.readFileSync(path.join(p.dir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
  fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), yaml.dump({ ...doc, resources, outputs: {} }));
  const r = await p.run(["preview", "--policy-pack", packDir]);
  return { code: r.code, out: `${r.stdout}\n${r.stderr}`.replace(/\s+/g, " ") };
}

it("a declaration breaking the rules is blocked: each violation reported at its level, the preview fails", async () => {
  const r = await preview(bad(soon));
  // A mandatory violation fails the preview: CLI 3.259 exits 1 (generic failure); 5 is the code the CLI defines
  // for a policy violation (cmdutil.ExitPolicyViolation) but does not use yet.
  if (r.code !== 1 && r.code !== 5) throw new Error(`preview exited ${r.code}:\n${r.out}`);
  expect(r.out).toContain("error: preview failed");
  // Failed for the policies alone: no other error (a refused input, a provider failure).
  expect(r.out.replace(/error: preview failed/g, "")).not.toContain("error:");
  expect(r.out).toContain("❌ cloudlock@v0.2.0");
  for (const [level, policy, resource, message] of VIOLATIONS) {
    expect(r.out).toContain(`[${level}] ${policy} (${resource})`);
    expect(r.out).toContain(message);
  }
});

it("a declaration keeping the rules passes the pack", async () => {
  const r = await preview(good(soon));
  if (r.code !== 0) throw new Error(`preview failed:\n${r.out}`);
  // The pack ran (one that fails to load fails the preview) and reported nothing, not even "can't run".
  expect(r.out).toContain("cloudlock@v0.2.0");
  expect(r.out).not.toMatch(/\[(mandatory|advisory)\]/);
  expect(r.out).not.toContain("can't run");
  expect(r.out).toMatch(/\+ 5 to create/);
});
