/**
 * Adoption through the real engine: `cloudlock-pulumi import` writes code for
 * a seeded library, `pulumi up` with it sends no writes and adopts every
 * entry, the next preview is clean, and removing one declaration deletes
 * exactly that entry. There is deliberately no `destroy` of the adopted stack:
 * entries adopted from a live library must survive this test's end.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { main } from "../../cli/main";
import type { IpEntry } from "../../provider/client/types";
import * as ts from "typescript";
import * as sdk from "../../sdk";
import { declareLibrary, readLibraryFile } from "../../sdk";
import { TOKEN } from "../helpers/emulator";
import { mixedLibrary } from "../helpers/library";
import { engineStack, engineSuite, methods, stateIds } from "./helpers";

const suite = engineSuite("import");

async function generate(args: string[], out: string): Promise<void> {
  let err = "";
  const code = await main([...args, "--out", out, "--quiet"], {
    stdout: () => undefined,
    stderr: (s) => (err += s),
    env: { CLOUDLOCK_API_URL: suite.emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN },
    tty: false,
  });
  expect({ code, err }).toMatchObject({ code: 0 });
}

/**
 * Evaluate a generated TypeScript module afresh on every engine run, as a new
 * `pulumi up` process would (Jest's module registry would cache it), with
 * "pulumi-cloudlock" bound to the SDK this test process has loaded.
 */
function loadModule(file: string): Record<string, unknown> {
  const js = ts.transpileModule(fs.readFileSync(file, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const mod = { exports: {} as Record<string, unknown> };
  const req = (id: string) => {
    if (id !== "pulumi-cloudlock")
      throw new Error(`generated code should only import pulumi-cloudlock, not ${id}`);
    return sdk;
  };
  new Function("exports", "require", "module", js)(mod.exports, req, mod);
  return mod.exports;
}

const snapshot = (es: IpEntry[]) => es.map((e) => JSON.stringify(e)).sort();

test("generated code adopts 260 entries with zero writes; preview is clean; removing a declaration deletes exactly that entry", async () => {
  const { emu, base } = suite;
  emu.seed("trusted", mixedLibrary(150));
  emu.seed("suspicious", mixedLibrary(110, { suspicious: true }));
  const before = {
    trusted: snapshot(emu.entries("trusted")),
    suspicious: snapshot(emu.entries("suspicious")),
  };

  // Trusted as a TypeScript module, suspicious as a YAML data file: both formats through the engine.
  const tsFile = path.join(base, "adopted-trusted.ts");
  const yamlFile = path.join(base, "adopted-suspicious.yaml");
  await generate(["import", "--collection", "trusted", "--format", "ts"], tsFile);
  await generate(["import", "--collection", "suspicious", "--format", "yaml"], yamlFile);

  const s = await engineStack(base, "adopted", emu, TOKEN, async () => {
    const trusted = loadModule(tsFile).trusted as Record<string, unknown>;
    const suspicious = declareLibrary(readLibraryFile(yamlFile)).suspicious;
    return { trusted: Object.keys(trusted).length, suspicious: suspicious.length };
  });

  emu.clearRequests();
  const up = await s.stack.up(s.io);
  expect(up.outputs).toMatchObject({ trusted: { value: 150 }, suspicious: { value: 110 } });
  expect(up.summary.resourceChanges).toEqual({ create: 261 });
  // Adoption is reads only: no POST, PUT or DELETE, and a handful of listings for 260 entries.
  const m = methods(emu);
  expect({ POST: m.POST ?? 0, PUT: m.PUT ?? 0, DELETE: m.DELETE ?? 0 }).toEqual({
    POST: 0,
    PUT: 0,
    DELETE: 0,
  });
  // One shared listing per collection: 2 pages each.
  expect(m.GET).toBeLessThanOrEqual(2 + 2 + 2);
  expect({
    trusted: snapshot(emu.entries("trusted")),
    suspicious: snapshot(emu.entries("suspicious")),
  }).toEqual(before);
  // Every entry's pk is the id of exactly one resource.
  const ids = await stateIds(s.stack);
  expect(ids).toEqual([...emu.entries("trusted"), ...emu.entries("suspicious")].map((e) => e.pk).sort());

  const clean = await s.stack.preview({ refresh: true, expectNoChanges: true, diff: true });
  expect(clean.changeSummary).toEqual({ same: 261 });

  // Remove one declaration from the data file: `up` deletes that entry, and only it.
  const data = yaml.load(fs.readFileSync(yamlFile, "utf8")) as { suspicious: { adoptId: string }[] };
  const [gone] = data.suspicious.splice(17, 1);
  fs.writeFileSync(yamlFile, yaml.dump(data));
  emu.clearRequests();
  const removed = await s.stack.up(s.io);
  expect(removed.summary.resourceChanges).toEqual({ delete: 1, same: 260 });
  expect(
    emu
      .requests()
      .log.filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path}${r.query}`),
  ).toEqual([`DELETE /api/v2/ip/suspicious?ids=${gone.adoptId}`]);
  expect(emu.entries("suspicious").map((e) => e.pk)).not.toContain(gone.adoptId);
  expect(emu.entries("suspicious")).toHaveLength(109);
  expect(snapshot(emu.entries("trusted"))).toEqual(before.trusted);
});
