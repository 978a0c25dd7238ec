import * as http from "http";
import type { AddressInfo } from "net";

export interface Rewrites {
  /** The path and query sent on to the server. */
  url?: (url: string, method: string) => string;
  /** The answer's body as the client gets it. */
  body?: (body: string, method: string, url: string, status: number) => string;
  /** The answer's status as the client gets it. */
  status?: (status: number, method: string, url: string) => number;
}

/** A misbehaving proxy in front of the emulator: rewrites requests or answers, for tests of what the docs forbid. */
export async function rewritingProxy(
  target: string,
  rewrite: Rewrites,
): Promise<{ url: string; close: () => Promise<void> }> {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = rewrite.url?.(req.url!, req.method!) ?? req.url!;
      const up = http.request(
        { host: t.hostname, port: t.port, path: url, method: req.method, headers: req.headers },
        (answer) => {
          const back: Buffer[] = [];
          answer.on("data", (c: Buffer) => back.push(c));
          answer.on("end", () => {
            const raw = Buffer.concat(back).toString();
            const body = rewrite.body?.(raw, req.method!, url, answer.statusCode!) ?? raw;
            const headers = { ...answer.headers };
            delete headers["content-length"];
            delete headers["transfer-encoding"];
            res.writeHead(
              rewrite.status?.(answer.statusCode!, req.method!, url) ?? answer.statusCode!,
              headers,
            );
            res.end(body);
          });
        },
      );
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
