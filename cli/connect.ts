/**
 * The connection of the commands that call Cloudlock: a client from the `--api-url` flag and the environment
 * (no stack config), and the help text that says so.
 */
import { CloudlockClient } from "../provider/client/client";
import { ENV_TOKEN, ENV_URL } from "../provider/client/config";
import { clientOptions, readSettings } from "../provider/settings";
import { type Parsed, str } from "./options";

/** The "Connection:" part of a command's help. */
export const CONNECTION = `Connection:
  --api-url URL        the tenant's API, e.g. https://<server>/api/v2 (default: $${ENV_URL})
  The token is read from $${ENV_TOKEN} only: a flag would show in shell history and process lists.
  (Stack config such as cloudlock:apiUrl is read by the provider in a Pulumi program, not by this command.)`;

/** A client for the tenant that `--api-url` (or the environment) names, with the token from the environment. */
export function connect(p: Parsed, env: NodeJS.ProcessEnv): CloudlockClient {
  // The same settings as the provider, but from flags and the environment only: no stack config here.
  const read = readSettings(undefined, env, {
    apiUrl: str(p, "--api-url"),
    describe: (key) => (key === "apiUrl" ? { kind: "flag", from: "--api-url" } : undefined),
  });
  return new CloudlockClient({
    ...clientOptions(read, {
      flags: { apiUrl: "--api-url" },
      notes: { apiToken: "there is no flag, so the token stays out of shell history" },
    }),
    // The token is read from the environment only (see CONNECTION): a shell's way to set it.
    tokenSource: {
      kind: "env",
      from: `the environment variable ${ENV_TOKEN}`,
      how: `export ${ENV_TOKEN}=<token>`,
    },
  });
}
