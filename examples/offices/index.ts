/**
 * Office egress IPs kept in a CSV file in the repo: one TrustedIp per row.
 * Resource names come from the data (the Name column), so they stay stable
 * when rows are added, removed or reordered.
 */
import * as fs from "fs";
import * as path from "path";
import { TrustedIp, parseCsv, resourceName } from "pulumi-cloudlock";

/** Declare one TrustedIp per row of the CSV (columns Name, Address, Categories, Description). */
export function offices(file = path.join(__dirname, "offices.csv")): TrustedIp[] {
  return parseCsv(fs.readFileSync(file, "utf8")).map(
    (row) =>
      new TrustedIp(resourceName("office", row.Name), {
        name: row.Name,
        ipAddress: row.Address,
        categories: row.Categories ? row.Categories.split(";") : undefined,
        description: row.Description || undefined,
      }),
  );
}
