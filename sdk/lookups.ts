import * as pulumi from "@pulumi/pulumi";
import { CloudlockClient } from "../provider/client";
import { entryInfo } from "../provider/model";
import { isExpectedError } from "../provider/client/errors";
import { programError } from "../provider/pulumi-internals";
import { ConfigSource, Settings, clientOptions, readSettings } from "../provider/settings";
import type { CollectionName } from "../provider/client/types";

/** An entry as the lookup functions return it (camelCase). */
export interface IpEntryInfo {
  pk: string;
  name: string;
  ipAddress: string;
  description: string;
  categories: string[];
  location: string;
  type: string;
  createdOn: string;
  updatedOn: string;
  /** Suspicious entries only. */
  expiresOn?: string;
}

/** Filters of the lookup functions (both are substring matches on the server). */
export interface IpLookupArgs {
  /** Matches name, location, ip_address or categories. */
  q?: string;
  /** Matches the name. */
  name?: string;
  /**
   * Setting overrides (e.g. `apiUrl`, `apiToken`, `timeoutSeconds`); by default the stack config the providers
   * read (`cloudlock:apiUrl`, …), then the environment.
   */
  connection?: Partial<Settings>;
}

async function lookup(kind: CollectionName, args: IpLookupArgs = {}): Promise<IpEntryInfo[]> {
  const config = stackConfig();
  let client: CloudlockClient;
  try {
    client = new CloudlockClient({
      ...clientOptions(readSettings(config, process.env, { ...args.connection, option: "connection." }), {
        config: true,
        option: "connection.",
      }),
    });
  } catch (e) {
    throw expected(e);
  }
  try {
    return (await client.collection(kind).listAll({ q: args.q, name: args.name })).map(
      (e) => entryInfo(e) as unknown as IpEntryInfo,
    );
  } catch (e) {
    throw expected(e);
  } finally {
    client.close();
  }
}

/** An expected error, marked so that Pulumi prints its message alone in the program's output; others as they are. */
function expected(e: unknown): unknown {
  return isExpectedError(e) ? programError(e) : e;
}

/** Stack config inside a Pulumi program; outside one (a plain script), none. */
function stackConfig(): ConfigSource | undefined {
  try {
    return { get: (key) => pulumi.runtime.getConfig(key) };
  } catch {
    return undefined;
  }
}

/** List trusted entries (every page), optionally filtered; e.g. to find a pk to adopt. */
export function getTrustedIps(args?: IpLookupArgs): Promise<IpEntryInfo[]> {
  return lookup("trusted", args);
}

/** List suspicious entries (every page), optionally filtered. Expired entries are not listed. */
export function getSuspiciousIps(args?: IpLookupArgs): Promise<IpEntryInfo[]> {
  return lookup("suspicious", args);
}
