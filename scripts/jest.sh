#!/usr/bin/env bash
# Runs Jest under Node.js 22 (scripts/with-node.sh) with the given arguments, and fails the run when Jest says a
# test leaked: a worker it had to kill, or a process that did not exit. jest.config.js has no forceExit, so a leak
# shows as one of these lines; they do not change Jest's exit code, this does. Close what leaks where it is opened.
set -uo pipefail
LEAKED='failed to exit gracefully|Force exiting Jest|did not exit one second after'
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
bash "$(dirname "$0")/with-node.sh" 22 jest "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if grep -qE "$LEAKED" "$log"; then
  echo "jest: a test left something open (a server, timer, socket or child process) and Jest had to force the" \
    "exit (see above). Run the files with --detectOpenHandles, and close it where it is opened." >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
