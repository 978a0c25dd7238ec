/**
 * Preview knows what `up` will do: a new entry whose address the library already holds is forecast at `check`
 * (a warning on the resource for a create `up` refuses, a note for one it adopts), naming the entry and the fix
 * for the route in use, and `create` then does exactly what the forecast said. The reads follow the read rule.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { duplicateError } from "../../provider/dynamic/create";
import { WILL_ADOPT, WILL_FAIL } from "../../provider/dynamic/forecast";
import { nextRead } from "../../provider/dynamic/read-plan";
import { addresses } from "../helpers/emulator";
import { gets, searches, writes } from "../helpers/requests";
import { pool, providerSuite, rejection, runtimeFor } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

const URN = "urn:pulumi:dev::p::pulumi-nodejs:dynamic/cloudlock:TrustedIp::hq";

/** The diagnostics a runtime sends the engine, as [severity, message, urn]. */
function diagnostics(r: ProviderRuntime): [string, string, string | undefined][] {
  const seen: [string, string, string | undefined][] = [];
  jest.spyOn(r.connection.engine, "log").mockImplementation(async (severity, message, urn) => {
    seen.push([severity, message, urn]);
  });
  return seen;
}

const hq = { name: "HQ", ipAddress: "198.51.100.7", logUrn: URN };

test("a free address: no forecast, and the create makes the entry", async () => {
  const seen = diagnostics(rt);
  const { failures, inputs } = await rt.entries("trusted").check({}, hq);
  expect(failures).toEqual([]);
  expect(seen).toEqual([]);
  // check drops what it only reads: nothing of it reaches state.
  expect(inputs).toEqual({ name: "HQ", ipAddress: "198.51.100.7" });
  await rt.entries("trusted").create(inputs);
  expect(emu.entries("trusted").map((e) => e.ip_address)).toEqual(["198.51.100.7"]);
});

test("an address another entry holds: a warning on the resource naming it and the fix; create then refuses it, writing nothing", async () => {
  const [other] = emu.seed("trusted", [{ name: "Made by hand", ip_address: "198.51.100.7/32" }]);
  const seen = diagnostics(rt);
  const { failures, inputs } = await rt.entries("trusted").check({}, hq);
  // A warning, not a failure: a failed check stops the engine planning the rest of the preview.
  expect(failures).toEqual([]);
  expect(seen).toHaveLength(1);
  const [severity, message, urn] = seen[0];
  expect(severity).toBe("warning");
  expect(urn).toBe(URN);
  expect(message.startsWith(WILL_FAIL)).toBe(true);
  expect(message).toContain(`entry ${other.pk} ("Made by hand")`);
  expect(message).toContain(`set adoptId: "${other.pk}" on this resource`);
  expect(message).toContain("aliases");
  emu.clearRequests();
  const e = await rejection(rt.entries("trusted").create(inputs));
  expect(e.message).toContain(`already exists in the trusted library as entry ${other.pk}`);
  // The fix was just given on the resource: the refusal points to it rather than printing it again.
  expect(e.message).toContain('What to do is in the warning on this resource ("will fail at `pulumi up`")');
  expect(e.message).not.toContain("set adoptId");
  expect(writes(emu)).toBe(0);
  // Without a forecast in this process (a race after preview), the refusal carries the fix itself.
  const fresh = runtimeFor(emu);
  expect((await rejection(fresh.entries("trusted").create(inputs))).message).toContain(
    `set adoptId: "${other.pk}"`,
  );
});

