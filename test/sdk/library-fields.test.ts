/**
 * A library data file's records become resources with every field the model gives their library: declareLibrary
 * copies them from the model's list, so a new field reaches the provider without a line here.
 */
import * as pulumi from "@pulumi/pulumi";
import { ENTRY_FIELDS, fieldsOf } from "../../provider/model";

const registered: Record<string, Record<string, unknown>> = {};
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered[args.name] = args.inputs;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "project",
  "stack",
  true,
);

// Loaded after the mocks, as a program runs after the engine has set up its runtime.
const { declareLibrary } = require("../../sdk") as typeof import("../../sdk");

const urnOf = (r: pulumi.Resource) => new Promise<string>((resolve) => r.urn.apply(resolve));

test("every field of the model reaches the resource, each library its own fields", async () => {
  const record = {
    name: "HQ",
    ipAddress: "198.51.100.0/24",
    description: "office",
    categories: ["office"],
    expiresOn: "2030-01-01T00:00:00.000Z",
  };
  // A record with a value for every field of the model: a field the model gains fails here until it has one.
  expect(Object.keys(record).sort()).toEqual([...ENTRY_FIELDS].sort());
  const { expiresOn, ...trustedRecord } = record;
  const given = {
    trusted: trustedRecord as Record<string, unknown>,
    suspicious: { ...record, name: "Feed" },
  };
  const lib = declareLibrary({ trusted: [trustedRecord], suspicious: [given.suspicious] });
  await Promise.all([...lib.trusted, ...lib.suspicious].map(urnOf));
  for (const [kind, resource] of [
    ["trusted", "trusted-hq"],
    ["suspicious", "suspicious-feed"],
  ] as const) {
    for (const f of fieldsOf(kind))
      expect([kind, f, registered[resource][f]]).toEqual([
        kind,
        f,
        (given[kind] as Record<string, unknown>)[f],
      ]);
  }
  expect(registered["suspicious-feed"].expiresOn).toBe(expiresOn);
  expect(registered["trusted-hq"]).not.toHaveProperty("expiresOn");
});

afterAll(() => new Promise((r) => setTimeout(r, 500)));
