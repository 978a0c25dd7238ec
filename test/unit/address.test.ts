import { canonicalAddress, parseAddress, sameAddress, searchTermsFor } from "../../provider/address";

describe("parseAddress: valid forms and their canonical spelling", () => {
  test.each([
    ["10.0.0.1", "address", "ipv4", "10.0.0.1"],
    ["10.0.0.1/32", "cidr", "ipv4", "10.0.0.1"],
    ["10.0.0.1-10.0.0.1", "range", "ipv4", "10.0.0.1"],
    ["198.51.100.0/24", "cidr", "ipv4", "198.51.100.0/24"],
    ["198.51.100.7/24", "cidr", "ipv4", "198.51.100.0/24"],
    ["198.51.100.0-198.51.100.255", "range", "ipv4", "198.51.100.0/24"],
    ["192.168.7.5-192.168.7.10", "range", "ipv4", "192.168.7.5-192.168.7.10"],
    ["0.0.0.0/0", "cidr", "ipv4", "0.0.0.0/0"],
    ["2001:DB8::1", "address", "ipv6", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "address", "ipv6", "2001:db8::1"],
    ["2001:db8::1/128", "cidr", "ipv6", "2001:db8::1"],
    ["2001:db8::/32", "cidr", "ipv6", "2001:db8::/32"],
    ["2001:db8::-2001:db8::ff", "range", "ipv6", "2001:db8::/120"],
    ["2001:db8::5-2001:db8::9", "range", "ipv6", "2001:db8::5-2001:db8::9"],
    ["::1", "address", "ipv6", "::1"],
  ])("%s → %s %s %s", (input, kind, family, canonical) => {
    const r = parseAddress(input);
    expect(r).toMatchObject({ ok: true, value: { kind, family, canonical } });
  });

  test("first/last bound the set", () => {
    const r = parseAddress("10.0.0.0/30");
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.first).toBe(0x0a000000n);
    expect(r.value.last).toBe(0x0a000003n);
  });
});

