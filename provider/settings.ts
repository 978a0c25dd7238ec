/**
 * Every setting of the providers, the lookup functions and the CLI, written once: where it is read (stack config
 * key, environment variable), its default, and how it is parsed. `resolveSettings` is the one place that reads
 * them; the README's configuration table is checked against `SETTINGS` by a test.
 */
import { ATTEMPT_TIMEOUT_MS, ClientOptions } from "./client/client";
import {
  CONNECTION_SETTINGS,
  type ConnectionSettings,
  type SettingSource,
  type Sources,
  connectionOf,
  normaliseApiUrl,
} from "./client/config";
import { detailOf, problem } from "./client/errors";
import { RateLimiter } from "./client/limiter";
import { DEFAULT_RETRY_POLICY } from "./client/retry";

/** Stack config as the dynamic provider's `configure` and `pulumi.Config` give it: plain strings by full key. */
export interface ConfigSource {
  get(key: string): string | undefined;
  /**
   * Where a key of this source is set, in words, and how to set it there (messages name it). Default: stack
   * config (`stack config "cloudlock:apiToken"`, `pulumi config set --secret cloudlock:apiToken <token>`).
   */
  describe?(key: string): SettingSource | undefined;
}

export type { SettingSource, Sources };

/** `url`: an API URL, checked and in its one normal form (see normaliseApiUrl), so two spellings compare equal. */
type Parse = "text" | "url" | "positive" | "flag";

