/**
 * A local feed server for the tests: serves the feeds a test puts at a path, on 127.0.0.1 (plain http is
 * allowed to this machine only, as for the API). Each path answers its body, or a fault: a status, a body cut
 * short of its declared length, or no answer at all.
 */
import * as http from "http";
import type { AddressInfo } from "net";

export interface FeedAnswer {
  body?: string;
  /** Answer this status instead (the body, if any, is its text). */
  status?: number;
  /** Declare the whole body's length but send only this many bytes, then close the connection. */
  truncateAt?: number;
  /** Never answer (the client's time bound ends it). */
  hang?: boolean;
  contentType?: string;
  /** A Location header (with a 3xx status: a redirect). */
  location?: string;
}

export interface FeedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The URL of a path (`/drop.txt`). */
  at(path: string): string;
  /** What a path answers from now on. */
  put(path: string, answer: FeedAnswer | string): void;
  /** How many requests each path has had. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const answers = new Map<string, FeedAnswer>();
  const hits = new Map<string, number>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const a = answers.get(path);
    if (!a) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no feed here");
      return;
    }
    if (a.hang) {
      hanging.add(res);
      return;
    }
    const body = Buffer.from(a.body ?? "");
    res.writeHead(a.status ?? 200, {
      "content-type": a.contentType ?? "text/plain; charset=utf-8",
      "content-length": String(body.length),
      ...(a.location ? { location: a.location } : {}),
    });
    if (a.truncateAt !== undefined) {
      res.write(body.subarray(0, a.truncateAt), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    at: (p) => url + p,
    put: (p, a) => answers.set(p, typeof a === "string" ? { body: a } : a),
    hits: (p) => hits.get(p) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.socket?.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
