/**
 * Suspicious IPs from a threat feed file, each with an optional expiry.
 * Once an expiry passes, Cloudlock removes the entry on schedule: Pulumi
 * treats that as expected (no drift) and warns that the row can go.
 */
import * as fs from "fs";
import * as path from "path";
import { SuspiciousIp, parseCsv, resourceName } from "pulumi-cloudlock";

/** Declare one SuspiciousIp per row (columns Name, Address, Categories, ExpiresOn, Description). */
export function threatFeed(file = path.join(__dirname, "feed.csv")): SuspiciousIp[] {
  return parseCsv(fs.readFileSync(file, "utf8")).map(
    (row) =>
      new SuspiciousIp(resourceName("threat", row.Name), {
        name: row.Name,
        ipAddress: row.Address,
        categories: row.Categories ? row.Categories.split(";") : undefined,
        expiresOn: row.ExpiresOn || undefined,
        description: row.Description || undefined,
      }),
  );
}
