/**
 * Pulumi's mocks in preview mode, set when this module loads: import it before the SDK (`import
 * "../helpers/preview-mocks"`), as a program runs after the engine has set up its runtime. Each resource answers
 * its inputs as its state. The file waits a moment after its tests, so the SDK finishes registering (serialising
 * its providers) before Jest tears the environment down.
 */
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

afterAll(() => new Promise((r) => setTimeout(r, 1_000)));
