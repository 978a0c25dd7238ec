/**
 * The native plugin's provider (package `cloudlock`): its resources and
 * functions, dispatched by type token to the same core as the dynamic
 * providers. One plugin process is one provider instance (the engine starts a
 * process per provider), so one ProviderRuntime: one connection, one tenant.
 */
import type { CollectionName } from "../client/types";
import { detailOf, isCloudlockError, problem } from "../client/errors";
import { joinFix } from "../problems";
import { sameApiUrl } from "../client/config";
import { entryInfo } from "../model";
import { FEED_FUNCTION_TOKEN, FUNCTION_TOKENS, PACKAGE, RESOURCE_TYPES, typeOfUrn } from "../tokens";
import { type FeedArgs, checkFeedArgs, getFeed } from "../feed/get";
import { type ConfigSource, SETTINGS, resolveSettings } from "../settings";
import { UNKNOWN } from "../pulumi-internals";
import { type Props, ProviderRuntime, type ResourceProvider } from "../dynamic/runtime";
import type { CheckFailure } from "../dynamic/schema";

/** The plugin's resource types, as the model names every type token of ours. */
const TARGETS = new Map([...RESOURCE_TYPES].filter(([, t]) => t.route === "plugin"));
const FUNCTIONS = new Map(
  (Object.entries(FUNCTION_TOKENS) as [CollectionName, string][]).map(([kind, token]) => [token, kind]),
);

/** The provider's arguments, by name (`apiUrl`), with their stack config keys (`cloudlock:apiUrl`). */
const ARGUMENTS = Object.entries(SETTINGS).flatMap(([name, s]) =>
  "config" in s && s.config ? [{ name, key: s.config }] : [],
);

/** A resource's type: the request's, or the one its URN names (`urn:pulumi:s::p::<type>::<name>`). */
export function typeOf(urn: string, type?: string): string {
  return type || typeOfUrn(urn);
}

/**
 * A default provider (`pulumi:providers:cloudlock::default` or `default_0_1_0`, the engine's names) may take its
 * connection from the environment; a provider a program names itself (even `default-b`) may not.
 */
const isDefaultProvider = (urn: string) => /^default(_\d+_\d+_\d+.*)?$/.test(urn.split("::")[3] ?? "default");

const known = (v: unknown) => v !== undefined && v !== null && v !== "" && v !== UNKNOWN;

/**
 * Provider arguments as the settings' config source: numbers and flags as text, unknown values as unset. The
 * default provider's arguments are stack config; a provider of the program's own (`urn`) names its arguments.
 */
function argumentSource(args: Props, urn = ""): ConfigSource {
  const byKey = new Map(ARGUMENTS.map((a) => [a.key, a.name]));
  return {
    get(key) {
      const v = args[byKey.get(key) ?? ""];
      if (v === undefined || v === null || v === UNKNOWN) return undefined;
      return typeof v === "object" ? JSON.stringify(v) : String(v);
    },
    describe(key) {
      // A default provider's arguments are stack config: the settings' own words for it.
      if (isDefaultProvider(urn)) return undefined;
      const name = byKey.get(key) ?? key;
      const provider = urn.split("::")[3];
      return {
        kind: "config",
        name,
        from: `the ${name} of provider "${provider}"`,
        how: `set ${name} on provider "${provider}"`,
      };
    },
  };
}

export class CloudlockProvider {
  readonly runtime: ProviderRuntime;

