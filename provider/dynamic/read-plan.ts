/**
 * How a read by pk is answered when no listing is held. The API has no GET by
 * id: an entry is found by a `q=<address>` search (one GET), on a page of the
 * listing, or in the whole listing (`pages` GETs, then every read is free).
 */

export interface ReadState {
  /** Pages of the library, as page 0's total counts them (page 0 is already read). */
  pages: number;
  /** Searches made or in flight. */
  searches: number;
  /** Reads not decided yet, this one included (a read that searches counts among the searches instead). */
  pending: number;
  /** Pages read so far in order from page 0 (at least 1). */
  pagesRead: number;
  /** Reads the last page read answered. */
  lastPageHits: number;
}

/** Read the next page in order, search for this entry, or take the whole listing. */
export type ReadStep = "next-page" | "search" | "list";

/**
 * The next step for a read that the pages read so far did not answer:
 *  - a library of one or two pages is listed (at most one GET more than page 0, already paid);
 *  - while the last page read answered at least two reads, the next page is read (reads come in the
 *    listing's order, as a refresh of what an `up` created does): one GET where searches would cost two
 *    or more, and a page that answers fewer stops it, so at most one page is read for nothing;
 *  - otherwise a read searches while the searches made plus the reads waiting stay within
 *    S = max(2, (pages − 1) / 2), and takes the listing after that.
 * So N reads cost exactly N + 1 GETs while N ≤ S, and never more than 1 + S + (pages + 1) GETs (a listing ends
 * at a short or empty page: one more when L is a multiple of the page) plus the pages that each answered two
 * reads or more: at most about 1.5 listings whatever order the reads come in. A page that cannot be read
 * counts as one that answered nothing. `pages` is what page 0's total says: a server whose total is wrong
 * moves the bound with it.
 */
export function nextRead(s: ReadState): ReadStep {
  if (s.pages <= 2) return "list";
  if (s.pagesRead < s.pages && s.lastPageHits >= 2) return "next-page";
  return s.searches + s.pending > Math.max(2, (s.pages - 1) / 2) ? "list" : "search";
}