interface Setting<T> {
  /** Stack config key, if a stack may set it. */
  readonly config?: string;
  /** Environment variable. */
  readonly env: string;
  readonly parse: Parse;
  readonly default: T;
  /** What it is, for the README table and error messages. */
  readonly doc: string;
  /** A value to show in "how to set it" messages. */
  readonly example?: string;
  /** Stack config should hold it as a secret. */
  readonly secret?: boolean;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;
/** Where a connection setting is set, as the connection's facts say (provider/client/config.ts). */
function connection(key: keyof ConnectionSettings) {
  const { config, env, example, secret } = CONNECTION_SETTINGS[key];
  return { config, env, example, ...(secret ? { secret } : {}) };
}

export const SETTINGS = {
  apiUrl: setting<string | undefined>({
    ...connection("apiUrl"),
    parse: "url",
    default: undefined,
    doc: "API URL, including /api/v2",
  }),
  apiToken: setting<string | undefined>({
    ...connection("apiToken"),
    parse: "text",
    default: undefined,
    doc: "API token (stack config: set it with --secret)",
  }),
  timeoutSeconds: setting<number>({
    config: "cloudlock:timeoutSeconds",
    env: "CLOUDLOCK_TIMEOUT_SECONDS",
    parse: "positive",
    // The client's own bound, so a provider and a bare client agree.
    default: DEFAULT_RETRY_POLICY.maxTotalMs / 1000,
    doc: "time bound of one API call, retries included, in seconds",
  }),
  maxRequestsPerSecond: setting<number>({
    config: "cloudlock:maxRequestsPerSecond",
    env: "CLOUDLOCK_MAX_REQUESTS_PER_SECOND",
    parse: "positive",
    default: 50,
    doc: "request pacing ceiling, per second",
  }),
  adoptIdentical: setting<boolean>({
    env: "CLOUDLOCK_ADOPT_IDENTICAL",
    parse: "flag",
    default: false,
    doc: "adopt entries identical to their declarations (recovery after a crash)",
  }),
  // Never stack config: an allowance kept in config would outlive the content it was given for.
  allowLargeChange: setting<string | undefined>({
    env: "CLOUDLOCK_ALLOW_LARGE_CHANGE",
    parse: "text",
    default: undefined,
    doc: "content ids (sha256:…) of set changes beyond maxChange allowed in this run, as the refusal prints them",
  }),
} as const;

type Table = typeof SETTINGS;
/** Resolved settings: every one has a value (the connection may still be missing; the client says so on use). */
export type Settings = { [K in keyof Table]: Table[K]["default"] };

/** Explicit settings (they win over stack config and the environment), and how messages name them. */
export type Explicit = Partial<Settings> & {
  /** The prefix of an option's name before the setting's (e.g. "connection."), as the caller's API names it. */
  option?: string;
  /** Where an explicit setting comes from when it is not an option (e.g. a command-line flag). */
  describe?: (key: keyof Settings) => SettingSource | undefined;
};

/** Settings as read: every value, and where each one that is set was read (for messages such as a 401's). */
export interface Read {
  settings: Settings;
  sources: Partial<Record<keyof Settings, SettingSource>>;
}

/**
 * Read every setting, once: an explicit option first, then stack config, then the environment, then the
 * default. Empty strings count as unset. Only the source that wins is parsed (a bad value where a better source
 * overrides it is not an error); a value that does not parse is a ConfigError naming where it was read.
 */
export function readSettings(
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
  explicit: Explicit = {},
): Read {
  const settings: Record<string, unknown> = {};
  const sources: Read["sources"] = {};
  for (const [key, s] of Object.entries(SETTINGS) as [keyof Table, Setting<unknown>][]) {
    const candidates: [unknown, () => { name: string; source: SettingSource }][] = [
      [explicit[key], () => explicitSource(key, explicit)],
      [
        s.config && config?.get(s.config),
        () => {
          const source = configSource(s, s.config!, config);
          return { name: source.name ?? s.config!, source };
        },
      ],
      [env[s.env], () => ({ name: s.env, source: envSource(s) })],
    ];
    const found = candidates.find(([v]) => v !== undefined && v !== null && String(v).trim() !== "");
    if (!found) {
      settings[key] = s.default;
      continue;
    }
    const { name, source } = found[1]();
    // A bad variable's fix is "correct it" alone: how to set a variable is where the value already is.
    const fix = source.kind === "env" ? { ...source, how: undefined } : source;
    settings[key] = parse(s, String(found[0]), name, fix);
    sources[key] = source;
  }
  return { settings: settings as Settings, sources };
}

/** Every setting's value (see {@link readSettings}). */
export function resolveSettings(
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
  explicit: Explicit = {},
): Settings {
  return readSettings(config, env, explicit).settings;
}

/** Where an explicit setting comes from: the caller's own account (a flag), else an option of its API. */
function explicitSource(key: keyof Settings, explicit: Explicit): { name: string; source: SettingSource } {
  const own = explicit.describe?.(key);
  if (own) return { name: own.name ?? own.from, source: own };
  const name = `${explicit.option ?? ""}${key}`;
  return { name, source: { kind: "option", from: `the option ${name}` } };
}

/** Where stack config key `key` of setting `s` is set (the source's own words, e.g. a provider's property). */
function configSource(s: Setting<unknown>, key: string, config: ConfigSource | undefined): SettingSource {
  return (
    config?.describe?.(key) ?? {
      kind: "config",
      from: `stack config "${key}"`,
      how: `pulumi config set${s.secret ? " --secret" : ""} ${key} ${s.example ?? "<value>"}`,
    }
  );
}

function envSource(s: Setting<unknown>): SettingSource {
  return {
    kind: "env",
    from: `the environment variable ${s.env}`,
    how: `set ${s.env} in the environment Pulumi runs in`,
  };
}

/** `where`: the key or variable, which the message names; `source`: where it is set, which the fix names. */
function parse(s: Setting<unknown>, raw: string, where: string, source: SettingSource): unknown {
  const v = raw.trim();
  const refuse = (what: string) =>
    problem("configuration", { problem: what, from: source.from, how: source.how });
  switch (s.parse) {
    case "text":
      return v;
    case "url":
      try {
        return normaliseApiUrl(v);
      } catch (e) {
        // What was wrong only: the fix is this source's, not the generic one the error carries.
        throw refuse(`${where}: ${detailOf(e)}`);
      }
    case "positive": {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw refuse(`${where} must be a positive number, got "${raw}"`);
      return n;
    }
    case "flag":
      if (/^(1|true|yes)$/i.test(v)) return true;
      if (/^(0|false|no)$/i.test(v)) return false;
      throw refuse(`${where} must be 1/true/yes or 0/false/no, got "${raw}"`);
  }
}

/** The settings that make the connection: a provider takes both from one place (see the plugin's checkConfig). */
export const CONNECTION = Object.keys(CONNECTION_SETTINGS) as (keyof ConnectionSettings)[];

/**
 * Client options for settings as read: the connection (a ConfigError naming every way `from` offers to set
 * what is missing), where its token came from, a limiter at the pacing ceiling, and the time bound. Share the
 * client's limiter between callers of one tenant.
 */
export function clientOptions(read: Read, from: Sources): ClientOptions {
  const s = read.settings;
  const bound = s.timeoutSeconds * 1000;
  return {
    connection: connectionOf({ apiUrl: s.apiUrl, apiToken: s.apiToken }, from),
    tokenSource: read.sources.apiToken,
    limiter: new RateLimiter({ perSecond: s.maxRequestsPerSecond }),
    timeoutMs: Math.min(ATTEMPT_TIMEOUT_MS, bound),
    retry: { maxTotalMs: bound },
  };
}