test("adoptId naming the holder: no forecast (up adopts it); adoptId naming another entry: up will fail", async () => {
  const [holder, elsewhere] = emu.seed("trusted", [
    { name: "Holder", ip_address: "198.51.100.7" },
    { name: "Elsewhere", ip_address: "198.51.100.8" },
  ]);
  const seen = diagnostics(rt);
  // Adopting it is said, with the fields `up` then changes on it.
  await rt.entries("trusted").check({}, { ...hq, adoptId: holder.pk });
  expect(seen.map(([s, m]) => [s, m])).toEqual([
    [
      "info",
      `${WILL_ADOPT} entry ${holder.pk} ("Holder") is taken over, creating none; \`up\` changes its fields name to the declaration.`,
    ],
  ]);
  seen.length = 0;
  const { inputs } = await rt.entries("trusted").check({}, { ...hq, adoptId: elsewhere.pk });
  expect(seen).toHaveLength(1);
  expect(seen[0][1]).toContain(`${WILL_FAIL} adoptId "${elsewhere.pk}"`);
  expect(seen[0][1]).toContain(`entry ${holder.pk}`);
  expect((await rejection(rt.entries("trusted").create(inputs))).message).toContain(holder.pk);
});

test("an identical entry with CLOUDLOCK_ADOPT_IDENTICAL on: forecast as adopted, and create takes it over", async () => {
  const [same] = emu.seed("trusted", [{ name: "HQ", ip_address: "198.51.100.7" }]);
  const r = runtimeFor(emu, { adoptIdentical: true });
  const seen = diagnostics(r);
  const { inputs } = await r.entries("trusted").check({}, hq);
  expect(seen.map(([s, m]) => [s, m.startsWith(WILL_ADOPT)])).toEqual([["info", true]]);
  emu.clearRequests();
  expect((await r.entries("trusted").create(inputs)).id).toBe(same.pk);
  expect(writes(emu)).toBe(0);
});

test("an identical entry without it: up will fail, and says so at preview", async () => {
  emu.seed("trusted", [{ name: "HQ", ip_address: "198.51.100.7" }]);
  const seen = diagnostics(rt);
  await rt.entries("trusted").check({}, hq);
  expect(seen[0][1].startsWith(WILL_FAIL)).toBe(true);
});

test("an expired suspicious entry a server still lists holds nothing: no forecast", async () => {
  emu.setKnobs({ expired: "keep" });
  emu.seed("suspicious", [
    { name: "Old", ip_address: "203.0.113.9", expires_on: "2020-01-01T00:00:00+00:00" },
  ]);
  const seen = diagnostics(rt);
  await rt.entries("suspicious").check({}, { name: "New", ipAddress: "203.0.113.9" });
  expect(seen).toEqual([]);
});

test("an existing resource is never forecast (its create happened long ago)", async () => {
  emu.seed("trusted", [{ name: "HQ", ip_address: "198.51.100.7" }]);
  const seen = diagnostics(rt);
  emu.clearRequests();
  await rt.entries("trusted").check({ name: "HQ", ipAddress: "198.51.100.7" }, hq);
  expect(seen).toEqual([]);
  expect(gets(emu)).toBe(0);
});

test("each route's fix: a data file's record fields, the plugin's import command", async () => {
  const [other] = emu.seed("trusted", [{ name: "Hand", ip_address: "198.51.100.7" }]);
  const seen = diagnostics(rt);
  const { inputs } = await rt.entries("trusted").check({}, { ...hq, route: "data-file" });
  expect(seen[0][1]).toContain(`add adoptId: ${other.pk} to this record in the data file`);
  expect(seen[0][1]).toContain("renamedFrom");
  expect(seen[0][1]).not.toContain("aliases: [");
  // A refusal with no forecast before it (a race after the preview) names the data file's fields too.
  const refusal = duplicateError("trusted", inputs, other, "data-file").message;
  expect(refusal).toContain(`add adoptId: ${other.pk} to this record in the data file`);
  expect(refusal).toContain("renamedFrom");

  const plugin = runtimeFor(emu, { route: "plugin" });
  const said = diagnostics(plugin);
  await plugin.entries("trusted").check({}, hq);
  expect(said[0][1]).toContain(`pulumi import cloudlock:index:TrustedIp <name> ${other.pk}`);
});

