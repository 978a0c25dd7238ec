/** The rate limit: a token bucket per API token, paced in real time (not the emulator's clock). */
import type { Knobs } from "./knobs";

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();

  /** Take one request from `token`'s bucket; returns the seconds to wait when it is empty, else undefined. */
  take(token: string, limit: Knobs["rateLimit"]): number | undefined {
    if (!limit) return undefined;
    const now = Date.now();
    const b = this.buckets.get(token) ?? { tokens: limit.burst, last: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.last) / 1000) * limit.perSecond);
    b.last = now;
    this.buckets.set(token, b);
    if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
    b.tokens -= 1;
    return undefined;
  }

  /** Forget one token's bucket (a rotated token). */
  forget(token: string): void {
    this.buckets.delete(token);
  }

  /** Every bucket full again (a new limit, or a reset). */
  clear(): void {
    this.buckets.clear();
  }
}
