/**
 * Errors the client throws. Check them with the `is…` functions rather than
 * `instanceof`: dynamic providers are serialised and reloaded, so two copies
 * of these classes can meet in one process.
 */
const MARK = Symbol.for("pulumi-cloudlock:error");

type Kind =
  | "CloudlockError"
  | "ConfigError"
  | "ConnectionError"
  | "TimeoutError"
  | "ApiError"
  | "BadRequestError"
  | "AuthenticationError"
  | "PermissionDeniedError"
  | "NotFoundError"
  | "ConflictError"
  | "RateLimitError"
  | "ServerError"
  | "MalformedResponseError"
  | "IncompleteListingError";

export class CloudlockError extends Error {
  /** Which class this is; survives module duplication. */
  readonly kind: Kind = "CloudlockError";
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, MARK, { value: true });
    this.name = new.target.name;
  }
}

/** Missing or invalid client configuration (URL, token). */
export class ConfigError extends CloudlockError {
  override readonly kind: Kind = "ConfigError";
}

/** The request never got an HTTP answer (refused, reset, DNS...). */
export class ConnectionError extends CloudlockError {
  override readonly kind: Kind = "ConnectionError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly causeMessage: string,
  ) {
    super(`Cloudlock API ${method} ${path} failed: ${causeMessage}`);
  }
}

/** No answer within the per-request timeout. */
export class TimeoutError extends ConnectionError {
  override readonly kind: Kind = "TimeoutError";
}

/**
 * A 2xx answer that is not the documented shape (an HTML page, `{}`, JSON cut
 * off, a list without a numeric total): never read as data, so never taken
 * for an empty library or an entry without an id.
 */
export class MalformedResponseError extends CloudlockError {
  override readonly kind: Kind = "MalformedResponseError";
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    /** What was wrong with the answer. */
    readonly problem: string,
  ) {
    super(
      `Cloudlock API ${method} ${path} answered ${status} with ${problem}, which is not the documented shape`,
    );
  }
}

/** A listing that could not be proven complete (the library kept changing, or fewer entries than its total). */
export class IncompleteListingError extends CloudlockError {
  override readonly kind: Kind = "IncompleteListingError";
}

/** The API answered with a non-2xx status. */
export class ApiError extends CloudlockError {
  override readonly kind: Kind = "ApiError";
  constructor(
    readonly status: number,
    readonly method: string,
    /** Path and query, relative to the API URL; never the host or headers. */
    readonly path: string,
    /** The server's own `message`, if its body had one. */
    readonly serverMessage: string | undefined,
    /** Milliseconds the server asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs?: number,
    /** Request fields the server's error body names (e.g. `{"ip_address": ["…"]}`), if it names any. */
    readonly fields: readonly string[] = [],
  ) {
    super(
      `Cloudlock API ${method} ${path} returned ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd() +
        (serverMessage ? `: ${serverMessage}` : "") +
        (HINTS[status] ? ` (${HINTS[status]})` : ""),
    );
  }
}
export class BadRequestError extends ApiError {
  override readonly kind: Kind = "BadRequestError";
}
export class AuthenticationError extends ApiError {
  override readonly kind: Kind = "AuthenticationError";
}
export class PermissionDeniedError extends ApiError {
  override readonly kind: Kind = "PermissionDeniedError";
}
export class NotFoundError extends ApiError {
  override readonly kind: Kind = "NotFoundError";
}
export class ConflictError extends ApiError {
  override readonly kind: Kind = "ConflictError";
}
export class RateLimitError extends ApiError {
  override readonly kind: Kind = "RateLimitError";
}
export class ServerError extends ApiError {
  override readonly kind: Kind = "ServerError";
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const HINTS: Record<number, string> = {
  401: "the API token is missing, invalid or was regenerated; create a new one under Settings > Authentication & API",
  403: "the token's user lacks permission for this operation, e.g. a read-only token used for a write, or the license does not include the API",
};

/** Build the right ApiError subclass for a status. */
export function makeApiError(
  status: number,
  method: string,
  path: string,
  serverMessage: string | undefined,
  retryAfterMs?: number,
  fields: readonly string[] = [],
): ApiError {
  const Cls =
    status === 400
      ? BadRequestError
      : status === 401
        ? AuthenticationError
        : status === 403
          ? PermissionDeniedError
          : status === 404
            ? NotFoundError
            : status === 409
              ? ConflictError
              : status === 429
                ? RateLimitError
                : status >= 500
                  ? ServerError
                  : ApiError;
  return new Cls(status, method, path, serverMessage, retryAfterMs, fields);
}

function isKind(e: unknown, kinds: Kind[]): boolean {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as Record<symbol, unknown>)[MARK] === true &&
    kinds.includes((e as CloudlockError).kind)
  );
}

const API_KINDS: Kind[] = [
  "ApiError",
  "BadRequestError",
  "AuthenticationError",
  "PermissionDeniedError",
  "NotFoundError",
  "ConflictError",
  "RateLimitError",
  "ServerError",
];

export function isCloudlockError(e: unknown): e is CloudlockError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[MARK] === true;
}
export const isConfigError = (e: unknown): e is ConfigError => isKind(e, ["ConfigError"]);
export const isConnectionError = (e: unknown): e is ConnectionError =>
  isKind(e, ["ConnectionError", "TimeoutError"]);
export const isTimeoutError = (e: unknown): e is TimeoutError => isKind(e, ["TimeoutError"]);
export const isApiError = (e: unknown): e is ApiError => isKind(e, API_KINDS);
export const isNotFoundError = (e: unknown): e is NotFoundError => isKind(e, ["NotFoundError"]);
export const isRateLimitError = (e: unknown): e is RateLimitError => isKind(e, ["RateLimitError"]);
export const isPermissionDeniedError = (e: unknown): e is PermissionDeniedError =>
  isKind(e, ["PermissionDeniedError"]);
export const isBadRequestError = (e: unknown): e is BadRequestError => isKind(e, ["BadRequestError"]);
export const isConflictError = (e: unknown): e is ConflictError => isKind(e, ["ConflictError"]);

/**
 * A create refused because the address is taken, as far as the answer tells: a 409, or a 400 whose body names
 * `ip_address` (Django REST style `{"ip_address": ["This field must be unique."]}`). The docs give no shape for
 * this refusal, so only as a fallback, a 400 whose message says so in words. Callers confirm by looking.
 */
export function isDuplicateRefusal(e: unknown): boolean {
  if (isConflictError(e)) return true;
  if (!isBadRequestError(e)) return false;
  if (e.fields.length) return e.fields.includes("ip_address");
  return /already exists|duplicate|must be unique/i.test(e.serverMessage ?? "");
}
export const isMalformedResponseError = (e: unknown): e is MalformedResponseError =>
  isKind(e, ["MalformedResponseError"]);
export const isIncompleteListingError = (e: unknown): e is IncompleteListingError =>
  isKind(e, ["IncompleteListingError"]);

/** Replace every occurrence of the secret in a text; used on anything the server echoes back. */
export function maskSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  const masked = text.split(secret).join("[token]");
  // A text cut short elsewhere may end in the token's first characters (before a "…").
  const cut = masked.endsWith("…") ? "…" : "";
  const body = masked.slice(0, masked.length - cut.length);
  for (let k = secret.length - 1; k >= 4; k--)
    if (body.endsWith(secret.slice(0, k))) return `${body.slice(0, body.length - k)}[token]${cut}`;
  return masked;
}
