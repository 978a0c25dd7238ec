/**
 * Coalesces deletes that arrive together into one `DELETE ?ids=a,b,c` call
 * (the client chunks long lists). The engine keeps up to --parallel deletes
 * outstanding and hands out another only as one completes; it also writes
 * the whole checkpoint before and after each, so at thousands of resources
 * deletes trickle in (one every ~120 ms at 5,000) however high --parallel is.
 *
 * So a batch goes when it is full (50); or, once the waiting deletes are as
 * many as were ever outstanding (the engine has nothing more to give until
 * they complete), after a short quiet time: twice the usual gap between
 * arrivals until that level has twice proved to be the engine's limit (so a
 * trickle keeps growing the batch), then `quietMs`; or, when fewer wait,
 * after a longer one: the engine records every completion of the last batch
 * (a checkpoint write each) before it begins the next delete, so the rest
 * arrive that many gaps later. While a batch is being sent the rest wait for
 * its answer, and no delete waits longer than maxWaitMs. If a batch fails, it
 * is split in halves and retried, so one bad id cannot block the rest; a
 * single id that is already gone (404) counts as deleted.
 */
import { isNotFoundError, isPermissionDeniedError } from "../client/errors";

interface Waiting {
  id: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface BatchOptions {
  /** Quiet time once every outstanding delete is waiting, ms. */
  quietMs?: number;
  /**
   * Quiet time while fewer are waiting than were outstanding before (more are on their way), ms; longer
   * after a big batch, which the engine records one completion at a time before it hands out more.
   */
  maxQuietMs?: number;
  /** No delete waits longer than this, ms. */
  maxWaitMs?: number;
  /** Ids per batch; a full batch goes at once. */
  max?: number;
}

export class DeleteBatcher {
  private waiting: Waiting[] = [];
  private timer?: NodeJS.Timeout;
  private firstAt = 0;
  /** Ids sent and not yet answered. */
  private sending = 0;
  /** The most deletes ever outstanding at once here: the engine's effective parallelism. */
  private peak = 0;
  /** Batches in a row that waited at `peak` and saw nothing more arrive: the engine's limit, confirmed. */
  private confirmed = 0;
  private lastArrival = 0;
  /** Size of the last batch answered: the completions the engine is recording now. */
  private lastAnswered = 0;
  /** Moving average of the gaps between arrivals, ms (gaps over a second are pauses, not a pace). */
  private gapMs = 0;
  private paced = false;
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
    this.maxQuietMs = opts.maxQuietMs ?? 2_000;
    // Only binds while deletes keep arriving less than maxQuietMs apart, i.e. while a batch is still filling.
    this.maxWaitMs = opts.maxWaitMs ?? 30_000;
    this.max = opts.max ?? 50;
  }

  /** Resolves once the id is deleted (or was already gone). */
  delete(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const now = Date.now();
      const gap = now - this.lastArrival;
      if (this.lastArrival && gap < 1_000) {
        this.gapMs = this.paced ? 0.8 * this.gapMs + 0.2 * gap : gap;
        this.paced = true;
      }
      this.lastArrival = now;
      if (this.waiting.length === 0) this.firstAt = now;
      this.waiting.push({ id, resolve, reject });
      const outstanding = this.waiting.length + this.sending;
      if (outstanding > this.peak) {
        this.peak = outstanding;
        this.confirmed = 0;
      }
      if (this.waiting.length >= this.max) return this.flush();
      this.arm();
    });
  }

  /** Send what is waiting now: for callers that hand over every id at once (nothing more is coming). */
  flushNow(): void {
    this.flush();
  }

  /** (Re)start the timer of the waiting batch. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const bound = this.firstAt + this.maxWaitMs - Date.now();
    const atPeak = this.sending === 0 && this.waiting.length >= this.peak;
    const quiet =
      this.sending > 0
        ? bound // the engine hands out more once the batch being sent is answered
        : atPeak
          ? this.confirmed >= 2
            ? this.quietMs // all it can give is here
            : this.paced
              ? Math.min(1_000, Math.max(this.quietMs, 2 * this.gapMs)) // or is it? one more gap will tell
              : 1_000 // the first: no pace known yet, and the next may be a checkpoint write away
          : // More are on their way, once the engine has recorded every completion it was just given, one
            // checkpoint write apiece, and begun the next (a write too): wait that long and half again.
            Math.min(this.maxWaitMs, Math.max(this.maxQuietMs, 1.5 * (this.lastAnswered + 1) * this.gapMs));
    this.timer = setTimeout(
      () => {
        if (atPeak) this.confirmed++;
        this.flush();
      },
      Math.max(0, Math.min(quiet, bound)),
    );
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0);
    if (!batch.length) return;
    this.sending += batch.length;
    void this.settle(batch).finally(() => {
      this.sending -= batch.length;
      this.lastAnswered = batch.length;
      if (this.sending === 0 && this.waiting.length) this.arm();
    });
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