describe("parseAddress: invalid forms give a reason", () => {
  test.each([
    ["", /must not be empty/],
    ["   ", /must not be empty/],
    [" 10.0.0.1", /must not contain spaces/],
    ["10.0.0.1 - 10.0.0.5", /must not contain spaces/],
    ["garbage", /not a valid IPv4 or IPv6 address/],
    ["not-an-ip", /^"not-an-ip" is not a valid IPv4 or IPv6 address$/],
    ["10.0.0.1-host", /not a valid IPv4 or IPv6 address/],
    ["10.0.0", /not a valid IPv4 address/],
    ["10.0.0.256", /not a valid IPv4 address/],
    ["0x0a.0.0.1", /not a valid/],
    ["010.0.0.1", /not a valid IPv4 address/],
    ["10.0.0.5-10.0.0.1", /reversed/],
    ["10.0.0.1-2001:db8::1", /mixes IPv4 and IPv6/],
    ["10.0.0.1-10.0.0.2-10.0.0.3", /more than one "-"/],
    ["10.0.0.1-", /range end/],
    ["-10.0.0.1", /range start/],
    ["10.0.0.0/33", /invalid prefix length; expected 0 to 32/],
    ["10.0.0.0/", /invalid prefix length/],
    ["10.0.0.0/-1", /range/],
    ["2001:db8::/129", /expected 0 to 128/],
    ["fe80::1%eth0", /not a valid/],
    ["10.0.0.0/24/8", /invalid prefix length/],
  ])("%j is refused", (input, reason) => {
    const r = parseAddress(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  test.each([[undefined], [null], [42], [["10.0.0.1"]], [{}]])("non-string %p is refused", (v) => {
    const r = parseAddress(v);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/must be a string/);
  });
});

describe("sameAddress / canonicalAddress", () => {
  test("equivalent spellings are the same address", () => {
    expect(sameAddress("10.0.0.1/32", "10.0.0.1")).toBe(true);
    expect(sameAddress("10.0.0.1-10.0.0.1", "10.0.0.1")).toBe(true);
    expect(sameAddress("2001:0DB8::0001", "2001:db8::1")).toBe(true);
    expect(sameAddress("10.0.0.0-10.0.0.255", "10.0.0.0/24")).toBe(true);
  });
  test("different sets differ", () => {
    expect(sameAddress("10.0.0.1", "10.0.0.2")).toBe(false);
    expect(sameAddress("10.0.0.0/24", "10.0.0.0/25")).toBe(false);
  });
  test("invalid input is returned unchanged", () => {
    expect(canonicalAddress("nope")).toBe("nope");
  });
});

describe("parseAddress: the gaps a hostile declaration probes", () => {
  test.each([
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:0102:0304", "1.2.3.4"],
    ["0:0:0:0:0:ffff:1.2.3.4/128", "1.2.3.4"],
    ["::ffff:10.0.0.0/104", "10.0.0.0/8"],
    ["::ffff:1.2.3.4-1.2.3.9", "1.2.3.4-1.2.3.9"],
  ])("IPv4-mapped %s is the IPv4 set %s", (input, canonical) => {
    expect(parseAddress(input)).toMatchObject({ ok: true, value: { family: "ipv4", canonical } });
    expect(sameAddress(input, canonical)).toBe(true);
  });

  test("a range with one IPv4-mapped end and one plain IPv6 end is IPv6 space (found by the fixpoint property)", () => {
    const r = parseAddress("0:0:0:0:0:ffff:102:304-0:0:0:1:0:0:0:0");
    expect(r).toMatchObject({ ok: true, value: { family: "ipv6", canonical: "::ffff:102:304-0:0:0:1::" } });
    if (r.ok)
      expect(parseAddress(r.value.canonical)).toMatchObject({
        ok: true,
        value: { canonical: r.value.canonical },
      });
  });

  test.each([
    ["192.0.2.7", ["192.0.2.7"]],
    ["198.51.100.0/24", ["198.51.100."]],
    ["198.51.100.7/24", ["198.51.100."]],
    ["198.51.100.0-198.51.100.255", ["198.51.100."]],
    ["198.51.100.0-198.51.100.254", ["198.51.100.0"]],
    ["10.0.0.0/7", undefined],
    ["2001:db9::/16", ["2001"]],
    ["2001:DB8::/64", ["2001:db8", "2001:0db8", "2001:DB8", "2001:0DB8"]],
    ["::1", undefined],
  ])("searchTermsFor(%s): substrings every usual spelling of the set contains", (input, terms) => {
    expect(searchTermsFor(input)).toEqual(terms);
  });

  test.each([
    ["1.2.3.4/024", /invalid prefix length; expected 0 to 32 \(without leading zeros\)/],
    ["2001:db8::/064", /without leading zeros/],
  ])("%s is refused: %s", (input, reason) => {
    const r = parseAddress(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  test("host bits set are flagged; a network address is not", () => {
    expect(parseAddress("5.6.7.8/24")).toMatchObject({
      ok: true,
      value: { canonical: "5.6.7.0/24", hostBitsSet: true },
    });
    const net = parseAddress("5.6.7.0/24");
    expect(net.ok && net.value.hostBitsSet).toBeFalsy();
  });

  test.each([
    ["0.0.0.0/0", true],
    ["::/0", true],
    ["0.0.0.0-255.255.255.255", true],
    ["0.0.0.0/1", false],
    ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", false],
  ])("%s covers every address of its family: %s", (input, every) => {
    expect(parseAddress(input)).toMatchObject({ ok: true, value: { everyAddress: every } });
  });
});

test("an IPv4-compatible IPv6 address (::a.b.c.d) is that IPv6 address, not the IPv4-mapped one", () => {
  expect(sameAddress("::10.0.0.1", "10.0.0.1")).toBe(false);
  expect(sameAddress("::10.0.0.1", "::a00:1")).toBe(true);
  expect(sameAddress("::0:10.0.0.1", "::a00:1")).toBe(true);
  expect(canonicalAddress("::1.2.3.0/120")).toBe("::102:300/120");
  // The mapped form still is the IPv4 address.
  expect(sameAddress("::ffff:10.0.0.1", "10.0.0.1")).toBe(true);
  expect(sameAddress("1::10.0.0.1", "1::a00:1")).toBe(true);
});
