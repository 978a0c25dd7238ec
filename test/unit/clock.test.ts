import { ServerClock, parseHttpDate } from "../../provider/client/clock";
import { decodeCategories, decodeEntry } from "../../provider/client/decode";

describe("ServerClock: now by the server's Date header", () => {
  const T = Date.parse("2026-06-01T00:00:00Z");

  test("the local clock until an answer says otherwise", () => {
    let local = T;
    const c = new ServerClock(() => local);
    expect(c.now()).toBe(T);
    local += 5_000;
    expect(c.now()).toBe(T + 5_000);
  });

  test("a server days ahead moves now by as much, to within the header's one second", () => {
    let local = T;
    const c = new ServerClock(() => local);
    const ahead = 3 * 86_400_000;
    c.observe(new Date(T + ahead).toUTCString(), T);
    expect(Math.abs(c.now() - (T + ahead))).toBeLessThanOrEqual(1_000);
    local += 60_000;
    expect(Math.abs(c.now() - (T + ahead + 60_000))).toBeLessThanOrEqual(1_000);
    // It follows the server when its clock moves again (backwards too).
    c.observe(new Date(T + 60_000 - 86_400_000).toUTCString(), local);
    expect(Math.abs(c.now() - (local - 86_400_000))).toBeLessThanOrEqual(1_000);
  });

  test("an offset within the header's resolution is none; garbage and absence are ignored", () => {
    const c = new ServerClock(() => T);
    c.observe(new Date(T - 400).toUTCString(), T);
    expect(c.offset).toBe(0);
    c.observe(new Date(T + 86_400_000).toUTCString(), T);
    const ahead = c.offset;
    expect(ahead).toBeGreaterThan(86_000_000);
    for (const h of [undefined, null, "", "soon", "-5", "12345"]) c.observe(h, T);
    expect(c.offset).toBe(ahead);
  });

  test("parseHttpDate reads IMF dates only", () => {
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(Date.parse("1994-11-06T08:49:37Z"));
    expect(parseHttpDate("42")).toBeUndefined();
    expect(parseHttpDate(undefined)).toBeUndefined();
  });
});

describe("decodeCategories: every shape the docs allow", () => {
  test.each([
    [
      ["a", "b"],
      ["a", "b"],
    ],
    ["Locations, areas", ["Locations", "areas"]],
    ["single", ["single"]],
    ["", []],
    [null, []],
    [undefined, []],
    [["a", 7, null], ["a"]],
  ])("%j → %j", (raw, want) => {
    expect(decodeCategories(raw)).toEqual(want);
  });

  test("decodeEntry keeps every other field as sent", () => {
    expect(
      decodeEntry({
        pk: "p",
        name: "n",
        ip_address: "1.1.1.1",
        categories: "x, y" as never,
        org_id: "o",
      } as never),
    ).toEqual({ pk: "p", name: "n", ip_address: "1.1.1.1", categories: ["x", "y"], org_id: "o" });
  });
});
