/** The id of a feed's content, in messages and allowances: `sha256:` and the first digits of its SHA-256. */
import { createHash } from "crypto";
import { FEED_LIMITS } from "./limits";

/** `sha256:<16 hex digits>` of `data`: 64 bits, so an allowance given for one content never matches another. */
export function contentId(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex").slice(0, FEED_LIMITS.hashDigits)}`;
}
