/**
 * Errors the client and the providers throw. Check them with the `is…` functions rather than
 * `instanceof`: dynamic providers are serialised and reloaded, so two copies
 * of these classes can meet in one process.
 *
 * An error with a `problem` is expected (a bad input, setting, token, answer…): its text comes from the table of
 * expected errors (provider/problems.ts), it is one line, and it carries no stack trace. One without is a bug.
 */
import { CloudlockError as ErrorRoot, ERROR_MARK as MARK } from "../../common/error";
import { type ApiFacts, type ProblemFacts, type ProblemId, describeProblem, repeatOf } from "../problems";
import { WIRE } from "../model";

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

/**
 * The root of every error of this package, defined in common/ so that the CSV reader there throws CloudlockErrors
 * too; typed here with what the provider knows: its class `kind`, and an expected error's `problem`, a kind of
 * the table of expected errors (provider/problems.ts).
 */
export interface CloudlockError extends ErrorRoot {
  readonly kind: Kind;
  readonly problem?: ProblemId;
}
/** The one class (common/error.ts), so `instanceof CloudlockError` holds for every error of this package. */
export const CloudlockError = ErrorRoot as unknown as {
  new (message: string, problem?: ProblemId, fix?: string): CloudlockError;
  readonly prototype: CloudlockError;
};

/** Facts of the message of an expected error `id`. */
type Facts<K extends ProblemId> = ProblemFacts<K>;

/**
 * An expected error of kind `id` (see provider/problems.ts), its message and fix from the table: a ConfigError
 * for `configuration`, else a CloudlockError. API answers have their own factory, {@link makeApiError}.
 */
export function problem<K extends ProblemId>(id: K, facts: Facts<K>): CloudlockError {
  const { message, fix } = describeProblem(id, facts);
  return id === "configuration" ? new ConfigError(message, fix) : new CloudlockError(message, id, fix);
}

