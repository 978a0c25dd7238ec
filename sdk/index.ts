/**
 * pulumi-cloudlock: Pulumi resources for Cisco Cloudlock's IP libraries.
 *
 * ```ts
 * import * as cloudlock from "pulumi-cloudlock";
 * new cloudlock.TrustedIp("hq", { name: "HQ Berlin", ipAddress: "198.51.100.0/24", categories: ["office"] });
 * ```
 */
export { TrustedIp } from "./trusted-ip";
export type { TrustedIpArgs } from "./trusted-ip";
export { SuspiciousIp } from "./suspicious-ip";
export type { SuspiciousIpArgs } from "./suspicious-ip";
export type { IpEntryArgs } from "./common";
export { getTrustedIps, getSuspiciousIps } from "./lookups";
export type { IpEntryInfo, IpLookupArgs } from "./lookups";
export { parseCsv, resourceName } from "./data";
export { CsvSyntaxError } from "../common/csv";
export { readLibraryFile, checkLibraryData, declareLibrary } from "./library";
export type { EntryRecord, LibraryData, DeclaredLibrary } from "./library";
export { TrustedIpSet, SuspiciousIpSet } from "./ip-set";
export type {
  IpSetArgs,
  IpSetMode,
  SuspiciousIpSetArgs,
  TrustedIpSetEntry,
  SuspiciousIpSetEntry,
} from "./ip-set";
export { getFeed } from "./feeds";
export type { Feed, FeedArgs } from "./feeds";
