/**
 * Suspicious IPs from a threat feed file, each with an optional expiry.
 * Once an expiry passes, Cloudlock removes the entry on schedule: Pulumi
 * treats that as expected (no drift) and warns that the row can go.
 */
import * as fs from "fs";
import * as path from "path";
import { IpSetMode, SuspiciousIp, SuspiciousIpSet, parseCsv, resourceName } from "pulumi-cloudlock";

/** The feed's rows (columns Name, Address, Categories, ExpiresOn, Description) as entries. */
export function feedEntries(file = path.join(__dirname, "feed.csv")) {
  return parseCsv(fs.readFileSync(file, "utf8")).map((row) => ({
    name: row.Name,
    ipAddress: row.Address,
    categories: row.Categories ? row.Categories.split(";") : undefined,
    expiresOn: row.ExpiresOn || undefined,
    description: row.Description || undefined,
  }));
}

/** Declare one SuspiciousIp per row. */
export function threatFeed(file?: string): SuspiciousIp[] {
  return feedEntries(file).map((entry) => new SuspiciousIp(resourceName("threat", entry.name), entry));
}

/**
 * The same feed as one resource: better once a feed holds thousands of rows.
 * `authoritative` makes the library equal the feed (entries nobody declared
 * are named at preview and removed by `up`).
 */
export function threatFeedSet(file?: string, mode: IpSetMode = "additive"): SuspiciousIpSet {
  return new SuspiciousIpSet("threat-feed", { entries: feedEntries(file), mode });
}
