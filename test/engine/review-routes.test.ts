/**
 * The review tells the truth on every route, through the real engine: the same story told by the dynamic SDK,
 * a `declareLibrary` data file and a YAML program (the plugin), each in a project folder run by the `pulumi`
 * CLI. Each route: an add, an update, a replace, a rename that keeps its entry, a set's additions (one adopted),
 * changes and removals; then a create at an address held elsewhere and a rename that would recreate its own
 * entry, both red at preview (review exits 3) and refused by `up`; then a drift report. After each `up` the
 * library's pks before and after are compared with the review's rows: `up` did exactly what they said.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { type Review, reviewPreview } from "../../cli/review";
import type { Emulator } from "../../emulator";
import { canonicalAddress } from "../../provider/address";
import type { CollectionName, IpEntry } from "../../provider/client/types";
import { pulumiRoot } from "../../scripts/lib/engine";
import * as cloudlock from "../../sdk";
import { nextRead } from "../../provider/dynamic/read-plan";
import { TOKEN, addresses } from "../helpers/emulator";
import { gets, writes } from "../helpers/requests";
import {
  PULUMI_SDK_VERSION,
  type Project,
  TARBALL,
  installed,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { engineStack, engineSuite } from "./helpers";

const suite = engineSuite("review-routes");
const folders: string[] = [];
afterAll(() => folders.forEach(removeProject));

type Version = 1 | 2 | 3;
/** What one route needs: its files for a version (given the pk a rename adopts), and the project's deps. */
interface Route {
  deps: Record<string, string>;
  files(v: Version, oldPk: string): Record<string, string>;
  /** The rename of version 2 also changes the entry's name (a data file's resource name follows its name). */
  renameChanges: boolean;
}

const PKG = JSON.stringify({ name: "routes", main: "index.ts", private: true });
const TS_PROJECT = "name: routes\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n";
const SDK_DEPS = { "pulumi-cloudlock": TARBALL, "@pulumi/pulumi": PULUMI_SDK_VERSION };

/** The set of every version, in TypeScript (the SDK and data-file routes declare it in code alike). */
const SET_TS = `new TrustedIpSet("offices", { entries: v === 1
  ? [{ name: "Paris", ipAddress: "10.1.0.1" }, { name: "Rome", ipAddress: "10.1.0.2" }, { name: "Oslo", ipAddress: "10.1.0.3" }]
  : [{ name: "Paris 2", ipAddress: "10.1.0.1" }, { name: "Oslo", ipAddress: "10.1.0.3" },
     { name: "Lima", ipAddress: "10.1.0.4" }, { name: "Made by hand", ipAddress: "10.1.0.9" }] });`;

