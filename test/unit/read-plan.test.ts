import { ReadState, nextRead } from "../../provider/dynamic/read-plan";

const state = (s: Partial<ReadState>): ReadState => ({
  pages: 50,
  searches: 0,
  pending: 1,
  pagesRead: 1,
  lastPageHits: 0,
  ...s,
});

describe("nextRead", () => {
  test("a library of one or two pages is listed: at most one GET more than page 0", () => {
    expect(nextRead(state({ pages: 1 }))).toBe("list");
    expect(nextRead(state({ pages: 2, lastPageHits: 100 }))).toBe("list");
    expect(nextRead(state({ pages: 3 }))).toBe("search");
  });

  test("the next page is read while the last one answered two reads or more, and never past the last page", () => {
    expect(nextRead(state({ lastPageHits: 2 }))).toBe("next-page");
    expect(nextRead(state({ lastPageHits: 1 }))).toBe("search");
    expect(nextRead(state({ pagesRead: 50, lastPageHits: 100 }))).toBe("search");
    expect(nextRead(state({ pagesRead: 49, lastPageHits: 100 }))).toBe("next-page");
  });

  test("searches while searches made plus reads waiting stay within max(2, (pages − 1) / 2), then lists", () => {
    // pages 50: S = 24.5.
    expect(nextRead(state({ searches: 23, pending: 1 }))).toBe("search");
    expect(nextRead(state({ searches: 24, pending: 1 }))).toBe("list");
    expect(nextRead(state({ searches: 0, pending: 25 }))).toBe("list");
    // pages 3: S = 2 (never fewer than two searches before a listing of three pages).
    expect(nextRead(state({ pages: 3, searches: 1, pending: 1 }))).toBe("search");
    expect(nextRead(state({ pages: 3, searches: 2, pending: 1 }))).toBe("list");
  });

  test("cost bound: whatever the order, N reads cost ≤ N + 1 GETs while N ≤ S, and ≤ 1 + S + pages after", () => {
    // Simulate reads one at a time (the worst order: nothing answered by pages read), counting GETs.
    for (const pages of [3, 10, 50, 200]) {
      const S = Math.max(2, (pages - 1) / 2);
      for (const n of [1, 2, Math.floor(S), Math.floor(S) + 1, pages, 3 * pages]) {
        let gets = 1; // page 0
        let searches = 0;
        let listed = false;
        for (let i = 0; i < n && !listed; i++) {
          const step = nextRead(state({ pages, searches, pending: 1 }));
          expect(step).not.toBe("next-page");
          if (step === "search") {
            searches++;
            gets++;
          } else {
            listed = true;
            gets += pages;
          }
        }
        if (n <= S) expect(gets).toBe(n + 1);
        expect(gets).toBeLessThanOrEqual(1 + S + pages);
      }
    }
  });
});
