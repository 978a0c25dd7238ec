/**
 * One bad answer never empties a stack (#14), through the real engine: a
 * refresh whose listings come back as an HTML page, `{}`, or with a total that
 * lies fails or reads everything, and never drops an entry from state.
 */
import * as cloudlock from "../../sdk";
import { TOKEN, addresses } from "../helpers/emulator";
import { engineStack, engineSuite, failure, stateIds } from "./helpers";

const suite = engineSuite("answers");
const ips = addresses(30, 71);

test("refresh against answers that are not the envelope: an error, and all 30 entries stay in state and in Cloudlock", async () => {
  const s = await engineStack(suite.base, "bad-answers", suite.emu, TOKEN, async () => {
    ips.forEach((ip, i) => new cloudlock.TrustedIp(`e${i}`, { name: `Entry ${i}`, ipAddress: ip }));
    new cloudlock.TrustedIpSet("set", { entries: [{ name: "In a set", ipAddress: "192.0.2.77" }] });
  });
  await s.stack.up(s.io);
  const ids = await stateIds(s.stack);
  expect(ids).toHaveLength(31);
  for (const badAnswer of ["html", "empty-object", "truncated"] as const) {
    suite.emu.setKnobs({ badAnswerRate: 1, badAnswer, faultMethods: ["GET"] });
    const err = await failure(s.stack.refresh(s.io));
    expect(err.message).toMatch(/answered 200 with .*which is not the documented shape/);
    suite.emu.setKnobs({ badAnswerRate: 0 });
    expect(await stateIds(s.stack)).toEqual(ids);
  }
  expect(suite.emu.entries("trusted")).toHaveLength(31);
  // A total that under-counts: every page is still read, and nothing is planned.
  suite.emu.setKnobs({ listTotal: "low" });
  const pv = await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
  expect(pv.changeSummary).toEqual({ same: 32 });
  suite.emu.setKnobs({ listTotal: "exact" });
  await s.stack.destroy(s.io);
  expect(suite.emu.entries("trusted")).toEqual([]);
});
