#!/usr/bin/env node
// Part of `npm run build`: tsc writes dist/ afresh without execute bits, and npm sets them only when it links an
// installed package. So that the bins run from a source checkout as built (npx in this folder, a `file:`
// dependency), this sets them on every file package.json `bin` names under dist/.
// Usage: node scripts/bin-modes.js [ROOT] (default: this checkout).
const fs = require("fs");
const path = require("path");

const root = path.resolve(process.argv[2] ?? path.join(__dirname, ".."));
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const bins = typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
const dist = path.join(root, "dist") + path.sep;
let failed = false;
for (const [name, file] of Object.entries(bins)) {
  const target = path.resolve(root, file);
  if (!target.startsWith(dist)) continue;
  let mode;
  try {
    mode = fs.statSync(target).mode;
  } catch (e) {
    console.error(
      `bin-modes: package.json bin "${name}" names ${file}, which the build did not write (${e.code})`,
    );
    failed = true;
    continue;
  }
  // Execute for whoever may read it, as npm's bin linking does (0644 -> 0755).
  fs.chmodSync(target, (mode & 0o7777) | ((mode & 0o444) >> 2));
}
process.exitCode = failed ? 1 : 0;
