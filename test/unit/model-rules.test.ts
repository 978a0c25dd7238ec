/**
 * Rules that used to name their field and now take it from the model (provider/model.ts): they behave as before.
 */
import { CloudlockClient } from "../../provider/client/client";
import { decodeEntry } from "../../provider/client/decode";
import type { IpEntry, NewEntry } from "../../provider/client/types";
import { unexpired } from "../../provider/dynamic/schema";
import { ADDRESS, EXPIRY, FIELDS, WIRE, emptyOf } from "../../provider/model";

const NOW = Date.parse("2030-06-01T12:00:00Z");
const entry = (pk: string, expiry?: string | null): Partial<IpEntry> => ({ pk, [WIRE.expiry]: expiry });

test("the roles are the fields that compare as an address and as an instant", () => {
  expect(FIELDS[ADDRESS].compare).toBe("address");
  expect(FIELDS[EXPIRY].compare).toBe("instant");
  expect(WIRE.address).toBe(FIELDS[ADDRESS].api);
});

test("unexpired keeps entries without an expiry or with one still ahead, in order, and drops passed ones", () => {
  const list = [
    entry("past", "2030-06-01T11:59:59Z"),
    entry("none"),
    entry("null", null),
    entry("ahead", "2030-06-01T12:00:01Z"),
    entry("now", "2030-06-01T12:00:00Z"),
    entry("garbled", "soon"),
  ];
  expect(unexpired(list, NOW).map((e) => e.pk)).toEqual(["none", "null", "ahead", "garbled"]);
});

test("decodeEntry makes every list-valued field a list, whatever shape the server gave", () => {
  const lists = Object.values(FIELDS).filter((s) => s.compare === "set");
  expect(lists.length).toBeGreaterThan(0);
  for (const s of lists) {
    expect(decodeEntry({ pk: "a", [s.api]: "x, y" } as unknown as Partial<IpEntry>)).toEqual({
      pk: "a",
      [s.api]: ["x", "y"],
    });
    expect(decodeEntry({ pk: "a" } as Partial<IpEntry>)).toEqual({ pk: "a", [s.api]: [] });
  }
});

test("emptyOf: an omitted `empty` field is an empty list or text; other fields have no such value", () => {
  expect(emptyOf("categories")).toEqual([]);
  expect(emptyOf("description")).toBe("");
  expect(emptyOf(EXPIRY)).toBeUndefined();
  expect(emptyOf(ADDRESS)).toBeUndefined();
});

test("a create with a field its library lacks is refused before sending, naming the field", async () => {
  // Nothing listens on port 9: a request would fail as unreachable, not with this message.
  const client = new CloudlockClient({ apiUrl: "http://127.0.0.1:9/api/v2", apiToken: "t", env: {} });
  const body = { [WIRE.name]: "a", [WIRE.address]: "10.0.0.1", [WIRE.expiry]: "2031-01-01T00:00:00Z" };
  await expect(client.trusted.create(body as NewEntry)).rejects.toThrow(
    "expires_on is only valid for suspicious entries; trusted entries do not expire",
  );
});
