import type { IpEntry } from "../../provider/client/types";
import { UNKNOWN, decideDiff, inputsFromEntry, patchFor, validate } from "../../provider/dynamic/schema";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const ok = { name: "HQ", ipAddress: "198.51.100.0/24" };

describe("validate", () => {
  test("valid inputs of both kinds pass", () => {
    expect(
      validate("trusted", { ...ok, description: "d", categories: ["office", "office"] }, true, NOW),
    ).toEqual([]);
    expect(
      validate("suspicious", { ...ok, expiresOn: "2027-01-01T00:00:00Z", adoptId: "6yj3gQxaqo" }, true, NOW),
    ).toEqual([]);
  });

  test.each([
    [{ ipAddress: "1.2.3.4" }, "name", /name is required and must be a string, got nothing$/],
    [{ name: "  ", ipAddress: "1.2.3.4" }, "name", /name must not be empty/],
    [{ name: "x".repeat(256), ipAddress: "1.2.3.4" }, "name", /at most 255/],
    [{ name: "x" }, "ipAddress", /ipAddress is required/],
    [{ name: "x", ipAddress: "" }, "ipAddress", /ipAddress must not be empty/],
    [{ name: "x", ipAddress: "300.1.1.1" }, "ipAddress", /ipAddress "300.1.1.1" is not a valid IPv4 address/],
    [
      { name: "x", ipAddress: "10.0.0.9-10.0.0.1" },
      "ipAddress",
      /ipAddress range "10.0.0.9-10.0.0.1" is reversed/,
    ],
    [{ name: "x", ipAddress: "10.0.0.1-::1" }, "ipAddress", /mixes IPv4 and IPv6/],
    [{ name: "x", ipAddress: "garbage" }, "ipAddress", /not a valid IPv4 or IPv6/],
    [{ name: "x", ipAddress: "1.2.3.4", description: 7 }, "description", /description must be a string/],
    [
      { name: "x", ipAddress: "1.2.3.4", categories: "office" },
      "categories",
      /categories must be a list of strings/,
    ],
    [
      { name: "x", ipAddress: "1.2.3.4", categories: ["a", ""] },
      "categories",
      /categories item 1 must be a non-empty string/,
    ],
    [{ name: "x", ipAddress: "1.2.3.4", adoptId: "a b" }, "adoptId", /adoptId must be the id/],
  ])("%j → one failure on %s", (news, property, reason) => {
    const f = validate("trusted", news, true, NOW);
    expect(f).toHaveLength(1);
    expect(f[0].property).toBe(property);
    expect(f[0].reason).toMatch(reason);
  });

  test("one failure per bad field", () => {
    const f = validate(
      "suspicious",
      { name: "", ipAddress: "x", expiresOn: "soon", categories: [1] },
      true,
      NOW,
    );
    expect(f.map((x) => x.property).sort()).toEqual(["categories", "expiresOn", "ipAddress", "name"]);
  });

  test("expiresOn: trusted refuses it; suspicious needs ISO-8601 and the future for a new entry only", () => {
    expect(validate("trusted", { ...ok, expiresOn: "2027-01-01T00:00:00Z" }, true, NOW)[0].reason).toMatch(
      /trusted entries do not expire/,
    );
    expect(validate("suspicious", { ...ok, expiresOn: "01/02/2027" }, true, NOW)[0].reason).toMatch(
      /ISO-8601/,
    );
    expect(validate("suspicious", { ...ok, expiresOn: "2026-01-01T00:00:00Z" }, true, NOW)[0].reason).toMatch(
      /is in the past; a new entry/,
    );
    // An existing entry whose expiry passed is fine: it expired on schedule.
    expect(validate("suspicious", { ...ok, expiresOn: "2026-01-01T00:00:00Z" }, false, NOW)).toEqual([]);
  });

  test("unknown values (preview) are not validated", () => {
    expect(
      validate(
        "suspicious",
        { name: UNKNOWN, ipAddress: UNKNOWN, expiresOn: UNKNOWN, categories: UNKNOWN },
        true,
        NOW,
      ),
    ).toEqual([]);
  });
});

