/**
 * The emulator's clock: real time moved by the clockOffsetMs knob. Timestamps, expiry and the Date header
 * follow it; the rate limiter keeps real time. Here: reading it, moving it, and writing it as HTTP does.
 */
import type { Knobs } from "./knobs";

/** The emulator's now, ms, for the current knobs. */
export function clockNow(knobs: Pick<Knobs, "clockOffsetMs">): number {
  return Date.now() + knobs.clockOffsetMs;
}

/** The offset that moves the clock by `seconds` (may be negative). Throws on a number that is not finite. */
export function offsetAdvancedBy(offsetMs: number, seconds: number): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds))
    throw new Error("advanceClock needs a finite number of seconds");
  return offsetMs + seconds * 1000;
}

/** The offset that puts the clock at `at` (ISO string, ms or Date). Throws on what is not a timestamp. */
export function offsetSetTo(at: string | number | Date): number {
  const ms = typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new Error(`setClock needs a timestamp, got ${String(at)}`);
  return ms - Date.now();
}

/** The clock as the control route shows it. */
export function clockView(knobs: Pick<Knobs, "clockOffsetMs">): { now: string; offsetMs: number } {
  return { now: new Date(clockNow(knobs)).toISOString(), offsetMs: knobs.clockOffsetMs };
}

/** An HTTP date (RFC 9110 IMF-fixdate), as Date and Retry-After carry it. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