  constructor(opts: { engineAddress?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.runtime = new ProviderRuntime({
      engineAddress: opts.engineAddress,
      env: opts.env,
      agent: "pulumi-resource-cloudlock",
      route: "plugin",
    });
  }

  /** Each argument checked on its own (a failure names it), before any API call. */
  checkConfig(urn: string, news: Props): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const { name } of ARGUMENTS) {
      // Its fix names where the value was read: stack config for a default provider, else this property.
      const only = argumentSource({ [name]: news[name] }, urn);
      try {
        resolveSettings(only, {});
      } catch (e) {
        const said = isCloudlockError(e) ? e : undefined;
        const what = detailOf(e);
        const reason = joinFix(what, said?.fix ?? "");
        // The engine prints a failure's property with its raw value, and an API URL may hold credentials or a
        // query's secret: that failure goes without the property, its reason naming it (the URL masked).
        failures.push({ property: name === "apiUrl" ? "" : name, reason });
      }
    }
    // A provider of its own must not send the environment's token (another tenant's) to its URL.
    const given = (n: string) => news[n] !== undefined && news[n] !== null && news[n] !== "";
    if (!isDefaultProvider(urn) && given("apiUrl") !== given("apiToken")) {
      const missing = given("apiUrl") ? "apiToken" : "apiUrl";
      failures.push({
        property: missing,
        reason:
          `this provider sets ${missing === "apiToken" ? "apiUrl" : "apiToken"} but not ${missing}: set both. ` +
          `A provider of its own never takes the other from the environment (${SETTINGS[missing].env}), ` +
          `which would send one tenant's token to another's URL.`,
      });
    }
    return failures;
  }

  /**
   * Which provider arguments changed, and which of them replace the provider: another `apiUrl` is another
   * tenant, so every resource of the provider is made there and deleted from the old one (shown as replacements
   * at preview), never left behind in a tenant the stack no longer reads. A new token or pace only reconfigures.
   */
  diffConfig(olds: Props, news: Props): { changed: string[]; replaces: string[] } {
    // The URL is compared in its normal form: another spelling of the same tenant changes nothing.
    const same = (n: string) =>
      n === "apiUrl" && known(olds[n]) && known(news[n])
        ? sameApiUrl(String(olds[n]), String(news[n]))
        : JSON.stringify(olds[n]) === JSON.stringify(news[n]);
    const changed = ARGUMENTS.map((a) => a.name).filter((n) => !same(n));
    const moved = changed.includes("apiUrl") && known(olds.apiUrl) && known(news.apiUrl);
    return { changed, replaces: moved ? ["apiUrl"] : [] };
  }

  /** Take the provider's arguments; `urn` is the provider's (messages name where a setting came from). */
  configure(args: Props, urn = ""): void {
    this.runtime.configure(argumentSource(args, urn));
  }

  /** The provider of the resource type `urn` (or `type`) names: the runtime's dispatch, as the dynamic route's. */
  private resource(urn: string, type?: string): ResourceProvider {
    const t = TARGETS.get(typeOf(urn, type));
    if (!t)
      throw problem("unsupported", {
        what: `${PACKAGE} has no resource type ${typeOf(urn, type)} (${urn}).`,
        fix: `Use one of ${[...TARGETS.keys()].join(", ")}.`,
      });
    return this.runtime.resource(t.kind, t.set);
  }

  async check(urn: string, type: string | undefined, olds: Props, news: Props) {
    // Diagnostics (a set's changes, a create `up` will refuse) are attached to the resource, so `preview --diff`
    // shows them.
    return this.resource(urn, type).check(olds, { ...news, logUrn: urn });
  }

  async diff(urn: string, type: string | undefined, id: string, olds: Props, news: Props) {
    return this.resource(urn, type).diff(id, olds, news);
  }

  async create(urn: string, type: string | undefined, props: Props): Promise<{ id: string; outs: object }> {
    return this.resource(urn, type).create(props);
  }

  async read(urn: string, type: string | undefined, id: string, props: Props) {
    return this.resource(urn, type).read(id, props);
  }

  async update(urn: string, type: string | undefined, id: string, olds: Props, news: Props) {
    return this.resource(urn, type).update(id, olds, news);
  }

  async delete(urn: string, type: string | undefined, id: string, props: Props): Promise<void> {
    return this.resource(urn, type).delete(id, props);
  }

  /** getTrustedIps / getSuspiciousIps: every page, filtered by the server's `q` and `name`. */
  async invoke(token: string, args: Props): Promise<{ outputs?: Props; failures: CheckFailure[] }> {
    if (token === FEED_FUNCTION_TOKEN) {
      const failures = checkFeedArgs(args);
      if (failures.length) return { failures };
      return { outputs: (await getFeed(args as FeedArgs)) as unknown as Props, failures };
    }
    const kind = FUNCTIONS.get(token);
    if (!kind)
      throw problem("unsupported", {
        what: `${PACKAGE} has no function ${token}.`,
        fix: `Use one of ${[...FUNCTIONS.keys(), FEED_FUNCTION_TOKEN].join(", ")}.`,
      });
    const failures: CheckFailure[] = Object.keys(args)
      .filter((k) => k !== "q" && k !== "name")
      .map((property) => ({ property, reason: `${token} takes q and name only; got ${property}` }));
    for (const k of ["q", "name"])
      if (args[k] !== undefined && args[k] !== null && typeof args[k] !== "string")
        failures.push({ property: k, reason: `${k} must be a string` });
    if (failures.length) return { failures };
    const q = args.q as string | undefined;
    const name = args.name as string | undefined;
    const entries = await this.runtime.client.collection(kind).listAll({ q, name });
    return { outputs: { entries: entries.map(entryInfo) }, failures };
  }
}
