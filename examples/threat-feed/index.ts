/**
 * A threat feed (feed.csv, beside this program) as one SuspiciousIpSet: one
 * resource however many rows, keyed by address. Stack config `mode` chooses
 * what happens to entries the feed does not list: `additive` (default) leaves
 * them alone, `authoritative` makes the library equal the feed (preview names
 * them, `up` removes them).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as cloudlock from "pulumi-cloudlock";

const config = new pulumi.Config();
const mode = config.get("mode") ?? "additive";
if (mode !== "additive" && mode !== "authoritative") {
  throw new Error(`config ${pulumi.getProject()}:mode must be "additive" or "authoritative", not "${mode}"`);
}

// Columns Name, Address, Categories (";"-separated), ExpiresOn (ISO-8601; empty: none), Description.
const rows = cloudlock.parseCsv(fs.readFileSync(path.join(__dirname, "feed.csv"), "utf8"));
const feed = new cloudlock.SuspiciousIpSet("threat-feed", {
  mode,
  entries: rows.map((row) => ({
    name: row.Name,
    ipAddress: row.Address,
    categories: row.Categories ? row.Categories.split(";") : undefined,
    expiresOn: row.ExpiresOn || undefined,
    description: row.Description || undefined,
  })),
});

/** How many entries the set holds. */
export const count = feed.count;
/** The library's entries by address, each with the pk Cloudlock gave it. */
export const entries = feed.entries;
