/**
 * One dispatch by library and resource kind: the dynamic providers (what state's `__provider` code calls) and the
 * plugin both reach each resource type's provider through ProviderRuntime.resource, so they cannot disagree.
 */
import * as dynamic from "../../provider/dynamic";
import { COLLECTIONS } from "../../provider/client/types";
import { LABEL, PLUGIN_TOKENS, SET_LABEL } from "../../provider/tokens";
import { CloudlockProvider } from "../../provider/plugin/provider";
import { rejection } from "../helpers/runtime";

const OPS = ["check", "diff", "create", "read", "update", "delete"] as const;
const cases = COLLECTIONS.flatMap((kind) => [
  { kind, set: false, label: LABEL[kind], exported: kind } as const,
  { kind, set: true, label: SET_LABEL[kind], exported: `${kind}Set` } as const,
]);
const urn = (label: string) => `urn:pulumi:dev::p::${PLUGIN_TOKENS[label as keyof typeof PLUGIN_TOKENS]}::x`;

afterEach(() => jest.restoreAllMocks());

test.each(cases)("$label: every call of both routes goes to the runtime's one provider for it", async (c) => {
  const plugin = new CloudlockProvider({ env: {} });
  for (const [route, runtime, call] of [
    [
      "dynamic",
      dynamic.runtime,
      (op: string) =>
        (dynamic[c.exported] as never as Record<string, (...a: unknown[]) => Promise<unknown>>)[op](
          "id-1",
          {},
          {},
        ),
    ],
    [
      "plugin",
      plugin.runtime,
      (op: string) => {
        const u = urn(c.label);
        return op === "check"
          ? plugin.check(u, undefined, {}, {})
          : op === "create"
            ? plugin.create(u, undefined, {})
            : (plugin as never as Record<string, (...a: unknown[]) => Promise<unknown>>)[op](
                u,
                undefined,
                "id-1",
                {},
                {},
              );
      },
    ],
  ] as const) {
    const p = runtime.resource(c.kind, c.set);
    expect(p.label).toBe(c.label);
    for (const op of OPS) {
      const spy = jest
        .spyOn(p, op)
        .mockResolvedValue({ id: "id-1", outs: {}, inputs: {}, failures: [], changes: false } as never);
      await call(op);
      expect([route, op, spy.mock.calls.length]).toEqual([route, op, 1]);
    }
  }
});

test("a set's import (a read with no stored state) is refused with one message on both routes", async () => {
  const plugin = new CloudlockProvider({ env: {} });
  const viaPlugin = await rejection(plugin.read(urn("TrustedIpSet"), undefined, "s-1", {}));
  const viaRuntime = await rejection(dynamic.runtime.resource("trusted", true).read("s-1", {}));
  // The dynamic provider host passes an import's properties with its own `__provider` in them.
  const viaHost = await rejection(
    dynamic.runtime.resource("trusted", true).read("s-1", { __provider: "exports.handler = …" }),
  );
  expect(viaPlugin.message).toBe(viaRuntime.message);
  expect(viaHost.message).toBe(viaRuntime.message);
  expect(viaPlugin.message).toMatch(/^TrustedIpSet cannot be imported: a set is not one Cloudlock object\./);
});
