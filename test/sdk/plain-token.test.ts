/**
 * A token in stack config set without `--secret` is stored in plain text (the config file, and the state, where
 * `pulumi-nodejs` records the stack config): the program warns once per run, naming the command that fixes it.
 */
import * as pulumi from "@pulumi/pulumi";

import "../helpers/preview-mocks";

import * as cloudlock from "../../sdk";

const TOKEN = "plain-token-0123456789";
let warnings: string[] = [];
beforeEach(() => {
  warnings = [];
  jest.spyOn(pulumi.log, "warn").mockImplementation(async (m: string) => void warnings.push(m));
});
afterEach(() => jest.restoreAllMocks());

let n = 0;
const declare = () => {
  n++;
  new cloudlock.TrustedIp(`e${n}`, { name: `E ${n}`, ipAddress: `192.0.2.${n}` });
  new cloudlock.SuspiciousIpSet(`s${n}`, { entries: [{ name: `S ${n}`, ipAddress: `198.51.100.${n}` }] });
};

test("a token set without --secret: one warning, naming the fix and never the token", () => {
  pulumi.runtime.setAllConfig({ "cloudlock:apiToken": TOKEN }, []);
  declare();
  declare();
  expect(warnings).toEqual([
    'Stack config "cloudlock:apiToken" is not a secret, so the token is stored in plain text in the stack\'s ' +
      "config file and its state: run `pulumi config set --secret cloudlock:apiToken <token>` to store it " +
      "encrypted.",
  ]);
  expect(warnings.join()).not.toContain(TOKEN);
});