test("N new entries in a big library cost the read rule's GETs: page 0, a few searches, at most one listing", async () => {
  const library = emu.seed(
    "trusted",
    addresses(1000, 30).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
  );
  const pages = Math.ceil(library.length / 100);
  const wanted = addresses(250, 60).map((ip, i) => ({ name: `new${i}`, ipAddress: ip }));
  const seen = diagnostics(rt);
  emu.clearRequests();
  await pool(wanted, 16, (w) => rt.entries("trusted").check({}, w));
  expect(seen).toEqual([]);
  // The rule's bound: page 0, at most S searches, one listing (a walk may end one page past `pages`).
  let s = 0;
  while (nextRead({ pages, searches: s, pending: 1 }) === "search") s++;
  expect(searches(emu)).toBeLessThanOrEqual(s);
  expect(gets(emu)).toBeLessThanOrEqual(1 + s + pages + 1);
});

test("one new entry in a big library: page 0 and one search, not a listing", async () => {
  const [, held] = emu
    .seed(
      "trusted",
      addresses(1000, 30).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    )
    .slice(776);
  const seen = diagnostics(rt);
  emu.clearRequests();
  await rt.entries("trusted").check({}, { name: "Dup", ipAddress: held.ip_address });
  expect(gets(emu)).toBe(2);
  expect(seen[0][1]).toContain(held.pk);
});

