/**
 * One bad answer never empties a stack (#14), through the real engine: a
 * refresh whose listings come back as an HTML page, `{}`, cut off, with a
 * `total` that is missing, a string or too low, or shifting between two pages,
 * fails or reads everything, and never drops an entry from state. The figures
 * go to .bench/reliability/answers.json and docs/internals/reliability.md.
 */
import * as cloudlock from "../../sdk";
import { TOKEN, addresses } from "../helpers/emulator";
import { audit, engineStack, engineSuite, failure, reliabilityRows, stateIds } from "./helpers";

const suite = engineSuite("answers");
const rows = reliabilityRows("answers");
const ips = addresses(30, 71);
/** Entries a person made in the library, which no stack is meant to hold. */
const byHand = (e: { name: string }) => e.name.endsWith("tranger");
/** 30 per-entry resources and a set of 150: the library spans two pages. */
const program = async () => {
  ips.forEach((ip, i) => new cloudlock.TrustedIp(`e${i}`, { name: `Entry ${i}`, ipAddress: ip }));
  new cloudlock.TrustedIpSet("set", {
    entries: addresses(150, 72).map((ip, i) => ({ name: `In a set ${i}`, ipAddress: ip })),
  });
};

test("refresh against answers that are not the envelope, a total that lies, and a listing that shifts: no entry leaves state", async () => {
  const { emu } = suite;
  // A stranger first, so deleting it mid-listing shifts every entry of the stack by one.
  const [stranger] = emu.seed("trusted", [{ name: "Stranger", ip_address: "198.51.100.250" }]);
  const s = await engineStack(suite.base, "bad-answers", emu, TOKEN, program);
  await s.stack.up(s.io);
  const ids = await stateIds(s.stack);
  expect(ids).toHaveLength(31);
  const clean = { count: 180, duplicates: 0, orphans: 0, lost: 0, shared: 0 };
  expect(await audit(emu, [s.stack], ["trusted"], byHand)).toEqual(clean);

  for (const badAnswer of ["html", "empty-object", "truncated"] as const) {
    emu.clearRequests();
    emu.setKnobs({ badAnswerRate: 1, badAnswer, faultMethods: ["GET"] });
    const err = await failure(s.stack.refresh(s.io));
    expect(err.message).toMatch(/answered 200 with .*which is not the documented shape/);
    emu.setKnobs({ badAnswerRate: 0 });
    expect(await stateIds(s.stack)).toEqual(ids);
    const a = await audit(emu, [s.stack], ["trusted"], byHand);
    expect(a).toEqual(clean);
    const c = emu.requests().counters;
    rows.push({
      scenario: `every listing answered 200 with ${badAnswer === "html" ? "an HTML page" : badAnswer === "empty-object" ? "`{}`" : "JSON cut off"}`,
      faults: c.faults["bad-answer"] ?? 0,
      operations: "refresh 181 (fails)",
      requests: c.total,
      ...a,
    });
  }

  // A total left out or not a number is not the documented envelope: the refresh fails, nothing leaves state.
  for (const listTotal of ["missing", "string"] as const) {
    emu.clearRequests();
    emu.setKnobs({ listTotal });
    const err = await failure(s.stack.refresh(s.io));
    expect(err.message).toMatch(/a list envelope whose total is (missing|"\d+"), not a count/);
    emu.setKnobs({ listTotal: "exact" });
    expect(await stateIds(s.stack)).toEqual(ids);
    const a = await audit(emu, [s.stack], ["trusted"], byHand);
    expect(a).toEqual(clean);
    rows.push({
      scenario: `the list envelope's \`total\` ${listTotal === "missing" ? "left out" : "a string"}`,
      faults: emu.requests().counters.byMethod.GET, // every listing answer
      operations: "refresh 181 (fails)",
      requests: emu.requests().counters.total,
      ...a,
    });
  }

  // A total that under-counts: every page is still read, and nothing is planned.
  emu.clearRequests();
  emu.setKnobs({ listTotal: "low" });
  const pv = await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
  expect(pv.changeSummary).toEqual({ same: 32 });
  emu.setKnobs({ listTotal: "exact" });
  const low = await audit(emu, [s.stack], ["trusted"], byHand);
  expect(low).toEqual(clean);
  rows.push({
    scenario: "the list envelope's `total` half the truth",
    faults: emu.requests().counters.byMethod.GET, // every listing answer
    operations: "preview --refresh 181",
    requests: emu.requests().counters.total,
    ...low,
  });

  // Between page 0 and page 1 of a listing: the stranger (on page 0) is deleted and another entry added, so the
  // total stays the same and the stack's entry at index 100 slides onto page 0, already served.
  emu.clearRequests();
  let shifted = 0;
  emu.onList = (_c, offset) => {
    if (offset === 100 && shifted++ === 0) {
      emu.remove("trusted", [stranger.pk]);
      emu.seed("trusted", [{ name: "Late stranger", ip_address: "198.51.100.251" }]);
    }
  };
  try {
    const r = await s.stack.refresh(s.io);
    expect(r.summary.resourceChanges).not.toHaveProperty("delete");
    expect(shifted).toBeGreaterThan(0);
  } finally {
    emu.onList = undefined;
  }
  expect(await stateIds(s.stack)).toEqual(ids);
  const a = await audit(emu, [s.stack], ["trusted"], byHand);
  expect(a).toEqual(clean);
  rows.push({
    scenario: "the library shifts between two listing pages (same total)",
    faults: 1,
    operations: "refresh 181",
    requests: emu.requests().counters.total,
    ...a,
  });

  await s.stack.destroy(s.io);
  expect(emu.entries("trusted").map((e) => e.name)).toEqual(["Late stranger"]);
});
