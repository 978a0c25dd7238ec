/**
 * `pulumi-resource-cloudlock`: the engine starts it with its own address as
 * the first argument (flags such as `--logtostderr` may come too) and reads
 * the port it serves on from the first line of stdout.
 */
import { CloudlockProvider } from "./provider";
import { serve } from "./server";

const HELP = `Usage: pulumi-resource-cloudlock [ENGINE_ADDRESS]

The Pulumi resource plugin of package "cloudlock" (TrustedIp, SuspiciousIp, TrustedIpSet, SuspiciousIpSet,
getTrustedIps, getSuspiciousIps, getFeed), for Pulumi YAML and every other language. The Pulumi engine starts
it with its own address and reads the port it serves on from the first line of stdout: it is not run by hand.
Installing it and using it: docs/installation-configuration.md and docs/plugin.md in the package's repository.
`;

// The engine never passes these; a person who does gets the above, not a server on a port nobody reads.
if (process.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
  process.stdout.write(HELP);
  process.exit(0);
}

const engineAddress = process.argv.slice(2).find((a) => !a.startsWith("-"));

serve(new CloudlockProvider({ engineAddress })).then(
  ({ port }) => console.log(String(port)),
  (e) => {
    console.error(`pulumi-resource-cloudlock: could not serve: ${(e as Error).message}`);
    process.exit(1);
  },
);
