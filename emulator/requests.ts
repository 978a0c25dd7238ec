/** The log of API requests and its counters, as the control route `/_emulator/requests` shows them. */
import type { FaultName } from "./faults";

export interface LoggedRequest {
  seq: number;
  method: string;
  /** "GET /ip/trusted" style, without query or ids. */
  route: string;
  path: string;
  query: string;
  /** HTTP status, or 0 when the connection was dropped or hung. */
  status: number;
  fault?: FaultName;
}

export interface RequestCounters {
  total: number;
  byMethod: Record<string, number>;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  faults: Record<string, number>;
}

/** Entries kept; the oldest are forgotten past it (the counters keep counting). */
const LOG_LIMIT = 20_000;

export class RequestLog {
  private log: LoggedRequest[] = [];
  private counters: RequestCounters = emptyCounters();
  /** Numbers requests in arrival order; not restarted by clear(), so a number is never given twice. */
  private seq = 0;

  /** A log entry for a request just arrived (status 0 until it is answered); record() it when done. */
  open(method: string, route: string, url: URL): LoggedRequest {
    return { seq: ++this.seq, method, route, path: url.pathname, query: url.search, status: 0 };
  }

  record(entry: LoggedRequest): void {
    const c = this.counters;
    c.total++;
    c.byMethod[entry.method] = (c.byMethod[entry.method] ?? 0) + 1;
    c.byRoute[entry.route] = (c.byRoute[entry.route] ?? 0) + 1;
    c.byStatus[String(entry.status)] = (c.byStatus[String(entry.status)] ?? 0) + 1;
    if (entry.fault) c.faults[entry.fault] = (c.faults[entry.fault] ?? 0) + 1;
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  /** Copies of the counters and the log. */
  snapshot(): { counters: RequestCounters; log: LoggedRequest[] } {
    return { counters: structuredClone(this.counters), log: [...this.log] };
  }

  clear(): void {
    this.log = [];
    this.counters = emptyCounters();
  }
}

function emptyCounters(): RequestCounters {
  return { total: 0, byMethod: {}, byRoute: {}, byStatus: {}, faults: {} };
}
