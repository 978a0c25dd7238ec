/** A token set with `--secret` (or none in stack config): no warning (see plain-token.test.ts). */
import * as pulumi from "@pulumi/pulumi";

import "../helpers/preview-mocks";

import * as cloudlock from "../../sdk";

test("a secret token, or none in stack config: no warning", () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
  pulumi.runtime.setAllConfig({ "cloudlock:apiToken": "secret-token" }, ["cloudlock:apiToken"]);
  new cloudlock.TrustedIp("a", { name: "A", ipAddress: "192.0.2.1" });
  expect(warn).not.toHaveBeenCalled();
});
