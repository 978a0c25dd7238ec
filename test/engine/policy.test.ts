/**
 * The policy pack example (examples/policy-pack) through the real CLI: a project folder using the packed
 * package is previewed with `pulumi preview --policy-pack <a copy of the pack>`. One program breaks every rule
 * (per-entry resources and set entries), another keeps them all (with an address unknown during preview); the
 * levels come from `--policy-pack-config`: all mandatory (the preview fails and prints each violation), all
 * advisory (it succeeds and prints them), and the pack's defaults.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TOKEN } from "../helpers/emulator";
import {
  PULUMI_SDK_VERSION,
  Project,
  TARBALL,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { policyPackFolder } from "../helpers/policy-pack";
import { engineSuite } from "./helpers";

const suite = engineSuite("policy");
const DAY = 86_400_000;

/** The program: `policytest:case` picks the resources ("bad" breaks every rule, "good" none). */
const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as cloudlock from "pulumi-cloudlock";

const config = new pulumi.Config("policytest");
const soon = config.require("soon");
if (config.require("case") === "bad") {
  new cloudlock.TrustedIp("wide", { name: "Wide", ipAddress: "8.8.0.0/16", description: "too wide", categories: ["x"] });
  new cloudlock.TrustedIpSet("offices", {
    entries: [
      { name: "HQ", ipAddress: "8.8.8.0/24", description: "HQ", categories: ["office"] },
      { name: "LAN", ipAddress: "10.1.0.0/24", categories: ["office"] },
    ],
  });
  new cloudlock.SuspiciousIp("forever", { name: "Forever", ipAddress: "45.33.32.156", description: "d", categories: ["c"] });
  new cloudlock.SuspiciousIpSet("feed", {
    entries: [{ name: "Inside HQ", ipAddress: "8.8.8.7", expiresOn: soon, description: "d", categories: ["c"] }],
  });
} else {
  const hq = new cloudlock.TrustedIp("hq", { name: "HQ", ipAddress: "8.8.8.0/24", description: "HQ", categories: ["office"] });
  new cloudlock.TrustedIpSet("offices", {
    entries: [{ name: "VPN", ipAddress: "2a00:1450:4001::/48", description: "VPN", categories: ["vpn"] }],
  });
  new cloudlock.SuspiciousIp("tor", {
    name: "TOR", ipAddress: "45.33.32.156", expiresOn: soon, description: "exit node", categories: ["TOR network"],
  });
  new cloudlock.SuspiciousIpSet("feed", {
    entries: [{ name: "Scanner", ipAddress: "45.33.32.157", expiresOn: soon, description: "d", categories: ["c"] }],
  });
  // Unknown during preview (hq's location comes from Cloudlock): the policies must skip it, not fail. (A set
  // entry's address cannot be unknown: the set's own check refuses that.)
  new cloudlock.SuspiciousIp("later", {
    name: "Later", ipAddress: hq.location.apply(() => "9.9.9.9"), expiresOn: soon, description: "d", categories: ["c"],
  });
}
`;

const NAMES = {
  blockSize: "cloudlock-trusted-block-size",
  publicOnly: "cloudlock-public-addresses-only",
  expiry: "cloudlock-suspicious-expiry",
  overlap: "cloudlock-trusted-suspicious-overlap",
  metadata: "cloudlock-entry-metadata",
};

/** What the bad program must be told, one violation per rule. */
const VIOLATIONS: Record<keyof typeof NAMES, string> = {
  blockSize:
    'TrustedIp "wide" (entry "Wide") ipAddress "8.8.0.0/16" is a /16 block (65,536 addresses): trusted IPv4 entries may be at most a /24 (256 addresses)',
  publicOnly:
    'TrustedIpSet "offices" entry "LAN" (10.1.0.0/24) ipAddress "10.1.0.0/24" is in 10.0.0.0/8, private (RFC 1918)',
  expiry:
    'SuspiciousIp "forever" (entry "Forever") expiresOn is missing: suspicious entries must expire within 90 days',
  overlap:
    'SuspiciousIpSet "feed" entry "Inside HQ" (8.8.8.7) ipAddress "8.8.8.7" is suspicious, but TrustedIpSet "offices" entry "HQ" (8.8.8.0/24) ipAddress "8.8.8.0/24" trusts it',
  metadata: 'TrustedIpSet "offices" entry "LAN" (10.1.0.0/24) description is missing: every entry needs one',
};

let packDir: string;
let programDir: string;
let stack: Project;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-policy-"));

beforeAll(async () => {
  packDir = policyPackFolder();
  fs.mkdirSync(path.join(scratch, "empty"));
  programDir = projectFolder(path.join(scratch, "empty"), "policytest", {
    deps: { "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": PULUMI_SDK_VERSION },
    files: {
      "Pulumi.yaml": "name: policytest\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
      "package.json": JSON.stringify({ name: "policytest", private: true, main: "index.ts" }),
      "index.ts": PROGRAM,
    },
  });
  stack = await project(programDir, "dev", {
    "cloudlock:apiUrl": suite.emu.apiUrl,
    "cloudlock:apiToken": TOKEN,
    // Ten days ahead of the emulator's clock, which the provider judges expiries by.
    "policytest:soon": new Date(suite.emu.now() + 10 * DAY).toISOString(),
  });
});

afterAll(() => {
  if (packDir) removeProject(packDir);
  if (programDir) removeProject(programDir);
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** `pulumi preview --policy-pack` of the given case, with every policy at `level` ("" for the pack's own). */
async function preview(which: "bad" | "good", level: string, more: Record<string, object> = {}) {
  await stack.ok(["config", "set", "policytest:case", which]);
  const args = ["preview", "--policy-pack", packDir];
  if (level || Object.keys(more).length) {
    const config = Object.fromEntries(
      Object.entries(NAMES).map(([k, name]) => [
        name,
        { ...(level ? { enforcementLevel: level } : {}), ...more[k] },
      ]),
    );
    const file = path.join(scratch, `config-${which}-${level}.json`);
    fs.writeFileSync(file, JSON.stringify(config));
    args.push("--policy-pack-config", file);
  }
  const r = await stack.run(args);
  return { ...r, out: `${r.stdout}\n${r.stderr}` };
}

/** The lines the CLI printed for one policy's violations: `[level]  policy-name` then the message. */
function reported(out: string, key: keyof typeof NAMES, level: "mandatory" | "advisory"): boolean {
  const flat = out.replace(/\s+/g, " ");
  return flat.includes(`[${level}] ${NAMES[key]}`) && flat.includes(VIOLATIONS[key]);
}

it("every rule mandatory: the bad program's preview fails, printing each violation", async () => {
  const r = await preview("bad", "mandatory");
  expect(r.code).not.toBe(0);
  for (const key of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
    if (!reported(r.out, key, "mandatory")) throw new Error(`${key} not reported as mandatory:\n${r.out}`);
  }
});

it("every rule advisory: the preview succeeds and prints each violation", async () => {
  const r = await preview("bad", "advisory");
  if (r.code !== 0) throw new Error(`preview failed:\n${r.out}`);
  for (const key of Object.keys(NAMES) as (keyof typeof NAMES)[]) {
    if (!reported(r.out, key, "advisory")) throw new Error(`${key} not reported as advisory:\n${r.out}`);
  }
  expect(r.out).not.toContain("[mandatory]");
});

it("a program that keeps every rule passes them all at mandatory, an address unknown in preview included", async () => {
  const r = await preview("good", "mandatory", {
    metadata: { requireDescription: true, requireCategory: true },
  });
  if (r.code !== 0) throw new Error(`preview failed:\n${r.out}`);
  // The policies ran (a pack that failed to load fails the preview) and reported nothing, not even "can't run".
  expect(r.out).toContain("cloudlock@v0.2.0");
  expect(r.out).not.toMatch(/\[(mandatory|advisory)\]/);
  expect(r.out).not.toContain("can't run");
  expect(r.out).toMatch(/\+ 6 to create/);
});
