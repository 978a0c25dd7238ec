/**
 * A shared client-side rate limiter: one per provider process, so a large
 * `pulumi up` paces its requests under the tenant's limit instead of bouncing
 * off 429s. Token bucket (as GCRA: one "theoretical arrival time", no timers),
 * with AIMD adaptation: a 429 halves the rate (at most once a second, since
 * one burst brings many) and pauses everyone for the server's Retry-After;
 * each success wins back a little of the configured rate.
 */
import { sleep } from "../../common/sleep";

export interface LimiterOptions {
  /** Requests per second at most (the configured ceiling). */
  perSecond: number;
  /** Requests that may go at once after a quiet spell (default: one second's worth). */
  burst?: number;
  /** Lowest rate a run of 429s can push it to (default 1/s). */
  minPerSecond?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class RateLimiter {
  readonly maxPerSecond: number;
  private rate: number;
  private readonly burst: number;
  private readonly minRate: number;
  private readonly now: () => number;
  /** When the next request would be due if requests were perfectly spaced. */
  private tat = 0;
  /** Nobody sends before this (a server's Retry-After). */
  private pausedUntil = 0;
  private counts = { waited: 0, throttled: 0, waitedMs: 0 };
  /** When the rate was last halved: one burst of 429s is one signal, not many. */
  private lastDecrease = -Infinity;

  constructor(opts: LimiterOptions) {
    if (!(opts.perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${opts.perSecond}`);
    this.maxPerSecond = opts.perSecond;
    this.rate = opts.perSecond;
    this.burst = Math.max(1, Math.round(opts.burst ?? opts.perSecond));
    this.minRate = Math.min(opts.minPerSecond ?? 1, opts.perSecond);
    this.now = opts.now ?? Date.now;
  }

  /** The current rate, requests per second (lower than the maximum after 429s). */
  get perSecond(): number {
    return this.rate;
  }

  /** How many requests waited, how long in total, and how many 429s adjusted the rate. */
  stats(): { waited: number; throttled: number; waitedMs: number } {
    return { ...this.counts };
  }

  /** Reserve a slot; resolves when the request may be sent. */
  take(): Promise<void> {
    const delay = this.reserve();
    if (delay <= 0) return Promise.resolve();
    this.counts.waited++;
    this.counts.waitedMs += delay;
    return sleep(delay);
  }

  /** Reserve a slot and return how many ms to wait for it (pure bookkeeping; `take` sleeps). */
  reserve(): number {
    const now = this.now();
    const interval = 1000 / this.rate;
    // Bursts only at full rate: after a 429, requests are strictly spaced until the rate has recovered.
    const tolerance = this.rate >= this.maxPerSecond ? (this.burst - 1) * interval : 0;
    const tat = Math.max(this.tat, now);
    const sendAt = Math.max(tat - tolerance, now, this.pausedUntil);
    this.tat = Math.max(tat, sendAt) + interval;
    return sendAt - now;
  }

  /** The server said 429: halve the rate, and hold everyone back for its Retry-After (if it gave one). */
  throttled(retryAfterMs?: number): void {
    this.counts.throttled++;
    const now = this.now();
    const fresh = now - this.lastDecrease >= 1000;
    if (fresh) {
      this.rate = Math.max(this.minRate, this.rate / 2);
      this.lastDecrease = now;
    }
    // Without Retry-After, let the server's bucket refill for a second before anyone tries again.
    const pause = retryAfterMs ?? (fresh ? 1000 : 0);
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    // Requests already scheduled at the old rate are respaced from here.
    this.tat = Math.max(this.pausedUntil, now);
  }

  /** A request succeeded: win back 2% of the ceiling, up to it. */
  succeeded(): void {
    if (this.rate < this.maxPerSecond)
      this.rate = Math.min(this.maxPerSecond, this.rate + this.maxPerSecond / 50);
  }
}
