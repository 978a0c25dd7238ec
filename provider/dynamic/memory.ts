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

/** Collect garbage if this call carries at least `threshold` entries. */
export function reclaimFor(entries: number, threshold = 1_000): void {
  if (entries >= threshold) collector()?.();
}
