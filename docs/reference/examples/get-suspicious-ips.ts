import * as cloudlock from "pulumi-cloudlock";

// The suspicious entries whose name contains "TOR" (expired entries are not listed).
export const torAddresses = cloudlock
  .getSuspiciousIps({ name: "TOR" })
  .then((entries) => entries.map((e) => e.ipAddress));
