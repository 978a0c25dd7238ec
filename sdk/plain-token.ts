/**
 * A token set without `--secret` is stored in plain text: in the stack's config file, and in the state, where
 * Pulumi's own `pulumi-nodejs` provider records the whole stack config of a program with dynamic resources. The
 * provider cannot mark it secret there; the program can tell, so it warns, once per run.
 */
import * as pulumi from "@pulumi/pulumi";
import { isStackConfigSecret } from "../provider/pulumi-internals";

// One warning per program run: inline Automation programs run many times in one process.
const warned = new WeakSet<object>();
const OUTSIDE_A_RUN = {};

/** Warn if stack config holds the token in plain text (called by every resource that uses the token). */
export function warnPlainToken(): void {
  const run: object = pulumi.runtime.getStackResource() ?? OUTSIDE_A_RUN;
  if (warned.has(run)) return;
  warned.add(run);
  const key = "cloudlock:apiToken";
  if (!pulumi.runtime.getConfig(key)?.trim() || isStackConfigSecret(key)) return;
  void pulumi.log.warn(
    `Stack config "${key}" is not a secret, so the token is stored in plain text in the stack's config file ` +
      `and its state: run \`pulumi config set --secret ${key} <token>\` to store it encrypted.`,
  );
}
