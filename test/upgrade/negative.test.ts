/**
 * The upgrade check can fail: the dynamic fixture of the newest release with its state changed as a release that
 * renamed a stored field without a migration would leave it (every per-entry resource's `ipAddress` input and
 * output renamed `address`). The check must reject it at preview, and `up` must be caught writing.
 */
import {
  type Fixture,
  type StateDoc,
  fixtures,
  prepare,
  previewNoChanges,
  upNoWrites,
  type Upgrade,
} from "./helpers";
import { ENGINE_TIMEOUT } from "../engine/helpers";

jest.setTimeout(ENGINE_TIMEOUT);

/** The documented transform: `ipAddress` → `address` in the inputs and outputs of TrustedIp / SuspiciousIp. */
function renameIpAddress(state: StateDoc): void {
  for (const r of state.deployment.resources ?? []) {
    if (!/:(Trusted|Suspicious)Ip$/.test(r.type)) continue;
    for (const side of ["inputs", "outputs"] as const) {
      const props = (r as unknown as Record<string, Record<string, unknown> | undefined>)[side];
      if (!props || !("ipAddress" in props)) continue;
      props.address = props.ipAddress;
      delete props.ipAddress;
    }
  }
}

const dynamic = fixtures().filter((f: Fixture) => f.name === "dynamic");
const newest = dynamic[dynamic.length - 1];

let u: Upgrade;
beforeAll(async () => {
  u = await prepare(newest, renameIpAddress);
});
afterAll(() => u?.close());

test("a fixture to alter exists", () => expect(newest).toBeDefined());

test("the transform changed the state it imported", () => {
  const renamed = (u.state.deployment.resources ?? []).filter(
    (r) => r.outputs && "address" in r.outputs && !("ipAddress" in r.outputs),
  );
  expect(renamed.length).toBeGreaterThan(0);
});

test("the upgrade check rejects the altered state at preview", async () => {
  expect(await previewNoChanges(u)).toMatch(/preview after the upgrade is not clean/);
});

test("and up is caught writing to Cloudlock (or failing)", async () => {
  expect(await upNoWrites(u)).toMatch(
    /^up (wrote to Cloudlock|after the upgrade failed|changed the library)/,
  );
});
