/**
 * `cloudlock-pulumi import` and `csv-to-code` against the emulator over
 * real HTTP: the generated code compiles, is deterministic, names are
 * unique, nothing is lost or duplicated, exit codes and messages are right.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import { main } from "../../cli/main";
import type { Emulator } from "../../emulator";
import { sameValue } from "../../provider/dynamic/schema";
import type { CollectionName, IpEntry } from "../../provider/client/types";
import { checkLibraryData, EntryRecord, readLibraryFile } from "../../sdk";
import { clientFor, startEmulator, TOKEN } from "../helpers/emulator";
import { mixedLibrary } from "../helpers/library";

const ROOT = path.resolve(__dirname, "../..");
let emu: Emulator;
let tmp: string;

beforeAll(async () => {
  emu = await startEmulator({ knobs: { expired: "keep" } });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-cli-"));
});
afterAll(async () => {
  await emu.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => emu.reset());

/** Run the command in-process, as the bin does. */
async function run(args: string[], env: NodeJS.ProcessEnv = { CLOUDLOCK_API_TOKEN: TOKEN }) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { CLOUDLOCK_API_URL: emu.apiUrl, ...env },
    tty: false,
  });
  return { code, stdout, stderr };
}

function seedMixed() {
  const trusted = emu.seed("trusted", mixedLibrary(160));
  const suspicious = emu.seed("suspicious", mixedLibrary(110, { suspicious: true, expiredEvery: 10 }));
  return { trusted, suspicious };
}

