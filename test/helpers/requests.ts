/**
 * Counts over the emulator's request log (API requests since its last `clearRequests`; control routes are not
 * logged), shared by the suites that assert what an operation cost.
 */
import type { Emulator, LoggedRequest } from "../../emulator";

export interface RequestFilter {
  /** "GET", "POST", "PUT", "DELETE". */
  method?: string;
  /** "PUT /ip/trusted/{id}" style: method and route, without query or ids. */
  route?: string;
  /** The status answered (0 for a dropped or hung connection). */
  status?: number;
}

/** The logged requests that match every field of `filter` (all of them for `{}`), in order. */
export function logged(emu: Emulator, filter: RequestFilter = {}): LoggedRequest[] {
  return emu
    .requests()
    .log.filter(
      (r) =>
        (filter.method === undefined || r.method === filter.method) &&
        (filter.route === undefined || r.route === filter.route) &&
        (filter.status === undefined || r.status === filter.status),
    );
}

/** GET requests: listing pages and searches. */
export const gets = (emu: Emulator): number => logged(emu, { method: "GET" }).length;

/** Requests other than GET: POSTs, PUTs and DELETEs. */
export const writes = (emu: Emulator): number => emu.requests().log.filter((r) => r.method !== "GET").length;

/** Searches: GETs with a `q=` term. */
export const searches = (emu: Emulator): number =>
  emu.requests().log.filter((r) => r.method === "GET" && r.query.includes("q=")).length;

/** Listing pages: GETs without a `q=` term. */
export const listings = (emu: Emulator): number =>
  emu.requests().log.filter((r) => r.method === "GET" && !r.query.includes("q=")).length;
