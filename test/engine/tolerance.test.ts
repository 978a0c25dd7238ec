/**
 * The lifecycle through the real engine against both readings of the docs:
 * the reference emulator and the lenient one (every open question answered
 * the other plausible way at once: a default expiry, its own spellings of
 * addresses, names, timestamps and categories, nulls for empty fields,
 * whole-entry PUTs, empty write answers, 404 for unknown delete ids, ...).
 * Per-entry and set resources alike must converge: no update or replace on a
 * no-op preview, a hand edit caught and reconciled, an out-of-band delete
 * re-created, expiry judged by the server's clock, destroy with one entry gone.
 */
import * as fs from "fs";
import { Emulator, ProfileName } from "../../emulator";
import { canonicalAddress } from "../../provider/address";
import type { CollectionName } from "../../provider/client/types";
import * as cloudlock from "../../sdk";
import { TOKEN, startEmulator } from "../helpers/emulator";
import { ENGINE_TIMEOUT, EngineStack, engineStack, failure, freshBase, methods } from "./helpers";

jest.setTimeout(ENGINE_TIMEOUT);

const DAY = 86_400;

/** Declarations written to be spelt differently by the lenient server, and left partly to it. */
function declarations(now: number) {
  return {
    trusted: [
      // Compressed upper-case IPv6 (lenient writes it expanded), categories it sorts into one string.
      { key: "hq", name: "HQ Berlin", ipAddress: "2001:DB8:1::/64", categories: ["office", "berlin"] },
      // Inner and trailing white space (lenient trims and collapses it); no description, no categories.
      { key: "vpn", name: "VPN  egress ", ipAddress: "198.51.100.0-198.51.100.15" },
    ],
    suspicious: [
      // No expiresOn: the lenient server gives one of its own (90 days); the reference server none.
      { key: "tor", name: "TOR exit", ipAddress: "203.0.113.7/32", categories: ["TOR network", "Malicious"] },
      // An expiry with milliseconds (lenient keeps whole seconds), a description.
      {
        key: "feed",
        name: "Feed entry",
        ipAddress: "192.0.2.44",
        description: "Threat feed",
        expiresOn: new Date(now + 30 * DAY * 1000 + 123).toISOString(),
      },
    ],
  };
}

type Decl = ReturnType<typeof declarations>;

const shapes = {
  "per-entry": (d: Decl) => async () => {
    for (const { key, ...args } of d.trusted) new cloudlock.TrustedIp(key, args);
    for (const { key, ...args } of d.suspicious) new cloudlock.SuspiciousIp(key, args);
  },
  set: (d: Decl) => async () => {
    new cloudlock.TrustedIpSet("offices", { entries: d.trusted.map(({ key: _, ...e }) => e) });
    new cloudlock.SuspiciousIpSet("threats", { entries: d.suspicious.map(({ key: _, ...e }) => e) });
  },
};

/** Our entries in the emulator, by canonical address. */
function held(emu: Emulator, kind: CollectionName) {
  return new Map(emu.entries(kind).map((e) => [canonicalAddress(e.ip_address), e]));
}

const noChanges = (summary: Record<string, number | undefined>) =>
  expect({
    update: summary.update,
    replace: summary.replace,
    create: summary.create,
    delete: summary.delete,
  }).toEqual({ update: undefined, replace: undefined, create: undefined, delete: undefined });

