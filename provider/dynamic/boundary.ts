/**
 * How errors leave the dynamic providers' calls for Pulumi's dynamic provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`). The host hands a failed `create` or `update` to the engine as its
 * message, which the engine prints on the resource. For `check`, `diff`, `read` and `delete` it also prints
 * `${e}: ${e.stack}` on its stderr, which the engine shows as the stack's own diagnostic: for an expected error
 * that line is shaped to one short line (the call and the title of the kind), since the resource's error says
 * the rest; the message would otherwise appear twice under Diagnostics, and a stack trace with it. `check`
 * reports an expected error as a check failure instead, which Pulumi prints cleanly. Errors that are not
 * expected (bugs) leave every call as they are, stack and all.
 */
import { isExpectedError } from "../client/errors";
import { titleOf } from "../problems";
import { hostPrintsAs } from "../pulumi-internals";
import type { Connection } from "./connection";
import type { CheckFailure } from "./schema";

/** A provider call whose failure the host prints on stderr as `${e}: ${e.stack}`. */
export type HostPrinted = "diff" | "read" | "delete";

/**
 * The error a `diff`, `read` or `delete` of `subject` (e.g. `TrustedIp read of 7nLzJYxR5Z`) throws for `e`:
 * an expected error keeps its message (what the engine prints on the resource) and its brand, and prints in the
 * host's `${e}: ${e.stack}` as `<subject>: <title of its kind>`. Anything else is returned as it is.
 */
export function forHost(e: unknown, subject: string): unknown {
  return isExpectedError(e) ? hostPrintsAs(e, subject, titleOf(e.problem)) : e;
}

/**
 * Run one provider call. `create`/`update` errors go to the engine as they are (once per run for a per-run
 * kind, see Connection.report); `diff`/`read`/`delete` errors are shaped for the host's stderr line.
 */
export async function guarded<T>(
  conn: Connection,
  op: "create" | "update" | HostPrinted,
  subject: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const reported = conn.report(e, op);
    throw op === "create" || op === "update" ? reported : forHost(reported, subject);
  }
}

/**
 * Run a `check`: an expected error (a refused setting, a listing refused by the server) becomes a check failure
 * of the resource, which Pulumi prints once, without the host's stderr line.
 */
export async function guardedCheck<T extends { failures?: CheckFailure[] }>(
  conn: Connection,
  call: () => Promise<T>,
): Promise<T | { failures: CheckFailure[] }> {
  try {
    // Settings that could not be taken fail every resource's check (configure keeps them; see configureQuietly).
    if (conn.refusal) throw conn.refusal;
    return await call();
  } catch (e) {
    const reported = conn.report(e);
    if (!isExpectedError(reported)) throw e;
    return { failures: [{ property: "", reason: reported.message }] };
  }
}

/**
 * Take the stack config, keeping a refusal for the calls that need the settings rather than throwing: the host
 * would print a stack for an error here, before any call of ours runs. Check reports it (guardedCheck).
 */
export function configureQuietly(configure: () => void): void {
  try {
    configure();
  } catch (e) {
    if (!isExpectedError(e)) throw e;
  }
}
