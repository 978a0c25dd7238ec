/**
 * A full garbage collection between calls that carry a big set. Each call's
 * request and response are converted to and from protobuf Structs by the
 * provider host: for 5,000 entries, some 30 MB each, promoted to V8's old
 * space and only collected when it grows past its next limit. Collecting
 * before each big call keeps the process near one call's worth (the
 * benchmark's preview --refresh of a 5,000-entry set: from 321 MB).
 */
import * as v8 from "v8";
import * as vm from "vm";

let gc: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    // The flag lets a fresh context see `gc`; Node exposes no other way without a command-line flag.
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

const MB = 1024 * 1024;
/** Heap in use just after the last collection forced here (0: none yet). */
let liveAfterCollect = 0;

/** A full collection now, if the runtime allows one; notes what stayed live. */
function collect(): boolean {
  const gcNow = collector();
  if (!gcNow) return false;
  gcNow();
  liveAfterCollect = v8.getHeapStatistics().used_heap_size;
  return true;
}

/** Collect garbage if this call carries at least `threshold` entries. */
export function reclaimFor(entries: number, threshold = 1_000): void {
  if (entries >= threshold) collect();
}

/**
 * Run a call that carries `entries` entries with a collection before it and
 * another once its result is ready, before the provider host turns that result
 * into Structs: the garbage the call made (a listing's pages) is gone by then,
 * so the Structs more often fit in the heap instead of growing it (a
 * 5,000-entry set's refresh, five runs each: 227 to 278 MB, against 273 to
 * 280 MB without).
 */
export async function reclaimAround<T>(entries: number, run: () => Promise<T>): Promise<T> {
  reclaimFor(entries);
  try {
    return await run();
  } finally {
    reclaimFor(entries);
  }
}

/** Entries a call carries (declared or managed): the most in any of its property bags. */
export function entriesIn(...props: (Record<string, unknown> | undefined)[]): number {
  return Math.max(
    0,
    ...props.map((p) => {
      const e = p?.entries;
      return Array.isArray(e) ? e.length : e && typeof e === "object" ? Object.keys(e).length : 0;
    }),
  );
}

/**
 * Keep the heap near what is live. Thousands of small calls arriving together
 * (a refresh of 5,000 entries at a high `--parallel`) leave their requests
 * alive long enough to be promoted to old space, which V8 lets grow by a
 * large factor before it collects. A full collection whenever the heap has
 * grown `slack` past the last live size bounds the process instead, at the
 * cost of one collection (tens of ms) per `slack` of garbage: 5,000 entries'
 * refresh at --parallel 64 went from 254–288 MB to 186 MB, no slower.
 * Returns whether it collected.
 */
export function keepHeapNear(slack = 48 * MB): boolean {
  if (liveAfterCollect && v8.getHeapStatistics().used_heap_size < liveAfterCollect + slack) return false;
  return collect();
}
