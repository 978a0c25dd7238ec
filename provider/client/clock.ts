/**
 * The server's clock, learnt from the `Date` header of its answers. Expiry is
 * judged by the server (it hides an entry when its own clock passes
 * `expires_on`), so the provider judges it by the same clock, not by the
 * machine it happens to run on.
 */
export class ServerClock {
  private offsetMs = 0;
  /** Whether an answer has told the server's time yet. */
  known = false;

  constructor(private readonly local: () => number = Date.now) {}

  /**
   * Note one answer's `Date` header, received at local time `receivedAt`. The
   * header has whole seconds, so an offset within one second of zero is no
   * offset (it cannot be told from one).
   */
  observe(dateHeader: string | null | undefined, receivedAt = this.local()): void {
    const at = parseHttpDate(dateHeader);
    if (at === undefined) return;
    // The header rounds down to the second: the middle of that second is the best estimate.
    const offset = at + 500 - receivedAt;
    this.known = true;
    this.offsetMs = Math.abs(offset) <= 1_000 ? 0 : offset;
  }

  /** Milliseconds since the epoch by the server's clock (the local clock until an answer said otherwise). */
  now(): number {
    return this.local() + this.offsetMs;
  }

  /** How far the server's clock is ahead of ours, ms (0 when within a second). */
  get offset(): number {
    return this.offsetMs;
  }
}

/** An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) as epoch ms; undefined when absent or not a date. */
export function parseHttpDate(header: string | null | undefined): number | undefined {
  if (!header || !/[a-z]{3}/i.test(header)) return undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : at;
}
