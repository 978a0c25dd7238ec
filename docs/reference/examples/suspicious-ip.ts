import * as cloudlock from "pulumi-cloudlock";

// One entry of the Suspicious IP library. Changing its name replaces it; Cloudlock removes it once it expires.
const torExit = new cloudlock.SuspiciousIp("torExit", {
  name: "TOR exit",
  ipAddress: "203.0.113.7",
  categories: ["TOR network"],
  expiresOn: "2099-01-01T00:00:00Z", // or a Date
});

export const torExitPk = torExit.id;
