/**
 * An installed copy of this package, as `npm install pulumi-cloudlock` lays
 * it out: files copied (not linked) under <dir>/node_modules, so that Pulumi's
 * serialiser sees the SDK inside node_modules, exactly as in users' projects.
 * Dependencies are linked to this checkout's. Needs `npm run build` first.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./engine";

export function installedCopy(dir: string): string {
  const pkgDir = path.join(dir, "node_modules", "pulumi-cloudlock");
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(pkgDir, "package.json"));
  fs.cpSync(path.join(REPO_ROOT, "dist"), path.join(pkgDir, "dist"), { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(pkg.dependencies)) {
    const link = path.join(dir, "node_modules", dep);
    if (fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dep), link, "dir");
  }
  return pkgDir;
}
