#!/usr/bin/env bash
# Runs Jest under Node.js 22 (scripts/with-node.sh) with the given arguments, and fails the run when Jest says a
# test leaked: something left open kept Jest's own process from exiting. jest.config.js has no forceExit, so a leak
# shows as one of these lines; they do not change Jest's exit code, this does. Close what leaks where it is opened.
# A worker Jest had to kill after the run ("failed to exit gracefully") is only reported: Jest gives a worker 500 ms
# to exit, which a loaded machine can exceed with nothing left open, and no test may race the clock.
set -uo pipefail
LEAKED='Force exiting Jest|did not exit one second after'
SLOW_WORKER='failed to exit gracefully'
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
bash "$(dirname "$0")/with-node.sh" 22 jest "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if grep -qE "$LEAKED" "$log"; then
  echo "jest: a test left something open (a server, timer, socket or child process) and Jest could not exit on" \
    "its own (see above). Run the files with --detectOpenHandles, and close it where it is opened." >&2
  [ "$status" -ne 0 ] || status=1
elif grep -qE "$SLOW_WORKER" "$log"; then
  echo "jest: a worker was slow to exit after the run (see above); not a failure. If it repeats on an idle" \
    "machine, run the files with --detectOpenHandles." >&2
fi
exit "$status"
