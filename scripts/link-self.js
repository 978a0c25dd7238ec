#!/usr/bin/env node
// Makes node_modules/pulumi-cloudlock point at this checkout, as an install
// would for a user. Serialised dynamic providers require("pulumi-cloudlock/provider")
// from the program's directory, and Node's self-reference does not apply to them.
const fs = require("fs");
const path = require("path");
const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-cloudlock");
try {
  if (fs.realpathSync(link) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  // absent: create it below
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
