/**
 * Upgrade fixture (written against v0.1.0's API): each dynamic resource kind, optional fields given and left out,
 * an entry adopted from the hand-made library (the recorder seeds pk Hand000001), and both sets.
 */
import * as cloudlock from "pulumi-cloudlock";

const hq = new cloudlock.TrustedIp("hq", {
  name: "HQ Berlin",
  ipAddress: "198.51.100.0/24",
  categories: ["office", "berlin"],
  description: "Main office egress",
});
// No optional field: the empty forms the server answers with must stay no change.
new cloudlock.TrustedIp("vpn", { name: "VPN gateway", ipAddress: "192.0.2.10-192.0.2.14" });
const legacy = new cloudlock.TrustedIp("legacy-vpn", {
  name: "Legacy VPN",
  ipAddress: "192.0.2.200",
  description: "now managed",
  adoptId: "Hand000001",
});
const tor = new cloudlock.SuspiciousIp("tor-exit", {
  name: "TOR exit",
  ipAddress: "203.0.113.7",
  categories: ["TOR network"],
  expiresOn: "2035-01-01T00:00:00Z",
});
// expiresOn left out belongs to Cloudlock.
new cloudlock.SuspiciousIp("scanner", { name: "Scanner", ipAddress: "2001:db8::7" });

const saas = new cloudlock.TrustedIpSet("saas", {
  entries: [
    { name: "SaaS egress A", ipAddress: "203.0.113.64/27", categories: ["saas"] },
    { name: "SaaS egress B", ipAddress: "2001:db8:1234::/48", description: "Vendor range" },
  ],
});
const feed = new cloudlock.SuspiciousIpSet("feed", {
  mode: "additive",
  entries: [
    { name: "Botnet C2", ipAddress: "192.0.2.66", expiresOn: "2035-06-01T00:00:00Z" },
    { name: "Brute force", ipAddress: "198.51.100.201", categories: ["ssh"] },
  ],
});

export const hqId = hq.id;
export const legacyId = legacy.id;
export const torId = tor.id;
export const saasCount = saas.count;
export const feedCount = feed.count;