/** The same error, saying only what happened (its fix was given with an earlier error of this run). */
export function repeatError(e: CloudlockError): CloudlockError {
  const again = Object.assign(Object.create(Object.getPrototypeOf(e) as object) as CloudlockError, e);
  Object.defineProperty(again, MARK, { value: true });
  Object.defineProperty(again, "message", {
    value: repeatOf(e.detail),
    writable: true,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(again, "stack", {
    get: () => `${again.name}: ${again.message}`,
    set: () => undefined,
    configurable: true,
  });
  return again;
}

/** Missing or invalid client configuration (URL, token). */
export class ConfigError extends CloudlockError {
  override readonly kind: Kind = "ConfigError";
  /** `message` says what is wrong; `fix` what to do (default: the table's, see provider/problems.ts). */
  constructor(message: string, fix?: string) {
    super(message, "configuration", fix ?? describeProblem("configuration", { problem: message }).fix);
  }
}

/** The request never got an HTTP answer (refused, reset, DNS...). */
export class ConnectionError extends CloudlockError {
  override readonly kind: Kind = "ConnectionError";
  constructor(
    readonly method: string,
    readonly path: string,
    readonly causeMessage: string,
    /** The API URL, named in the fix. */
    apiUrl?: string,
  ) {
    const id = new.target.name === "TimeoutError" ? "timeout" : "unreachable";
    const d = describeProblem(id, { method, path, cause: causeMessage, apiUrl });
    super(d.message, id, d.fix);
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
    readonly shapeProblem: string,
  ) {
    const d = describeProblem("malformed-answer", { status, method, path, problem: shapeProblem });
    super(d.message, "malformed-answer", d.fix);
  }
}

/** A listing that could not be proven complete (the library kept changing, or fewer entries than its total). */
export class IncompleteListingError extends CloudlockError {
  override readonly kind: Kind = "IncompleteListingError";
  constructor(facts: Facts<"incomplete-listing">) {
    const d = describeProblem("incomplete-listing", facts);
    super(d.message, "incomplete-listing", d.fix);
  }
}

/** What an ApiError may say besides the answer itself: where the request went, where its token came from. */
export interface ApiContext {
  /** The API URL (named in a 401's message). */
  apiUrl?: string;
  /** Where the token came from, e.g. `stack config "cloudlock:apiToken"`. */
  tokenFrom?: string;
  /** How to set the token there, e.g. `pulumi config set --secret cloudlock:apiToken <token>`. */
  tokenHow?: string;
  /** What kind of source the token came from (the environment is read afresh by every run). */
  tokenKind?: "option" | "config" | "env" | "flag";
  /** Why the request was not sent (an earlier answer settles it), if it was not. */
  notSent?: string;
  /** The settings were those recorded in the stack (a read or delete: see ApiFacts.recordedSettings). */
  recordedSettings?: boolean;
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
    /** Where the request went and where its token came from, as the message says. */
    readonly context: ApiContext = {},
  ) {
    const id = problemOfStatus(status);
    const facts: ApiFacts = {
      status,
      statusText: STATUS_TEXT[status] ?? "",
      method,
      path,
      serverMessage,
      ...context,
    };
    const d = describeProblem(id, facts);
    super(d.message, id, d.fix);
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

/** The kind of expected error an HTTP error status is. */
function problemOfStatus(status: number): ProblemId {
  if (status >= 300 && status < 400) return "redirect";
  if (status >= 500) return "server-error";
  const byStatus: Record<number, ProblemId> = {
    400: "refused-request",
    401: "authentication",
    403: "permission",
    404: "not-found",
    429: "rate-limit",
  };
  return byStatus[status] ?? "api-error";
}

/** Build the right ApiError subclass for a status. */
export function makeApiError(
  status: number,
  method: string,
  path: string,
  serverMessage: string | undefined,
  retryAfterMs?: number,
  fields: readonly string[] = [],
  context: ApiContext = {},
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
  return new Cls(status, method, path, serverMessage, retryAfterMs, fields, context);
}

/**
 * The same 401 for a call made with the settings recorded in the stack (a read or delete: a refresh or destroy
 * that does not run the program), whose message says so and whose fix says how to send the current ones.
 */
export function withRecordedSettings(e: ApiError): ApiError {
  return makeApiError(e.status, e.method, e.path, e.serverMessage, e.retryAfterMs, e.fields, {
    ...e.context,
    recordedSettings: true,
  });
}

function isKind(e: unknown, kinds: Kind[]): boolean {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as Record<symbol, unknown>)[MARK] === true &&
    (kinds as readonly string[]).includes((e as CloudlockError).kind)
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
export const isAuthenticationError = (e: unknown): e is AuthenticationError =>
  isKind(e, ["AuthenticationError"]);

/** What an error says happened, without the fix an expected error adds (for quoting it inside another message). */
export function detailOf(e: unknown): string {
  return isCloudlockError(e) ? e.detail : e instanceof Error ? e.message : String(e);
}

/** An expected error: one of the table's kinds (provider/problems.ts), as opposed to a bug. */
export function isExpectedError(e: unknown): e is CloudlockError & { problem: ProblemId } {
  return isCloudlockError(e) && typeof e.problem === "string";
}

/** An expected error of kind `id`. */
export function isProblem(e: unknown, id: ProblemId): e is CloudlockError & { problem: ProblemId } {
  return isExpectedError(e) && e.problem === id;
}

/**
 * A create refused because the address is taken, as far as the answer tells: a 409, or a 400 whose body names
 * `ip_address` (Django REST style `{"ip_address": ["This field must be unique."]}`). The docs give no shape for
 * this refusal, so only as a fallback, a 400 whose message says so in words. Callers confirm by looking.
 */
export function isDuplicateRefusal(e: unknown): boolean {
  if (isConflictError(e)) return true;
  if (!isBadRequestError(e)) return false;
  if (e.fields.length) return e.fields.includes(WIRE.address);
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
