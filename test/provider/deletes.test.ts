/**
 * Deletes that arrive together are coalesced into DELETE ?ids= batches; a refused batch is split.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { addresses } from "../helpers/emulator";
import { pool, providerSuite } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

describe("delete coalescing", () => {
  test("deletes that arrive together go as one DELETE ?ids= call, chunked at 50", async () => {
    const made = emu.seed(
      "trusted",
      addresses(120, 80).map((ip, i) => ({ name: `d${i}`, ip_address: ip })),
    );
    emu.clearRequests();
    await pool(made.slice(0, 8), 8, (e) => rt.entries("trusted").delete(e.pk));
    expect(emu.requests().counters.byMethod.DELETE).toBe(1);
    emu.clearRequests();
    await Promise.all(made.slice(8).map((e) => rt.entries("trusted").delete(e.pk)));
    expect(emu.requests().counters.byMethod.DELETE).toBe(Math.ceil(112 / 50));
    expect(emu.entries("trusted")).toEqual([]);
  });

  test("a batch the server refuses is split, so one bad id cannot block the rest; gone ids count as deleted", async () => {
    emu.setKnobs({ unknownDeleteIds: "404" });
    const made = emu.seed(
      "trusted",
      addresses(7, 81).map((ip, i) => ({ name: `s${i}`, ip_address: ip })),
    );
    const ids = [...made.map((e) => e.pk), "gone000000"];
    const results = await Promise.allSettled(ids.map((id) => rt.entries("trusted").delete(id)));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.entries("trusted")).toEqual([]);
    expect(emu.requests().counters.byMethod.DELETE).toBeGreaterThan(1);
  });

  test("a persistent failure rejects only the ids it concerns", async () => {
    const made = emu.seed(
      "trusted",
      addresses(4, 82).map((ip, i) => ({ name: `f${i}`, ip_address: ip })),
    );
    emu.setKnobs({ errorRate: 1, faultMethods: ["DELETE"] });
    const results = await Promise.allSettled(made.map((e) => rt.entries("trusted").delete(e.pk)));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(emu.entries("trusted")).toHaveLength(4);
  });
});
