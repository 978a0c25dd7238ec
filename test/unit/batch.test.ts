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
  // The last 20 wait for the first batches' answers, then for more (120 were outstanding): at most 2 s.
  await jest.advanceTimersByTimeAsync(2_100);
  await done;
  expect(r.calls.map((c) => c.length)).toEqual([50, 50, 20]);
});

test("fewer waiting than were outstanding before: the batch waits for the rest, which are on their way", async () => {
  const r = recorder();
  const b = new DeleteBatcher(r.send);
  // The engine hands out 20 at once (its parallelism): all it can give is here, so they go after the quiet time.
  void Promise.all(ids(20).map((id) => b.delete(id)));
  await jest.advanceTimersByTimeAsync(101);
  expect(r.calls.map((c) => c.length)).toEqual([20]);
  // Then, as it records those completions, 20 more trickle in 200 ms apart (longer than the quiet time).
  for (const id of ids(20, "next")) {
    void b.delete(id);
    await jest.advanceTimersByTimeAsync(200);
  }
  await jest.advanceTimersByTimeAsync(200);
  expect(r.calls.map((c) => c.length)).toEqual([20, 20]);
});

test("a slow trickle (an engine recording 5,000 completions) still fills batches of 50", async () => {
  const r = recorder();
  const b = new DeleteBatcher(r.send);
  // 64 outstanding (--parallel 64): 50 go at once; then, as the engine records each completion (130 ms apiece at
  // 5,000 resources), one new delete arrives, and the 14 left over wait with them.
  void Promise.all(ids(64).map((id) => b.delete(id)));
  for (const id of ids(100, "next")) {
    await jest.advanceTimersByTimeAsync(130);
    void b.delete(id);
  }
  await jest.advanceTimersByTimeAsync(10_000);
  // 13 s of steady arrivals make full batches; a time limit would have cut them short.
  expect(r.calls.map((c) => c.length)).toEqual([50, 50, 50, 14]);
});

/**
 * The engine as the batcher meets it: `parallel` workers, each starting a delete, waiting for its answer, then
 * recording the completion. Starting and recording both write the checkpoint, one write at a time: `beginMs`
 * and `recordMs` each. Returns the ms until the last delete was answered.
 */
async function engine(
  b: DeleteBatcher,
  n: number,
  parallel: number,
  beginMs: number,
  recordMs = 0,
): Promise<number> {
  const start = Date.now();
  const writes: { ms: number; then: () => void }[] = [];
  let writing: { until: number; then: () => void } | undefined;
  let free = parallel;
  let started = 0;
  let answered = 0;
  let lastAnswer = start;
  while (answered < n) {
    while (free > 0 && started < n) {
      free--;
      const id = `e${started++}`;
      writes.push({
        ms: beginMs,
        then: () =>
          void b.delete(id).then(() => {
            answered++;
            lastAnswer = Date.now();
            writes.push({ ms: recordMs, then: () => free++ });
          }),
      });
    }
    if (writing && Date.now() >= writing.until) {
      writing.then();
      writing = undefined;
    }
    if (!writing && writes.length) {
      const w = writes.shift()!;
      writing = { until: Date.now() + w.ms, then: w.then };
    }
    await jest.advanceTimersByTimeAsync(10);
  }
  return lastAnswer - start;
}

test("deletes that trickle in from the start (5,000 resources at --parallel 64) soon go 50 at a time", async () => {
  const r = recorder();
  // Measured at 5,000 resources: deletes start ~120 ms apart, and the engine records completions ~70 ms apiece.
  await engine(new DeleteBatcher(r.send), 1000, 64, 120, 70);
  const sizes = r.calls.map((c) => c.length);
  // Full batches from the first: the 14 left over after each 50 wait through the engine's recording of
  // those 50 instead of going on their own.
  expect(sizes.slice(0, -1).every((n) => n === 50)).toBe(true);
  expect(sizes.length).toBe(20);
});

test("the engine records all 50 completions of a batch before it begins the next delete: the 14 left over wait for them", async () => {
  const r = recorder();
  // Measured at 5,000 resources: checkpoint writes of ~120 ms, for a completion as for a start, so the next
  // delete arrives ~51 writes (6 s) after a batch is answered, a little more than 50 arrival gaps.
  await engine(new DeleteBatcher(r.send), 1000, 64, 120, 120);
  const sizes = r.calls.map((c) => c.length);
  expect(sizes.slice(0, -1).every((n) => n === 50)).toBe(true);
  expect(sizes.length).toBe(20);
});

test("at the engine's default parallelism a batch goes soon after the 8th: the limit, once proved, is not waited out", async () => {
  const r = recorder();
  const elapsed = await engine(new DeleteBatcher(r.send), 400, 8, 120);
  expect(r.calls.every((c) => c.length <= 8)).toBe(true);
  // 50 rounds of 8.
  expect(r.calls.length).toBe(50);
  // Against a batcher told the limit (8) beforehand: about 100 ms of quiet a round, not the 240 ms it waits
  // while the limit is unproven.
  const ideal = await engine(new DeleteBatcher(recorder().send, { max: 8 }), 400, 8, 120);
  expect(elapsed - ideal).toBeLessThan(50 * 170);
});

test("a caller with every id at hand sends them at once", async () => {
  const r = recorder();
  const b = new DeleteBatcher(r.send);
  const done = Promise.all(ids(120).map((id) => b.delete(id)));
  b.flushNow();
  await jest.advanceTimersByTimeAsync(0);
  await done;
  expect(r.calls.map((c) => c.length)).toEqual([50, 50, 20]);
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

test("while a batch is being sent, the rest wait for its answer: the engine hands out more only then", async () => {
  const calls: number[] = [];
  const slow = async (batch: string[]) => {
    calls.push(batch.length);
    await new Promise((r) => setTimeout(r, 300));
  };
  const b = new DeleteBatcher(slow);
  // 64 outstanding (the engine's --parallel): 50 go at once, 14 wait.
  const first = ids(64).map((id) => b.delete(id));
  await jest.advanceTimersByTimeAsync(250);
  expect(calls).toEqual([50]);
  // The answer comes at 300 ms; the engine then hands out 36 more, 10 ms apart.
  await jest.advanceTimersByTimeAsync(60);
  const second = ids(36, "more").map(async (id, i) => {
    await new Promise((r) => setTimeout(r, 10 * i));
    return b.delete(id);
  });
  await jest.advanceTimersByTimeAsync(2_000);
  await Promise.all([...first, ...second]);
  expect(calls).toEqual([50, 50]);
});
