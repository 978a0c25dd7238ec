/**
 * The example policy pack (examples/policy-pack) type-checks as a user's copy does with `npx tsc --noEmit`:
 * with its own tsconfig.json (which skips checking dependencies' declaration files, because
 * `@pulumi/policy` 1.21.0 publishes broken ones), and still catches a type error in the pack's own code.
 * `pulumi-cloudlock/policy` is mapped to this checkout's source, so no build is needed.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const REPO = path.resolve(__dirname, "..", "..");
const PACK = path.join(REPO, "examples", "policy-pack");
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
const run = promisify(execFile);

/** A copy of the pack (its own files, the repository's node_modules), with `program` as index.ts if given. */
function copyOfPack(program?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudlock-policy-pack-"));
  for (const f of fs.readdirSync(PACK, { withFileTypes: true }))
    if (f.isFile()) fs.copyFileSync(path.join(PACK, f.name), path.join(dir, f.name));
  if (program !== undefined) fs.writeFileSync(path.join(dir, "index.ts"), program);
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  // The pack's own tsconfig.json, plus where pulumi-cloudlock/policy is (this checkout's source).
  fs.writeFileSync(
    path.join(dir, "tsconfig.test.json"),
    JSON.stringify({
      extends: "./tsconfig.json",
      compilerOptions: { paths: { "pulumi-cloudlock/policy": [path.join(REPO, "policy", "index.ts")] } },
    }),
  );
  return dir;
}

/** `tsc --noEmit` in `dir`: its output, and whether it passed. */
async function typeCheck(dir: string): Promise<{ ok: boolean; output: string }> {
  try {
    await run(process.execPath, [TSC, "--noEmit", "-p", path.join(dir, "tsconfig.test.json")], { cwd: dir });
    return { ok: true, output: "" };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

jest.setTimeout(180_000);

test("the example pack type-checks with its own tsconfig.json, past @pulumi/policy's broken declarations", async () => {
  const dir = copyOfPack();
  dirs.push(dir);
  expect(await typeCheck(dir)).toEqual({ ok: true, output: "" });
});

test("the pack's own code is still type-checked", async () => {
  const program = fs
    .readFileSync(path.join(PACK, "index.ts"), "utf8")
    .replace("maxDays: 90", 'maxDays: "90"');
  expect(program).toContain('maxDays: "90"');
  const dir = copyOfPack(program);
  dirs.push(dir);
  const result = await typeCheck(dir);
  expect(result.ok).toBe(false);
  expect(result.output).toMatch(
    /index\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
  );
});
