/**
 * The main example: the organisation's trusted offices (offices.yaml) and its
 * threat feed (feed.csv) in one program, one resource per entry. The data
 * files are found beside this program, so the folder works wherever it is
 * copied.
 */
import * as fs from "fs";
import * as path from "path";
import * as cloudlock from "pulumi-cloudlock";

// Office egress IPs: one TrustedIp per entry, named by the file's `resource` fields.
const offices = cloudlock.declareLibrary(
  cloudlock.readLibraryFile(path.join(__dirname, "offices.yaml")),
).trusted;

// The threat feed (columns Name, Address, Categories, ExpiresOn, Description): one SuspiciousIp per row.
// Resource names come from the entry names, so reordering rows never replaces anything.
const feed = cloudlock.parseCsv(fs.readFileSync(path.join(__dirname, "feed.csv"), "utf8"));
const threats = feed.map(
  (row) =>
    new cloudlock.SuspiciousIp(cloudlock.resourceName("threat", row.Name), {
      name: row.Name,
      ipAddress: row.Address,
      categories: row.Categories ? row.Categories.split(";") : undefined,
      expiresOn: row.ExpiresOn || undefined, // empty: no expiry of ours
      description: row.Description || undefined,
    }),
);

/** The pks Cloudlock gave the trusted entries. */
export const trustedIds = offices.map((t) => t.id);
/** The pks Cloudlock gave the suspicious entries. */
export const suspiciousIds = threats.map((s) => s.id);
