import * as cloudlock from "pulumi-cloudlock";

// One entry of the Trusted IP library: every field changes in place.
const hq = new cloudlock.TrustedIp("hq", {
  name: "HQ Berlin",
  ipAddress: "198.51.100.0/28", // an address, a CIDR block or a range a-b
  description: "Main office egress",
  categories: ["office"],
});

export const hqPk = hq.id;
export const hqLocation = hq.location;
