/**
 * The upgrade check: a stack recorded with a released version (test/fixtures/upgrade/TAG/CASE, written by
 * scripts/record-upgrade-fixtures.ts), taken over by the current code in another folder, must see no change,
 * no drift, send no write, and destroy exactly its own entries. Each step returns what went wrong (or undefined),
 * so the same check serves the fixtures, which must pass it, and the altered fixture, which must fail it.
 */
import * as fs from "fs";
import * as path from "path";
import type { Emulator, LibraryDump } from "../../emulator";
import { REPO_ROOT } from "../../scripts/lib/engine";
import { RECORDING_TOKEN, STACK } from "../../scripts/record-upgrade-fixtures";
import { startEmulator } from "../helpers/emulator";
import {
  PULUMI_SDK_VERSION,
  type CliResult,
  type Project,
  TARBALL,
  project,
  projectFolder,
  removeProject,
} from "../helpers/project";
import { writes } from "../helpers/requests";
import { ENGINE_TIMEOUT } from "../engine/helpers";

export const FIXTURES = path.join(REPO_ROOT, "test/fixtures/upgrade");

export interface Fixture {
  tag: string;
  name: string;
  dir: string;
  /** "nodejs" (the dynamic SDK) or "yaml" (the plugin). */
  runtime: "nodejs" | "yaml";
  /** The emulator's clock when it was recorded. */
  clock: string;
}

/** Every recorded fixture, oldest release first. */
export function fixtures(): Fixture[] {
  if (!fs.existsSync(FIXTURES)) return [];
  return fs
    .readdirSync(FIXTURES)
    .filter((tag) => fs.existsSync(path.join(FIXTURES, tag, "recording.json")))
    .sort()
    .flatMap((tag) => {
      const rec = JSON.parse(fs.readFileSync(path.join(FIXTURES, tag, "recording.json"), "utf8")) as {
        clock: string;
        cases: string[];
      };
      return rec.cases.map((name) => {
        const dir = path.join(FIXTURES, tag, name);
        const settings = fs.readFileSync(path.join(dir, "program/Pulumi.yaml"), "utf8");
        const runtime: Fixture["runtime"] = /^runtime: yaml$/m.test(settings) ? "yaml" : "nodejs";
        return { tag, name, dir, runtime, clock: rec.clock };
      });
    });
}

type StateResource = { type: string; urn: string; id?: string; outputs?: Record<string, unknown> };
export type StateDoc = {
  version: number;
  deployment: { resources?: StateResource[] } & Record<string, unknown>;
};

const ours = (r: StateResource) =>
  r.type.startsWith("pulumi-nodejs:dynamic/cloudlock:") || r.type.startsWith("cloudlock:index:");

/** The pks a state holds: its per-entry resources' ids and its sets' entries. */
export function heldPks(state: StateDoc): string[] {
  return (state.deployment.resources ?? [])
    .filter(ours)
    .flatMap((r) =>
      r.type.endsWith("Set")
        ? Object.values((r.outputs?.entries ?? {}) as Record<string, { pk: string }>).map((e) => e.pk)
        : [r.id!],
    )
    .sort();
}

const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

/** The packages a fixture's program gets: the current package, packed, and what the program itself needs. */
function depsFor(f: Fixture): Record<string, string> {
  const local = (name: string) => read(path.join(REPO_ROOT, "node_modules", name, "package.json")).version;
  if (f.runtime === "yaml") return { "pulumi-cloudlock": TARBALL };
  return {
    "pulumi-cloudlock": TARBALL,
    "@pulumi/pulumi": PULUMI_SDK_VERSION,
    typescript: local("typescript"),
    "@types/node": local("@types/node"),
  };
}

export interface Upgrade {
  fixture: Fixture;
  emu: Emulator;
  p: Project;
  /** The state as imported. */
  state: StateDoc;
  /** The library the recording left. */
  library: LibraryDump;
  close(): Promise<void>;
}

/**
 * A fresh current emulator holding the recorded library, and the recorded program in a new folder with the
 * current package installed and the recorded state imported. `alter` changes the state before the import (the
 * negative test's only way in).
 */
export async function prepare(f: Fixture, alter?: (state: StateDoc) => void): Promise<Upgrade> {
  const library = read(path.join(f.dir, "library.json")) as LibraryDump;
  const state = read(path.join(f.dir, "state.json")) as StateDoc;
  alter?.(state);
  const emu = await startEmulator();
  emu.load(library);
  // A day after the recording, whatever today is: expiry is judged on the server's clock.
  emu.setClock(Date.parse(f.clock) + 86_400_000);
  const dir = projectFolder(path.relative(REPO_ROOT, path.join(f.dir, "program")), `${f.tag}-${f.name}`, {
    deps: depsFor(f),
    files: { [`Pulumi.${STACK}.yaml`]: fs.readFileSync(path.join(f.dir, `Pulumi.${STACK}.yaml`), "utf8") },
  });
  try {
    const p = await project(
      dir,
      STACK,
      {},
      { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: RECORDING_TOKEN },
    );
    const file = path.join(path.dirname(dir), "state.json");
    fs.writeFileSync(file, JSON.stringify(state));
    await p.ok(["stack", "import", "--file", file]);
    emu.clearRequests();
    return {
      fixture: f,
      emu,
      p,
      state,
      library,
      close: async () => {
        await emu.close();
        removeProject(dir);
      },
    };
  } catch (e) {
    await emu.close();
    removeProject(dir);
    throw e;
  }
}

