import {
  checkSet,
  describeChanges,
  hasChanges,
  setChanges,
  SetInputs,
  SetOutputs,
} from "../../provider/dynamic/set-schema";
import { UNKNOWN } from "../../provider/dynamic/schema";

const NOW = Date.parse("2026-11-23T00:00:00Z");
const office = (i: number, extra: Record<string, unknown> = {}) => ({
  name: `Office ${i}`,
  ipAddress: `198.51.100.${i}`,
  ...extra,
});

describe("checkSet", () => {
  test("an entry whose address is not known until apply makes the entries unknown, while the others are still checked", () => {
    const unknownAddress = checkSet(
      "suspicious",
      {},
      { entries: [office(1), { name: "Feed", ipAddress: UNKNOWN }, { name: "", ipAddress: "198.51.100.9" }] },
      NOW,
    );
    expect(unknownAddress.inputs.entries).toBe(UNKNOWN);
    expect(unknownAddress.failures.map((f) => f.reason)).toEqual([`entries[2] "": name must not be empty`]);
    const unknownEntry = checkSet("trusted", {}, { entries: [office(1), UNKNOWN] }, NOW);
    expect(unknownEntry).toEqual({ inputs: { mode: "additive", entries: UNKNOWN }, failures: [] });
    // Known addresses with an unknown name keep the set keyed: only the name waits for apply.
    const unknownName = checkSet(
      "trusted",
      {},
      { entries: [{ name: UNKNOWN, ipAddress: "198.51.100.1" }] },
      NOW,
    );
    expect(Object.keys(unknownName.inputs.entries)).toEqual(["198.51.100.1"]);
  });

  test("keys entries by canonical address, whatever the order or spelling, and defaults to additive", () => {
    const a = checkSet(
      "trusted",
      {},
      { entries: [office(1), { name: "VPN", ipAddress: "10.0.0.0-10.0.0.255" }] },
      NOW,
    );
    const b = checkSet(
      "trusted",
      {},
      { entries: [{ name: "VPN", ipAddress: "10.0.0.0/24" }, office(1)] },
      NOW,
    );
    expect(a.failures).toEqual([]);
    expect(Object.keys(a.inputs.entries)).toEqual(["10.0.0.0/24", "198.51.100.1"]);
    expect(a.inputs.mode).toBe("additive");
    // Same keys, and the declared spelling is kept as the value.
    expect(Object.keys(b.inputs.entries)).toEqual(Object.keys(a.inputs.entries));
    expect(a.inputs.entries["10.0.0.0/24"].ipAddress).toBe("10.0.0.0-10.0.0.255");
  });

  test("every bad field is reported with the entry's index and name, before any API call", () => {
    const { failures } = checkSet(
      "trusted",
      {},
      {
        mode: "mirror",
        entries: [
          office(1),
          { name: "Bad", ipAddress: "nope", categories: [""] },
          "x",
          { ipAddress: "10.1.1.1" },
        ],
      },
      NOW,
    );
    expect(failures.map((f) => f.reason)).toEqual([
      'mode must be "additive" or "authoritative", got "mirror"',
      'entries[1] "Bad": ipAddress "nope" is not a valid IPv4 or IPv6 address',
      'entries[1] "Bad": categories item 0 must be a non-empty string, got string ""',
      'entries[2] must be an object, got the string "x"',
      "entries[3]: name is required and must be a string, got nothing",
    ]);
    expect(failures.map((f) => f.property)).toEqual(["mode", "entries", "entries", "entries", "entries"]);
  });

  test("the same address twice (any spelling) is refused, naming both entries", () => {
    const { failures } = checkSet(
      "trusted",
      {},
      { entries: [office(1), office(2), { name: "Again", ipAddress: "198.51.100.1/32" }] },
      NOW,
    );
    expect(failures).toEqual([
      {
        property: "entries",
        reason:
          'entries[2] "Again": ipAddress "198.51.100.1/32" is the same address as entries[0] ("Office 1"); ' +
          "the trusted library holds one entry per address",
      },
    ]);
  });

  test("entries must be a list; trusted entries cannot expire", () => {
    expect(checkSet("trusted", {}, { entries: "all" }, NOW).failures[0].reason).toBe(
      'entries must be a list of entries ({ name, ipAddress, ... }), got the string "all"',
    );
    expect(
      checkSet("trusted", {}, { entries: [office(1, { expiresOn: "2030-01-01T00:00:00Z" })] }, NOW)
        .failures[0].reason,
    ).toBe('entries[0] "Office 1": expiresOn is not supported: trusted entries do not expire');
  });

  test("a past expiry is refused for a new entry, but kept for one already declared with it", () => {
    const past = office(1, { expiresOn: "2026-01-01T00:00:00Z" });
    expect(checkSet("suspicious", {}, { entries: [past] }, NOW).failures[0].reason).toMatch(
      /entries\[0\] "Office 1": expiresOn 2026-01-01T00:00:00Z is in the past/,
    );
    const olds = { entries: { "198.51.100.1": past } };
    expect(checkSet("suspicious", olds, { entries: [past] }, NOW).failures).toEqual([]);
  });

  test("import records fit: resource and adoptId are dropped, not stored", () => {
    const { inputs, failures } = checkSet(
      "trusted",
      {},
      { entries: [{ ...office(1), resource: "trusted-office-1", adoptId: "6yj3gQxaqo" }] },
      NOW,
    );
    expect(failures).toEqual([]);
    expect(inputs.entries["198.51.100.1"]).toEqual({ name: "Office 1", ipAddress: "198.51.100.1" });
  });
});

