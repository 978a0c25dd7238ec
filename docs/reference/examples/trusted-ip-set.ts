import * as cloudlock from "pulumi-cloudlock";

// Many trusted entries as one resource, keyed by address. "additive" (the default) leaves every other entry of
// the library alone.
const saas = new cloudlock.TrustedIpSet("saas", {
  mode: "additive",
  entries: [
    { name: "SaaS egress A", ipAddress: "203.0.113.64/27", categories: ["saas"] },
    { name: "SaaS egress B", ipAddress: "2001:db8:10::/48", categories: ["saas"] },
    { name: "VPN", ipAddress: "192.0.2.10", description: "Remote access" },
  ],
});

export const saasCount = saas.count;
