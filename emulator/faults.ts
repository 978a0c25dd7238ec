/**
 * Fault injection: the knobs' hangs, drops, 5xx, outages and bad answers, thrown with seeded dice so a run can be
 * repeated. It decides; the server carries the decision out (never answering, dropping the socket, or sending).
 */
import type { Knobs } from "./knobs";
import type { Reply } from "./reply";

/** What a fault did to a request, as the request log records it. */
export type FaultName = "error" | "drop" | "drop-after-commit" | "hang" | "rate-limited" | "bad-answer";

/** A fault met before the request is handled. */
export type EarlyFault = { kind: "hang" } | { kind: "drop" } | { kind: "answer"; reply: Reply };

export class Faults {
  private rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  /** Start the dice again from `seed` (a new seed knob, or a reset). */
  reseed(seed: number): void {
    this.rand = mulberry32(seed);
  }

  /** Whether the fault knobs apply to requests of `method` (faultMethods; all when empty). */
  applies(k: Knobs, method: string): boolean {
    return k.faultMethods.length === 0 || k.faultMethods.includes(method);
  }

  /**
   * Before the request is handled: a hang, a drop, an injected 5xx, or (for a library write) a spent write budget.
   * Spends one of the budget's writes from `k`, the live knobs, when it lets a write through.
   */
  early(k: Knobs, method: string, libraryWrite: boolean): EarlyFault | undefined {
    if (!this.applies(k, method)) return undefined;
    if (k.hangRate > 0 && this.rand() < k.hangRate) return { kind: "hang" };
    if (k.dropRate > 0 && this.rand() < k.dropRate) return { kind: "drop" };
    if (k.errorRate > 0 && this.rand() < k.errorRate) {
      const status = [500, 502, 503][Math.floor(this.rand() * 3)];
      return { kind: "answer", reply: { status, error: "injected server error" } };
    }
    if (k.writeBudget !== null && libraryWrite) {
      if (k.writeBudget === 0)
        return { kind: "answer", reply: { status: 503, error: "injected outage: writes are unavailable" } };
      k.writeBudget--;
    }
    return undefined;
  }

  /** After a request was handled: its 2xx answer replaced by one that is not the documented shape, or undefined. */
  badAnswer(k: Knobs, method: string, reply: Reply): Reply | undefined {
    if (
      this.applies(k, method) &&
      k.badAnswerRate > 0 &&
      (reply.status ?? 200) < 300 &&
      this.rand() < k.badAnswerRate
    )
      return { ...reply, raw: badAnswerBody(k.badAnswer, reply.body) };
    return undefined;
  }

  /** After a write was applied: whether to drop the connection instead of answering (a lost response). */
  dropAfterCommit(k: Knobs, method: string, write: boolean): boolean {
    return (
      write && this.applies(k, method) && k.dropAfterCommitRate > 0 && this.rand() < k.dropAfterCommitRate
    );
  }
}

/** Small seeded PRNG so fault runs are repeatable. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An answer that is not the documented shape (badAnswer knob). */
function badAnswerBody(kind: Knobs["badAnswer"], body: unknown): string {
  if (kind === "html") return "<html><body><h1>Service temporarily unavailable</h1></body></html>";
  if (kind === "empty-object") return "{}";
  const json = JSON.stringify(body ?? { ok: true });
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}
