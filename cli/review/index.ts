/**
 * `cloudlock-pulumi review`: the output of `pulumi preview --json` (or `preview --refresh --json`, read as a
 * drift report) as a short Markdown review of the Cloudlock changes, per library and per entry, on both routes.
 * Three rooms: read.ts reads the engine's JSON, classify.ts decides the rows, render.ts writes the Markdown.
 */
export { ReviewInputError, parsePreview } from "./read";
export { reviewPreview } from "./classify";
export type { EntryRef, FieldChange, LibraryChanges, Review, WillFail } from "./classify";
export { cell, renderReview, willFail } from "./render";
