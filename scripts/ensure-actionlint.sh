#!/usr/bin/env bash
# Makes actionlint (the GitHub Actions workflow linter) available to the tests
# and prints the path of its binary on stdout. In order:
#   1. an `actionlint` on PATH (any version: its findings are what we want);
#   2. one built here earlier (.tools/actionlint/actionlint) of the pinned version;
#   3. with Go, `go install` of the pinned version from the Go module proxy into
#      .tools/actionlint (~1 min the first time);
#   4. else it fails, saying what to install: a silent skip would let a broken
#      workflow pass the suite.
# ACTIONLINT=/path/to/actionlint overrides all of this.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION=1.7.12
DIR="$ROOT/.tools/actionlint"
BIN="$DIR/actionlint"
log() { echo "ensure-actionlint: $*" >&2; }

if [ -n "${ACTIONLINT:-}" ]; then
  if [ -x "$ACTIONLINT" ]; then
    echo "$ACTIONLINT"
    exit 0
  fi
  log "ACTIONLINT=$ACTIONLINT is not an executable file"
  exit 1
fi

# 1. On PATH, but not our own copy (that one is checked for its version below).
onpath="$(PATH="$(echo "$PATH" | tr ':' '\n' | grep -vx "$DIR" | paste -sd:)" command -v actionlint || true)"
if [ -n "$onpath" ]; then
  echo "$onpath"
  exit 0
fi

# 2. Built here before: reused only if it is the pinned version, so bumping VERSION rebuilds.
if [ -x "$BIN" ] && "$BIN" -version 2>/dev/null | head -n1 | grep -qx "v\{0,1\}$VERSION"; then
  echo "$BIN"
  exit 0
fi

# 3. Build from the Go module proxy. -mod=mod: resolve actionlint's own go.mod, not ours (we have none).
if command -v go >/dev/null 2>&1; then
  log "building actionlint v$VERSION with Go (first time only)..."
  mkdir -p "$DIR"
  if (cd "$DIR" && GOBIN="$DIR" GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" \
      go install "github.com/rhysd/actionlint/cmd/actionlint@v$VERSION") >&2 && [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
  fi
  log "the Go build failed (output above)"
  exit 1
fi

log "actionlint is not on PATH and Go is not installed: install actionlint v$VERSION" \
  "(https://github.com/rhysd/actionlint/releases) or Go, or set ACTIONLINT=/path/to/actionlint"
exit 1
