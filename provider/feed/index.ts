/**
 * Feeds: threat feeds and published IP-range files read into entries. This folder is the pure part (text in,
 * entries out); fetching is not here.
 */
export { FEED_FORMATS, parseFeed } from "./parse";
export type { BadLine, FeedEntry, FeedFormat, FeedParseOptions, ParsedFeed } from "./parse";
