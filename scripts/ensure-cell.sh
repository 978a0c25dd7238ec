#!/usr/bin/env bash
# Prepares one cell of the compatibility matrix (scripts/matrix.json, docs/compatibility.md) and prints where
# its tools are, one `key=value` a line:
#   node=<folder holding the cell's node>      sdk=<the cell's @pulumi/pulumi version>
#   pulumi=<install root: bin/pulumi, with the language hosts and dynamic-provider plugin beside it>
# Everything is cached under .tools/ (Node releases in .tools/node, CLIs in .tools/pulumi-cli/<version>), so
# only the first call builds: a CLI other than the one scripts/ensure-pulumi.sh provides takes a few minutes.
# The Node.js and YAML language hosts are the ones ensure-pulumi.sh provides, whatever the cell's CLI.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CELL=${1:?usage: ensure-cell.sh <cell>|--all (see scripts/matrix.json)}
log() { echo "ensure-cell: $*" >&2; }
if [ "$CELL" = --all ]; then
  for cell in $(node -p "Object.keys(require('$ROOT/scripts/matrix.json').cells).join(' ')"); do
    echo "[$cell]"
    bash "$0" "$cell"
  done
  exit 0
fi
# One node call reads the cell: its Node major, CLI version, the CLI's wrapper module and its SDK version.
read -r MAJOR CLI MODULE SDK < <(node -e '
  const [root, name] = process.argv.slice(1);
  const m = require(root + "/scripts/matrix.json");
  const c = m.cells[name];
  if (!c) { console.error("ensure-cell: no cell \"" + name + "\" in scripts/matrix.json"); process.exit(1); }
  const sdk =
    c.sdk === "locked" ? require(root + "/node_modules/@pulumi/pulumi/package.json").version
    : c.sdk === "floor" ? require(root + "/package.json").dependencies["@pulumi/pulumi"].replace(/^[\^~]/, "")
    : c.sdk;
  console.log(c.node, c.cli, m.cli[c.cli], sdk);
' "$ROOT" "$CELL")
[ -n "${SDK:-}" ] || exit 1

# Node: main's is a minimum (the machine's own when new enough, as with-node.sh does); the others are exact.
have="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$CELL" = main ] && [ "$have" -ge "$MAJOR" ]; then
  NODE_BIN="$(dirname "$(command -v node)")"
else
  NODE_BIN="$(bash "$ROOT/scripts/ensure-node.sh" "$MAJOR")"
fi

# The main CLI and its language hosts (built once, or found, by ensure-pulumi.sh).
MAIN_ROOT="$(bash "$ROOT/scripts/ensure-pulumi.sh" --yaml)"
version_of() { "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1; }
if [ "$(version_of "$MAIN_ROOT/bin/pulumi")" = "$CLI" ]; then
  PULUMI_ROOT="$MAIN_ROOT"
else
  PULUMI_ROOT="$ROOT/.tools/pulumi-cli/$CLI"
  BIN="$PULUMI_ROOT/bin"
  mkdir -p "$BIN"
  if [ "$(version_of "$BIN/pulumi")" != "$CLI" ]; then
    command -v go >/dev/null 2>&1 || { log "the $CELL cell needs Pulumi CLI $CLI: install Go (https://go.dev/dl/) so this script can build it"; exit 1; }
    log "building the Pulumi CLI v$CLI from Go modules ($MODULE; first time only, a few minutes)..."
    tmp="$BIN/.pulumi.tmp.$$"
    (cd "$ROOT/$MODULE" && go build -o "$tmp" \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$CLI" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2 || { rm -f "$tmp"; exit 1; }
    mv -f "$tmp" "$BIN/pulumi"
  fi
  # Beside the CLI, where an official install puts them: the language hosts (ensure-pulumi.sh's), and the
  # dynamic-provider plugin, a shell script (the same in every @pulumi/pulumi) that runs the SDK it finds from
  # the program's folder; copied, since a link would point into one checkout.
  for host in pulumi-language-nodejs pulumi-language-yaml; do
    [ -x "$MAIN_ROOT/bin/$host" ] && ln -sfn "$(readlink -f "$MAIN_ROOT/bin/$host")" "$BIN/$host"
  done
  cp "$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$BIN/.plugin.$$"
  mv -f "$BIN/.plugin.$$" "$BIN/pulumi-resource-pulumi-nodejs"
fi

echo "node=$NODE_BIN"
echo "sdk=$SDK"
echo "pulumi=$PULUMI_ROOT"