const cli = (r: CliResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

/** Entries by pk, as JSON text: equal strings are the same entry, field for field. */
const byPk = (entries: LibraryDump) =>
  new Map(
    (["trusted", "suspicious"] as const).flatMap((c) =>
      entries[c].map((e) => [`${c} ${e.pk}`, JSON.stringify(e)] as const),
    ),
  );

/** Every way `now` differs from `then` (entries added, removed or changed), or [] when none. */
export function libraryChanges(then: LibraryDump, now: LibraryDump): string[] {
  const a = byPk(then);
  const b = byPk(now);
  return [
    ...[...a].filter(([k]) => !b.has(k)).map(([k]) => `removed ${k}`),
    ...[...b].filter(([k]) => !a.has(k)).map(([k]) => `added ${k}`),
    ...[...a]
      .filter(([k, v]) => b.has(k) && b.get(k) !== v)
      .map(([k, v]) => `changed ${k}: ${v} -> ${b.get(k)}`),
  ];
}

/** `preview` shows no change, and reads only. */
export async function previewNoChanges(u: Upgrade): Promise<string | undefined> {
  u.emu.clearRequests();
  const r = await u.p.run(["preview", "--expect-no-changes", "--diff"]);
  if (r.code !== 0) return `preview after the upgrade is not clean: ${cli(r)}`;
  if (writes(u.emu)) return `preview wrote to Cloudlock (${writes(u.emu)} requests)`;
  return undefined;
}

/** `preview --refresh` sees no drift. */
export async function refreshNoDrift(u: Upgrade): Promise<string | undefined> {
  u.emu.clearRequests();
  const r = await u.p.run(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  if (r.code !== 0) return `preview --refresh after the upgrade is not clean: ${cli(r)}`;
  if (writes(u.emu)) return `preview --refresh wrote to Cloudlock (${writes(u.emu)} requests)`;
  return undefined;
}

/** `up` sends no POST, PUT or DELETE, and the library is as recorded. */
export async function upNoWrites(u: Upgrade): Promise<string | undefined> {
  u.emu.clearRequests();
  const r = await u.p.run(["up", "--yes", "--skip-preview"]);
  if (r.code !== 0) return `up after the upgrade failed: ${cli(r)}`;
  const sent = u.emu.requests().log.filter((q) => q.method !== "GET");
  if (sent.length)
    return `up wrote to Cloudlock: ${sent.map((q) => `${q.method} ${q.path}${q.query}`).join(", ")}`;
  const changes = libraryChanges(u.library, u.emu.dump());
  if (changes.length) return `up changed the library: ${changes.join("; ")}`;
  return undefined;
}

/** `destroy` deletes exactly the stack's entries; every other entry is left exactly as recorded. */
export async function destroyExactly(u: Upgrade): Promise<string | undefined> {
  const r = await u.p.run(["destroy", "--yes", "--skip-preview"]);
  if (r.code !== 0) return `destroy after the upgrade failed: ${cli(r)}`;
  const held = new Set(heldPks(u.state));
  const expected: LibraryDump = {
    trusted: u.library.trusted.filter((e) => !held.has(e.pk)),
    suspicious: u.library.suspicious.filter((e) => !held.has(e.pk)),
  };
  const changes = libraryChanges(expected, u.emu.dump());
  if (changes.length) return `destroy did not remove exactly the stack's entries: ${changes.join("; ")}`;
  return undefined;
}

/**
 * The upgrade tests of every recorded fixture of one route: one prepared folder per fixture, shared by its
 * steps, which run in order (up before destroy).
 */
export function upgradeSuite(runtime: Fixture["runtime"]): void {
  jest.setTimeout(ENGINE_TIMEOUT);
  const list = fixtures().filter((f) => f.runtime === runtime);
  test("fixtures are recorded for this route", () => expect(list.length).toBeGreaterThan(0));
  describe.each(list.map((f) => [`${f.tag} ${f.name}`, f] as const))("%s", (_, f) => {
    let u: Upgrade;
    beforeAll(async () => {
      u = await prepare(f);
    });
    afterAll(() => u?.close());
    test("preview shows no changes", async () => expect(await previewNoChanges(u)).toBeUndefined());
    test("preview --refresh shows no drift", async () => expect(await refreshNoDrift(u)).toBeUndefined());
    test("up sends no write", async () => expect(await upNoWrites(u)).toBeUndefined());
    test("destroy deletes exactly the stack's entries", async () =>
      expect(await destroyExactly(u)).toBeUndefined());
  });
}
