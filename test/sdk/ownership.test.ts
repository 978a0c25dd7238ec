/**
 * An authoritative set owns its library: the program is refused while it
 * runs (before any API call) if it also declares other resources managing
 * that library. Additive sets and per-entry resources coexist.
 */

import "../helpers/preview-mocks";

import * as cloudlock from "../../sdk";

const entry = (i: number) => ({ name: `E ${i}`, ipAddress: `192.0.2.${i}` });

test("additive sets and per-entry resources of one library coexist", () => {
  expect(() => {
    new cloudlock.TrustedIp("hq", entry(1));
    new cloudlock.TrustedIpSet("offices", { entries: [entry(2)], mode: "additive" });
    new cloudlock.TrustedIpSet("vpns", { entries: [entry(3)] });
  }).not.toThrow();
});

test("an authoritative set declared after other resources of its library is refused, naming both", () => {
  expect(() => new cloudlock.TrustedIpSet("all", { entries: [entry(4)], mode: "authoritative" })).toThrow(
    'TrustedIpSet "all" is authoritative: it owns the whole trusted IP library, so this program cannot also ' +
      'declare TrustedIp "hq" for that library.',
  );
});

test("after an authoritative set, per-entry resources and other sets of its library are refused; lookups are not", () => {
  new cloudlock.SuspiciousIpSet("feed", { entries: [entry(5)], mode: "authoritative" });
  expect(() => cloudlock.SuspiciousIp.get("seen", "6yj3gQxaqo")).not.toThrow();
  expect(() => new cloudlock.SuspiciousIp("tor", entry(6))).toThrow(
    /SuspiciousIpSet "feed" is authoritative: .* cannot also declare SuspiciousIp "tor" .* mode: "additive"/,
  );
  expect(() => new cloudlock.SuspiciousIpSet("more", { entries: [entry(7)] })).toThrow(
    /cannot also declare SuspiciousIpSet "more"/,
  );
});
