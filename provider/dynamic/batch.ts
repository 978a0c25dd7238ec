/**
 * Coalesces deletes that arrive together into one `DELETE ?ids=a,b,c` call
 * (the client chunks long lists). The engine deletes resources several at a
 * time (up to its --parallel); a batch goes when it is full, when no delete
 * has come for a moment, or when its first delete has waited long enough.
 * "A moment" adapts: three times the usual gap between deletes of a burst
 * (the engine hands them out more slowly as its state grows), so a trickle
 * still fills a batch, while a burst that stopped goes at once.
 * If a batch fails, it is split in halves and retried, so one bad id cannot
 * block the rest; a single id that is already gone (404) counts as deleted.
 */
import { isNotFoundError, isPermissionDeniedError } from "../client/errors";

interface Waiting {
  id: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface BatchOptions {
  /** A batch goes once no delete has arrived for this long, ms (at least; see maxQuietMs). */
  quietMs?: number;
  /** Upper bound of the adaptive quiet time, ms. */
  maxQuietMs?: number;
  /** ...or once its first delete has waited this long, ms. */
  maxWaitMs?: number;
  /** Ids per batch; a full batch goes at once. */
  max?: number;
}

export class DeleteBatcher {
  private waiting: Waiting[] = [];
  private timer?: NodeJS.Timeout;
  private firstAt = 0;
  private lastAt = 0;
  /** Smoothed gap between deletes arriving in one burst, ms. */
  private gapMs = 0;
  private readonly quietMs: number;
  private readonly maxQuietMs: number;
  private readonly maxWaitMs: number;
  private readonly max: number;

  constructor(
    /** Deletes these ids (one request, or a few chunks). */
    private readonly send: (ids: string[]) => Promise<void>,
    opts: BatchOptions = {},
  ) {
    this.quietMs = opts.quietMs ?? 100;
    this.maxQuietMs = opts.maxQuietMs ?? 1_000;
    this.maxWaitMs = opts.maxWaitMs ?? 5_000;
    this.max = opts.max ?? 50;
  }

  /** Resolves once the id is deleted (or was already gone). */
  delete(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const now = Date.now();
      // Gaps longer than the bound are between bursts, not within one.
      const gap = now - this.lastAt;
      if (gap < this.maxQuietMs) this.gapMs = 0.7 * this.gapMs + 0.3 * gap;
      this.lastAt = now;
      if (this.waiting.length === 0) this.firstAt = now;
      this.waiting.push({ id, resolve, reject });
      if (this.waiting.length >= this.max) return this.flush();
      // The engine keeps up to --parallel deletes outstanding: wait while more keep coming, within a bound.
      if (this.timer) clearTimeout(this.timer);
      const quiet = Math.min(this.maxQuietMs, Math.max(this.quietMs, 3 * this.gapMs));
      const wait = Math.min(quiet, this.firstAt + this.maxWaitMs - now);
      this.timer = setTimeout(() => this.flush(), Math.max(0, wait));
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0);
    if (batch.length) void this.settle(batch);
  }

  private async settle(batch: Waiting[]): Promise<void> {
    try {
      await this.send(batch.map((w) => w.id));
      batch.forEach((w) => w.resolve());
    } catch (e) {
      if (batch.length === 1) {
        return isNotFoundError(e) ? batch[0].resolve() : batch[0].reject(e);
      }
      // Splitting cannot help a token that may not delete at all.
      if (isPermissionDeniedError(e)) return batch.forEach((w) => w.reject(e));
      const mid = Math.ceil(batch.length / 2);
      await Promise.all([this.settle(batch.slice(0, mid)), this.settle(batch.slice(mid))]);
    }
  }
}
