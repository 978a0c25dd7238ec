import { ConfigError, detailOf, problem } from "./errors";

export interface ConnectionSettings {
  /** Base URL including `/api/v2`, e.g. `https://tenant.cloudlock.com/api/v2`. */
  apiUrl: string;
  /** Bearer token from Settings > Authentication & API. */
  apiToken: string;
}

/**
 * The two settings that make a connection, and every place one may be set: the one home of these facts (the
 * settings table, the plugin's schema and every "not set" message derive from it).
 */
export const CONNECTION_SETTINGS = {
  apiUrl: {
    label: "API URL",
    config: "cloudlock:apiUrl",
    env: "CLOUDLOCK_API_URL",
    example: "https://<server>/api/v2",
    secret: false,
  },
  apiToken: {
    label: "API token",
    config: "cloudlock:apiToken",
    env: "CLOUDLOCK_API_TOKEN",
    example: "<token>",
    secret: true,
  },
} as const satisfies Record<keyof ConnectionSettings, unknown>;

export const ENV_URL = CONNECTION_SETTINGS.apiUrl.env;
export const ENV_TOKEN = CONNECTION_SETTINGS.apiToken.env;

/** Where a setting's value was read (never the value): its kind, in words, and how to set it there. */
export interface SettingSource {
  kind?: "option" | "config" | "env" | "flag";
  /** The setting as messages name it there, when not its key or variable (e.g. a provider's property `apiUrl`). */
  name?: string;
  from: string;
  how?: string;
}

/** Where a caller reads its connection, so a message about a missing setting names only ways that work there. */
export interface Sources {
  /** Stack config (a Pulumi program or provider). */
  config?: boolean;
  /** An explicit option of the caller's API, named by this prefix and the setting's name (e.g. "connection."). */
  option?: string;
  /** Command-line flags, by setting. */
  flags?: Partial<Record<keyof ConnectionSettings, string>>;
  /** A remark on a setting, e.g. why there is no flag for it. */
  notes?: Partial<Record<keyof ConnectionSettings, string>>;
}

/** What a bare CloudlockClient reads: its options, then the environment. */
export const CLIENT_SOURCES: Sources = { option: "" };

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a URL names this machine (where plain http is allowed). */
export const isLoopback = (url: URL): boolean => LOOPBACK.test(url.hostname);
const CHECKED = Symbol("pulumi-cloudlock.connection");

/** A connection whose settings have been read and checked once: the URL in its normal form, a token present. */
export interface Connection extends ConnectionSettings {
  readonly [CHECKED]: true;
}

/** Whether `v` is a connection made by {@link connectionOf} (so a client takes it without checking it again). */
export function isConnection(v: unknown): v is Connection {
  return typeof v === "object" && v !== null && (v as Connection)[CHECKED] === true;
}

/** Why the connection cannot be made (naming every way `from` offers to set what is missing), or undefined. */
export function missingConnection(given: Partial<ConnectionSettings>, from: Sources): string | undefined {
  const keys = Object.keys(CONNECTION_SETTINGS) as (keyof ConnectionSettings)[];
  const missing = keys
    .filter((k) => !nonEmpty(given[k]))
    .map((k) => {
      const spec = CONNECTION_SETTINGS[k];
      const ways = [
        from.flags?.[k] && `pass ${from.flags[k]} ${spec.example}`,
        from.config &&
          `set stack config "${spec.config}" (pulumi config set${spec.secret ? " --secret" : ""} ${spec.config} ${spec.example})`,
        from.option !== undefined && `set the option ${from.option}${k}`,
        `set the environment variable ${spec.env}`,
      ].filter(Boolean);
      const note = from.notes?.[k] ? ` (${from.notes[k]})` : "";
      return `the Cloudlock ${spec.label} is not set: ${ways.slice(0, -1).join(", ")}${ways.length > 1 ? ", or " : ""}${ways.at(-1)}${note}`;
    });
  return missing.length ? capitalise(missing.join("; and ")) : undefined;
}

/**
 * The connection for settings already read and checked (the URL in its normal form: see normaliseApiUrl), or a
 * ConfigError naming every way `from` offers to set what is missing. The token is not enumerable, so it never
 * shows when the connection is printed.
 */
export function connectionOf(given: Partial<ConnectionSettings>, from: Sources): Connection {
  const problem = missingConnection(given, from);
  // The message names every way to set what is missing: no fix to add.
  if (problem) throw new ConfigError(problem, "");
  const conn = { apiUrl: given.apiUrl!.trim(), [CHECKED]: true } as Connection;
  Object.defineProperty(conn, "apiToken", { value: given.apiToken!.trim(), enumerable: false });
  return conn;
}

