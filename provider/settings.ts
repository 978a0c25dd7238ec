/**
 * Every setting of the providers, the lookup functions and the CLI, written once: where it is read (stack config
 * key, environment variable), its default, and how it is parsed. `resolveSettings` is the one place that reads
 * them; the README's configuration table is checked against `SETTINGS` by a test.
 */
import { ATTEMPT_TIMEOUT_MS, ClientOptions } from "./client/client";
import { ENV_TOKEN, ENV_URL, normaliseApiUrl, resolveConnection } from "./client/config";
import { ConfigError, detailOf, problem } from "./client/errors";
import { RateLimiter } from "./client/limiter";
import { DEFAULT_RETRY_POLICY } from "./client/retry";

/** Stack config as the dynamic provider's `configure` and `pulumi.Config` give it: plain strings by full key. */
export interface ConfigSource {
  get(key: string): string | undefined;
  /**
   * Where a key of this source is set, in words, and how to set it there (messages name it). Default: stack
   * config (`stack config "cloudlock:apiToken"`, `pulumi config set --secret cloudlock:apiToken <token>`).
   */
  describe?(key: string): SettingSource;
}

/** Where a setting's value was read, in words, and how to set it there. Never the value. */
export interface SettingSource {
  from: string;
  how?: string;
}

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

export const SETTINGS = {
  apiUrl: setting<string | undefined>({
    config: "cloudlock:apiUrl",
    env: ENV_URL,
    parse: "url",
    default: undefined,
    doc: "API URL, including /api/v2",
    example: "https://<server>/api/v2",
  }),
  apiToken: setting<string | undefined>({
    config: "cloudlock:apiToken",
    env: ENV_TOKEN,
    parse: "text",
    default: undefined,
    doc: "API token (stack config: set it with --secret)",
    example: "<token>",
    secret: true,
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
} as const;

type Table = typeof SETTINGS;
/** Resolved settings: every one has a value (the connection may still be missing; the client says so on use). */
export type Settings = { [K in keyof Table]: Table[K]["default"] };

/**
 * Resolve every setting: an explicit option first, then stack config, then the environment, then the default.
 * Empty strings count as unset. A value that does not parse is a ConfigError naming where it was read.
 */
export function resolveSettings(
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
  explicit: Partial<Settings> = {},
): Settings {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [keyof Table, Setting<unknown>][]) {
    // Only the source that wins is parsed: a bad value where a better source overrides it is not an error.
    out[key] =
      explicit[key] ??
      (s.config ? parse(s, config?.get(s.config), s.config, configSource(s, s.config, config)) : undefined) ??
      parse(s, env[s.env], s.env, { from: envSource(s).from }) ??
      s.default;
  }
  return out as Settings;
}

/**
 * Where `key`'s value comes from, by the precedence of {@link resolveSettings} (explicit option, stack config,
 * environment), for messages such as a 401's; undefined when it is not set.
 */
export function settingSource(
  key: keyof Settings,
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
  explicit: Partial<Settings> & { optionPrefix?: string } = {},
): SettingSource | undefined {
  const s: Setting<unknown> = SETTINGS[key];
  const set = (v: unknown) => v !== undefined && v !== null && String(v).trim() !== "";
  if (set(explicit[key])) return { from: `the option ${explicit.optionPrefix ?? ""}${key}` };
  if (s.config && set(config?.get(s.config))) return configSource(s, s.config, config);
  if (set(env[s.env])) return envSource(s);
  return undefined;
}

/** Where stack config key `key` of setting `s` is set (the source's own words, e.g. a provider's property). */
function configSource(s: Setting<unknown>, key: string, config: ConfigSource | undefined): SettingSource {
  return (
    config?.describe?.(key) ?? {
      from: `stack config "${key}"`,
      how: `pulumi config set${s.secret ? " --secret" : ""} ${key} ${s.example ?? "<value>"}`,
    }
  );
}

function envSource(s: Setting<unknown>): SettingSource {
  return { from: `the environment variable ${s.env}`, how: `set ${s.env} in the environment Pulumi runs in` };
}

/** `where`: the key or variable, which the message names; `source`: where it is set, which the fix names. */
function parse(s: Setting<unknown>, raw: string | undefined, where: string, source: SettingSource): unknown {
  const v = raw?.trim();
  if (!v) return undefined;
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

/** Where a caller reads its settings, so a message about a missing one names only ways that work there. */
export interface Sources {
  /** Stack config (a Pulumi program or provider). */
  config?: boolean;
  /** An explicit option of the caller's API, named by this prefix and the setting's name (e.g. "connection."). */
  option?: string;
  /** Command-line flags, by setting. */
  flags?: Partial<Record<keyof Settings, string>>;
  /** A remark on a setting, e.g. why there is no flag for it. */
  notes?: Partial<Record<keyof Settings, string>>;
}

/** The settings that make the connection: a provider takes both from one place (see the plugin's checkConfig). */
export const CONNECTION = ["apiUrl", "apiToken"] as const;
const LABELS: Record<(typeof CONNECTION)[number], string> = { apiUrl: "API URL", apiToken: "API token" };

/** Why the connection cannot be made (naming every way `from` offers to set what is missing), or undefined. */
export function missingConnection(s: Settings, from: Sources): string | undefined {
  const missing = CONNECTION.filter((k) => !s[k]).map((k) => {
    const spec: Setting<unknown> = SETTINGS[k];
    const ways = [
      from.flags?.[k] && `pass ${from.flags[k]} ${spec.example}`,
      from.config &&
        spec.config &&
        `set stack config "${spec.config}" (pulumi config set${spec.secret ? " --secret" : ""} ${spec.config} ${spec.example})`,
      from.option !== undefined && `the option ${from.option}${k}`,
      `set the environment variable ${spec.env}`,
    ].filter(Boolean);
    const note = from.notes?.[k] ? ` (${from.notes[k]})` : "";
    return `the Cloudlock ${LABELS[k]} is not set: ${ways.slice(0, -1).join(", ")}${ways.length > 1 ? ", or " : ""}${ways.at(-1)}${note}`;
  });
  if (!missing.length) return undefined;
  const text = missing.join("; and ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Client options for resolved settings: the connection (a ConfigError naming every way `from` offers to set
 * what is missing), a limiter at the pacing ceiling, and the time bound. Share the client's limiter between
 * callers of one tenant.
 */
export function clientOptions(s: Settings, from: Sources): ClientOptions {
  const problem = missingConnection(s, from);
  // The message names every way to set what is missing: no fix to add.
  if (problem) throw new ConfigError(problem, "");
  const bound = s.timeoutSeconds * 1000;
  return {
    ...resolveConnection({ apiUrl: s.apiUrl, apiToken: s.apiToken }, {}),
    env: {},
    limiter: new RateLimiter({ perSecond: s.maxRequestsPerSecond }),
    timeoutMs: Math.min(ATTEMPT_TIMEOUT_MS, bound),
    retry: { maxTotalMs: bound },
  };
}
