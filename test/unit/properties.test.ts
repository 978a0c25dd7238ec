/**
 * Property-based tests (fast-check) of address canonicalisation and input
 * validation: 10,000 generated addresses, CIDR blocks, ranges and garbage
 * each. Nothing throws; valid spellings reach a fixpoint naming the same set;
 * invalid ones get a message about the field at fault.
 */
import fc from "fast-check";
import { parseAddress, sameAddress } from "../../provider/address";
import { validate } from "../../provider/dynamic/validate";

const RUNS = { numRuns: 10_000 };

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const v6groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
/** IPv6 in any legal spelling: full, leading zeros, upper case, or "::"-compressed at a random run of zeros. */
const v6 = fc
  .tuple(v6groups, fc.nat(7), fc.nat(8), fc.boolean(), fc.boolean())
  .map(([g, at, len, upper, pad]) => {
    const groups = g.map((x, i) => (i >= at && i < at + len ? 0 : x));
    const hex = groups.map((x) => {
      const h = pad ? x.toString(16).padStart(4, "0") : x.toString(16);
      return upper ? h.toUpperCase() : h;
    });
    if (len === 0) return hex.join(":");
    const end = Math.min(8, at + len);
    return `${hex.slice(0, at).join(":")}::${hex.slice(end).join(":")}`;
  });
const cidr = fc.oneof(
  fc.tuple(v4, fc.nat(32)).map(([a, p]) => `${a}/${p}`),
  fc.tuple(v6, fc.nat(128)).map(([a, p]) => `${a}/${p}`),
);
// The ends in the order the parser reads them: an IPv4-mapped IPv6 address alone is IPv4 (::ffff:0:0 is 0.0.0.0),
// but beside a plain IPv6 end it is the IPv6 value it spells, so comparing the ends' single values can reverse it.
const range = fc
  .oneof(fc.tuple(v4, v4), fc.tuple(v6, v6))
  .map(([a, b]) => (parseAddress(`${a}-${b}`).ok ? `${a}-${b}` : `${b}-${a}`));
const valid = fc.oneof(v4, v6, cidr, range);

/** Near-misses: valid spellings with a character inserted, removed or replaced, and plain garbage. */
const garbage = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc
    .tuple(valid, fc.nat(60), fc.constantFrom("-", "/", ":", ".", " ", "x", "9", "::", "%eth0", "\u0000"))
    .map(([s, i, c]) => s.slice(0, i % (s.length + 1)) + c + s.slice(i % (s.length + 1))),
  fc.tuple(valid, fc.nat(60)).map(([s, i]) => s.slice(0, i % s.length) + s.slice((i % s.length) + 1)),
  fc.constantFrom("1.2.3.4/33", "::/129", "10.0.0.9-10.0.0.1", "1.2.3.4-::1", "256.1.1.1", "1.2.3", "1:2:3"),
);

test("parseAddress never throws, whatever it is given", () => {
  fc.assert(
    fc.property(fc.oneof(fc.anything(), garbage, valid), (v) => {
      const r = parseAddress(v);
      expect(typeof r.ok).toBe("boolean");
    }),
    RUNS,
  );
});

test("valid addresses, blocks and ranges: the canonical spelling is a fixpoint naming the same set", () => {
  fc.assert(
    fc.property(valid, (s) => {
      const r = parseAddress(s);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const again = parseAddress(r.value.canonical);
      expect(again).toEqual({ ok: true, value: expect.objectContaining({ canonical: r.value.canonical }) });
      if (again.ok) expect([again.value.first, again.value.last]).toEqual([r.value.first, r.value.last]);
      expect(sameAddress(s, r.value.canonical)).toBe(true);
      // And validation accepts it with no failure at all.
      expect(validate("trusted", { name: "n", ipAddress: s }, true)).toEqual([]);
    }),
    RUNS,
  );
});

test("a single address equals its /32 or /128 block and its one-address range", () => {
  fc.assert(
    fc.property(fc.oneof(v4, v6), (a) => {
      const bits = a.includes(":") ? 128 : 32;
      expect(sameAddress(a, `${a}/${bits}`)).toBe(true);
      expect(sameAddress(a, `${a}-${a}`)).toBe(true);
    }),
    RUNS,
  );
});

test("anything invalid fails validation on ipAddress alone, with a message that starts with the field", () => {
  fc.assert(
    fc.property(fc.oneof(garbage, fc.anything()), (v) => {
      const failures = validate("suspicious", { name: "n", ipAddress: v }, true);
      const parsed = parseAddress(v);
      if (parsed.ok) {
        expect(failures).toEqual([]);
      } else {
        expect(failures).toHaveLength(1);
        expect(failures[0].property).toBe("ipAddress");
        expect(failures[0].reason).toMatch(/^ipAddress \S/);
      }
    }),
    RUNS,
  );
});

test("every field's garbage is reported on that field, never thrown", () => {
  const fields = ["name", "description", "categories", "expiresOn", "adoptId"] as const;
  fc.assert(
    fc.property(fc.constantFrom(...fields), fc.anything(), (field, v) => {
      const failures = validate("suspicious", { name: "n", ipAddress: "192.0.2.1", [field]: v }, true);
      for (const f of failures) {
        expect(f.property).toBe(field);
        expect(f.reason.startsWith(`${field} `)).toBe(true);
      }
    }),
    RUNS,
  );
});
