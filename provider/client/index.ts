export * from "./types";
export * from "./errors";
export * from "./retry";
export {
  ENV_TOKEN,
  ENV_URL,
  normaliseApiUrl,
  resolveConnection,
  sameApiUrl,
  shownApiUrl,
} from "./config";
export type { Connection, ConnectionSettings, SettingSource } from "./config";
export { CloudlockClient } from "./client";
export type { ClientOptions, RequestStats, ApiResponse, ResponseHeaders, RequestOptions } from "./client";
export { IpCollection, PAGE_LIMIT, DELETE_CHUNK } from "./collection";
export type { ListOptions } from "./collection";
export { RateLimiter } from "./limiter";
export type { LimiterOptions } from "./limiter";
