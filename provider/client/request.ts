/**
 * What a request and its answer look like, and the one operation a collection needs of the client: so
 * collection.ts depends on this shape, not on the client that implements it.
 */
export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: Buffer;
  contentType?: string;
  /**
   * The documented shape of a 2xx answer: returns what is wrong with `data`,
   * or undefined. A wrong shape is a MalformedResponseError, retried like a 5xx.
   */
  expect?: (data: unknown) => string | undefined;
}

/**
 * The headers of an answer, as far as callers read them. Declared here rather than as node-fetch's `Headers` so
 * that the published types name no module a user's project lacks (node-fetch's types are a devDependency).
 */
export interface ResponseHeaders {
  /** The value of header `name` (case-insensitive), or null when absent. */
  get(name: string): string | null;
  /** Whether header `name` is present. */
  has(name: string): boolean;
}

/** A decoded answer from the API. */
export interface ApiResponse<T> {
  status: number;
  headers: ResponseHeaders;
  data: T;
}

/** What sends a request and decodes its answer (the client; a collection is a view over it). */
export interface Requester {
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse<T>>;
}
