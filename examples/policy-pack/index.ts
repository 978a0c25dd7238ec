/**
 * A policy pack with every Cloudlock guard rail at its default level. Run it with
 * `pulumi preview --policy-pack <this folder>` from a project that uses pulumi-cloudlock; change levels and
 * limits per run with `--policy-pack-config` (see README.md), or here in code.
 */
import { PolicyPack } from "@pulumi/policy";
import { cloudlockPolicies } from "pulumi-cloudlock/policy";

new PolicyPack("cloudlock", {
  policies: cloudlockPolicies({
    // Defaults, written out to show where to change them in code.
    blockSize: { config: { ipv4MinPrefixLength: 24, ipv6MinPrefixLength: 48 } },
    expiry: { config: { maxDays: 90 } },
  }),
});
