#!/usr/bin/env bash
# Runs <cmd…> under Node.js <major> or newer: the machine's own node when it is new enough, else the release
# scripts/matrix.json names for <major>, fetched once by scripts/ensure-node.sh, first on PATH (so `node`,
# shebangs and child processes, the Pulumi language hosts among them, all get it). npm stays the machine's.
set -euo pipefail
MAJOR=${1:?usage: with-node.sh <major> <cmd...>}
shift
have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$have" -lt "$MAJOR" ]; then
  bin="$(bash "$(dirname "$0")/ensure-node.sh" "$MAJOR")"
  export PATH="$bin:$PATH"
fi
exec "$@"
