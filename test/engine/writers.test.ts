/**
 * Through the real engine: two stacks write one library at once, on a server
 * that accepts the same address twice (a reading the docs allow). Neither may
 * exit 0 leaving a duplicate, and no entry may end up in both states (#14).
 */
import * as cloudlock from "../../sdk";
import { canonicalAddress } from "../../provider/address";
import { TOKEN, addresses } from "../helpers/emulator";
import { listings } from "../helpers/requests";
import { audit, engineStack, engineSuite, reliabilityRows, stateIds } from "./helpers";

const suite = engineSuite("writers", { knobs: { duplicates: "allow" } });
const rows = reliabilityRows("writers");

test("two stacks create the same 10 addresses at once: no duplicate, no shared entry, no orphan, and not both exit 0", async () => {
  const { emu } = suite;
  const ips = addresses(10, 61);
  const program = async () => {
    ips.forEach((ip, i) => new cloudlock.TrustedIp(`office-${i}`, { name: `Office ${i}`, ipAddress: ip }));
  };
  const a = await engineStack(suite.base, "writer-a", emu, TOKEN, program);
  const b = await engineStack(suite.base, "writer-b", emu, TOKEN, program);
  // Hold every POST until both provider processes have taken their duplicate-check listing: each then believes
  // every address free, and both POST all ten, the race the check after each POST must catch.
  emu.onCreate = async () => {
    while (listings(emu) < 2) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    const results = await Promise.allSettled([a.stack.up(a.io), b.stack.up(b.io)]);
    expect(results.map((r) => r.status)).not.toEqual(["fulfilled", "fulfilled"]);
    const reasons = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
    expect(reasons.join("\n")).toMatch(
      /another writer created entry \w+ .* while this run created entry \w+/,
    );
    expect(emu.requests().counters.byMethod.POST).toBeGreaterThanOrEqual(11); // the race happened

    const live = emu.entries("trusted");
    const [idsA, idsB] = [await stateIds(a.stack), await stateIds(b.stack)];
    const pks = live.map((e) => e.pk).sort();
    expect(live.length - new Set(live.map((e) => canonicalAddress(e.ip_address))).size).toBe(0); // duplicates
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]); // shared
    expect(pks.filter((pk) => !idsA.includes(pk) && !idsB.includes(pk))).toEqual([]); // orphans
    expect([...idsA, ...idsB].filter((id) => !pks.includes(id))).toEqual([]); // lost
    const found = await audit(emu, [a.stack, b.stack]);
    expect(found).toMatchObject({ duplicates: 0, orphans: 0, lost: 0, shared: 0 });
    rows.push({
      scenario: "two stacks create the same 10 addresses at once, on a server that allows duplicates",
      faults: emu.requests().counters.byMethod.POST - found.count, // POSTs beyond the entries kept: the race
      operations: "up 10 ‖ up 10",
      requests: emu.requests().counters.total,
      ...found,
    });
  } finally {
    emu.onCreate = undefined;
  }
  await a.stack.destroy(a.io);
  await b.stack.destroy(b.io);
  expect(emu.entries("trusted")).toEqual([]);
});
