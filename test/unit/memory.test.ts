/**
 * The provider's memory helpers: they must really collect (a heap that only
 * grows is what pushed a 5,000-entry refresh past 250 MB), and only when asked.
 */
import * as v8 from "v8";
import { entriesIn, keepHeapNear, reclaimAround, reclaimFor } from "../../provider/dynamic/memory";

const MB = 1024 * 1024;
const used = () => v8.getHeapStatistics().used_heap_size;

/** Leave about `mb` MB of unreachable arrays on the heap; returns their length so none is optimised away. */
function garbage(mb: number): number {
  // Plain arrays of numbers: strings from repeat/padEnd share structure and take almost nothing.
  const made = Array.from({ length: mb }, (_, i) => Array.from({ length: MB / 8 }, (_, k) => k + i + 0.5));
  return made.reduce((n, x) => n + x.length, 0);
}

test("reclaimFor collects only for calls with at least the threshold of entries", () => {
  reclaimFor(1_000);
  garbage(40);
  const before = used();
  reclaimFor(999);
  expect(used()).toBeGreaterThan(before - 10 * MB);
  reclaimFor(1_000);
  expect(used()).toBeLessThan(before - 30 * MB);
});

test("keepHeapNear collects once the heap has grown by the slack, not before", () => {
  expect(keepHeapNear(0)).toBe(true); // no slack: collects, and measures what is live
  garbage(16);
  expect(keepHeapNear(64 * MB)).toBe(false);
  garbage(80);
  const before = used();
  expect(keepHeapNear(64 * MB)).toBe(true);
  expect(used()).toBeLessThan(before - 60 * MB);
});

test("reclaimAround returns the call's result, and collects what the call left behind even when it fails", async () => {
  let before = 0;
  const result = await reclaimAround(5_000, async () => {
    garbage(40);
    before = used();
    return "done";
  });
  expect(result).toBe("done");
  expect(used()).toBeLessThan(before - 30 * MB);
  await expect(
    reclaimAround(5_000, async () => {
      garbage(40);
      before = used();
      throw new Error("boom");
    }),
  ).rejects.toThrow("boom");
  expect(used()).toBeLessThan(before - 30 * MB);
});

test("entriesIn counts the largest entries list or map among the property bags", () => {
  expect(entriesIn(undefined, {})).toBe(0);
  expect(entriesIn({ entries: [1, 2, 3] }, { entries: { a: 1 } })).toBe(3);
  expect(entriesIn({ entries: { a: 1, b: 2 } })).toBe(2);
  expect(entriesIn({ entries: "not entries" })).toBe(0);
});
