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

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(ok: Same<A, B>) => ok;

test("the SDK's argument and record interfaces have exactly the model's fields", () => {
  expect([
    same<keyof IpEntryArgs, FieldOf<"trusted"> | "adoptId">(true),
    same<keyof SuspiciousIpArgs, FieldOf<"suspicious"> | "adoptId">(true),
    same<keyof TrustedIpSetEntry, FieldOf<"trusted">>(true),
    same<keyof SuspiciousIpSetEntry, FieldOf<"suspicious">>(true),
    same<keyof EntryRecord, EntryField | "adoptId" | "resource">(true),
    same<keyof IpEntryInfo, EntryField | "pk" | keyof typeof COMPUTED>(true),
  ]).toEqual([true, true, true, true, true, true]);
});

test("an entry resource's outputs are its collection's fields, adoptId and what the server computes", () => {
  expect(Object.keys(outputsOf("trusted")).sort()).toEqual(
    [...fieldsOf("trusted"), "adoptId", ...Object.keys(COMPUTED)].sort(),
  );
  expect(Object.keys(outputsOf("suspicious"))).toEqual(expect.arrayContaining([...ENTRY_FIELDS]));
  expect(Object.keys(outputsOf("trusted"))).not.toContain("expiresOn");
});