describe("decideDiff", () => {
  const base = {
    name: "S",
    ipAddress: "10.0.0.1",
    description: "d",
    categories: ["a", "b"],
    expiresOn: "2027-01-01T00:00:00Z",
  };

  test.each([
    [{ ipAddress: "10.0.0.1/32" }],
    [{ ipAddress: "10.0.0.1-10.0.0.1" }],
    [{ categories: ["b", "a", "a"] }],
    [{ expiresOn: "2027-01-01T00:00:00.000000+00:00" }],
    [{ adoptId: "somethingElse" }],
  ])("equivalent %j → no change", (patch) => {
    expect(decideDiff("suspicious", base, { ...base, ...patch }, NOW)).toEqual({
      changes: false,
      changed: [],
      replaces: [],
    });
  });

  test("description undefined and empty string are the same; categories undefined and [] too", () => {
    expect(
      decideDiff(
        "trusted",
        { name: "T", ipAddress: "1.1.1.1", description: "", categories: [] },
        { name: "T", ipAddress: "1.1.1.1" },
        NOW,
      ).changes,
    ).toBe(false);
  });

  test("suspicious: name replaces; the rest updates", () => {
    expect(decideDiff("suspicious", base, { ...base, name: "S2" }, NOW)).toMatchObject({
      changes: true,
      replaces: ["name"],
    });
    for (const patch of [
      { ipAddress: "10.0.0.2" },
      { description: "x" },
      { categories: ["c"] },
      { expiresOn: "2028-01-01T00:00:00Z" },
    ]) {
      expect(decideDiff("suspicious", base, { ...base, ...patch }, NOW)).toMatchObject({
        changes: true,
        replaces: [],
      });
    }
  });

  test("trusted: every field updates in place", () => {
    const t = { name: "T", ipAddress: "1.1.1.1" };
    expect(decideDiff("trusted", t, { name: "T2", ipAddress: "1.1.1.2" }, NOW)).toEqual({
      changes: true,
      changed: ["name", "ipAddress"],
      replaces: [],
    });
  });

  test("an unknown value is a change (and a replacement for name on suspicious)", () => {
    expect(decideDiff("suspicious", base, { ...base, name: UNKNOWN }, NOW).replaces).toEqual(["name"]);
    expect(
      decideDiff("trusted", { name: "T", ipAddress: "1.1.1.1" }, { name: "T", ipAddress: UNKNOWN }, NOW),
    ).toMatchObject({ changes: true, replaces: [] });
  });

  test("an expired entry is renewed by replacement when its expiry moves to the future", () => {
    const expired = { ...base, expiresOn: "2026-01-01T00:00:00Z" };
    expect(
      decideDiff("suspicious", expired, { ...expired, expiresOn: "2027-06-01T00:00:00Z" }, NOW).replaces,
    ).toEqual(["expiresOn"]);
    expect(decideDiff("suspicious", expired, expired, NOW).changes).toBe(false);
  });
});

describe("patchFor", () => {
  test("only changed, accepted fields, with the declared spelling; clears use empty values", () => {
    const current = { name: "T", ipAddress: "10.0.0.1", description: "old", categories: ["x"] };
    expect(
      patchFor("trusted", current, { name: "T", ipAddress: "10.0.0.2/32", categories: ["y", "y"] }),
    ).toEqual({
      ip_address: "10.0.0.2/32",
      description: "",
      categories: ["y"],
    });
    expect(
      patchFor(
        "suspicious",
        { ...current, expiresOn: "2027-01-01T00:00:00Z" },
        { name: "T", ipAddress: "10.0.0.1", description: "old", categories: ["x"] },
      ),
    ).toEqual({
      expires_on: null,
    });
  });
});

describe("inputsFromEntry", () => {
  const entry: IpEntry = {
    pk: "abcdefghij",
    type: "suspicious",
    name: "S",
    ip_address: "10.0.0.1",
    description: "",
    categories: ["b", "a"],
    expires_on: "2027-01-01T00:00:00.000000+00:00",
  };
  test("keeps the declared spelling where the server means the same", () => {
    const declared = {
      name: "S",
      ipAddress: "10.0.0.1/32",
      categories: ["a", "b"],
      expiresOn: "2027-01-01T00:00:00Z",
      adoptId: "abcdefghij",
    };
    expect(inputsFromEntry("suspicious", entry, declared)).toEqual(declared);
  });
  test("takes the server's value where it differs (drift)", () => {
    const declared = { name: "S", ipAddress: "10.0.0.9", description: "mine", categories: ["a"] };
    expect(inputsFromEntry("suspicious", entry, declared)).toEqual({
      name: "S",
      ipAddress: "10.0.0.1",
      description: "",
      categories: ["b", "a"],
      expiresOn: "2027-01-01T00:00:00.000000+00:00",
    });
  });
});
