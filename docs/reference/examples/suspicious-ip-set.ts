import * as cloudlock from "pulumi-cloudlock";

// Many suspicious entries as one resource. Entries without an expiresOn expire 30 days after the run that adds
// them; a later run renews them only once less than half of that is left.
const scanners = new cloudlock.SuspiciousIpSet("scanners", {
  ttl: "30d",
  entries: [
    { name: "Scanner A", ipAddress: "192.0.2.200", categories: ["scanner"] },
    {
      name: "Scanner B",
      ipAddress: "192.0.2.201",
      categories: ["scanner"],
      expiresOn: "2099-06-30T00:00:00Z",
    },
  ],
});

export const scannerPks = scanners.entries;
