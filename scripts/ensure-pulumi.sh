#!/usr/bin/env bash
# Makes a Pulumi CLI (>= 3.181) available to this project without touching the
# system, and prints its install root (the folder holding bin/pulumi, as the
# Automation API's PulumiCommand.get({ root }) expects). In order:
#   1. a `pulumi` on PATH that is new enough is used as it is;
#   2. one built or installed here earlier (.tools/pulumi) is reused;
#   3. with Go, it is built from the Go modules (scripts/pulumi-cli), ~3 min the first time;
#   4. else Pulumi's official installer, into .tools/pulumi.
# The engine finds the dynamic-provider plugin (pulumi-resource-pulumi-nodejs,
# shipped by @pulumi/pulumi) beside the CLI, so it is linked there too.
# Project folders (runtime: nodejs) and policy packs also need the Node.js
# language host, pulumi-language-nodejs: one on PATH or beside the CLI is used;
# else, with Go, it is built from its source (../shared/tools/pulumi-language-nodejs,
# or $PULUMI_LANGUAGE_NODEJS_SRC) into .tools/pulumi/bin; else this fails.
# With --yaml (what `npm test` asks for; the demo does not), also the YAML language host,
# pulumi-language-yaml, which project folders with `runtime: yaml` need: one beside the CLI
# or on PATH is used; else, with Go, pulumi-yaml v1.25.0 is built from the Go modules
# (scripts/pulumi-language-yaml) into .tools/pulumi/bin, ~2-6 min the first time; else only
# a warning (Node.js users don't need it; the YAML tests then fail saying so).
set -euo pipefail
YAML=false
for arg in "$@"; do
  case "$arg" in
    --yaml) YAML=true ;;
    *) echo "usage: ensure-pulumi.sh [--yaml]" >&2; exit 2 ;;
  esac
done
# The fast test set (npm run test:fast) runs without a Pulumi CLI: a test there that asks for one belongs elsewhere.
if [ "${CLOUDLOCK_TEST_SET:-}" = fast ]; then
  echo "ensure-pulumi: this test starts the Pulumi engine, but it runs in the fast set (npm run test:fast), which" \
    "needs no Pulumi CLI. Move its file under test/engine/ (or test/upgrade/, test/matrix/): jest.config.js runs" \
    "those folders only in the whole suite (npm test)." >&2
  exit 1
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The main cell's CLI (scripts/matrix.json, where the compatibility matrix keeps its versions).
VERSION="$(node -p "require('$ROOT/scripts/matrix.json').cells.main.cli")"
YAML_VERSION=1.25.0
MIN=3.181.0
TOOLS="$ROOT/.tools/pulumi"
BIN="$TOOLS/bin"
log() { echo "ensure-pulumi: $*" >&2; }

version_of() { "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1; }
new_enough() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$MIN" "$1" | sort -V | head -n1)" = "$MIN" ]; }

mkdir -p "$BIN"
PLUGIN="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ ! -x "$PLUGIN" ]; then
  log "missing $PLUGIN: run 'npm ci' first"
  exit 1
fi
ln -sf "$PLUGIN" "$BIN/pulumi-resource-pulumi-nodejs"