describe("setChanges", () => {
  const managed = (i: number, extra: Record<string, unknown> = {}) => ({ ...office(i, extra), pk: `pk${i}` });
  const olds: Partial<SetOutputs> = {
    mode: "additive",
    entries: {
      "198.51.100.1": managed(1, { categories: ["a", "b"] }),
      "198.51.100.2": managed(2),
      "198.51.100.3": managed(3),
    },
  };
  const inputs = (entries: Record<string, unknown>[], mode: "additive" | "authoritative" = "additive") =>
    checkSet("trusted", {}, { entries, mode }, NOW).inputs;

  test("category order and address spelling are no change", () => {
    const news = inputs([
      office(1, { categories: ["b", "a", "a"] }),
      { ...office(2), ipAddress: "198.51.100.2/32" },
      office(3),
    ]);
    const c = setChanges(olds, news);
    expect(hasChanges(c)).toBe(false);
    expect(describeChanges(olds, news, c)).toBe("");
  });

  test("added, changed (with the fields) and removed, by address", () => {
    const news = inputs([
      office(1, { categories: ["a"] }),
      office(2, { name: "Renamed", description: "x" }),
      office(4),
    ]);
    const c = setChanges(olds, news);
    expect(c).toEqual({
      added: ["198.51.100.4"],
      changed: ["198.51.100.1", "198.51.100.2"],
      removed: ["198.51.100.3"],
      undeclared: [],
      modeChanged: false,
    });
    expect(describeChanges(olds, news, c)).toBe(
      "+1 added: 198.51.100.4; ~2 changed: 198.51.100.1 (categories), 198.51.100.2 (name, description); " +
        "-1 removed: 198.51.100.3",
    );
  });

  test("a mode change and undeclared entries to remove are changes; long lists are cut", () => {
    const news: SetInputs = {
      ...inputs([office(1, { categories: ["a", "b"] }), office(2), office(3)], "authoritative"),
      removeUndeclared: { "192.0.2.1": '"Stray" 192.0.2.1, id abcd1234' },
    };
    const c = setChanges(olds, news);
    expect(c.modeChanged).toBe(true);
    expect(c.undeclared).toEqual(["192.0.2.1"]);
    expect(hasChanges(c)).toBe(true);
    const many = inputs(Array.from({ length: 25 }, (_, i) => office(i + 10)));
    expect(describeChanges({}, many, setChanges({}, many), 3)).toBe(
      "+25 added: 198.51.100.10, 198.51.100.11, 198.51.100.12, and 22 more",
    );
  });
});

test("an expired managed entry declared expired: a changed field is moot, no change (#13 review)", () => {
  const now = Date.parse("2026-06-01T00:00:00Z");
  const gone = {
    name: "Feed",
    ipAddress: "192.0.2.44",
    description: "one",
    expiresOn: "2026-05-01T00:00:00Z",
  };
  const olds = {
    mode: "additive" as const,
    entries: { "192.0.2.44": { ...gone, pk: "abcdefghij" } },
    count: 1,
  };
  const news = { mode: "additive" as const, entries: { "192.0.2.44": { ...gone, description: "two" } } };
  expect(setChanges(olds, news, now).changed).toEqual([]);
  // Still a change once the declaration gives it a future again.
  const renewed = {
    mode: "additive" as const,
    entries: { "192.0.2.44": { ...gone, expiresOn: "2027-01-01T00:00:00Z" } },
  };
  expect(setChanges(olds, renewed, now).changed).toEqual(["192.0.2.44"]);
});
