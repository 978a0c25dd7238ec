/**
 * The public TypeScript interfaces users read in their editor (with JSDoc per field) mirror the model in
 * provider/model.ts. They are written out for their documentation; this file makes the compiler refuse a
 * mirror that lacks a field of the model or has one the model does not (ts-jest type-checks it).
 */
import { COMPUTED, ENTRY_FIELDS, type EntryField, type FieldOf, fieldsOf } from "../../provider/model";
import type { IpEntryArgs } from "../../sdk/common";
import type { SuspiciousIpArgs } from "../../sdk/suspicious-ip";
import type { EntryRecord } from "../../sdk/library";
import type { IpEntryInfo } from "../../sdk/lookups";
import type { SuspiciousIpSetEntry, TrustedIpSetEntry } from "../../sdk/ip-set";
import { outputsOf } from "../../sdk/common";
import type { SuspiciousIp } from "../../sdk/suspicious-ip";
import type { TrustedIp } from "../../sdk/trusted-ip";
import type { Entry as PolicyEntry } from "../../policy/entries";
import type * as pulumi from "@pulumi/pulumi";

/** The output properties a resource class declares (besides the engine's urn and id). */
type Outputs<T> = Exclude<
  { [K in keyof T]: T[K] extends pulumi.Output<unknown> ? K : never }[keyof T],
  "urn" | "id"
>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(ok: Same<A, B>) => ok;

test("the SDK's arguments, records and outputs, and the policies' entries, have exactly the model's fields", () => {
  expect([
    same<keyof IpEntryArgs, FieldOf<"trusted"> | "adoptId">(true),
    same<keyof SuspiciousIpArgs, FieldOf<"suspicious"> | "adoptId">(true),
    same<keyof TrustedIpSetEntry, FieldOf<"trusted">>(true),
    same<keyof SuspiciousIpSetEntry, FieldOf<"suspicious">>(true),
    same<keyof EntryRecord, EntryField | "adoptId" | "resource" | "renamedFrom">(true),
    same<keyof IpEntryInfo, EntryField | "pk" | keyof typeof COMPUTED>(true),
    same<Outputs<TrustedIp>, FieldOf<"trusted"> | "adoptId" | keyof typeof COMPUTED>(true),
    same<Outputs<SuspiciousIp>, FieldOf<"suspicious"> | "adoptId" | keyof typeof COMPUTED>(true),
    same<keyof PolicyEntry, EntryField | "library" | "where" | "urn">(true),
  ]).toEqual([true, true, true, true, true, true, true, true, true]);
});

test("an entry resource's outputs are its collection's fields, adoptId and what the server computes", () => {
  expect(Object.keys(outputsOf("trusted")).sort()).toEqual(
    [...fieldsOf("trusted"), "adoptId", ...Object.keys(COMPUTED)].sort(),
  );
  expect(Object.keys(outputsOf("suspicious"))).toEqual(expect.arrayContaining([...ENTRY_FIELDS]));
  expect(Object.keys(outputsOf("trusted"))).not.toContain("expiresOn");
});