ensure_cli() {
  # 1. On PATH (but not our own link).
  if [ ! -e "$BIN/pulumi" ] || [ -L "$BIN/pulumi" ]; then
    onpath="$(PATH="$(echo "$PATH" | tr ':' '\n' | grep -vx "$BIN" | paste -sd:)" command -v pulumi || true)"
    if [ -n "$onpath" ] && new_enough "$(version_of "$onpath")"; then
      ln -sf "$onpath" "$BIN/pulumi"
      log "using $onpath ($(version_of "$onpath"))"
      return 0
    fi
  fi

  # 2. Built or installed here before.
  if [ -x "$BIN/pulumi" ] && new_enough "$(version_of "$BIN/pulumi")"; then
    return 0
  fi
  rm -f "$BIN/pulumi"

  # 3. Build from Go modules.
  if command -v go >/dev/null 2>&1; then
    log "building the Pulumi CLI v$VERSION from Go modules (first time only; a few minutes)..."
    if (cd "$ROOT/scripts/pulumi-cli" && go build -o "$BIN/pulumi" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2; then
      return 0
    fi
    log "the Go build failed (output above); trying the official installer"
  fi

  # 4. Official installer (a user's machine with internet access).
  if command -v curl >/dev/null 2>&1 && curl -fsSL https://get.pulumi.com -o "$TOOLS/install.sh" 2>/dev/null; then
    sh "$TOOLS/install.sh" --version "$VERSION" --install-root "$TOOLS" --no-edit-path >&2
    ln -sf "$PLUGIN" "$BIN/pulumi-resource-pulumi-nodejs"
    return 0
  fi

  log "could not obtain a Pulumi CLI >= $MIN. Install one (https://www.pulumi.com/docs/install/) and put it on PATH,"
  log "or install Go (https://go.dev/dl/) so this script can build it. The engine tests and the demo need it."
  return 1
}

# Links a language host found beside the CLI we use (the official install ships it there) or on PATH, or keeps
# the link made earlier; fails when there is none.
link_existing() {
  local name=$1 beside found
  beside="$(dirname "$(readlink -f "$BIN/pulumi")")/$name"
  found="$(PATH="$(echo "$PATH" | tr ':' '\n' | grep -vx "$BIN" | paste -sd:)" command -v "$name" || true)"
  for cand in "$beside" "$found"; do
    if [ -n "$cand" ] && [ -x "$cand" ] && [ "$(readlink -f "$cand")" != "$(readlink -f "$BIN/$name" 2>/dev/null)" ]; then
      ln -sf "$(readlink -f "$cand")" "$BIN/$name"
      return 0
    fi
  done
  [ -L "$BIN/$name" ] && [ -x "$BIN/$name" ]
}

ensure_language_host() {
  local name=pulumi-language-nodejs
  if [ -x "$BIN/$name" ] && [ ! -L "$BIN/$name" ]; then return 0; fi
  if link_existing "$name"; then return 0; fi
  rm -f "$BIN/$name"
  local src="${PULUMI_LANGUAGE_NODEJS_SRC:-$ROOT/../shared/tools/pulumi-language-nodejs}"
  if command -v go >/dev/null 2>&1 && [ -f "$src/build.sh" ]; then
    log "building the Node.js language host from $src (first time only; about a minute)..."
    if bash "$src/build.sh" "$BIN" >&2; then return 0; fi
    log "building the language host failed (output above)"
  fi
  log "no Pulumi Node.js language host ($name): project folders and policy packs need it."
  log "Install the Pulumi CLI the official way (it ships the host beside pulumi), put $name on PATH,"
  log "or install Go and set PULUMI_LANGUAGE_NODEJS_SRC to its source so this script can build it."
  return 1
}

ensure_yaml_host() {
  local name=pulumi-language-yaml
  local stamp="$BIN/.$name.version"
  # Installed here before (by the official installer, or built by us from this version: a stamp says which).
  if [ -x "$BIN/$name" ] && [ ! -L "$BIN/$name" ] && { [ ! -e "$stamp" ] || [ "$(cat "$stamp")" = "$YAML_VERSION" ]; }; then
    return 0
  fi
  if link_existing "$name"; then return 0; fi
  rm -f "$BIN/$name" "$stamp"
  # Built from Go modules through the wrapper module (go.sum pins every module).
  if command -v go >/dev/null 2>&1; then
    log "building the YAML language host (pulumi-yaml v$YAML_VERSION) from Go modules (first time only; 2-6 minutes)..."
    local tmp="$BIN/.$name.tmp.$$"
    if (cd "$ROOT/scripts/pulumi-language-yaml" && go build -o "$tmp" \
        -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_VERSION" \
        github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) >&2; then
      mv -f "$tmp" "$BIN/$name"
      echo "$YAML_VERSION" >"$stamp"
      return 0
    fi
    rm -f "$tmp"
    log "building the YAML language host failed (output above)"
  fi
  # Not fatal: only project folders with `runtime: yaml` need it.
  log "warning: no Pulumi YAML language host ($name); Node.js programs are unaffected,"
  log "but project folders with 'runtime: yaml' (and their tests) will fail. Install the Pulumi CLI the official"
  log "way (it ships the host beside pulumi), put $name on PATH, or install Go so this script can build it."
  return 0
}

ensure_cli
ensure_language_host
if [ "$YAML" = true ]; then ensure_yaml_host; fi
echo "$TOOLS"