/**
 * A bare client's connection: its options first, else the environment. Throws ConfigError naming every way to
 * set what is missing, or what is wrong with the URL. Plain http is refused except to loopback (the emulator),
 * so a token never crosses a network in clear text.
 */
export function resolveConnection(
  explicit: Partial<ConnectionSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  for (const key of Object.keys(CONNECTION_SETTINGS) as (keyof ConnectionSettings)[]) {
    const v: unknown = explicit[key];
    if (v !== undefined && v !== null && typeof v !== "string")
      throw new ConfigError(`the option ${key} must be a string, got ${typeof v}`, `Pass ${key} as text.`);
  }
  const fromOption = nonEmpty(explicit.apiUrl);
  const apiUrl = fromOption ?? nonEmpty(env[ENV_URL]);
  const apiToken = nonEmpty(explicit.apiToken) ?? nonEmpty(env[ENV_TOKEN]);
  // What is missing first: a bad URL matters only once both are there.
  connectionOf({ apiUrl, apiToken }, CLIENT_SOURCES);
  let url: string;
  try {
    url = normaliseApiUrl(apiUrl!);
  } catch (e) {
    // Named as where it was read, with the table's fix for that place (the error's own is the generic one).
    const from = fromOption ? "the option apiUrl" : `the environment variable ${ENV_URL}`;
    throw problem("configuration", { problem: `${fromOption ? "apiUrl" : ENV_URL}: ${detailOf(e)}`, from });
  }
  return connectionOf({ apiUrl: url, apiToken }, CLIENT_SOURCES);
}

/**
 * The one form of an API URL, which every reader of the setting uses and every comparison compares: the URL
 * parser's (scheme and host in lower case, a default port dropped) without trailing slashes. Two spellings of
 * one tenant are one string. Throws ConfigError for a URL the client must not call: not http(s), plain http
 * beyond this machine, credentials, a query or a fragment (even an empty one: the `?` would stay in every path).
 * Messages show the URL masked (see shownApiUrl).
 */
export function normaliseApiUrl(raw: string): string {
  raw = raw.trim();
  const shown = `"${shownApiUrl(raw)}"`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`Cloudlock API URL ${shown} is not a valid URL; expected https://<server>/api/v2`);
  }
  const refused = transportProblem(url);
  if (refused) throw new ConfigError(`Cloudlock API URL ${shown} ${refused}`);
  if (url.username || url.password) {
    throw new ConfigError(
      `Cloudlock API URL ${shown} must not contain credentials; set the token separately`,
    );
  }
  // `search` and `hash` are "" for a bare `?` or `#`, which the serialised form keeps: look at that form.
  if (/[?#]/.test(url.href)) {
    throw new ConfigError(`Cloudlock API URL ${shown} must not contain a query or fragment (a "?" or "#")`);
  }
  return url.toString().replace(/\/+$/, "");
}

/**
 * The one rule for where this package sends a request (the API, a feed): https, or plain http to this machine only
 * (the emulator, a local feed server), since anything else crosses a network in clear text. What is wrong with
 * `url`, as the end of a sentence naming it, or undefined when it may be called.
 */
export function transportProblem(url: URL): string | undefined {
  if (url.protocol === "https:") return undefined;
  if (url.protocol !== "http:") return "must use https";
  if (isLoopback(url)) return undefined;
  return "uses plain http to a non-loopback host; use https (plain http is only allowed for localhost, e.g. the emulator)";
}

/**
 * An API URL as messages show it: credentials (`https://***@host/...`) and the content of a query or fragment
 * (`?…`) masked, since either may hold a secret. A value that does not parse is masked the same way by its text.
 */
export function shownApiUrl(raw: string): string {
  let s = raw.trim();
  const mark = s.search(/[?#]/);
  if (mark >= 0) s = s.slice(0, mark + 1) + (s.length > mark + 1 ? "…" : "");
  // Up to the last "@" of what remains: a password may hold "/" or ":", so what parses as the host may not be.
  const at = s.lastIndexOf("@");
  if (at >= 0 && hasCredentials(s)) {
    const authority = s.indexOf("//");
    s = (authority >= 0 && authority < at ? s.slice(0, authority + 2) : "") + "***" + s.slice(at);
  }
  return s;
}

/** Whether `s` holds credentials, or may (it does not parse, and holds an "@"). */
function hasCredentials(s: string): boolean {
  try {
    const url = new URL(s);
    return Boolean(url.username || url.password);
  } catch {
    return true;
  }
}

/** Whether two API URLs name one tenant: equal in their normal form (either unparsable: equal as written). */
export function sameApiUrl(a: string, b: string): boolean {
  const form = (u: string) => {
    try {
      return normaliseApiUrl(u);
    } catch {
      return u.trim();
    }
  };
  return form(a) === form(b);
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
