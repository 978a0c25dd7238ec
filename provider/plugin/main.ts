/**
 * `pulumi-resource-cloudlock`: the engine starts it with its own address as
 * the first argument (flags such as `--logtostderr` may come too) and reads
 * the port it serves on from the first line of stdout.
 */
import { CloudlockProvider } from "./provider";
import { serve } from "./server";

const engineAddress = process.argv.slice(2).find((a) => !a.startsWith("-"));

serve(new CloudlockProvider({ engineAddress })).then(
  ({ port }) => console.log(String(port)),
  (e) => {
    console.error(`pulumi-resource-cloudlock: could not serve: ${(e as Error).message}`);
    process.exit(1);
  },
);
