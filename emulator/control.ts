/**
 * The test-only control routes under `/_emulator/`: health, the clock, reset, fixtures, hand edits, token
 * rotation, the request log and the knobs. Each is a thin HTTP face of an Emulator method; they return Replies
 * (errors as HttpError) and the server writes them, always as plain JSON with `{"message"}` errors.
 */
import type * as http from "http";
import { COLLECTIONS, type CollectionName, type IpEntry } from "../provider/client/types";
import { clockView } from "./clock";
import { readControlJson } from "./http";
import { type Knobs, type ProfileName, knobError } from "./knobs";
import { HttpError, type Reply } from "./reply";
import type { LoggedRequest, RequestCounters } from "./requests";

/** Reserved prefix of the test-only control routes. */
export const CONTROL_PREFIX = "/_emulator";

/** Whether a path is a control route's. */
export function isControlPath(pathname: string): boolean {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

/** The Emulator methods the control routes stand for. */
export interface ControlTarget {
  readonly profile: ProfileName;
  readonly knobs: Readonly<Knobs>;
  setKnobs(patch: Partial<Knobs>): void;
  advanceClock(seconds: number): number;
  setClock(at: string | number | Date): number;
  reset(): void;
  seed(
    collection: CollectionName,
    entries: Array<Partial<IpEntry> & { name: string; ip_address: string }>,
  ): IpEntry[];
  entries(collection: CollectionName): IpEntry[];
  edit(collection: CollectionName, pk: string, patch: Partial<IpEntry>): IpEntry;
  remove(collection: CollectionName, pks: readonly string[]): string[];
  rotateToken(from: string, to: string): void;
  requests(): { counters: RequestCounters; log: LoggedRequest[] };
  clearRequests(): void;
}

/** The answer of control route `req` (a path under CONTROL_PREFIX). Throws HttpError for a refusal. */
export async function controlReply(emu: ControlTarget, req: http.IncomingMessage, url: URL): Promise<Reply> {
  const method = req.method ?? "GET";
  const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  const json = () => readControlJson(req, emu.knobs.maxBodyBytes);
  const coll = (v: unknown): CollectionName => {
    if (!COLLECTIONS.includes(v as CollectionName))
      throw new HttpError(400, 'collection must be "suspicious" or "trusted"');
    return v as CollectionName;
  };
  const entryRoute = /^\/entries\/([^/]+)\/([^/]+)$/.exec(path);
  switch (`${method} ${entryRoute ? "/entries/:c/:pk" : path}`) {
    case "GET /health":
      return { body: { ok: true, profile: emu.profile } };
    case "GET /clock":
      return { body: clockView(emu.knobs) };
    case "POST /clock":
      moveClock(emu, await json());
      return { body: clockView(emu.knobs) };
    case "POST /reset":
      emu.reset();
      return { body: { ok: true } };
    case "POST /seed": {
      const b = await json();
      if (!Array.isArray(b.entries)) throw new HttpError(400, "entries must be a list");
      return { body: { items: emu.seed(coll(b.collection), b.entries) } };
    }
    case "GET /entries":
      return { body: { items: emu.entries(coll(url.searchParams.get("collection"))) } };
    case "PATCH /entries/:c/:pk":
      return {
        body: emu.edit(
          coll(entryRoute![1]),
          decodeURIComponent(entryRoute![2]),
          (await json()) as Partial<IpEntry>,
        ),
      };
    case "DELETE /entries/:c/:pk":
      return {
        body: { deleted: emu.remove(coll(entryRoute![1]), [decodeURIComponent(entryRoute![2])]).length },
      };
    case "POST /tokens/rotate": {
      const b = await json();
      if (typeof b.from !== "string" || typeof b.to !== "string")
        throw new HttpError(400, 'body must be {"from": "<token>", "to": "<new token>"}');
      asBadRequest(() => emu.rotateToken(b.from as string, b.to as string));
      return { body: { ok: true } };
    }
    case "GET /requests":
      return { body: emu.requests() };
    case "DELETE /requests":
      emu.clearRequests();
      return { body: { ok: true } };
    case "GET /knobs":
      return { body: emu.knobs };
    case "PATCH /knobs": {
      const patch = await json();
      const err = knobError(patch);
      if (err) throw new HttpError(400, err);
      emu.setKnobs(patch as Partial<Knobs>);
      return { body: emu.knobs };
    }
    default:
      throw new HttpError(404, `no control route ${method} ${CONTROL_PREFIX}${path}`);
  }
}

/** POST /clock: exactly one of `{"advanceSeconds": N}` or `{"set": "<ISO timestamp>"}`. */
function moveClock(emu: ControlTarget, b: unknown): void {
  if (typeof b !== "object" || b === null || Array.isArray(b))
    throw new HttpError(400, 'body must be {"advanceSeconds": N} or {"set": "<ISO timestamp>"}');
  const body = b as Record<string, unknown>;
  const keys = Object.keys(body);
  if (keys.length !== 1 || !["advanceSeconds", "set"].includes(keys[0]))
    throw new HttpError(
      400,
      'body must be exactly one of {"advanceSeconds": N} or {"set": "<ISO timestamp>"}',
    );
  if ("advanceSeconds" in body) {
    const seconds = body.advanceSeconds;
    if (typeof seconds !== "number" || !Number.isFinite(seconds))
      throw new HttpError(400, "advanceSeconds must be a finite number of seconds");
    asBadRequest(() => emu.advanceClock(seconds));
  } else {
    const at = body.set;
    if (typeof at !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(at) || Number.isNaN(Date.parse(at)))
      throw new HttpError(400, `set must be an ISO-8601 timestamp, got ${JSON.stringify(at)}`);
    asBadRequest(() => emu.setClock(at));
  }
}

/** Run `f`; an Error it throws (a refused value) is the caller's mistake: a 400 with its message. */
function asBadRequest(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    throw new HttpError(400, (e as Error).message);
  }
}
