/**
 * `@pulumi/policy`'s typed helpers find our resources: `validateResourceOfType(cloudlock.TrustedIp, …)` runs for
 * the engine's type token of TrustedIp and for no other token, through the same `isType` the policy server builds.
 */
import { validateResourceOfType, validateStackResourcesOfType } from "@pulumi/policy";
import type { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import * as cloudlock from "pulumi-cloudlock";
import { CLOUDLOCK_TYPES } from "../../policy";

// What the policy server (server.js isTypeOf) does: the class's __pulumiType if any, else its isInstance.
function isTypeOf(
  type: string,
  cls: { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean },
): boolean {
  if (typeof cls.__pulumiType === "string" && cls.__pulumiType.length > 0) return type === cls.__pulumiType;
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

function args(type: string): ResourceValidationArgs {
  return {
    type,
    props: { name: "x", ipAddress: "8.8.8.8" },
    urn: `urn:pulumi:s::p::${type}::r`,
    name: "r",
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {} } as never,
    isType: (cls: unknown) => isTypeOf(type, cls as never),
    asType: () => undefined,
    getConfig: () => ({}) as never,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  } as unknown as ResourceValidationArgs;
}

const classes = {
  TrustedIp: cloudlock.TrustedIp,
  SuspiciousIp: cloudlock.SuspiciousIp,
  TrustedIpSet: cloudlock.TrustedIpSet,
  SuspiciousIpSet: cloudlock.SuspiciousIpSet,
} as const;

describe("type tokens for @pulumi/policy", () => {
  it.each(Object.keys(classes) as (keyof typeof classes)[])(
    "%s carries the engine's token as __pulumiType and isInstance",
    (name) => {
      const cls = classes[name];
      expect(cls.__pulumiType).toBe(`pulumi-nodejs:dynamic/cloudlock:${name}`);
      expect(cls.__pulumiType).toBe(CLOUDLOCK_TYPES[name]);
      expect(cls.isInstance({ __pulumiType: CLOUDLOCK_TYPES[name] })).toBe(true);
      for (const other of Object.values(CLOUDLOCK_TYPES).filter((t) => t !== CLOUDLOCK_TYPES[name]))
        expect(cls.isInstance({ __pulumiType: other })).toBe(false);
      expect(cls.isInstance(undefined)).toBe(false);
      expect(cls.isInstance("pulumi-nodejs:dynamic/cloudlock:TrustedIp")).toBe(false);
    },
  );

  it("validateResourceOfType(TrustedIp) fires for the TrustedIp token and not for others", () => {
    const seen: string[] = [];
    const fn = validateResourceOfType(cloudlock.TrustedIp, (props, a) => {
      seen.push(`${a.type} ${String((props as { ipAddress?: string }).ipAddress)}`);
    });
    // The policy server's fast path filters on this before calling the function.
    expect((fn as unknown as { __pulumiType: string }).__pulumiType).toBe(CLOUDLOCK_TYPES.TrustedIp);
    fn(args(CLOUDLOCK_TYPES.TrustedIp), () => undefined);
    expect(seen).toEqual([`${CLOUDLOCK_TYPES.TrustedIp} 8.8.8.8`]);
    for (const other of [
      CLOUDLOCK_TYPES.SuspiciousIp,
      CLOUDLOCK_TYPES.TrustedIpSet,
      "pulumi-nodejs:dynamic:Resource",
      "aws:ec2/securityGroup:SecurityGroup",
    ]) {
      expect(() => fn(args(other), () => undefined)).toThrow(/not applicable/);
    }
    expect(seen).toHaveLength(1);
  });

  it("isInstance alone (without __pulumiType) is enough for the server's fallback", () => {
    const onlyIsInstance = { isInstance: cloudlock.SuspiciousIpSet.isInstance };
    expect(isTypeOf(CLOUDLOCK_TYPES.SuspiciousIpSet, onlyIsInstance)).toBe(true);
    expect(isTypeOf(CLOUDLOCK_TYPES.TrustedIpSet, onlyIsInstance)).toBe(false);
  });

  it("validateStackResourcesOfType(SuspiciousIp) keeps only suspicious entries", () => {
    let got: unknown[] = [];
    const fn = validateStackResourcesOfType(cloudlock.SuspiciousIp, (resources) => {
      got = resources;
    });
    const res = [
      CLOUDLOCK_TYPES.TrustedIp,
      CLOUDLOCK_TYPES.SuspiciousIp,
      CLOUDLOCK_TYPES.SuspiciousIpSet,
    ].map((type, i) => ({ ...args(type), props: { i } }));
    fn({ resources: res } as unknown as StackValidationArgs, () => undefined);
    expect(got).toEqual([{ i: 1 }]);
  });
});
