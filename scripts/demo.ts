/**
 * `npm run demo`: the main example against the embedded Cloudlock emulator,
 * through the real Pulumi engine, explained step by step.
 */
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { Emulator } from "../emulator";
import { REPO_ROOT, engineEnv, pulumiRoot } from "./lib/engine";

const TOKEN = "demo-token";
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let step = 0;
function say(title: string, ...lines: string[]) {
  console.log(`\n${bold(`Step ${++step}: ${title}`)}`);
  for (const l of lines) console.log(`  ${l}`);
}
/** Resources the engine output names for an operation, e.g. "+ TrustedIp office-hq-berlin". */
function resources(out: string, sign: string): string[] {
  const re = /\[urn=urn:pulumi:[^:]+::[^:]+::pulumi-nodejs:dynamic\/cloudlock:(\w+)::([^\]]+)\]/g;
  return [...out.matchAll(re)].map((m) => `  ${sign} ${m[1]} ${m[2]}`);
}
const DECLARED = ["name", "ipAddress", "description", "categories", "expiresOn"];
/** The first diff line for each drifted field ("~ field: old => new"). */
function driftLines(out: string): string[] {
  const seen = new Set<string>();
  return out
    .split("\n")
    .map((l) => /~ (\w+)\s*: (.*)$/.exec(l))
    .filter(
      (m): m is RegExpExecArray => !!m && DECLARED.includes(m[1]) && !seen.has(m[1]) && !!seen.add(m[1]),
    )
    .map((m) => {
      const change = /^"(.*)" => "(.*)"$/.exec(m[2]);
      return change
        ? `  ~ ${m[1]}: declared "${change[1]}", Cloudlock now has "${change[2]}"`
        : `  ~ ${m[1]}: ${m[2]}`;
    });
}

async function main() {
  // A folder of its own per run: two demos (or a demo and its test) never share state.
  const base = path.join(REPO_ROOT, ".pulumi", `demo-${process.pid}-${Date.now()}`);
  const emu = await Emulator.start({ tokens: [TOKEN] });
  try {
    emu.seed("trusted", [
      {
        name: "Old London office",
        ip_address: "192.0.2.77",
        categories: ["office"],
        description: "added by hand in 2019",
      },
    ]);
    emu.seed("suspicious", [
      { name: "Analyst's manual block", ip_address: "198.51.100.250", categories: ["Manual"] },
    ]);
    say(
      "a Cloudlock tenant (the emulator)",
      `The Cloudlock API emulator is listening at ${emu.apiUrl} (token "${TOKEN}").`,
      "Someone already added two entries by hand in the Cloudlock UI:",
      ...[...emu.entries("trusted"), ...emu.entries("suspicious")].map(
        (e) => `  - ${e.type}: ${e.name} (${e.ip_address})`,
      ),
      "Pulumi manages only what the program declares: these stay untouched.",
    );

    // The main example's project folder, run as a user runs it: a copy (the stack's config file is written into
    // it), inside the checkout so that its node_modules (this package, linked) is found.
    const workDir = path.join(base, "main");
    fs.cpSync(path.join(REPO_ROOT, "examples", "main"), workDir, { recursive: true });
    for (const d of ["state", "home"]) fs.mkdirSync(path.join(base, d), { recursive: true });
    const env = engineEnv(path.join(base, "state"), path.join(base, "home"));
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "demo", workDir },
      {
        envVars: env,
        pulumiCommand: await PulumiCommand.get({ root: pulumiRoot(), skipVersionCheck: true }),
      },
    );
    await stack.setAllConfig({
      "cloudlock:apiUrl": { value: emu.apiUrl },
      "cloudlock:apiToken": { value: TOKEN, secret: true },
    });

    let out = "";
    const io = { onOutput: (s: string) => (out += s) };
    const preview = await stack.preview({ diff: true, ...io });
    say(
      "preview: what would change (pulumi preview --diff)",
      "The program (examples/main) declares offices from offices.yaml and threats from feed.csv.",
      `Pulumi would create ${preview.changeSummary.create ?? 0} resources (the stack and one per entry):`,
      ...resources(out, "+"),
      "Nothing has been written to Cloudlock yet.",
    );

    out = "";
    const up = await stack.up(io);
    say(
      "up: reconcile Cloudlock with the code (pulumi up)",
      `Created ${(up.summary.resourceChanges?.create ?? 1) - 1} entries. The library now holds:`,
      ...[...emu.entries("trusted"), ...emu.entries("suspicious")].map(
        (e) => `  - ${e.type}: ${e.name} (${e.ip_address}) id ${e.pk}`,
      ),
    );

    const hq = emu.entries("trusted").find((e) => e.name === "HQ Berlin")!;
    emu.edit("trusted", hq.pk, {
      description: "temporarily opened for a contractor",
      ip_address: "198.51.100.0/23",
    });
    say(
      "a hand edit in the Cloudlock UI",
      `A colleague widens "HQ Berlin" to 198.51.100.0/23 and changes its description, outside of git.`,
    );

    out = "";
    try {
      await stack.preview({ refresh: true, expectNoChanges: true, diff: true, ...io });
      say("drift check", "No drift found (unexpected in this demo).");
    } catch {
      say(
        "drift check in CI (pulumi preview --refresh --expect-no-changes)",
        "The check FAILS, as it would in a scheduled CI job, and says what differs:",
        ...driftLines(out),
      );
    }

    out = "";
    await stack.refresh(io);
    const fix = await stack.up(io);
    await stack.preview({ refresh: true, expectNoChanges: true });
    const now = emu.entries("trusted").find((e) => e.pk === hq.pk)!;
    say(
      "reconcile (pulumi refresh, then pulumi up)",
      `Updated ${fix.summary.resourceChanges?.update ?? 0} entry in place (same id ${hq.pk}): ${now.ip_address}, "${now.description}".`,
      "The drift check passes again. The two hand-made entries were never touched.",
    );

    await stack.destroy();
    say(
      "use it with your tenant",
      "The demo stack was destroyed; the emulator stops now. With your own Cloudlock tenant, in a copy of",
      "examples/main (a complete project folder: run npm install in it first) or at this repository's root:",
      "  pulumi stack init prod",
      "  pulumi config set cloudlock:apiUrl https://<your-cloudlock-api-server>/api/v2",
      "  pulumi config set --secret cloudlock:apiToken <token from Settings > Authentication & API>",
      "  pulumi preview --diff     # review",
      "  pulumi up                 # apply",
      "  pulumi preview --refresh --expect-no-changes   # drift check (see examples/ci/)",
      "Existing entries: adopt them instead of duplicating (adoptId; see docs/guides/adopting.md).",
    );
  } finally {
    await emu.close();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`\nThe demo failed: ${(e as Error).message}`);
  process.exit(1);
});