const ROUTES: Record<string, Route> = {
  "the dynamic SDK": {
    deps: SDK_DEPS,
    renameChanges: false,
    files: (v, oldPk) => ({
      "Pulumi.yaml": TS_PROJECT,
      "package.json": PKG,
      "index.ts": `import { SuspiciousIp, TrustedIp, TrustedIpSet } from "pulumi-cloudlock";
const v: number = ${v};
new TrustedIp("hq", { name: "HQ", ipAddress: "10.0.0.1", description: v === 1 ? "a" : "b" });
new TrustedIp(v === 3 ? "vpn2" : "vpn", { name: "VPN", ipAddress: "10.0.0.2" });
if (v === 1) new TrustedIp("gone", { name: "Gone", ipAddress: "10.0.0.3" });
if (v === 1) new TrustedIp("old", { name: "Old name", ipAddress: "10.0.0.4" });
else new TrustedIp("renamed", { name: "Old name", ipAddress: "10.0.0.4", adoptId: "${oldPk}" });
if (v >= 2) new TrustedIp("new", { name: "New", ipAddress: "10.0.0.5" });
if (v === 3) new TrustedIp("clash", { name: "Clash", ipAddress: "10.0.0.8" });
new SuspiciousIp("bad", { name: v === 1 ? "Bad one" : "Bad two", ipAddress: "203.0.113.7" });
${SET_TS}
`,
    }),
  },
  "a declareLibrary data file": {
    deps: SDK_DEPS,
    renameChanges: true,
    files: (v) => {
      const trusted = [
        { name: "HQ", ipAddress: "10.0.0.1", description: v === 1 ? "a" : "b" },
        // Its resource name follows its name: "VPN two" without renamedFrom would recreate its own entry.
        { name: v === 3 ? "VPN two" : "VPN", ipAddress: "10.0.0.2" },
        ...(v === 1 ? [{ name: "Gone", ipAddress: "10.0.0.3" }] : []),
        v === 1
          ? { name: "Old name", ipAddress: "10.0.0.4" }
          : { name: "New name", ipAddress: "10.0.0.4", renamedFrom: "trusted-old-name" },
        ...(v >= 2 ? [{ name: "New", ipAddress: "10.0.0.5" }] : []),
        ...(v === 3 ? [{ name: "Clash", ipAddress: "10.0.0.8" }] : []),
      ];
      // A fixed resource name: its new name is then a replacement (a suspicious name cannot change in place).
      const suspicious = [
        { resource: "bad", name: v === 1 ? "Bad one" : "Bad two", ipAddress: "203.0.113.7" },
      ];
      return {
        "Pulumi.yaml": TS_PROJECT,
        "package.json": PKG,
        "library.json": JSON.stringify({ trusted, suspicious }, null, 2),
        "index.ts": `import { TrustedIpSet, declareLibrary, readLibraryFile } from "pulumi-cloudlock";
const v: number = ${v};
declareLibrary(readLibraryFile("library.json"));
${SET_TS}
`,
      };
    },
  },
  "a YAML program (the plugin)": {
    deps: { "pulumi-cloudlock": TARBALL },
    renameChanges: false,
    files: (v, oldPk) => {
      const entry = (type: string, properties: object) => ({ type: `cloudlock:index:${type}`, properties });
      const resources: Record<string, object> = {
        hq: entry("TrustedIp", { name: "HQ", ipAddress: "10.0.0.1", description: v === 1 ? "a" : "b" }),
        [v === 3 ? "vpn2" : "vpn"]: entry("TrustedIp", { name: "VPN", ipAddress: "10.0.0.2" }),
        ...(v === 1 && { gone: entry("TrustedIp", { name: "Gone", ipAddress: "10.0.0.3" }) }),
        ...(v === 1
          ? { old: entry("TrustedIp", { name: "Old name", ipAddress: "10.0.0.4" }) }
          : { renamed: entry("TrustedIp", { name: "Old name", ipAddress: "10.0.0.4", adoptId: oldPk }) }),
        ...(v >= 2 && { new: entry("TrustedIp", { name: "New", ipAddress: "10.0.0.5" }) }),
        ...(v === 3 && { clash: entry("TrustedIp", { name: "Clash", ipAddress: "10.0.0.8" }) }),
        bad: entry("SuspiciousIp", { name: v === 1 ? "Bad one" : "Bad two", ipAddress: "203.0.113.7" }),
        offices: entry("TrustedIpSet", {
          entries:
            v === 1
              ? [
                  { name: "Paris", ipAddress: "10.1.0.1" },
                  { name: "Rome", ipAddress: "10.1.0.2" },
                  { name: "Oslo", ipAddress: "10.1.0.3" },
                ]
              : [
                  { name: "Paris 2", ipAddress: "10.1.0.1" },
                  { name: "Oslo", ipAddress: "10.1.0.3" },
                  { name: "Lima", ipAddress: "10.1.0.4" },
                  { name: "Made by hand", ipAddress: "10.1.0.9" },
                ],
        }),
      };
      return { "Pulumi.yaml": JSON.stringify({ name: "routes", runtime: "yaml", resources }, null, 2) };
    },
  },
};

/** The library as pk → entry, both collections. */
type Library = Map<string, IpEntry & { kind: CollectionName }>;
function library(emu: Emulator): Library {
  return new Map(
    (["trusted", "suspicious"] as const).flatMap((kind) =>
      emu.entries(kind).map((e) => [e.pk, { ...e, kind }] as const),
    ),
  );
}
const at = (lib: Library, address: string) =>
  [...lib.values()].filter((e) => canonicalAddress(e.ip_address) === address);

/**
 * `up` did exactly what the review's rows say, judged by pks: added rows (and entries made again after drift) are
 * new pks at their address; adopted, renamed, changed and drifted-and-set-back rows keep theirs; replaced rows'
 * pks are gone and a new one holds the address; removed rows' pks are gone. Nothing else appeared or went.
 */
