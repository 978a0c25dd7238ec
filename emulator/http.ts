/**
 * The one adapter between Node's HTTP and the handlers: it reads request bodies and writes every response. API
 * answers follow the knobs (error style, charset); control routes answer plain JSON with `{"message"}` errors.
 * Every answer carries a Date from the emulator's clock.
 */
import type * as http from "http";
import { httpDate } from "./clock";
import type { Knobs } from "./knobs";
import { HttpError, type Reply } from "./reply";

/** The whole request body; a 400 HttpError past `max` bytes. */
export async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.resume();
      throw new HttpError(400, `request body is larger than ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An API request's JSON body: Content-Type must say JSON. Refusals are 400 HttpErrors. */
export async function readJson(req: http.IncomingMessage, max: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  const body = await readBody(req, max);
  if (!/^application\/json/i.test(type)) {
    throw new HttpError(400, `Content-Type must be application/json, got "${type || "none"}"`);
  }
  return parseJson(body);
}

/** A control route's JSON body, whatever its Content-Type; an empty body is `{}`. */
export async function readControlJson(
  req: http.IncomingMessage,
  max: number,
): Promise<Record<string, unknown>> {
  const body = await readBody(req, max);
  if (body.length === 0) return {};
  return parseJson(body) as Record<string, unknown>;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `malformed JSON: ${(e as Error).message}`);
  }
}

/**
 * Write `reply` as the response: the one place that does. `knobs` choose the error style and charset (the
 * defaults for control routes); `now` is the emulator's clock, for the Date header unless the reply sets one.
 */
export function writeReply(
  res: http.ServerResponse,
  reply: Reply,
  knobs: Readonly<Knobs>,
  now: number,
): void {
  if (res.destroyed) return;
  const status = reply.status ?? 200;
  const headers: http.OutgoingHttpHeaders = {};
  let body = "";
  if (status !== 204) {
    let type = knobs.jsonCharset ? "application/json; charset=utf-8" : "application/json";
    if (reply.error !== undefined && knobs.errorBody === "detail") {
      if (reply.unknownRoute) {
        type = "text/html; charset=utf-8";
        body = notFoundPage(res.req?.url?.split("?")[0] ?? "/");
      } else {
        type = "application/problem+json";
        body = JSON.stringify({ detail: reply.error, status });
      }
    } else if (reply.raw !== undefined) {
      type = reply.raw.startsWith("<") ? "text/html" : type;
      body = reply.raw;
    } else if (reply.error !== undefined) {
      body = JSON.stringify({ message: reply.error });
    } else if (reply.body !== undefined) {
      body = JSON.stringify(reply.body);
    }
    headers["Content-Type"] = type;
    headers["Content-Length"] = Buffer.byteLength(body);
  }
  Object.assign(headers, reply.headers);
  headers.Date ??= httpDate(now);
  res.writeHead(status, headers);
  res.end(body);
}

function notFoundPage(path: string): string {
  const safe = path.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL ${safe} was not found on this server.</p></body></html>\n`;
}
