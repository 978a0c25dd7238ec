/**
 * TLS is never weakened: a server whose certificate is not trusted is refused
 * (real handshake, self-signed certificate), and no source file of the
 * project turns verification off.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import * as path from "path";
import { CloudlockClient, isApiError, isConnectionError } from "../../provider/client";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(__dirname, "../fixtures/tls");

test("an https server with an untrusted (self-signed) certificate is refused, token unsent", async () => {
  let requests = 0;
  const server = https.createServer(
    {
      key: fs.readFileSync(path.join(FIXTURES, "self-signed.key")),
      cert: fs.readFileSync(path.join(FIXTURES, "self-signed.crt")),
    },
    (_req, res) => {
      requests++;
      res.end('{"items":[],"total":0}');
    },
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const client = new CloudlockClient({
    apiUrl: `https://127.0.0.1:${port}/api/v2`,
    apiToken: "tls-test-token-1234",
    env: {},
    retry: { retries: 0 },
  });
  const err = await client.trusted.listAll().then(
    () => undefined,
    (e: unknown) => e,
  );
  client.close();
  await new Promise((r) => server.close(r));
  expect(isConnectionError(err)).toBe(true);
  expect((err as Error).message).toMatch(
    /network error (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/,
  );
  expect(requests).toBe(0);
});

test("a redirect is not followed: the token never reaches another port or host, and the error says why", async () => {
  const seen: (string | undefined)[] = [];
  const elsewhere = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.end('{"items":[],"total":0,"offset":0,"limit":100}');
  });
  await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", r));
  const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
  const redirecting = http.createServer((req, res) => {
    res.writeHead(307, { location: `${target}${req.url}` });
    res.end();
  });
  await new Promise<void>((r) => redirecting.listen(0, "127.0.0.1", r));
  const client = new CloudlockClient({
    apiUrl: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/api/v2`,
    apiToken: "redirect-test-token-99",
    env: {},
    retry: { retries: 0 },
  });
  const err = await client.trusted.listAll().catch((e: unknown) => e);
  client.close();
  await Promise.all([redirecting, elsewhere].map((s) => new Promise((r) => s.close(r))));
  expect(seen).toEqual([]);
  expect(isApiError(err)).toBe(true);
  expect((err as Error).message).toMatch(
    /307.*a redirect to http:\/\/127\.0\.0\.1:\d+\/api\/v2\/ip\/trusted.*not followed/,
  );
  expect((err as Error).message).not.toContain("redirect-test-token-99");
});

test("no source file disables certificate verification", () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) return files(p);
      return /\.(ts|js|sh)$/.test(d.name) ? [p] : [];
    });
  const sources = ["common", "provider", "sdk", "cli", "emulator", "scripts", "examples"].flatMap((d) =>
    files(path.join(ROOT, d)),
  );
  expect(sources.length).toBeGreaterThan(30);
  const weakening = /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity\s*:/;
  expect(sources.filter((f) => weakening.test(fs.readFileSync(f, "utf8")))).toEqual([]);
});