describe.each(["reference", "lenient"] as ProfileName[])("%s server", (profile) => {
  describe.each(Object.keys(shapes) as (keyof typeof shapes)[])("%s resources", (shape) => {
    let emu: Emulator;
    let base: string;
    let s: EngineStack;
    let decl: Decl;

    beforeAll(async () => {
      emu = await startEmulator({ profile });
      base = freshBase(`tolerance-${profile}-${shape}`);
      decl = declarations(emu.now());
      s = await engineStack(base, `tol-${profile}-${shape}`, emu, TOKEN, shapes[shape](decl));
    });
    afterAll(async () => {
      await emu.close();
      fs.rmSync(base, { recursive: true, force: true });
    });

    test("up creates every entry once; what the server holds means what was declared", async () => {
      await s.stack.up(s.io);
      const t = held(emu, "trusted");
      const x = held(emu, "suspicious");
      expect(t.size).toBe(2);
      expect(x.size).toBe(2);
      expect(t.get(canonicalAddress("2001:db8:1::/64"))).toBeDefined();
      const tor = x.get("203.0.113.7")!;
      if (profile === "lenient") {
        // The server's own expiry, 90 days on by its clock, and its own spelling of the address.
        expect(Date.parse(tor.expires_on!)).toBeGreaterThan(emu.now() + 89 * DAY * 1000);
        expect(tor.ip_address).toBe("203.0.113.7");
      } else {
        expect(tor.expires_on ?? null).toBeNull();
      }
    });

    test("a no-op preview plans nothing, and so does a preview --refresh", async () => {
      emu.clearRequests();
      const pv = await s.stack.preview({ expectNoChanges: true, ...s.io });
      noChanges(pv.changeSummary);
      const rf = await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
      noChanges(rf.changeSummary);
      expect(methods(emu).POST ?? 0).toBe(0);
      expect(methods(emu).PUT ?? 0).toBe(0);
    });

    test("a hand edit fails the drift check; refresh then up reconciles it, and it converges", async () => {
      const hq = held(emu, "trusted").get(canonicalAddress("2001:db8:1::/64"))!;
      emu.edit("trusted", hq.pk, { description: "edited by hand" });
      const err = await failure(
        s.stack.preview({ refresh: true, expectNoChanges: true, diff: true, ...s.io }),
      );
      expect(err.message).toMatch(/edited by hand/);
      await s.stack.refresh(s.io);
      emu.clearRequests();
      await s.stack.up(s.io);
      expect(methods(emu).PUT).toBe(1);
      expect(methods(emu).POST ?? 0).toBe(0);
      expect(held(emu, "trusted").get(canonicalAddress("2001:db8:1::/64"))).toMatchObject({ pk: hq.pk });
      expect(held(emu, "trusted").get(canonicalAddress("2001:db8:1::/64"))!.description ?? "").toBe("");
      const pv = await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
      noChanges(pv.changeSummary);
    });

    test("an out-of-band delete is re-created, once, and converges", async () => {
      const feed = held(emu, "suspicious").get("192.0.2.44")!;
      emu.remove("suspicious", [feed.pk]);
      await s.stack.refresh(s.io);
      emu.clearRequests();
      await s.stack.up(s.io);
      expect(methods(emu).POST).toBe(1);
      const again = held(emu, "suspicious").get("192.0.2.44")!;
      expect(again.pk).not.toBe(feed.pk);
      expect(again).toMatchObject({ name: "Feed entry", description: "Threat feed" });
      expect(emu.entries("suspicious")).toHaveLength(2);
      const pv = await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
      noChanges(pv.changeSummary);
    });

    test("expiry follows the server's clock: 100 days on, expired entries are not drift and are not re-created", async () => {
      emu.advanceClock(100 * DAY);
      try {
        emu.clearRequests();
        const pv = await s.stack.preview({ refresh: true, expectNoChanges: true, ...s.io });
        noChanges(pv.changeSummary);
        await s.stack.up(s.io);
        expect(methods(emu).POST ?? 0).toBe(0);
        expect(methods(emu).PUT ?? 0).toBe(0);
      } finally {
        emu.advanceClock(-100 * DAY);
      }
    });

    test("destroy removes every managed entry, one of them already gone by hand", async () => {
      const vpn = held(emu, "trusted").get(canonicalAddress("198.51.100.0/28"))!;
      emu.remove("trusted", [vpn.pk]);
      emu.seed("trusted", [{ name: "Not ours", ip_address: "192.0.2.200" }]);
      await s.stack.destroy(s.io);
      expect(emu.entries("trusted").map((e) => e.name)).toEqual(["Not ours"]);
      expect(emu.entries("suspicious")).toEqual([]);
    });
  });
});
