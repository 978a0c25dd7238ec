import { DeleteBatcher } from "../../provider/dynamic/batch";
import { makeApiError } from "../../provider/client/errors";

// Deterministic time: the batcher's timers and Date.now() follow the fake clock.
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** A recording `send` that fails batches holding an id in `bad` (with a 404 for that id alone if `gone`). */
function recorder(bad = new Set<string>(), status = 500) {
  const calls: string[][] = [];
  const send = async (ids: string[]) => {
    calls.push(ids);
    if (ids.some((id) => bad.has(id))) throw makeApiError(status, "DELETE", "/ip/trusted", "refused");
  };
  return { calls, send };
}

const ids = (n: number, prefix = "id") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test("deletes that arrive together go in batches of at most 50", async () => {
  const r = recorder();
  const b = new DeleteBatcher(r.send);
  const done = Promise.all(ids(120).map((id) => b.delete(id)));
  await jest.advanceTimersByTimeAsync(200);
  await done;
  expect(r.calls.map((c) => c.length)).toEqual([50, 50, 20]);
});

test("a trickle fills one batch: the quiet time follows the gaps between arrivals", async () => {
  const r = recorder();
  const b = new DeleteBatcher(r.send, { quietMs: 20 });
  const pending: Promise<void>[] = [];
  // 40 deletes, 30 ms apart: longer than the 20 ms floor, so a fixed quiet time would send one at a time.
  for (const id of ids(40)) {
    pending.push(b.delete(id));
    await jest.advanceTimersByTimeAsync(30);
  }
  await jest.advanceTimersByTimeAsync(1_000);
  await Promise.all(pending);
  expect(r.calls.length).toBeLessThanOrEqual(3);
  expect(r.calls.flat().sort()).toEqual(ids(40).sort());
});

test("a burst that stopped goes after the quiet time, and no batch waits longer than maxWaitMs", async () => {
  const r = recorder();
  const b = new DeleteBatcher(r.send, { quietMs: 100, maxWaitMs: 500 });
  void Promise.all(ids(8).map((id) => b.delete(id)));
  await jest.advanceTimersByTimeAsync(99);
  expect(r.calls).toHaveLength(0);
  await jest.advanceTimersByTimeAsync(2);
  expect(r.calls).toEqual([ids(8)]);
  // One delete every 90 ms (each within the quiet time): the batch still goes at 500 ms.
  for (let i = 0; i < 10; i++) {
    void b.delete(`late${i}`);
    await jest.advanceTimersByTimeAsync(90);
  }
  expect(r.calls.length).toBeGreaterThanOrEqual(2);
  expect(r.calls[1].length).toBeLessThanOrEqual(6);
});

test("a failed batch is split so one bad id cannot block the rest; an id already gone counts as deleted", async () => {
  const r = recorder(new Set(["id7"]), 404);
  const b = new DeleteBatcher(r.send);
  const results = Promise.allSettled(ids(20).map((id) => b.delete(id)));
  await jest.advanceTimersByTimeAsync(200);
  expect((await results).every((x) => x.status === "fulfilled")).toBe(true);
  expect(r.calls.filter((c) => c.length === 1 && c[0] === "id7")).toHaveLength(1);
});

test("a bad id that is not gone fails its own delete only; a 403 fails the batch without splitting", async () => {
  const r = recorder(new Set(["id3"]), 500);
  const b = new DeleteBatcher(r.send);
  const results = Promise.allSettled(ids(10).map((id) => b.delete(id)));
  await jest.advanceTimersByTimeAsync(200);
  const settled = await results;
  expect(settled.filter((x) => x.status === "rejected")).toHaveLength(1);
  expect(settled[3].status).toBe("rejected");

  const denied = recorder(new Set(ids(5)), 403);
  const d = new DeleteBatcher(denied.send);
  const all = Promise.allSettled(ids(5).map((id) => d.delete(id)));
  await jest.advanceTimersByTimeAsync(200);
  expect((await all).every((x) => x.status === "rejected")).toBe(true);
  expect(denied.calls).toHaveLength(1);
});
