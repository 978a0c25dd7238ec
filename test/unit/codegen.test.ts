import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plansFromEntries, render, uniqueNames } from "../../cli/codegen";
import type { IpEntry } from "../../provider/client/types";
import { checkLibraryData, declareLibrary, readLibraryFile } from "../../sdk";

const item = (name: string, canonical: string, key: string) => ({ name, canonical, key });

describe("uniqueNames", () => {
  test("slug of the name; the address only when names collide; the key only when both do", () => {
    expect(
      uniqueNames("trusted", [
        item("HQ Berlin", "198.51.100.0/24", "a1"),
        item("VPN", "192.0.2.1", "b2"),
        item("VPN", "2001:db8::/48", "c3"),
        item("Twin", "192.0.2.9", "d4"),
        item("Twin", "192.0.2.9", "e5"),
        item("¡¡¡", "192.0.2.10", "f6"),
      ]),
    ).toEqual([
      "trusted-hq-berlin",
      "trusted-vpn-192-0-2-1",
      "trusted-vpn-2001-db8-48",
      "trusted-twin-192-0-2-9-d4",
      "trusted-twin-192-0-2-9-e5",
      "trusted",
    ]);
  });

  test("always unique, even when a suffixed name meets a real one", () => {
    const names = uniqueNames("suspicious", [
      item("x", "10.0.0.1", "k"),
      item("x", "10.0.0.1", "k"),
      item("x 10.0.0.1", "10.0.0.2", "m"),
      item("x", "10.0.0.3", "n"),
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  test("adding an entry renames only the entries that share its name", () => {
    const before = uniqueNames("trusted", [item("A", "10.0.0.1", "1"), item("B", "10.0.0.2", "2")]);
    const after = uniqueNames("trusted", [
      item("A", "10.0.0.1", "1"),
      item("B", "10.0.0.2", "2"),
      item("C", "10.0.0.3", "3"),
    ]);
    expect(after.slice(0, 2)).toEqual(before);
  });
});

describe("rendering", () => {
  const entry = (pk: string, over: Partial<IpEntry> = {}): IpEntry => ({
    pk,
    type: "suspicious",
    name: "Feed",
    ip_address: "203.0.113.1",
    categories: [],
    ...over,
  });

  test("YAML output reads back as the same records, skipped entries excluded", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const plans = plansFromEntries(
      "suspicious",
      [
        entry("pk0001", { description: "multi\nline: yes", categories: ["- a", "#b"] }),
        entry("pk0002", { ip_address: "203.0.113.2", expires_on: "2025-01-01T00:00:00Z" }),
      ],
      now,
    );
    expect(plans.map((p) => p.skipped === undefined)).toEqual([true, false]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codegen-"));
    const file = path.join(dir, "lib.yaml");
    fs.writeFileSync(file, render("yaml", plans, ["header"]));
    expect(readLibraryFile(file)).toEqual({ suspicious: [plans[0].record] });
    fs.rmSync(dir, { recursive: true });
  });

  test("an empty library still renders a valid module and data file", () => {
    expect(render("ts", [], [])).toContain("export {};");
    expect(render("json", [], [])).toBe("{}\n");
  });
});

describe("library data files", () => {
  test("shape errors name the place and the field", () => {
    expect(() =>
      checkLibraryData(
        {
          trusted: [
            { name: "A", ipAddress: 1 },
            { name: "B", ip: "10.0.0.1" },
            "x",
            { name: "C", ipAddress: "10.0.0.3", expiresOn: "2030-01-01" },
          ],
          suspicous: [],
        },
        "lib.yaml",
      ),
    ).toThrow(
      'lib.yaml: trusted[0].ipAddress must be a string; trusted[1].ip is not an entry field (expected resource, name, ipAddress, description, categories, adoptId, renamedFrom); trusted[1].ipAddress is required; trusted[2] must be a mapping of entry fields; trusted[3].expiresOn: trusted entries do not expire; unknown key "suspicous" (expected "trusted" or "suspicious"; "comment" and "skipped" are ignored). Correct the file: nothing was declared from it.',
    );
    // Each library's own fields: a suspicious entry has an expiry.
    expect(() =>
      checkLibraryData({ suspicious: [{ name: "A", ipAddress: "192.0.2.1", expires: "2030-01-01" }] }, "f"),
    ).toThrow(
      "f: suspicious[0].expires is not an entry field (expected resource, name, ipAddress, description, categories, expiresOn, adoptId, renamedFrom)",
    );
    expect(() => checkLibraryData([1], "f")).toThrow(
      'f: expected a mapping with "trusted" and/or "suspicious" lists',
    );
    expect(checkLibraryData(null)).toEqual({});
  });

  test("invalid YAML or JSON names the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "libdata-"));
    fs.writeFileSync(path.join(dir, "a.json"), "{ trusted: ");
    fs.writeFileSync(path.join(dir, "b.yaml"), "trusted: [ {");
    expect(() => readLibraryFile(path.join(dir, "a.json"))).toThrow(/a\.json: not valid json/);
    expect(() => readLibraryFile(path.join(dir, "b.yaml"))).toThrow(/b\.yaml: not valid yaml/);
    fs.rmSync(dir, { recursive: true });
  });

  test("two records with the same resource name are refused before any resource is declared", () => {
    expect(() =>
      declareLibrary({
        trusted: [
          { name: "HQ", ipAddress: "10.0.0.1" },
          { name: "hq", ipAddress: "10.0.0.2" },
        ],
      }),
    ).toThrow(
      'trusted[0] and trusted[1] would both be the resource "trusted-hq"; give one of them a distinct "resource" name',
    );
  });
});