function expectUpDid(review: Review, before: Library, after: Library): void {
  const kept = new Set<string>();
  const gone = new Set<string>();
  const fresh: string[] = [];
  for (const kind of ["trusted", "suspicious"] as const) {
    const l = review.libraries[kind];
    for (const r of l.added) fresh.push(r.address);
    for (const r of l.adopted) kept.add(r.adoptId);
    for (const r of [...l.renamed, ...l.changed]) kept.add(r.pk!);
    for (const r of l.replaced) {
      gone.add(r.pk!);
      fresh.push(r.address);
    }
    for (const r of l.removed) gone.add(r.pk!);
    for (const r of l.drifted)
      if (r.gone) fresh.push(r.address);
      else kept.add(r.pk!);
  }
  for (const pk of kept) expect([pk, after.has(pk)]).toEqual([pk, true]);
  for (const pk of gone) expect([pk, after.has(pk)]).toEqual([pk, false]);
  const made = [...after.values()].filter((e) => !before.has(e.pk));
  expect(made.map((e) => canonicalAddress(e.ip_address)).sort()).toEqual([...fresh].sort());
  const lost = [...before.keys()].filter((pk) => !after.has(pk));
  expect(lost.sort()).toEqual([...gone].sort());
}

async function previewReview(p: Project, args: string[] = []) {
  const r = await p.ok(["preview", "--json", ...args]);
  const file = path.join(p.dir, "preview.json");
  fs.writeFileSync(file, r.stdout);
  // The review as CI runs it: the command the package installs, on the file the preview wrote.
  const cli = path.join(p.dir, "node_modules", ".bin", "cloudlock-pulumi");
  let code = 0;
  let markdown: string;
  try {
    markdown = execFileSync(cli, ["review", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { status: number; stdout: string };
    code = err.status;
    markdown = err.stdout;
  }
  const digest = JSON.parse(r.stdout) as { diagnostics?: { message: string }[] };
  /** Every diagnostic of the preview that forecasts a refusal (on any step, not only the review's rows). */
  const failing = (digest.diagnostics ?? []).filter((d) => d.message.includes("will fail at `pulumi up`"));
  return { review: reviewPreview(digest), markdown, code, failing };
}

const count = (r: Review, key: keyof Review["libraries"]["trusted"]) =>
  r.libraries.trusted[key].length + r.libraries.suspicious[key].length;

describe.each(Object.entries(ROUTES))("%s", (label, route) => {
  test("every row says what up will do, and up does exactly that; what up refuses is red at preview", async () => {
    const { emu } = suite;
    emu.reset();
    const dir = projectFolder("examples/offices", `routes-${Object.keys(ROUTES).indexOf(label)}`, {
      deps: route.deps,
      files: route.files(1, ""),
    });
    folders.push(dir);
    const bin = path.join(installed(route.deps), "node_modules", ".bin");
    const env = { PATH: [path.join(pulumiRoot(), "bin"), bin, process.env.PATH].join(path.delimiter) };
    const p = await project(dir, "dev", { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN }, env);
    const write = (v: Version, oldPk: string) => {
      for (const [f, text] of Object.entries(route.files(v, oldPk)))
        fs.writeFileSync(path.join(dir, f), text);
    };
    await p.ok(["up", "--yes"]);
    const oldPk = at(library(emu), "10.0.0.4")[0].pk;

    // Version 2: one of each kind of change, and an entry made by hand that the set adopts.
    emu.seed("trusted", [{ name: "By hand", ip_address: "10.1.0.9" }]);
    write(2, oldPk);
    const v2 = await previewReview(p);
    expect(v2.code).toBe(0);
    expect({
      added: count(v2.review, "added"),
      adopted: count(v2.review, "adopted"),
      renamed: count(v2.review, "renamed"),
      changed: count(v2.review, "changed"),
      replaced: count(v2.review, "replaced"),
      removed: count(v2.review, "removed"),
      willFail: v2.review.needsHuman.willFail.length,
    }).toEqual({ added: 2, adopted: 1, renamed: 1, changed: 2, replaced: 1, removed: 2, willFail: 0 });
    const renamed = v2.review.libraries.trusted.renamed[0];
    expect(renamed).toMatchObject({ pk: oldPk, address: "10.0.0.4" });
    expect(renamed.changes.length > 0).toBe(route.renameChanges);
    expect(v2.markdown).toMatch(/\| Lima \| 10\.1\.0\.4 \| TrustedIpSet "offices" \| create a new entry \|/);
    expect(v2.markdown).toMatch(
      /\| Made by hand \| 10\.1\.0\.9 \| TrustedIpSet "offices" \| take over entry \w+/,
    );
    expect(v2.markdown).toContain(`keep entry ${oldPk}`);
    expect(v2.markdown).not.toContain("Will fail");
    // Nor does the preview warn of one: a replacement's own old entry (deleted first) is not in its way.
    expect(v2.failing).toEqual([]);
    let before = library(emu);
    await p.ok(["up", "--yes"]);
    expectUpDid(v2.review, before, library(emu));

    // Version 3: a create at an address held elsewhere, and a rename that would recreate its own entry.
    const [elsewhere] = emu.seed("trusted", [{ name: "Elsewhere", ip_address: "10.0.0.8" }]);
    const vpn = at(library(emu), "10.0.0.2")[0].pk;
    write(3, oldPk);
    const v3 = await previewReview(p);
    expect(v3.code).toBe(3);
    const failing = v3.review.needsHuman.willFail;
    expect(failing.map((f) => [f.entry.address, f.renamedFrom !== undefined])).toEqual([
      ["10.0.0.2", true],
      ["10.0.0.8", false],
    ]);
    expect(failing[0].entry.pk).toBe(vpn);
    expect(failing[1].reason).toContain(`entry ${elsewhere.pk}`);
    expect(v3.markdown).toContain("Rename will fail at `up`");
    expect(v3.markdown).toContain(
      label.startsWith("a declareLibrary") ? "add to the record: `renamedFrom: trusted-vpn`" : "aliases",
    );
    expect(count(v3.review, "removed")).toBe(0);
    before = library(emu);
    const refused = await p.run(["up", "--yes"]);
    expect(refused.code).not.toBe(0);
    // Nothing up refused was made, and the entry the rename would have recreated is still there.
    expect([...library(emu).keys()].sort()).toEqual([...before.keys()].sort());

    // Back to version 2, then edits by hand: a drift report, and `up --refresh` does what it says.
    write(2, oldPk);
    emu.remove("trusted", [elsewhere.pk]);
    await p.ok(["up", "--yes"]);
    const now = library(emu);
    emu.edit("trusted", at(now, "10.0.0.1")[0].pk, { description: "edited by hand" });
    emu.remove("trusted", [at(now, "10.0.0.5")[0].pk]);
    emu.edit("trusted", at(now, "10.1.0.3")[0].pk, { name: "Oslo by hand" });
    const drift = await previewReview(p, ["--refresh"]);
    const rows = drift.review.libraries.trusted.drifted.map((d) => [d.address, d.gone, d.up]);
    expect(rows).toEqual([
      ["10.0.0.1", false, "set it back"],
      ["10.0.0.5", true, "create it again"],
      ["10.1.0.3", false, "set it back"],
    ]);
    expect(count(drift.review, "changed") + count(drift.review, "added")).toBe(0);
    before = library(emu);
    await p.ok(["up", "--refresh", "--yes"]);
    expectUpDid(drift.review, before, library(emu));
    expect(at(library(emu), "10.0.0.1")[0].description).toBe("b");
    await p.ok(["preview", "--refresh", "--expect-no-changes"]);
  });
});

test("the preview's look-ups of N new entries cost the read rule's GETs, not a listing per resource", async () => {
  const { emu } = suite;
  emu.reset();
  const library = emu.seed(
    "trusted",
    addresses(1000, 31).map((ip, i) => ({ name: `lib${i}`, ip_address: ip })),
  );
  const held = library[640];
  const wanted = [...addresses(119, 62), held.ip_address];
  const s = await engineStack(suite.base, "forecast-gets", emu, TOKEN, async () => {
    wanted.forEach((ip, i) => new cloudlock.TrustedIp(`n${i}`, { name: `New ${i}`, ipAddress: ip }));
  });
  emu.clearRequests();
  const preview = await s.stack.preview(s.io);
  // Every entry, and the stack itself.
  expect(preview.changeSummary.create).toBe(wanted.length + 1);
  // The one new entry whose address is held is forecast, naming the entry that holds it.
  expect(s.output()).toContain(
    `will fail at \`pulumi up\`: ${held.ip_address} is already held by entry ${held.pk}`,
  );
  const pages = Math.ceil(library.length / 100);
  let searchesAllowed = 0;
  while (nextRead({ pages, searches: searchesAllowed, pending: 1 }) === "search") searchesAllowed++;
  expect(writes(emu)).toBe(0);
  expect(gets(emu)).toBeLessThanOrEqual(1 + searchesAllowed + pages + 1);
});
