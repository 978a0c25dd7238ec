/**
 * Reading a feed's bytes, from a URL or a file, within a time bound and a size bound. The URL rule is the API's
 * (client/config.ts `transportProblem`): https, or plain http to this machine only; redirects are followed by
 * hand so every hop obeys it. Anything that goes wrong is a `feed-source` error naming the feed: a set fed by it
 * then keeps what it has, since the program fails before the set is checked.
 */
import { promises as fs } from "fs";
import * as path from "path";
import { problem } from "../client/errors";
import { isLoopback, shownApiUrl, transportProblem } from "../client/config";
import { contentId } from "./content-id";
import { FEED_LIMITS } from "./limits";

/** Where a feed is read from: exactly one of them. */
export interface FeedSource {
  /** An https URL (plain http only to this machine), or a `file:` URL. */
  url?: string;
  /** A file, relative to the working directory (a Pulumi program's: its project folder). */
  file?: string;
  /** Seconds the whole read may take, body included. */
  timeoutSeconds?: number;
  /** The most bytes the body may have (after decompression). */
  maxBytes?: number;
}

/** A feed's bytes and what identifies them. */
export interface FeedBytes {
  /** How messages name the source: the URL with any query or credentials masked, or the file as given. */
  source: string;
  text: string;
  bytes: number;
  /** `sha256:` and the first 16 hex digits of the content's SHA-256: the feed's identity in messages. */
  hash: string;
  /** When the read ended, by this machine's clock (ISO-8601). */
  fetchedAt: string;
}

/** How messages name a source before it is read. */
export function sourceOf(s: FeedSource): string {
  if (s.url !== undefined) return shownApiUrl(String(s.url));
  return String(s.file ?? "");
}

/** Read the feed's bytes. `label` names the feed in errors. */
export async function readFeed(s: FeedSource, label: string): Promise<FeedBytes> {
  const maxBytes = s.maxBytes ?? FEED_LIMITS.maxBytes;
  const timeoutMs = (s.timeoutSeconds ?? FEED_LIMITS.timeoutSeconds) * 1000;
  // The label alone would hide which URL or file failed.
  const shown = sourceOf(s);
  const named = label === shown || !shown ? label : `${label} (${shown})`;
  const fail = (what: string, fix?: string) => problem("feed-source", { feed: named, problem: what, fix });
  let data: Buffer;
  if (s.url !== undefined && s.url.trim().toLowerCase().startsWith("file:")) {
    const raw = s.url.trim();
    // `file:drop.txt` is relative to the working directory (YAML programs have no other way to say it).
    const relative = /^file:(?!\/)/i.exec(raw);
    let file: string;
    try {
      file = relative
        ? path.resolve(decodeURIComponent(raw.slice(5)))
        : decodeURIComponent(new URL(raw).pathname);
    } catch {
      throw fail(`${JSON.stringify(s.url)} is not a valid file: URL`);
    }
    data = await readFile(file, maxBytes, fail);
  } else if (s.url !== undefined) {
    data = await download(s.url.trim(), maxBytes, timeoutMs, fail);
  } else {
    data = await readFile(path.resolve(String(s.file)), maxBytes, fail);
  }
  return {
    source: sourceOf(s),
    text: data.toString("utf8"),
    bytes: data.length,
    hash: contentId(data),
    fetchedAt: new Date().toISOString(),
  };
}

type Fail = (what: string, fix?: string) => Error;

async function readFile(file: string, maxBytes: number, fail: Fail): Promise<Buffer> {
  let size: number;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw fail(`${file} is not a file`);
    size = st.size;
  } catch (e) {
    if ((e as { code?: string }).code === undefined) throw e;
    throw fail(
      `cannot read ${file} (${(e as { code: string }).code})`,
      "Correct the path: nothing was written.",
    );
  }
  if (size > maxBytes) throw fail(tooLarge(size, maxBytes), raiseBound());
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw fail(`cannot read ${file} (${(e as { code?: string }).code ?? String(e)})`);
  }
}

const tooLarge = (got: number, max: number) =>
  `the feed is larger than maxBytes (${got} bytes, bound ${max})`;
const raiseBound = () =>
  "Nothing was written to Cloudlock and the set keeps its entries. If the feed is meant to be this large, raise " +
  "maxBytes.";

async function download(raw: string, maxBytes: number, timeoutMs: number, fail: Fail): Promise<Buffer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    clearTimeout(timer);
    throw fail(`${JSON.stringify(shownApiUrl(raw))} is not a valid URL`);
  }
  try {
    const start = url;
    for (let hop = 0; ; hop++) {
      const away = hopProblem(start, url);
      if (away) throw fail(away);
      const refused = transportProblem(url);
      if (refused)
        throw fail(
          `the URL ${shownApiUrl(url.href)} ${refused}`,
          "Correct the feed's URL: nothing was read.",
        );
      if (url.username || url.password)
        throw fail(
          `the URL ${shownApiUrl(url.href)} holds credentials`,
          "Give the feed a URL without user:password@: nothing was read.",
        );
      // Node's own fetch: unlike node-fetch 2, it fails a body cut short of its length instead of waiting on it.
      const res = await fetch(url.href, {
        redirect: "manual",
        signal: controller.signal,
        // Uncompressed, so that a body cut short is seen against its declared length (a cut gzip stream is not).
        headers: { "user-agent": "pulumi-cloudlock feed", accept: "*/*", "accept-encoding": "identity" },
      });
      if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
        await res.body?.cancel();
        if (hop >= FEED_LIMITS.maxRedirects) throw fail(`more than ${FEED_LIMITS.maxRedirects} redirects`);
        url = new URL(res.headers.get("location")!, url);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw fail(`the server answered ${res.status} ${res.statusText}`.trimEnd());
      }
      const declared = Number(res.headers.get("content-length") ?? NaN);
      if (declared > maxBytes) {
        await res.body?.cancel();
        throw fail(tooLarge(declared, maxBytes), raiseBound());
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > maxBytes) {
          controller.abort();
          throw fail(tooLarge(size, maxBytes), raiseBound());
        }
        chunks.push(Buffer.from(chunk));
      }
      const encoded = res.headers.get("content-encoding");
      // A body cut short of its declared length: a truncated feed, not a smaller one.
      if (!encoded && Number.isFinite(declared) && size < declared)
        throw fail(`the body was cut short (${size} of ${declared} bytes)`);
      return Buffer.concat(chunks);
    }
  } catch (e) {
    if ((e as { problem?: string }).problem) throw e;
    if (controller.signal.aborted)
      throw fail(
        `no complete answer within ${timeoutMs / 1000} s`,
        "Nothing was written to Cloudlock and the set keeps its entries. Run again, or raise timeoutSeconds.",
      );
    // fetch's own error says "fetch failed" or "terminated"; the cause holds the code.
    const err = e as { message?: string; cause?: { code?: string; message?: string } };
    if (err.message === "terminated")
      throw fail("the body was cut short (the connection closed before its end)");
    throw fail(
      `cannot reach ${shownApiUrl(url.href)} (${err.cause?.code ?? err.cause?.message ?? err.message})`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Why a redirect from the feed's first URL to `next` is refused: a feed elsewhere may not send the reader here. */
export function hopProblem(start: URL, next: URL): string | undefined {
  if (!isLoopback(start) && isLoopback(next))
    return `a redirect to this machine (${shownApiUrl(next.href)}) from a feed elsewhere is refused`;
  return undefined;
}
