/**
 * A SaaS vendor's published egress ranges as one TrustedIpSet: the ranges of the services and regions you use,
 * picked out of the vendor's JSON with a selector, kept current on every run. ranges.json beside this program
 * is an invented file in the shape such vendors publish; point stack config `rangesUrl` at the real one.
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudlock from "pulumi-cloudlock";

const config = new pulumi.Config();
const url = config.get("rangesUrl");

const ranges = cloudlock.getFeed({
  ...(url ? { url } : { file: "ranges.json" }),
  label: "example-saas",
  format: "json",
  // Every egress range of the API service, in either region.
  select: ["egress[service=api][region=eu|us].cidr"],
  name: "Example SaaS {service} ({region})",
  categories: ["saas-egress"],
});

const saas = new cloudlock.TrustedIpSet("example-saas", { feed: ranges });

/** How many entries the set holds. */
export const count = saas.count;
