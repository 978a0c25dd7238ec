import type { IpEntry } from "../../provider/client/types";
import { UNKNOWN, decideDiff, matchesEntry, patchFor, sameValue } from "../../provider/dynamic/schema";
import { pickInputs, validate } from "../../provider/dynamic/validate";
import { inputsFromEntry, outputsFromEntry, storedView, viewEntry } from "../../provider/dynamic/view";

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

  test.each([
    [
      "2027-01-01T00:00:00",
      /expiresOn needs a time zone: write Z \(UTC\) or an offset such as \+02:00, e\.g\. 2027-01-01T00:00:00Z/,
    ],
    ["2027-01-01", /needs a time zone.*2027-01-01T00:00:00Z/],
    ["2027-02-30T00:00:00Z", /expiresOn is not a real date and time/],
    ["2027-13-01T00:00:00Z", /not a real date/],
    ["2027-01-01T24:00:00Z", /not a real date/],
    ["2027-01-01T00:00:00+25:00", /not a real date/],
    ["Invalid Date", /must be an ISO-8601 timestamp with Z or an offset/],
  ])("expiresOn %s is refused: %s", (expiresOn, reason) => {
    const f = validate("suspicious", { ...ok, expiresOn }, true, NOW);
    expect(f).toHaveLength(1);
    expect(f[0].reason).toMatch(reason);
  });

  test.each([
    "2027-01-01T00:00:00Z",
    "2027-01-01T00:00:00.123456+00:00",
    "2027-01-01T02:00+02:00",
    "2028-02-29T00:00:00z",
  ])("expiresOn %s is accepted", (expiresOn) => {
    expect(validate("suspicious", { ...ok, expiresOn }, true, NOW)).toEqual([]);
  });

  test.each([
    ["name", { name: "HQ\nBerlin" }, /name must not contain a control character \(U\+000A\)/],
    ["name", { name: "HQ\u0007" }, /control character \(U\+0007\)/],
    ["name", { name: "HQ\u0000" }, /control character \(U\+0000\)/],
    [
      "name",
      { name: "abc\u202Efdp.exe" },
      /name must not contain a bidirectional-formatting character \(U\+202E\)/,
    ],
    [
      "categories",
      { categories: ["ok", "b\u2066ad"] },
      /categories item 1 must not contain a bidirectional-formatting character \(U\+2066\)/,
    ],
    ["name", { name: "H\u200bQ" }, /name must not contain an invisible character \(U\+200B\)/],
    ["categories", { categories: ["\ufeffoffice"] }, /an invisible character \(U\+FEFF\)/],
    [
      "description",
      { description: "ok\u0000" },
      /description must not contain a control character \(U\+0000\)/,
    ],
    ["description", { description: "see \u202eexe" }, /a bidirectional-formatting character \(U\+202E\)/],
  ])("%s with a hidden character is refused", (property, fields, reason) => {
    const f = validate("trusted", { ...ok, ...fields }, true, NOW);
    expect(f).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  test("a description may run over several lines", () => {
    expect(validate("trusted", { ...ok, description: "line one\r\n\tline two" }, true, NOW)).toEqual([]);
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

  test("an expired entry declared expired: any other change is moot (the entry is gone), so no diff (#13 review)", () => {
    const expired = { ...base, expiresOn: "2026-01-01T00:00:00Z" };
    for (const patch of [
      { description: "two" },
      { ipAddress: "10.0.0.9" },
      { expiresOn: "2026-02-01T00:00:00Z" },
    ])
      expect(decideDiff("suspicious", expired, { ...expired, ...patch }, NOW).changes).toBe(false);
  });
});

describe("patchFor", () => {
  test("a whole body of accepted fields: changes as declared, the rest as held; an omitted description or list is cleared", () => {
    const current = { name: "T", ipAddress: "10.0.0.1", description: "old", categories: ["x"] };
    expect(
      patchFor("trusted", current, { name: "T", ipAddress: "10.0.0.2/32", categories: ["y", "y"] }),
    ).toEqual({
      ip_address: "10.0.0.2/32",
      name: "T",
      description: "",
      categories: ["y"],
    });
    expect(patchFor("trusted", current, { ...current, ipAddress: "10.0.0.1/32" })).toEqual({});
  });

  test("an omitted expiresOn is the server's: never sent, so a removed declaration stops managing it", () => {
    const current = { name: "T", ipAddress: "10.0.0.1", expiresOn: "2027-01-01T00:00:00Z" };
    expect(patchFor("suspicious", current, { name: "T", ipAddress: "10.0.0.1" })).toEqual({});
    expect(
      patchFor("suspicious", current, {
        name: "T",
        ipAddress: "10.0.0.1",
        expiresOn: "2028-01-01T00:00:00Z",
      }),
    ).toEqual({
      ip_address: "10.0.0.1",
      description: "",
      categories: [],
      expires_on: "2028-01-01T00:00:00Z",
    });
  });

  test("a current value in the server's known spelling of the declared one is no change", () => {
    const current = { name: "T", ipAddress: "10.0.0.1", categories: ["a", "b"] };
    const declared = { name: "T", ipAddress: "10.0.0.1", categories: ["a, b"] };
    expect(patchFor("trusted", current, declared)).toMatchObject({ categories: ["a, b"] });
    expect(patchFor("trusted", current, declared, { categories: ["a", "b"] })).toEqual({});
  });
});

describe("fields left to the server (optional + computed)", () => {
  const declared = { name: "S", ipAddress: "10.0.0.1" };
  const entry: IpEntry = {
    pk: "abcdefghij",
    type: "suspicious",
    name: "S",
    ip_address: "10.0.0.1",
    description: null,
    categories: [],
    expires_on: "2027-02-26T10:00:00Z",
  };

  test("an expiry the server filled in is no diff, and shows in outputs", () => {
    const outs = outputsFromEntry("suspicious", entry, declared, {}, true);
    expect(outs).toMatchObject({ expiresOn: "2027-02-26T10:00:00Z", serverOwned: ["expiresOn"] });
    expect(decideDiff("suspicious", outs, declared, NOW).changes).toBe(false);
    // And still none when the server's value moves (its TTL, or a hand edit of a value nobody declared).
    expect(
      decideDiff("suspicious", { ...outs, expiresOn: "2027-03-01T00:00:00Z" }, declared, NOW).changes,
    ).toBe(false);
  });

  test("refresh leaves the server's value out of the inputs, so it is never drift", () => {
    const outs = outputsFromEntry("suspicious", entry, declared, {}, true);
    const later = { ...entry, expires_on: "2027-03-01T00:00:00Z" };
    const v = viewEntry("suspicious", later, outs, storedView(outs));
    expect(v.inputs).toEqual(declared);
    expect(v.owned).toEqual({ expiresOn: "2027-03-01T00:00:00Z" });
  });

  test("a declared expiry is the user's: compared, sent, and drift when edited by hand", () => {
    const mine = { ...declared, expiresOn: "2027-02-26T10:00:00Z" };
    const outs = outputsFromEntry("suspicious", entry, mine, {}, true);
    expect(outs.serverOwned).toBeUndefined();
    const edited = { ...entry, expires_on: "2030-01-01T00:00:00Z" };
    expect(viewEntry("suspicious", edited, outs, storedView(outs)).inputs.expiresOn).toBe(
      "2030-01-01T00:00:00Z",
    );
    expect(
      decideDiff("suspicious", { ...outs, expiresOn: "2030-01-01T00:00:00Z" }, mine, NOW).changed,
    ).toEqual(["expiresOn"]);
  });

  test.each([
    ["absent", {}],
    ["null", { description: null, categories: null }],
    ["empty", { description: "", categories: [] }],
  ])("description and categories %s on the server mean empty: no diff, no drift", (_, fields) => {
    const e = { ...entry, ...fields } as IpEntry;
    // Declared absent, "" and [], or null (which check's pickInputs turns into absent).
    const declaredNull = pickInputs("suspicious", { ...declared, description: null, categories: null });
    expect(declaredNull).toEqual(declared);
    for (const d of [declared, { ...declared, description: "", categories: [] }, declaredNull]) {
      const outs = outputsFromEntry("suspicious", e, d, {}, true);
      expect(outs.serverSpelling).toBeUndefined();
      expect(decideDiff("suspicious", outs, d, NOW).changes).toBe(false);
      expect(viewEntry("suspicious", e, outs, storedView(outs)).inputs).toEqual(d);
    }
  });

  test("a hand edit that fills an omitted description is drift", () => {
    const outs = outputsFromEntry("suspicious", entry, declared, {}, true);
    const edited = { ...entry, description: "added in the UI" };
    const v = viewEntry("suspicious", edited, outs, storedView(outs));
    expect(v.inputs.description).toBe("added in the UI");
    expect(
      decideDiff("suspicious", { ...outs, description: "added in the UI" }, declared, NOW).changed,
    ).toEqual(["description"]);
  });

  test("an identical entry matches whatever expiry the server gave it", () => {
    expect(matchesEntry("suspicious", entry, declared)).toBe(true);
    expect(matchesEntry("suspicious", entry, { ...declared, expiresOn: "2028-01-01T00:00:00Z" })).toBe(false);
  });
});

describe("the server's spelling of a declared value", () => {
  const entry: IpEntry = {
    pk: "abcdefghij",
    type: "trusted",
    name: "HQ",
    ip_address: "2001:0db8:0000:0000:0000:0000:0000:0001",
    categories: ["a", "b"],
  };
  const declared = { name: "HQ", ipAddress: "2001:db8::1", categories: ["a, b"] };

  test("is recorded from the answer to our write, and is no drift afterwards", () => {
    const outs = outputsFromEntry("trusted", entry, declared, {}, true);
    expect(outs.serverSpelling).toEqual({ categories: ["a", "b"] });
    expect(outs).toMatchObject(declared);
    expect(viewEntry("trusted", entry, outs, storedView(outs)).inputs).toEqual(declared);
    expect(decideDiff("trusted", outs, declared, NOW).changes).toBe(false);
  });

  test("a value that moves away from it is drift, shown as the server's", () => {
    const outs = outputsFromEntry("trusted", entry, declared, {}, true);
    const v = viewEntry("trusted", { ...entry, categories: ["c"] }, outs, storedView(outs));
    expect(v.inputs.categories).toEqual(["c"]);
    expect(v.view.serverSpelling).toBeUndefined();
  });

  test("without our write, a difference is drift, not a spelling", () => {
    expect(viewEntry("trusted", entry, declared).inputs.categories).toEqual(["a", "b"]);
  });
});

describe("sameValue: what the server may change without changing the meaning", () => {
  test.each([
    ["expiresOn", "2027-01-01T00:00:00.123456+00:00", "2027-01-01T00:00:00Z", true],
    ["expiresOn", "2027-01-01T00:00:00.999Z", "2027-01-01T00:00:00+00:00", true],
    ["expiresOn", "2027-01-01T00:00:01Z", "2027-01-01T00:00:00Z", false],
    ["expiresOn", "2027-01-01T01:00:00+01:00", "2027-01-01T00:00:00Z", true],
    ["name", "HQ  Berlin ", "HQ Berlin", true],
    ["name", "Cafe\u0301", "Caf\u00e9", true],
    ["name", "HQ", "hq", false],
    ["description", null, "", true],
    ["description", " ", undefined, true],
    ["categories", ["a", " b"], ["b", "a", "a"], true],
    ["categories", null, [], true],
    ["ipAddress", "2001:0db8:0000:0000:0000:0000:0000:0001/128", "2001:db8::1", true],
  ] as const)("%s: %j ~ %j → %s", (field, a, b, same) => {
    const unescape = (v: unknown) => (typeof v === "string" ? JSON.parse(`"${v}"`) : v);
    expect(sameValue(field, unescape(a), unescape(b))).toBe(same);
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
  test("takes the server's value where it differs (drift); an emptied field is left out, an undeclared expiry too", () => {
    const declared = { name: "S", ipAddress: "10.0.0.9", description: "mine", categories: ["a"] };
    expect(inputsFromEntry("suspicious", entry, declared)).toEqual({
      name: "S",
      ipAddress: "10.0.0.1",
      categories: ["b", "a"],
    });
  });
});
