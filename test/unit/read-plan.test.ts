import { ReadState, nextRead } from "../../provider/dynamic/read-plan";

const state = (s: Partial<ReadState>): ReadState => ({
  pages: 50,
  searches: 0,
  pending: 1,
  ...s,
});

describe("nextRead", () => {
  test("a library of one or two pages is listed: at most one GET more than page 0", () => {
    expect(nextRead(state({ pages: 1 }))).toBe("list");
    expect(nextRead(state({ pages: 2 }))).toBe("list");
    expect(nextRead(state({ pages: 3 }))).toBe("search");
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

  test("cost bound: N reads cost N + 1 GETs while N ≤ S, and ≤ 1 + S + (pages + 1) after", () => {
    // Simulate reads one at a time, none on page 0, counting GETs; a listing is `pages` GETs and one more when
    // the library is a multiple of the page (it ends at an empty page).
    for (const pages of [3, 10, 50, 200]) {
      const S = Math.max(2, (pages - 1) / 2);
      for (const n of [1, 2, Math.floor(S), Math.floor(S) + 1, pages, 3 * pages]) {
        let gets = 1; // page 0
        let searches = 0;
        let listed = false;
        for (let i = 0; i < n && !listed; i++) {
          if (nextRead(state({ pages, searches, pending: 1 })) === "search") {
            searches++;
            gets++;
          } else {
            listed = true;
            gets += pages + 1;
          }
        }
        if (n <= S) expect(gets).toBe(n + 1);
        else expect(gets).toBe(1 + Math.floor(S) + pages + 1);
        expect(gets).toBeLessThanOrEqual(1 + S + pages + 1);
      }
    }
  });

  test("reads undecided together never take more than S searches between them", () => {
    // However many reads wait at once and whatever their order, a read searches only while searches + pending ≤ S.
    for (const pages of [3, 10, 50]) {
      const S = Math.max(2, (pages - 1) / 2);
      for (const waiting of [1, 2, 8, 100]) {
        let searches = 0;
        for (let pending = waiting; pending > 0; pending--)
          if (nextRead(state({ pages, searches, pending })) === "search") searches++;
        expect(searches).toBeLessThanOrEqual(S);
      }
    }
  });
});