/** Type-check a generated module against the SDK, as a user's `tsc` would. */
function compile(code: string): string[] {
  const file = path.join(tmp, `generated-${Date.now()}.ts`);
  fs.writeFileSync(file, code);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(ROOT, "node_modules/@types")],
    baseUrl: ROOT,
    paths: { "pulumi-cloudlock": ["./sdk"] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** Every field of an entry, compared as Cloudlock means it, against a record. */
function expectRecordMatches(kind: CollectionName, r: EntryRecord, e: IpEntry) {
  expect(r.adoptId).toBe(e.pk);
  expect(r.name).toBe(e.name);
  expect(r.ipAddress).toBe(e.ip_address);
  expect(sameValue("categories", r.categories ?? [], e.categories)).toBe(true);
  expect(r.description ?? "").toBe(e.description ?? "");
  if (kind === "suspicious")
    expect(sameValue("expiresOn", r.expiresOn ?? null, e.expires_on ?? null)).toBe(true);
}

describe("import", () => {
  test("270 mixed entries: every live entry declared once with its values, expired ones commented out and counted", async () => {
    const lib = seedMixed();
    const expired = lib.suspicious.filter((e) => e.expires_on && Date.parse(e.expires_on) < Date.now());
    expect(expired.length).toBe(11);

    const res = await run(["import", "--collection", "all", "--format", "yaml"]);
    expect(res.code).toBe(0);
    const data = checkLibraryData(yaml.load(res.stdout), "generated");
    for (const kind of ["trusted", "suspicious"] as const) {
      const live = lib[kind].filter((e) => !expired.includes(e));
      const records = data[kind]!;
      expect(records.map((r) => r.adoptId).sort()).toEqual(live.map((e) => e.pk).sort());
      for (const r of records)
        expectRecordMatches(
          kind,
          r,
          live.find((e) => e.pk === r.adoptId)!,
        );
    }
    // Skipped entries are in the file, commented out, each after its reason.
    for (const e of expired) expect(res.stdout).toContain(`#   adoptId: ${e.pk}`);
    expect(res.stdout.match(/# Skipped: expiresOn .* has passed/g)).toHaveLength(expired.length);
    expect(res.stderr).toContain(
      "259 entries declared for adoption (160 trusted, 99 suspicious), 11 skipped: 11 invalid expiresOn (written commented out)",
    );
  });

  test("--format pulumi: a `pulumi import --file` file naming every live entry once by its pk, under the names the other formats use", async () => {
    const lib = seedMixed();
    const now = Date.now();
    const live = (kind: CollectionName) =>
      lib[kind].filter((e) => !(e.expires_on && Date.parse(e.expires_on) < now));
    const file = await run(["import", "--collection", "all", "--format", "pulumi"]);
    expect(file.code).toBe(0);
    const { resources } = JSON.parse(file.stdout) as {
      resources: { type: string; name: string; id: string }[];
    };
    const yamlData = checkLibraryData(
      yaml.load((await run(["import", "--collection", "all", "--format", "yaml"])).stdout),
      "generated",
    );
    for (const [kind, type] of [
      ["trusted", "cloudlock:index:TrustedIp"],
      ["suspicious", "cloudlock:index:SuspiciousIp"],
    ] as const) {
      const mine = resources.filter((r) => r.type === type);
      expect(mine.map((r) => r.id).sort()).toEqual(
        live(kind)
          .map((e) => e.pk)
          .sort(),
      );
      // The same resource names as the data file's records, pk for pk.
      const names = new Map(yamlData[kind]!.map((r) => [r.adoptId, r.resource]));
      for (const r of mine) expect(r.name).toBe(names.get(r.id));
    }
    expect(new Set(resources.map((r) => `${r.type} ${r.name}`)).size).toBe(resources.length);
    expect(resources).toHaveLength(live("trusted").length + live("suspicious").length);
  });

  test("the TypeScript module compiles against the SDK and declares every entry under a unique, readable name", async () => {
    const lib = seedMixed();
    const res = await run(["import", "--collection", "all"]);
    expect(res.code).toBe(0);
    expect(compile(res.stdout)).toEqual([]);
    const names = [
      ...res.stdout.matchAll(/^ {2}"([^"]+)": new cloudlock\.(TrustedIp|SuspiciousIp)\("([^"]+)"/gm),
    ];
    expect(names).toHaveLength(259);
    for (const [, key, , name] of names) expect(key).toBe(name);
    expect(new Set(names.map((m) => m[1])).size).toBe(names.length);
    for (const [, name] of names) expect(name).toMatch(/^(trusted|suspicious)-[a-z0-9-]+$/);
    // Entries that share a name are told apart by their address.
    const shared = lib.trusted.filter((e) => e.name === "Shared name");
    expect(shared.length).toBeGreaterThan(1);
    expect(res.stdout).toContain('"trusted-shared-name-20-1-0-9"');
    // Odd characters survive as exact string literals.
    expect(res.stdout).toContain('"line\\u2028separator"');
    expect(res.stdout).toContain('"${notATemplate}"');
  });

  test("the same library always yields the same file, whatever order the server lists it in", async () => {
    const lib = seedMixed();
    const first = await run(["import", "--collection", "all"]);
    const again = await run(["import", "--collection", "all"]);
    expect(again.stdout).toBe(first.stdout);
    // Same entries (same pks), stored in reverse order.
    emu.reset();
    emu.seed("suspicious", [...lib.suspicious].reverse());
    emu.seed("trusted", [...lib.trusted].reverse());
    expect(emu.entries("trusted")[0].pk).toBe(lib.trusted[lib.trusted.length - 1].pk);
    const reversed = await run(["import", "--collection", "all"]);
    expect(reversed.stdout).toBe(first.stdout);
  });

  test("lists every page through the client, with progress on stderr once per listing and output to --out", async () => {
    seedMixed();
    const out = path.join(tmp, "trusted.yaml");
    emu.clearRequests();
    const res = await run(["import", "--collection", "trusted", "--format", "yaml", "--out", out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("");
    expect(res.stderr.match(/^trusted: .*$/gm)).toEqual(["trusted: listed 160 entries"]);
    expect(res.stderr).toContain(`wrote ${out}`);
    // Two walks of three pages (the last one empty: a page cut short of its limit does not end a walk here): a
    // file is written only from a listing two walks in a row agree on.
    expect(emu.requests().counters.byRoute["GET /ip/trusted"]).toBe(6);
    expect(readLibraryFile(out).trusted).toHaveLength(160);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("--q and --name narrow the listing; --format json is library data with skipped entries and reasons", async () => {
    emu.seed("trusted", [
      { name: "Berlin office", ip_address: "198.51.100.1", categories: ["office"] },
      { name: "Dublin office", ip_address: "198.51.100.2" },
      { name: "VPN", ip_address: "192.0.2.1", categories: ["office"] },
    ]);
    const byName = await run(["import", "--collection", "trusted", "--name", "office", "--format", "json"]);
    const names = (JSON.parse(byName.stdout).trusted as EntryRecord[]).map((r) => r.name).sort();
    expect(names).toEqual(["Berlin office", "Dublin office"]);
    const byQ = await run(["import", "--collection=trusted", "--q=office", "--format=json"]);
    expect((JSON.parse(byQ.stdout).trusted as EntryRecord[]).map((r) => r.name).sort()).toEqual([
      "Berlin office",
      "Dublin office",
      "VPN",
    ]);
    expect(byQ.stdout).toContain('--q \\"office\\"');

    emu.seed("suspicious", [{ name: "Old", ip_address: "203.0.113.1", expires_on: "2020-01-01T00:00:00Z" }]);
    const json = JSON.parse((await run(["import", "--collection", "suspicious", "--format", "json"])).stdout);
    expect(json.suspicious).toEqual([]);
    expect(json.skipped).toEqual([
      expect.objectContaining({
        collection: "suspicious",
        reason: expect.stringMatching(/^expiresOn .* has passed/),
      }),
    ]);
    const file = path.join(tmp, "s.json");
    fs.writeFileSync(file, JSON.stringify(json));
    expect(readLibraryFile(file)).toEqual({ suspicious: [] });
  });

  test("exit codes: 2 for usage and configuration, 1 for API errors with the server's message", async () => {
    const usage = await run(["import"]);
    expect(usage).toMatchObject({ code: 2, stdout: "" });
    expect(usage.stderr).toContain("--collection is required (trusted, suspicious, all)");
    expect(usage.stderr).toContain('Run "cloudlock-pulumi import --help" for usage.');
    expect((await run(["import", "--collection", "both"])).stderr).toContain(
      '--collection must be one of trusted, suspicious, all, got "both"',
    );
    expect((await run(["import", "--collection", "all", "--limit", "5"])).code).toBe(2);
    expect((await run(["frobnicate"])).stderr).toContain('unknown command "frobnicate"');
    expect((await run([])).code).toBe(2);

    const noToken = await run(["import", "--collection", "all"], {});
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("CLOUDLOCK_API_TOKEN");

    const http = await run([
      "import",
      "--collection",
      "all",
      "--api-url",
      "http://cloudlock.example.com/api/v2",
    ]);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain("plain http to a non-loopback host");

    const badToken = "wrong-token-5551234";
    const denied = await run(["import", "--collection", "all"], { CLOUDLOCK_API_TOKEN: badToken });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      /GET \/ip\/trusted.* returned 401 Unauthorized: the access token is invalid/,
    );
    expect(denied.stderr).not.toContain(badToken);
  });

  test("--help for every subcommand; the built bin runs", () => {
    const bin = path.join(ROOT, "dist/cli/main.js");
    for (const args of [["--help"], ["import", "--help"], ["csv-to-code", "--help"]]) {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: cloudlock-pulumi/);
    }
    const bad = spawnSync(process.execPath, [bin, "import"], { encoding: "utf8", env: {} });
    expect(bad.status).toBe(2);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).bin["cloudlock-pulumi"]).toBe(
      "dist/cli/main.js",
    );
  });
});

describe("import says what it did", () => {
  const FIXTURES = path.join(ROOT, "test/fixtures/state");
  const DYNAMIC = path.join(FIXTURES, "dynamic-stack.json");
  const PLUGIN = path.join(FIXTURES, "plugin-stack.json");
  /** The library those two stacks were made against (engine-made; see test/fixtures/state/README.md). */
  const library = JSON.parse(fs.readFileSync(path.join(FIXTURES, "library.json"), "utf8")) as Record<
    CollectionName,
    IpEntry[]
  >;
  /** The entries each stack manages, by name, as written in its program (not read back by the code under test). */
  const BY_DYNAMIC = {
    trusted: ["HQ Berlin", "Old VPN", "SaaS egress A", "SaaS egress B"],
    suspicious: ["Botnet C2", "Feed 1", "Feed 2"],
  };
  const BY_PLUGIN = { trusted: ["Paris office", "CRM egress"], suspicious: ["Scanner", "Feed 3"] };
  /** Entries nobody manages: a read-only `TrustedIp.get` in the dynamic stack, and two made by hand. */
  const UNMANAGED = { trusted: ["Partner range", "Hand-made A"], suspicious: ["Hand-made B"] };

  function seedFixtureLibrary() {
    emu.seed("trusted", [...library.trusted, { name: "Hand-made A", ip_address: "192.0.2.150" }]);
    emu.seed("suspicious", [...library.suspicious, { name: "Hand-made B", ip_address: "192.0.2.151" }]);
  }
  const declaredNames = (stdout: string) => {
    const data = JSON.parse(stdout) as Record<CollectionName, EntryRecord[] | undefined>;
    return {
      trusted: (data.trusted ?? []).map((r) => r.name).sort(),
      suspicious: (data.suspicious ?? []).map((r) => r.name).sort(),
    };
  };
  const without = (all: IpEntry[], ...managed: string[][]) =>
    all.map((e) => e.name).filter((n) => !managed.some((m) => m.includes(n)));

  test("the fixtures are what they claim: both families, per-entry and sets, and a read-only resource", () => {
    const types = (f: string) =>
      (JSON.parse(fs.readFileSync(f, "utf8")).deployment.resources as { type: string; external?: boolean }[])
        .filter((r) => !r.type.startsWith("pulumi:"))
        .map((r) => `${r.type}${r.external ? " (read)" : ""}`)
        .sort();
    expect(types(DYNAMIC)).toEqual([
      "pulumi-nodejs:dynamic/cloudlock:SuspiciousIp",
      "pulumi-nodejs:dynamic/cloudlock:SuspiciousIpSet",
      "pulumi-nodejs:dynamic/cloudlock:TrustedIp",
      "pulumi-nodejs:dynamic/cloudlock:TrustedIp",
      "pulumi-nodejs:dynamic/cloudlock:TrustedIp (read)",
      "pulumi-nodejs:dynamic/cloudlock:TrustedIpSet",
    ]);
    expect(types(PLUGIN)).toEqual([
      "cloudlock:index:SuspiciousIp",
      "cloudlock:index:SuspiciousIpSet",
      "cloudlock:index:TrustedIp",
      "cloudlock:index:TrustedIpSet",
    ]);
    const names = (k: CollectionName) => library[k].map((e) => e.name).sort();
    expect(names("trusted")).toEqual(
      [...BY_DYNAMIC.trusted, ...BY_PLUGIN.trusted, ...UNMANAGED.trusted.slice(0, 1)].sort(),
    );
    expect(names("suspicious")).toEqual([...BY_DYNAMIC.suspicious, ...BY_PLUGIN.suspicious].sort());
  });

  test("--exclude-state (repeatable) leaves out what two real stack exports manage, per-entry and set alike, and counts it", async () => {
    seedFixtureLibrary();
    const all = await run(["import", "--collection", "all", "--format", "json"]);
    expect(declaredNames(all.stdout).trusted).toHaveLength(library.trusted.length + 1);

    const res = await run([
      "import",
      "--collection",
      "all",
      "--format",
      "json",
      "--exclude-state",
      DYNAMIC,
      `--exclude-state=${PLUGIN}`,
    ]);
    expect(res.code).toBe(0);
    expect(declaredNames(res.stdout)).toEqual({
      trusted: [...UNMANAGED.trusted].sort(),
      suspicious: [...UNMANAGED.suspicious].sort(),
    });
    expect(res.stderr).toContain(
      "11 entries left out (6 trusted, 5 suspicious): already managed by the stack state in dynamic-stack.json, plugin-stack.json\n",
    );
    expect(res.stderr).toContain("3 entries declared for adoption (2 trusted, 1 suspicious), 0 skipped\n");
    expect(JSON.parse(res.stdout).comment).toContain("Left out: 11 entries the stack state already manages.");

    // One stack's state: only its entries are left out; one library: only that library is counted.
    const one = await run([
      "import",
      "--collection",
      "trusted",
      "--format",
      "json",
      "--exclude-state",
      PLUGIN,
    ]);
    expect(declaredNames(one.stdout).trusted).toEqual(
      without([...library.trusted, { name: "Hand-made A" } as IpEntry], BY_PLUGIN.trusted).sort(),
    );
    expect(one.stderr).toContain(
      "2 entries left out (2 trusted): already managed by the stack state in plugin-stack.json\n",
    );
  });

  test("the state may come on stdin (`pulumi stack export | ... --exclude-state -`)", async () => {
    seedFixtureLibrary();
    let stdout = "";
    let stderr = "";
    const code = await main(
      ["import", "--collection", "suspicious", "--format", "json", "--exclude-state", "-"],
      {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        env: { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN },
        tty: false,
        stdinTty: false,
        readStdin: async () => fs.readFileSync(DYNAMIC, "utf8"),
      },
    );
    expect(code).toBe(0);
    expect(declaredNames(stdout).suspicious).toEqual(
      without([...library.suspicious, { name: "Hand-made B" } as IpEntry], BY_DYNAMIC.suspicious).sort(),
    );
    expect(stderr).toContain(
      "3 entries left out (3 suspicious): already managed by the stack state in stdin\n",
    );
    expect(stdout).toContain("--exclude-state -");
  });

  test("a set's entries exported as a secret: read with --show-secrets, refused (naming it) when encrypted", async () => {
    seedFixtureLibrary();
    const doc = JSON.parse(fs.readFileSync(PLUGIN, "utf8"));
    const set = doc.deployment.resources.find(
      (r: { type: string }) => r.type === "cloudlock:index:TrustedIpSet",
    );
    const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
    set.outputs.entries = { ...SIG, plaintext: JSON.stringify(set.outputs.entries) };
    const shown = path.join(tmp, "shown.json");
    fs.writeFileSync(shown, JSON.stringify(doc));
    const ok = await run(["import", "--collection", "trusted", "--format", "json", "--exclude-state", shown]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("2 entries left out (2 trusted)");

    set.outputs.entries = { ...SIG, ciphertext: "v1:AAAA:BBBB" };
    const hidden = path.join(tmp, "hidden.json");
    fs.writeFileSync(hidden, JSON.stringify(doc));
    emu.clearRequests();
    const refused = await run(["import", "--collection", "trusted", "--exclude-state", hidden]);
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toBe(
      `cloudlock-pulumi: --exclude-state ${hidden}: ${set.urn} outputs.entries is a secret, encrypted in this export: export with \`pulumi stack export --show-secrets\`\n`,
    );
    expect(emu.requests().counters.byRoute["GET /ip/trusted"]).toBeUndefined();
  });

  test.each([
    ["not JSON", "Resources:\n    + 6 created\n", /it is not JSON \(/],
    ["empty", "", /it is empty$/],
    ["a JSON list", "[]", /it is a JSON list$/],
    [
      "preview JSON",
      JSON.stringify({ steps: [], changeSummary: {} }),
      /no "deployment" object; it looks like `pulumi preview --json` output$/,
    ],
    [
      "a checkpoint",
      JSON.stringify({ version: 3, checkpoint: { stack: "x", latest: {} } }),
      /no "deployment" object; it looks like a state backend's checkpoint file$/,
    ],
    ["no version", JSON.stringify({ deployment: {} }), /no numeric "version"$/],
    [
      "a future version",
      JSON.stringify({ version: 4, deployment: {} }),
      /its version 4 is not one this command reads \(1, 2, 3\)$/,
    ],
    [
      "resources not a list",
      JSON.stringify({ version: 3, deployment: { resources: {} } }),
      /"deployment.resources" is not a list$/,
    ],
    [
      "a resource without a type",
      JSON.stringify({ version: 3, deployment: { resources: [{ urn: "u" }] } }),
      /deployment.resources\[0\] is not a resource \(no "type"\)$/,
    ],
  ])(
    "a file that is not a stack export (%s): exit 1, one line naming the file, before any request",
    async (_label, text, why) => {
      const file = path.join(tmp, "not-state.json");
      fs.writeFileSync(file, text);
      emu.clearRequests();
      const res = await run(["import", "--collection", "all", "--exclude-state", file]);
      expect(res).toMatchObject({ code: 1, stdout: "" });
      expect(res.stderr.split("\n")).toEqual([expect.any(String), ""]);
      expect(res.stderr).toMatch(
        new RegExp(
          `^cloudlock-pulumi: --exclude-state ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not a stack export \\(the output of \`pulumi stack export\`\\): `,
        ),
      );
      expect(res.stderr.trimEnd()).toMatch(why);
      expect(emu.requests().counters.byMethod.GET).toBeUndefined();
    },
  );

  test("a missing state file, an empty value and stdin twice are refused", async () => {
    const missing = path.join(tmp, "nope.json");
    expect(await run(["import", "--collection", "all", "--exclude-state", missing])).toMatchObject({
      code: 1,
      stderr: `cloudlock-pulumi: cannot read --exclude-state ${missing}: ENOENT\n`,
    });
    const empty = await run(["import", "--collection", "all", "--exclude-state="]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--exclude-state needs a value");
    const twice = await run([
      "import",
      "--collection",
      "all",
      "--exclude-state",
      "-",
      "--exclude-state",
      "-",
    ]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("--exclude-state - (stdin) can be given once");
  });

  test("a stack with no resources yet leaves nothing out, and says so", async () => {
    seedFixtureLibrary();
    const file = path.join(tmp, "new-stack.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 3, deployment: { manifest: {}, secrets_providers: {} } }),
    );
    const res = await run(["import", "--collection", "trusted", "--format", "json", "--exclude-state", file]);
    expect(res.code).toBe(0);
    expect(declaredNames(res.stdout).trusted).toHaveLength(library.trusted.length + 1);
    expect(res.stderr).toContain("0 entries left out (0 trusted)");
  });

  test("when every listed entry is managed already, it says so (not that the library is empty)", async () => {
    emu.seed("suspicious", library.suspicious);
    const res = await run([
      "import",
      "--collection",
      "suspicious",
      "--exclude-state",
      DYNAMIC,
      "--exclude-state",
      PLUGIN,
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("every listed entry is already managed by a stack: nothing to adopt\n");
    expect(res.stderr).not.toContain("empty");
  });

  test("progress once per listing, and a summary that says Cloudlock was not changed (it was not)", async () => {
    emu.seed("trusted", mixedLibrary(6));
    emu.seed("suspicious", mixedLibrary(6, { suspicious: true }));
    emu.clearRequests();
    const res = await run(["import", "--collection", "all", "--out", path.join(tmp, "adopt.ts")]);
    expect(res.code).toBe(0);
    // Two walks of each library (a file is written only from a listing two walks agree on), one line each.
    expect(emu.requests().counters.byRoute["GET /ip/trusted"]).toBe(4);
    expect(res.stderr.match(/^(trusted|suspicious): .*$/gm)).toEqual([
      "trusted: listed 6 entries",
      "suspicious: listed 6 entries",
    ]);
    expect(res.stderr).not.toMatch(/adopted/);
    expect(res.stderr).toContain("12 entries declared for adoption (6 trusted, 6 suspicious), 0 skipped\n");
    expect(res.stderr).toMatch(
      /\nNothing was changed in Cloudlock: import only read the library and wrote code\. The first `pulumi up` of a program that declares them adopts the entries \(and creates none\)\.\n$/,
    );
    expect(Object.keys(emu.requests().counters.byMethod)).toEqual(["GET"]);

    const pulumiFile = await run(["import", "--collection", "trusted", "--format", "pulumi"]);
    expect(pulumiFile.stderr).toContain("`pulumi import --file` with that file adopts the entries.");

    // On a terminal the line grows in place (\r) and ends once per listing.
    let tty = "";
    await main(["import", "--collection", "trusted", "--format", "json"], {
      stdout: () => undefined,
      stderr: (s) => (tty += s),
      env: { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN },
      tty: true,
    });
    expect(tty).toContain("\r\x1b[Ktrusted: listing, 1 page read");
    expect(tty.match(/trusted: listed 6 entries\n/g)).toHaveLength(1);
    const quiet = await run(["import", "--collection", "trusted", "--quiet"]);
    expect(quiet.stderr).not.toContain("listed");
    expect(quiet.stderr).toContain("Nothing was changed in Cloudlock");
  });
});

describe("csv-to-code", () => {
  const SPEC: Record<CollectionName, string> = {
    suspicious: [
      "Type,Description,TTL,IP",
      "Internal ELK,Jia Inc-20987,3/25/2096,192.168.1.15",
      "Internal ELK,Jia Inc-20555,3/24/2096,192.168.7.5-192.168.7.10",
      'SIEM,SF 00005958,,"10.136.0.11,10.45.160.1,10.152.128.155"',
    ].join("\n"),
    trusted: [
      "Name,Description,Type,Ip",
      "Brussel Office,Range IPs of Brussel Office,Remote office,192.168.7.5-192.168.7.10",
      "Germany Office,Single IP of Germany Office,Remote office,192.168.15.68",
      'Spain Office,Multiple IPs of Spain office,Remote office,"10.136.0.11,10.45.160.1,10.152.128.155"',
      "Lucidchart,Dev tool,Remote App,198.168.1.65",
    ].join("\r\n"),
  };

  test.each(["suspicious", "trusted"] as const)(
    "the spec's %s sample converts to exactly what the emulator's CSV import creates",
    async (kind) => {
      const file = path.join(tmp, `${kind}.csv`);
      fs.writeFileSync(file, SPEC[kind]);
      const res = await run(["csv-to-code", "--collection", kind, "--format", "yaml", file]);
      expect(res.code).toBe(0);
      const records = checkLibraryData(yaml.load(res.stdout))[kind]!;

      await clientFor(emu)[kind].importCsv(SPEC[kind]);
      const imported = emu.entries(kind);
      expect(records).toHaveLength(imported.length);
      for (const r of records) {
        expect(r.adoptId).toBeUndefined();
        const e = imported.find((x) => x.ip_address === r.ipAddress)!;
        expectRecordMatches(kind, { ...r, adoptId: e.pk }, e);
      }
      expect(new Set(records.map((r) => r.resource)).size).toBe(records.length);

      const tsOut = await run(["csv-to-code", "--collection", kind, file]);
      expect(compile(tsOut.stdout)).toEqual([]);
      expect(tsOut.stdout).not.toContain("adoptId");
    },
  );

  test("rows the SDK would refuse or the API would reject as duplicates are commented out with the reason", async () => {
    const file = path.join(tmp, "feed.csv");
    fs.writeFileSync(
      file,
      [
        "Type,Description,TTL,IP",
        "Old feed,expired,1/2/2020,203.0.113.1",
        'Feed,dup,,"203.0.113.2,203.0.113.2/32"',
        "Feed,bad address,,203.0.113.300",
      ].join("\n"),
    );
    const res = await run(["csv-to-code", "--collection", "suspicious", file]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/\/\/ Skipped: expiresOn 2020-01-02T00:00:00.000Z has passed/);
    expect(res.stdout).toMatch(
      /\/\/ Skipped: ipAddress 203.0.113.2\/32 is already declared by "suspicious-feed-203-0-113-2-line-3"/,
    );
    expect(res.stdout).toMatch(/\/\/ Skipped: ipAddress .*203\.0\.113\.300/);
    expect(res.stderr).toContain("1 entry declared (1 suspicious), 3 skipped");
    expect(compile(res.stdout)).toEqual([]);
  });

  test("malformed CSV and missing files: exit 1 or 2 with the line at fault", async () => {
    const file = path.join(tmp, "bad.csv");
    fs.writeFileSync(file, "Name,Description,Type,Ip\nA,b,c,1.2.3.4\nB,,,\n");
    const bad = await run(["csv-to-code", "--collection", "trusted", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file}: CSV line 3: the IP cell is empty`);
    fs.writeFileSync(file, "Type,Description,TTL,IP\n");
    expect((await run(["csv-to-code", "--collection", "trusted", file])).stderr).toContain(
      "must have columns Name,Description,Type,Ip; missing Name",
    );
    const missing = await run(["csv-to-code", "--collection", "trusted", path.join(tmp, "nope.csv")]);
    // A missing input file is a failure (exit 1, as in review), not a bad command line: this said 2 before.
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`cloudlock-pulumi: cannot read ${path.join(tmp, "nope.csv")}: ENOENT\n`);
    expect((await run(["csv-to-code", "--collection", "all", file])).code).toBe(2);
  });
});

describe("import never writes a partial or empty result over a file (#14)", () => {
  const out = () => path.join(tmp, "kept.ts");
  beforeEach(() => fs.writeFileSync(out(), "// what the user had\n"));

  test.each(["html", "empty-object", "truncated"] as const)(
    "a listing answered %s: exit 1, the reason, the file untouched",
    async (badAnswer) => {
      emu.seed("trusted", mixedLibrary(30));
      emu.setKnobs({ badAnswerRate: 1, badAnswer });
      const res = await run(["import", "--collection", "trusted", "--out", out()]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        /GET \/ip\/trusted\?offset=0&limit=100 answered 200 with .*not the documented shape/,
      );
      expect(fs.readFileSync(out(), "utf8")).toBe("// what the user had\n");
      expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    },
  );

  test("a total that is too low: every page is still read (170 declarations, not 85)", async () => {
    emu.seed("trusted", mixedLibrary(170));
    emu.setKnobs({ listTotal: "low" });
    const res = await run(["import", "--collection", "trusted", "--format", "json"]);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as { trusted: unknown[] }).trusted).toHaveLength(170);
  });

  test("an empty library proved by a complete listing is written, and the summary says so", async () => {
    const res = await run(["import", "--collection", "trusted", "--out", out()]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/the trusted library is empty \(complete listing\)/);
  });
});

describe("hostile file names and flags reach generated code only as comment text (#14)", () => {
  const PAYLOAD = "require('fs').writeFileSync('pwned', 'x')";
  /** Code with its comments removed: what would run. */
  const executable = (code: string) =>
    ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, removeComments: true } })
      .outputText;

  test("csv-to-code of a file whose path closes comments and lines: compiles, and the payload never runs", async () => {
    // A folder ending in "*" puts "*/" in the path; the name holds a newline, U+2028, U+2029 and an RTL override.
    const dir = path.join(tmp, "evil*");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `x\n${PAYLOAD}\u2028${PAYLOAD}\u2029\u202e${PAYLOAD} \u0085.csv`);
    fs.writeFileSync(file, "Name,Description,Type,Ip\nOffice,HQ,Remote office,192.0.2.7\n");
    for (const format of ["ts", "yaml", "json"] as const) {
      const res = await run(["csv-to-code", "--collection", "trusted", "--format", format, file]);
      expect(res.code).toBe(0);
      if (format === "ts") {
        expect(compile(res.stdout)).toEqual([]);
        expect(executable(res.stdout)).not.toContain("pwned");
      } else {
        const data = format === "yaml" ? yaml.load(res.stdout) : JSON.parse(res.stdout);
        expect(checkLibraryData(data).trusted!.map((r) => r.ipAddress)).toEqual(["192.0.2.7"]);
        // The name lands in text only: the header comment (a JSON string) or YAML comments.
        expect(Object.keys(data).filter((k) => k !== "comment")).toEqual(["trusted"]);
        expect(["string", "undefined"]).toContain(typeof data.comment);
      }
    }
  });

  test("import --q and --name that close comments: the same", async () => {
    emu.seed("trusted", [{ name: "Office */ x", ip_address: "192.0.2.8" }]);
    const q = `*/\n${PAYLOAD}\u2028/*`;
    const res = await run(["import", "--collection", "trusted", "--q", "192.0.2.8", "--name", "Office */"]);
    expect(res.code).toBe(0);
    expect(compile(res.stdout)).toEqual([]);
    const hostile = await run(["import", "--collection", "trusted", "--q", q]);
    expect(hostile.code).toBe(0);
    expect(compile(hostile.stdout)).toEqual([]);
    expect(executable(hostile.stdout)).not.toContain("pwned");
  });

  test("import --exclude-state of a file whose name closes comments and lines: the same", async () => {
    emu.seed("trusted", [{ name: "Office", ip_address: "192.0.2.9" }]);
    // Only the file's base name reaches the header (a name cannot hold "/"); line breaks can end a // comment.
    const state = path.join(tmp, `s*\n${PAYLOAD}\u2028${PAYLOAD}\u2029\u202e.json`);
    fs.writeFileSync(state, JSON.stringify({ version: 3, deployment: {} }));
    const res = await run(["import", "--collection", "trusted", "--exclude-state", state]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("--exclude-state s*");
    expect(compile(res.stdout)).toEqual([]);
    expect(executable(res.stdout)).not.toContain("pwned");
  });
});
