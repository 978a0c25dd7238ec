import { RateLimiter } from "../../provider/client/limiter";

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("a burst goes at once, then requests are spaced at the rate", () => {
  const c = clock();
  const l = new RateLimiter({ perSecond: 10, burst: 5, now: c.now });
  expect(Array.from({ length: 8 }, () => l.reserve())).toEqual([0, 0, 0, 0, 0, 100, 200, 300]);
  // After a quiet second the bucket is full again.
  c.advance(1_400);
  expect(Array.from({ length: 6 }, () => l.reserve())).toEqual([0, 0, 0, 0, 0, 100]);
});

test("a 429 with Retry-After holds everyone back that long and halves the rate", () => {
  const c = clock();
  const l = new RateLimiter({ perSecond: 20, burst: 1, now: c.now });
  l.reserve();
  l.throttled(2_000);
  expect(l.perSecond).toBe(10);
  expect(l.reserve()).toBe(2_000);
  expect(l.reserve()).toBe(2_100); // spaced at the halved rate
  expect(l.stats().throttled).toBe(1);
});

test("without Retry-After a 429 only slows the rate; successes win it back, never past the ceiling", () => {
  const c = clock();
  const l = new RateLimiter({ perSecond: 50, minPerSecond: 2, now: c.now });
  l.throttled();
  l.throttled(); // the same burst: one signal
  expect(l.perSecond).toBe(25);
  for (let i = 0; i < 10; i++) {
    c.advance(1_000);
    l.throttled();
  }
  expect(l.perSecond).toBe(2);
  // Without Retry-After the first 429 of a burst pauses everyone for a second.
  c.advance(1_000);
  l.throttled();
  expect(l.reserve()).toBe(1_000);
  // Strictly spaced while below the ceiling: no burst.
  c.advance(10_000);
  expect([l.reserve(), l.reserve()]).toEqual([0, 500]);
  for (let i = 0; i < 20; i++) l.succeeded();
  expect(l.perSecond).toBe(22);
  for (let i = 0; i < 100; i++) l.succeeded();
  expect(l.perSecond).toBe(50);
});

test("the rate must be positive", () => {
  expect(() => new RateLimiter({ perSecond: 0 })).toThrow("perSecond must be > 0, got 0");
});

test("take() waits for its slot", async () => {
  const l = new RateLimiter({ perSecond: 1000, burst: 1 });
  await Promise.all(Array.from({ length: 5 }, () => l.take()));
  expect(l.stats().waited).toBeGreaterThanOrEqual(3);
});
