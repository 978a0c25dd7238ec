export * from "./types";
export * from "./errors";
export * from "./retry";
export * from "./config";
export { CloudlockClient } from "./client";
export type { ClientOptions, RequestStats, ApiResponse, RequestOptions } from "./client";
export { IpCollection, PAGE_LIMIT, DELETE_CHUNK } from "./collection";
export type { ListOptions } from "./collection";
