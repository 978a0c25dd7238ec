/**
 * How a read by pk is answered when no listing is held. The API has no GET by
 * id: an entry is found on page 0 (read first: it tells the library's size),
 * by a `q=<address>` search (one GET), or in the whole listing (every page,
 * then every read is free).
 */

export interface ReadState {
  /** Pages of the library, as page 0's total counts them (page 0 is already read). */
  pages: number;
  /** Searches made or in flight. */
  searches: number;
  /** Reads not decided yet, this one included (a read that searches counts among the searches instead). */
  pending: number;
}

/** Search for this entry, or take the whole listing. */
export type ReadStep = "search" | "list";

/**
 * The step for a read that page 0 did not answer:
 *  - a library of one or two pages is listed (at most one GET more than page 0, already paid);
 *  - otherwise a read searches while the searches made plus the reads not decided stay within
 *    S = max(2, (pages − 1) / 2), and takes the listing after that.
 * So N reads cost N + 1 GETs while N ≤ S (page 0, and one search each; a read page 0 answers costs none), and
 * never more than 1 + S + (pages + 1) GETs whatever order they come in: page 0, at most S searches (a read
 * searches only while searches + pending ≤ S, itself among the pending), and one listing (one walk when the
 * library is quiet; it ends at a short or empty page: one GET more than `pages` when the library is a multiple of
 * the page), about 1.5 listings. A search that does not find its entry (moved or deleted) takes that same
 * listing. `pages` is what page 0's total says: a server whose total is wrong moves the bound with it.
 */
export function nextRead(s: ReadState): ReadStep {
  if (s.pages <= 2) return "list";
  return s.searches + s.pending > Math.max(2, (s.pages - 1) / 2) ? "list" : "search";
}
