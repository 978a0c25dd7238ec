/**
 * The API routes (`/api/v2/ip/{suspicious,trusted}[/{id}]`): from a request to an Outcome, in the order a real
 * server meets things: latency, faults before handling, authentication, the rate limit, the token's rights, the
 * handler (./api.ts), faults after handling. Nothing here writes a response; the server carries the outcome out.
 */
import type * as http from "http";
import type { CollectionName } from "../provider/client/types";
import { sleep } from "../common/sleep";
import type { LibraryApi } from "./api";
import type { Tokens } from "./auth";
import { httpDate } from "./clock";
import type { FaultName, Faults } from "./faults";
import { readBody, readJson } from "./http";
import type { Knobs } from "./knobs";
import { multipartPart } from "./multipart";
import type { RateLimiter } from "./rate-limit";
import { HttpError, type Reply, errorReply } from "./reply";

/** Where an API request goes. */
export interface ApiTarget {
  /** Undefined when the path is no library route (a 404). */
  collection?: CollectionName;
  /** The entry id of `/ip/<collection>/<id>` (decoded; "" when empty). */
  id?: string;
  /** "GET /ip/trusted/{id}" style, as the request log counts it: without query or ids. */
  route: string;
}

/** What to do with a request. */
export type Outcome =
  /** Answer it. */
  | { act: "answer"; reply: Reply; fault?: FaultName }
  /** Never answer (a hung server); the socket dies when the client gives up or the emulator closes. */
  | { act: "hang" }
  /** Drop the connection; `status` is what the request would have been answered (0 if it was not handled). */
  | { act: "drop"; fault: "drop" | "drop-after-commit"; status: number };

/** Test hooks of the Emulator, read at each request (see Emulator.onList, Emulator.onCreate). */
export interface RouteHooks {
  onList?: (collection: CollectionName, offset: number) => void;
  onCreate?: (collection: CollectionName) => void | Promise<void>;
}

/** What the routes work with. `knobs` is read at each request: the live knobs. */
export interface RouteDeps {
  knobs: () => Knobs;
  now: () => number;
  api: LibraryApi;
  tokens: Tokens;
  limiter: RateLimiter;
  faults: Faults;
  hooks: RouteHooks;
}

/** The target of an API request. */
export function apiTarget(method: string, url: URL): ApiTarget {
  const m = /^\/api\/v2\/ip\/(suspicious|trusted)(?:\/([^/]*))?\/?$/.exec(url.pathname);
  const collection = m?.[1] as CollectionName | undefined;
  const id = m?.[2] ? decodeURIComponent(m[2]) : undefined;
  const route = collection
    ? `${method} /ip/${collection}${id !== undefined ? "/{id}" : ""}`
    : `${method} ${url.pathname}`;
  return { collection, id, route };
}

/** Handle an API request to the end: the outcome to carry out. Never throws for what a request sends. */
export async function handleApi(
  deps: RouteDeps,
  req: http.IncomingMessage,
  url: URL,
  { collection, id }: ApiTarget,
): Promise<Outcome> {
  const method = req.method ?? "GET";
  const answer = (reply: Reply, fault?: FaultName): Outcome => ({ act: "answer", reply, fault });
  const k = deps.knobs();
  if (k.latencyMs > 0) await sleep(k.latencyMs);

  const write = method !== "GET" && method !== "HEAD";
  const early = deps.faults.early(k, method, write && !!collection);
  if (early?.kind === "hang") {
    req.resume();
    return { act: "hang" };
  }
  if (early?.kind === "drop") return { act: "drop", fault: "drop", status: 0 };
  if (early?.kind === "answer") {
    req.resume();
    return answer(early.reply, "error");
  }

  try {
    if (!collection) throw new HttpError(404, `no such endpoint: ${method} ${url.pathname}`, true);
    const spec = deps.tokens.authenticate(req.headers.authorization);
    const limited = deps.limiter.take(spec.token, deps.knobs().rateLimit);
    if (limited !== undefined) {
      req.resume();
      return answer(tooManyRequests(k, deps.now(), limited), "rate-limited");
    }
    if (write && spec.readOnly) {
      throw new HttpError(
        403,
        "this API token is read-only; writes need a token whose user may manage IP libraries",
      );
    }
    if (method === "GET" && id === undefined)
      deps.hooks.onList?.(collection, Number(url.searchParams.get("offset") ?? 0));
    if (method === "POST" && id === undefined) await deps.hooks.onCreate?.(collection);
    const reply = await dispatch(deps, req, method, collection, id, url);
    const bad = deps.faults.badAnswer(k, method, reply);
    if (bad) return answer(bad, "bad-answer");
    if (deps.faults.dropAfterCommit(k, method, write))
      return { act: "drop", fault: "drop-after-commit", status: reply.status ?? 200 };
    return answer(reply);
  } catch (e) {
    req.resume();
    return answer(errorReply(e));
  }
}

/** A 429, its Date and Retry-After from one reading of the clock, so Retry-After - Date is the wait exactly. */
function tooManyRequests(k: Knobs, now: number, waitSeconds: number): Reply {
  const headers: Record<string, string> = { Date: httpDate(now) };
  if (k.retryAfterHeader) {
    headers["Retry-After"] =
      k.retryAfterFormat === "http-date" ? httpDate(now + waitSeconds * 1000) : String(waitSeconds);
  }
  return { status: 429, headers, error: "rate limit exceeded, slow down" };
}

/** The handler of a method on a library or one of its entries. */
async function dispatch(
  deps: RouteDeps,
  req: http.IncomingMessage,
  method: string,
  collection: CollectionName,
  id: string | undefined,
  url: URL,
): Promise<Reply> {
  const max = () => deps.knobs().maxBodyBytes;
  if (id !== undefined) {
    if (method !== "PUT")
      throw new HttpError(405, `${method} is not supported on an entry; use PUT to update`);
    if (id === "") throw new HttpError(404, "entry id is missing");
    return deps.api.update(collection, id, await readJson(req, max()));
  }
  switch (method) {
    case "GET":
      req.resume();
      return { body: deps.api.list(collection, url.searchParams) };
    case "POST": {
      const type = req.headers["content-type"] ?? "";
      if (/^multipart\/form-data/i.test(type)) {
        const body = await readBody(req, max());
        let file: Buffer | undefined;
        try {
          file = multipartPart(body, type, "file");
        } catch (e) {
          throw new HttpError(400, `malformed multipart body: ${(e as Error).message}`);
        }
        if (!file) throw new HttpError(400, 'multipart body has no "file" field with the CSV');
        return deps.api.importCsv(collection, file.toString("utf8"));
      }
      return deps.api.create(collection, await readJson(req, max()));
    }
    case "DELETE":
      req.resume();
      return deps.api.remove(collection, url.searchParams);
    default:
      throw new HttpError(405, `${method} is not supported on /ip/${collection}`);
  }
}
