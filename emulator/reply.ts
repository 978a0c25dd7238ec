/**
 * What a handler gives back: a Reply, or a thrown HttpError. Handlers never write to a socket; the one adapter
 * (./http.ts) turns either into a response, so status lines, headers and error bodies are written in one place.
 */

/** A refusal with an HTTP status: the adapter answers it in the error style the knobs choose. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The route itself does not exist (not just the entry). */
    readonly unknownRoute = false,
  ) {
    super(message);
  }
}

/** An answer, as a value. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** An error message: the server writes the body in the configured error style. */
  error?: string;
  /** The route does not exist (the "detail" error style answers an HTML page). */
  unknownRoute?: boolean;
  /** A body written as it is, instead of `body` as JSON (answers that are not the documented shape). */
  raw?: string;
}

/** The reply for anything a handler threw: its own status for an HttpError, else a 500 naming the error. */
export function errorReply(e: unknown): Reply {
  if (e instanceof HttpError) return { status: e.status, error: e.message, unknownRoute: e.unknownRoute };
  return { status: 500, error: `internal emulator error: ${(e as Error)?.message ?? String(e)}` };
}