describe("sets", () => {
  const SET_URN = "urn:pulumi:dev::p::pulumi-nodejs:dynamic/cloudlock:SuspiciousIpSet::feed";

  test("added addresses that hold an entry: adopted, listed under adopts and said once; up adopts exactly those", async () => {
    const [hand] = emu.seed("trusted", [{ name: "By hand", ip_address: "10.9.0.1" }]);
    const seen = diagnostics(rt);
    const { inputs, failures } = await rt.sets.check(
      "trusted",
      {},
      {
        mode: "additive",
        entries: [
          { name: "Office", ipAddress: "10.9.0.1/32" },
          { name: "New", ipAddress: "10.9.0.2" },
        ],
        logUrn: SET_URN,
      },
    );
    expect(failures).toEqual([]);
    expect(inputs.adopts).toEqual({ "10.9.0.1": `${hand.pk} "By hand"; \`up\` changes its fields name` });
    expect(inputs.refused).toBeUndefined();
    const forecasts = seen.filter(([, m]) => m.startsWith(WILL_ADOPT));
    expect(forecasts).toEqual([
      [
        "info",
        expect.stringContaining(`10.9.0.1 (entry ${hand.pk} "By hand"; \`up\` changes its fields name)`),
        SET_URN,
      ],
    ]);
    emu.clearRequests();
    const { outs } = await rt.sets.create("trusted", inputs);
    expect(outs.entries["10.9.0.1"].pk).toBe(hand.pk);
    expect(emu.requests().counters.byMethod.POST).toBe(1);
  });

  test("an added address held with a name Cloudlock cannot change: refused at preview, and up refuses it too", async () => {
    const [theirs] = emu.seed("suspicious", [{ name: "stack-A", ip_address: "40.0.0.1" }]);
    const seen = diagnostics(rt);
    const { inputs, failures } = await rt.sets.check(
      "suspicious",
      {},
      { mode: "additive", entries: [{ name: "stack-B", ipAddress: "40.0.0.1" }], logUrn: SET_URN },
    );
    expect(failures).toEqual([]);
    expect(Object.keys(inputs.refused ?? {})).toEqual(["40.0.0.1"]);
    expect(inputs.refused?.["40.0.0.1"]).toContain(`entry ${theirs.pk} ("stack-A")`);
    const warnings = seen.filter(([s]) => s === "warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0][1].startsWith(WILL_FAIL)).toBe(true);
    expect((await rejection(rt.sets.create("suspicious", inputs))).message).toContain(theirs.pk);
    expect(emu.entries("suspicious").map((e) => e.name)).toEqual(["stack-A"]);
  });

  test("a set that adds nothing reads nothing for the forecast", async () => {
    const olds = {
      mode: "additive" as const,
      entries: { "10.9.0.1": { name: "A", ipAddress: "10.9.0.1", pk: "x" } },
    };
    emu.clearRequests();
    await rt.sets.check("trusted", olds, {
      mode: "additive",
      entries: [{ name: "B", ipAddress: "10.9.0.1" }],
    });
    expect(gets(emu)).toBe(0);
  });
});

test("a replacement is checked again as a new resource after its diff: its own old entry is not in its way", async () => {
  const [old] = emu.seed("suspicious", [{ name: "TOR exit node", ip_address: "203.0.113.7" }]);
  const seen = diagnostics(rt);
  const was = { name: "TOR exit node", ipAddress: "203.0.113.7" };
  const now = { name: "TOR exit (renamed)", ipAddress: "203.0.113.7" };
  // As the engine does: check with the old inputs, diff (a suspicious name forces a replacement), then check the
  // replacement again with no old inputs, then delete the old entry before creating the new one.
  const { inputs } = await rt.entries("suspicious").check(was, now);
  const outs = { ...was, type: "suspicious" } as never;
  expect((await rt.entries("suspicious").diff(old.pk, outs, inputs)).replaces).toEqual(["name"]);
  await rt.entries("suspicious").check({}, now);
  expect(seen).toEqual([]);
  await rt.entries("suspicious").delete(old.pk);
  expect((await rt.entries("suspicious").create(inputs)).id).not.toBe(old.pk);
});

test("a set with an entry it must refuse applies nothing: an authoritative set's removals wait too", async () => {
  const [theirs, undeclared] = emu.seed("suspicious", [
    { name: "stack-A", ip_address: "40.0.0.1" },
    { name: "someone else's", ip_address: "40.0.0.2" },
  ]);
  const { inputs } = await rt.sets.check(
    "suspicious",
    {},
    {
      mode: "authoritative",
      entries: [
        { name: "stack-B", ipAddress: "40.0.0.1" },
        { name: "new", ipAddress: "40.0.0.3" },
      ],
    },
  );
  expect(Object.keys(inputs.refused ?? {})).toEqual(["40.0.0.1"]);
  emu.clearRequests();
  const e = await rejection(rt.sets.create("suspicious", inputs));
  expect(e.message).toContain("nothing of the set was applied");
  expect(writes(emu)).toBe(0);
  expect(
    emu
      .entries("suspicious")
      .map((x) => x.pk)
      .sort(),
  ).toEqual([theirs.pk, undeclared.pk].sort());
});

test("an adoptId that names no entry: up will fail, and says so at preview", async () => {
  emu.seed("trusted", [{ name: "Other", ip_address: "10.20.0.1" }]);
  const seen = diagnostics(rt);
  const { inputs } = await rt.entries("trusted").check({}, { ...hq, adoptId: "NoSuchPk01" });
  expect(seen).toHaveLength(1);
  expect(seen[0][1]).toContain(`${WILL_FAIL} adoptId "NoSuchPk01": no trusted entry with that id exists`);
  expect((await rejection(rt.entries("trusted").create(inputs))).message).toContain('adoptId "NoSuchPk01"');
});

test("an identical entry: the forecast and the refusal both give the recovery for an interrupted run", async () => {
  const [same] = emu.seed("trusted", [{ name: "HQ", ip_address: "198.51.100.7" }]);
  const seen = diagnostics(rt);
  const { inputs } = await rt.entries("trusted").check({}, hq);
  expect(seen[0][1]).toContain(
    `entry ${same.pk} ("HQ") already holds 198.51.100.7 with exactly this declaration`,
  );
  expect(seen[0][1]).toContain("CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up");
  expect((await rejection(rt.entries("trusted").create(inputs))).message).toContain(
    "CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up",
  );
});
