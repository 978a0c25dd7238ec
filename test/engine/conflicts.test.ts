/**
 * Declarations that may be mistakes but are legal: warned about at preview
 * (through the real engine), and applied as declared.
 */
import * as cloudlock from "../../sdk";
import { TOKEN } from "../helpers/emulator";
import { engineStack, engineSuite } from "./helpers";

const suite = engineSuite("conflicts");

test("an address both trusted and suspicious, and overlapping blocks, are warnings at preview; up applies them", async () => {
  const s = await engineStack(suite.base, "warnings", suite.emu, TOKEN, async () => {
    new cloudlock.TrustedIp("partner", { name: "Partner", ipAddress: "203.0.113.9" });
    new cloudlock.SuspiciousIp("partner-flagged", { name: "Flagged", ipAddress: "203.0.113.9/32" });
    new cloudlock.TrustedIp("office-net", { name: "Office net", ipAddress: "198.51.100.0/24" });
    new cloudlock.TrustedIp("office-vpn", { name: "Office VPN", ipAddress: "198.51.100.10-198.51.100.20" });
    new cloudlock.TrustedIp("elsewhere", { name: "Elsewhere", ipAddress: "192.0.2.0/25" });
    new cloudlock.TrustedIp("v6", { name: "v6", ipAddress: "2001:db8::/32" });
    new cloudlock.TrustedIp("v6-host", { name: "v6 host", ipAddress: "2001:db8:0:0::1" });
  });
  let out = "";
  const pv = await s.stack.preview({ onOutput: (t) => (out += t) });
  expect(pv.changeSummary.create).toBe(8);
  const warnings = out.split("\n").filter((l) => l.includes("warning:"));
  const has = (text: string) => warnings.some((w) => w.includes(text));
  expect(
    has(
      'SuspiciousIp "partner-flagged" (203.0.113.9/32) and TrustedIp "partner" (203.0.113.9) declare the same address as both trusted and suspicious',
    ) ||
      has(
        'TrustedIp "partner" (203.0.113.9) and SuspiciousIp "partner-flagged" (203.0.113.9/32) declare the same address as both trusted and suspicious',
      ),
  ).toBe(true);
  expect(
    has(
      'TrustedIp "office-vpn" (198.51.100.10-198.51.100.20) overlaps TrustedIp "office-net" (198.51.100.0/24)',
    ),
  ).toBe(true);
  expect(has('TrustedIp "v6-host" (2001:db8:0:0::1) overlaps TrustedIp "v6" (2001:db8::/32)')).toBe(true);
  expect(out).not.toContain('"elsewhere"');
  await s.stack.up(s.io);
  expect(suite.emu.entries("trusted")).toHaveLength(6);
  expect(suite.emu.entries("suspicious")).toHaveLength(1);
  await s.stack.destroy(s.io);
});

test("host bits set and a trusted entry covering every address are warnings at preview", async () => {
  const s = await engineStack(suite.base, "gaps", suite.emu, TOKEN, async () => {
    new cloudlock.TrustedIp("sloppy", { name: "Sloppy", ipAddress: "5.6.7.8/24" });
    new cloudlock.TrustedIp("world", { name: "World", ipAddress: "0.0.0.0/0" });
    new cloudlock.TrustedIp("world6", { name: "World v6", ipAddress: "::/0" });
    new cloudlock.SuspiciousIp("feed-all", { name: "Feed everything", ipAddress: "::/0" });
  });
  let out = "";
  await s.stack.preview({ onOutput: (t) => (out += t) });
  const warnings = out.split("\n").filter((l) => l.includes("warning:"));
  const has = (text: string) => warnings.some((w) => w.includes(text));
  expect(
    has('TrustedIp "sloppy": ipAddress "5.6.7.8/24" has host bits set; it means the block 5.6.7.0/24'),
  ).toBe(true);
  expect(has('TrustedIp "world": ipAddress "0.0.0.0/0" trusts every IPv4 address there is')).toBe(true);
  expect(has('TrustedIp "world6": ipAddress "::/0" trusts every IPv6 address there is')).toBe(true);
  // Only trusting everything is alarming; flagging everything as suspicious is the feed's business.
  expect(out).not.toContain('"feed-all": ipAddress');
  expect(suite.emu.entries("trusted")).toEqual([]);
});
