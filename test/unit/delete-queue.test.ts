/**
 * The delete queue's guarantee, as exact request sequences: a delete that arrives while no DELETE is in flight
 * goes at once; the deletes that arrive while one is in flight go together once it is answered (chunks of 50).
 * `send` answers only when the test says so, so no clock is involved.
 */
import { DeleteQueue } from "../../provider/dynamic/delete-queue";
import { makeApiError } from "../../provider/client/errors";

/** A `send` whose calls stay in flight until `answer(i)`; fails calls holding an id in `bad` with `status`. */
function server(bad = new Set<string>(), status = 500) {
  const calls: string[][] = [];
  const pending: Array<() => void> = [];
  const send = (ids: string[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push(ids);
      pending.push(() =>
        ids.some((id) => bad.has(id))
          ? reject(makeApiError(status, "DELETE", "/ip/trusted", "refused"))
          : resolve(),
      );
    });
  /** Answers every request in flight now; resolves after the queue has reacted. */
  const answerAll = async () => {
    for (const a of pending.splice(0)) a();
    await settle();
  };
  return { calls, send, answerAll, inFlight: () => pending.length };
}

/** Lets every queued microtask and promise reaction run (no timers). */
const settle = () => new Promise<void>((r) => setImmediate(r));
const ids = (n: number, prefix = "id") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test("a delete that arrives while nothing is in flight goes at once, alone", async () => {
  const s = server();
  const q = new DeleteQueue(s.send);
  const done = q.delete("a");
  await settle();
  expect(s.calls).toEqual([["a"]]);
  await s.answerAll();
  await done;
});

test("deletes that arrive while one is in flight wait for its answer, then go together", async () => {
  const s = server();
  const q = new DeleteQueue(s.send);
  const all = [q.delete("a")];
  await settle();
  for (const id of ["b", "c", "d"]) {
    all.push(q.delete(id));
    await settle();
  }
  // Still only the first: the others wait for its answer, whatever the time.
  expect(s.calls).toEqual([["a"]]);
  await s.answerAll();
  expect(s.calls).toEqual([["a"], ["b", "c", "d"]]);
  all.push(q.delete("e"));
  await settle();
  expect(s.calls).toHaveLength(2);
  await s.answerAll();
  expect(s.calls).toEqual([["a"], ["b", "c", "d"], ["e"]]);
  await s.answerAll();
  await Promise.all(all);
  // Idle again: the next delete goes at once.
  void q.delete("f");
  await settle();
  expect(s.calls.at(-1)).toEqual(["f"]);
});

test("a group bigger than 50 goes as chunks of 50, all at once", async () => {
  const s = server();
  const q = new DeleteQueue(s.send);
  void q.delete("first");
  await settle();
  const rest = ids(120).map((id) => q.delete(id));
  await s.answerAll();
  expect(s.calls.slice(1).map((c) => c.length)).toEqual([50, 50, 20]);
  expect(s.inFlight()).toBe(3);
  await s.answerAll();
  await Promise.all(rest);
  expect(s.calls.slice(1).flat()).toEqual(ids(120));
});

test("ids handed over in one go (a set's delete) form one group: ceil(N/50) requests", async () => {
  const s = server();
  const q = new DeleteQueue(s.send);
  const done = q.deleteAll(ids(120));
  await settle();
  expect(s.calls.map((c) => c.length)).toEqual([50, 50, 20]);
  await s.answerAll();
  await done;
});

test("a failed chunk is split so one bad id cannot block the rest; an id already gone counts as deleted", async () => {
  const s = server(new Set(["id7"]), 404);
  const q = new DeleteQueue(s.send);
  const results = Promise.allSettled(ids(20).map((id) => q.delete(id)));
  await settle();
  while (s.inFlight()) await s.answerAll();
  expect((await results).every((x) => x.status === "fulfilled")).toBe(true);
  expect(s.calls[0]).toEqual(ids(20));
  expect(s.calls.filter((c) => c.length === 1 && c[0] === "id7")).toHaveLength(1);
});

test("a bad id that is not gone fails its own delete only; a 403 fails the chunk without splitting", async () => {
  const s = server(new Set(["id3"]), 500);
  const q = new DeleteQueue(s.send);
  const results = Promise.allSettled(ids(10).map((id) => q.delete(id)));
  await settle();
  while (s.inFlight()) await s.answerAll();
  const settled = await results;
  expect(settled.filter((x) => x.status === "rejected").map((_, i) => i)).toHaveLength(1);
  expect(settled[3].status).toBe("rejected");

  const denied = server(new Set(ids(5)), 403);
  const d = new DeleteQueue(denied.send);
  const all = Promise.allSettled(ids(5).map((id) => d.delete(id)));
  await settle();
  while (denied.inFlight()) await denied.answerAll();
  expect((await all).every((x) => x.status === "rejected")).toBe(true);
  expect(denied.calls).toHaveLength(1);
});

test("a failure answers the group's deletes and the queue goes on with those that arrived meanwhile", async () => {
  const s = server(new Set(["a"]), 500);
  const q = new DeleteQueue(s.send);
  const first = q.delete("a").then(
    () => null,
    (e: Error) => e,
  );
  await settle();
  const next = [q.delete("b"), q.delete("c")];
  await s.answerAll();
  expect((await first)?.message).toMatch(/refused/);
  expect(s.calls).toEqual([["a"], ["b", "c"]]);
  await s.answerAll();
  await Promise.all(next);
});
