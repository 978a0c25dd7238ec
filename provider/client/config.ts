import { ConfigError } from "./errors";

export interface ConnectionSettings {
  /** Base URL including `/api/v2`, e.g. `https://tenant.cloudlock.com/api/v2`. */
  apiUrl: string;
  /** Bearer token from Settings > Authentication & API. */
  apiToken: string;
}

export const ENV_URL = "CLOUDLOCK_API_URL";
export const ENV_TOKEN = "CLOUDLOCK_API_TOKEN";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Resolve the API URL and token: explicit values first, else the environment.
 * Throws ConfigError naming every way to set what is missing. Plain http is
 * refused except to loopback (the emulator), so a token never crosses a
 * network in clear text.
 */
export function resolveConnection(
  explicit: Partial<ConnectionSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
  const apiUrl = nonEmpty(explicit.apiUrl) ?? nonEmpty(env[ENV_URL]);
  const apiToken = nonEmpty(explicit.apiToken) ?? nonEmpty(env[ENV_TOKEN]);
  const missing: string[] = [];
  if (!apiUrl) {
    missing.push(
      `the Cloudlock API URL is not set: set stack config "cloudlock:apiUrl" (pulumi config set cloudlock:apiUrl https://<server>/api/v2), the client option apiUrl, or the environment variable ${ENV_URL}`,
    );
  }
  if (!apiToken) {
    missing.push(
      `the Cloudlock API token is not set: set stack config "cloudlock:apiToken" (pulumi config set --secret cloudlock:apiToken <token>), the client option apiToken, or the environment variable ${ENV_TOKEN}`,
    );
  }
  // The message names every way to set what is missing: no fix to add.
  if (missing.length) throw new ConfigError(capitalise(missing.join("; and ")), "");
  return { apiUrl: normaliseApiUrl(apiUrl!), apiToken: apiToken! };
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
  if (url.protocol === "http:") {
    if (!LOOPBACK.test(url.hostname)) {
      throw new ConfigError(
        `Cloudlock API URL ${shown} uses plain http to a non-loopback host; use https (plain http is only allowed for localhost, e.g. the emulator)`,
      );
    }
  } else if (url.protocol !== "https:") {
    throw new ConfigError(`Cloudlock API URL ${shown} must use https`);
  }
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
