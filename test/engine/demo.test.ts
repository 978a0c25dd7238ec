/** The main job, `npm run demo`, runs to the end and tells the story it promises. */
import { execFile } from "child_process";
import * as path from "path";
import { ENGINE_TIMEOUT } from "./helpers";

jest.setTimeout(ENGINE_TIMEOUT);

test("the demo walks through preview, up, a hand edit, drift detected and reconcile", async () => {
  const root = path.resolve(__dirname, "../..");
  // `npm test` builds first (pretest), as `npm run demo` does.
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(root, "dist/scripts/demo.js")],
      { cwd: root, timeout: ENGINE_TIMEOUT },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  );
  expect(out).toMatch(/Pulumi would create 8 resources/);
  expect(out).toMatch(/\+ TrustedIp office-hq-berlin/);
  expect(out).toMatch(/Created 7 entries/);
  expect(out).toMatch(/The check FAILS/);
  expect(out).toMatch(/~ ipAddress: declared "198.51.100.0\/24", Cloudlock now has "198.51.100.0\/23"/);
  expect(out).toMatch(/Updated 1 entry in place/);
  expect(out).toMatch(/The drift check passes again/);
  expect(out).toMatch(/pulumi config set --secret cloudlock:apiToken/);
});
