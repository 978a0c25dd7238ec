/**
 * The examples, exercised: the offices and threat-feed programs preview,
 * apply and settle to no changes against the emulator through the real
 * engine.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { declareLibraries } from "../../examples/main";
import { offices } from "../../examples/offices";
import { threatFeedSet } from "../../examples/threat-feed";
import { parseCsv, readLibraryFile, resourceName } from "../../sdk";
import { TOKEN } from "../helpers/emulator";
import { engineStack, engineSuite } from "./helpers";

const root = path.resolve(__dirname, "../..");

const suite = engineSuite("examples");

test("offices: one TrustedIp per data-file entry, names from the data; up then no changes", async () => {
  const rows = readLibraryFile(path.join(root, "examples/offices/offices.yaml")).trusted!;
  const s = await engineStack(suite.base, "offices", suite.emu, TOKEN, async () => {
    offices();
  });
  let out = "";
  const pv = await s.stack.preview({ onOutput: (t) => (out += t), diff: true });
  expect(pv.changeSummary.create).toBe(rows.length + 1);
  for (const r of rows) expect(out).toContain(`cloudlock:TrustedIp::${resourceName("office", r.name)}`);
  await s.stack.up(s.io);
  expect(
    suite.emu
      .entries("trusted")
      .map((e) => e.name)
      .sort(),
  ).toEqual(rows.map((r) => r.name).sort());
  expect(suite.emu.entries("trusted").find((e) => e.name === "HQ Berlin")?.categories).toEqual([
    "office",
    "berlin",
  ]);
  await s.stack.preview({ refresh: true, expectNoChanges: true });
  await s.stack.destroy();
});

test("threat feed: SuspiciousIp with expiry; the main example declares both", async () => {
  const rows = parseCsv(fs.readFileSync(path.join(root, "examples/threat-feed/feed.csv"), "utf8"));
  const s = await engineStack(suite.base, "main", suite.emu, TOKEN, async () => declareLibraries());
  const up = await s.stack.up(s.io);
  expect(up.outputs.suspiciousIds.value).toHaveLength(rows.length);
  expect(suite.emu.entries("suspicious").find((e) => e.name === "TOR exit relay")?.expires_on).toBe(
    "2031-12-31T00:00:00.000000+00:00",
  );
  expect(suite.emu.entries("suspicious").find((e) => e.name === "Scanner range")?.expires_on).toBeNull();
  await s.stack.preview({ refresh: true, expectNoChanges: true });
  await s.stack.destroy();
});

test("threat feed as one SuspiciousIpSet (authoritative): the library ends equal to the feed", async () => {
  suite.emu.reset();
  const rows = parseCsv(fs.readFileSync(path.join(root, "examples/threat-feed/feed.csv"), "utf8"));
  const [manual] = suite.emu.seed("suspicious", [{ name: "Manual block", ip_address: "192.0.2.250" }]);
  const s = await engineStack(suite.base, "feed-set", suite.emu, TOKEN, async () => {
    threatFeedSet(undefined, "authoritative");
  });
  const up = await s.stack.up(s.io);
  expect(up.summary.resourceChanges).toMatchObject({ create: 2 });
  const names = suite.emu.entries("suspicious").map((e) => e.name);
  expect(names.sort()).toEqual(rows.map((r) => r.Name).sort());
  expect(names).not.toContain(manual.name);
  await s.stack.preview({ refresh: true, expectNoChanges: true });
  await s.stack.destroy();
  expect(suite.emu.entries("suspicious")).toEqual([]);
});

test("the root Pulumi project runs the main example", () => {
  const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    runtime: { name: string };
    main: string;
  };
  expect(project.runtime.name).toBe("nodejs");
  expect(fs.readFileSync(path.join(root, project.main), "utf8")).toContain("declareLibraries()");
});
