/** A token set with `--secret` (or none in stack config): no warning (see plain-token.test.ts). */
import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => args.inputs,
  },
  "project",
  "stack",
  true,
);

import * as cloudlock from "../../sdk";

afterAll(() => new Promise((r) => setTimeout(r, 1_000)));

test("a secret token, or none in stack config: no warning", () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
  pulumi.runtime.setAllConfig({ "cloudlock:apiToken": "secret-token" }, ["cloudlock:apiToken"]);
  new cloudlock.TrustedIp("a", { name: "A", ipAddress: "192.0.2.1" });
  expect(warn).not.toHaveBeenCalled();
});
