/**
 * An entry's life through the provider runtime: create, read, update in place or by replacement, delete; drift a
 * read reveals; and expiry judged by Cloudlock's clock.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { addresses } from "../helpers/emulator";
import { rejection, runtimeFor, providerSuite } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

describe("lifecycle", () => {
  test("trusted: create → read → update in place → delete", async () => {
    const inputs = {
      name: "HQ Berlin",
      ipAddress: "198.51.100.0/24",
      categories: ["office"],
      description: "Main office egress",
    };
    const { id, outs } = await rt.entries("trusted").create(inputs);
    expect(id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(outs).toMatchObject({
      ...inputs,
      type: "trusted",
      location: expect.any(String),
      createdOn: expect.any(String),
    });
    expect(emu.entries("trusted")).toEqual([
      expect.objectContaining({ pk: id, ip_address: "198.51.100.0/24" }),
    ]);

    const read = await rt.entries("trusted").read(id, outs);
    expect(read).toEqual({ id, props: outs, inputs });

    const news = { ...inputs, name: "HQ Berlin Mitte", categories: ["office", "berlin"] };
    const diff = await rt.entries("trusted").diff(id, outs, news);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    emu.clearRequests();
    const { outs: after } = await rt.entries("trusted").update(id, outs, news);
    expect(emu.requests().log.map((r) => r.route)).toEqual(["PUT /ip/trusted/{id}"]);
    expect(after).toMatchObject({ name: "HQ Berlin Mitte", categories: ["office", "berlin"] });
    expect(emu.entries("trusted")[0]).toMatchObject({ pk: id, name: "HQ Berlin Mitte" });

    await rt.entries("trusted").delete(id);
    expect(emu.entries("trusted")).toEqual([]);
    await expect(rt.entries("trusted").delete(id)).resolves.toBeUndefined(); // idempotent
    emu.setKnobs({ unknownDeleteIds: "404" });
    await expect(rt.entries("trusted").delete(id)).resolves.toBeUndefined(); // also when the API says 404
  });

  test("suspicious: name change is a replacement, deleted before its successor is created", async () => {
    const inputs = { name: "TOR exit", ipAddress: "203.0.113.7", expiresOn: "2099-01-01T00:00:00Z" };
    const { id, outs } = await rt.entries("suspicious").create(inputs);
    const d = await rt.entries("suspicious").diff(id, outs, {
      ...inputs,
      name: "TOR exit node",
    });
    expect(d).toEqual({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
  });

  test("the user's spelling is sent; an equivalent respelling is no diff", async () => {
    const { id, outs } = await rt.entries("trusted").create({ name: "a", ipAddress: "2001:DB8::1/128" });
    expect(emu.entries("trusted")[0].ip_address).toBe("2001:DB8::1/128");
    const d = await rt.entries("trusted").diff(id, outs, {
      name: "a",
      ipAddress: "2001:db8::1",
    });
    expect(d.changes).toBe(false);
  });

  test("update of an entry deleted by hand explains what to do", async () => {
    const { id, outs } = await rt.entries("trusted").create({ name: "a", ipAddress: "1.1.1.1" });
    emu.store.remove("trusted", [id]);
    const err = await rejection(
      rt.entries("trusted").update(id, outs, {
        name: "b",
        ipAddress: "1.1.1.1",
      }),
    );
    expect(err.message).toMatch(/no longer exists in Cloudlock.*pulumi refresh/);
  });
});

describe("drift seen by read", () => {
  test("an out-of-band change shows in props and inputs; equivalent server spellings do not", async () => {
    const declared = {
      name: "S",
      ipAddress: "10.9.0.1/32",
      description: "mine",
      categories: ["b", "a"],
      expiresOn: "2099-01-01T00:00:00Z",
    };
    const { id, outs } = await rt.entries("suspicious").create(declared);
    // The server normalises spellings: not drift.
    emu.edit("suspicious", id, { ip_address: "10.9.0.1", categories: ["a", "b"] });
    const same = await runtimeFor(emu)
      .entries("suspicious")
      .read(id, { ...outs });
    expect(same.inputs).toEqual(declared);
    // A person changes the description.
    emu.edit("suspicious", id, { description: "edited by hand" });
    const fresh = runtimeFor(emu);
    const drifted = await fresh.entries("suspicious").read(id, { ...outs });
    expect(drifted.inputs).toEqual({ ...declared, description: "edited by hand" });
    expect(drifted.props).toMatchObject({ description: "edited by hand" });
    expect((await fresh.entries("suspicious").diff(id, drifted.props, declared)).changes).toBe(true);
  });

  test("an out-of-band delete reads as gone", async () => {
    const { id, outs } = await rt.entries("trusted").create({ name: "a", ipAddress: "1.1.1.1" });
    emu.store.remove("trusted", [id]);
    const fresh = runtimeFor(emu);
    expect(await fresh.entries("trusted").read(id, { ...outs })).toEqual({ id: "", props: {} });
  });

  test("an entry that expired on schedule is not drift: state is kept", async () => {
    const [e] = emu.seed("suspicious", [
      { name: "old", ip_address: "1.1.1.1", expires_on: "2020-01-01T00:00:00Z" },
    ]);
    const props = {
      name: "old",
      ipAddress: "1.1.1.1",
      expiresOn: "2020-01-01T00:00:00Z",
      location: "x",
      type: "suspicious",
      createdOn: "c",
      updatedOn: "u",
    };
    const r = await rt.entries("suspicious").read(e.pk, { ...props, __provider: "code" });
    expect(r).toEqual({
      id: e.pk,
      props,
      inputs: { name: "old", ipAddress: "1.1.1.1", expiresOn: "2020-01-01T00:00:00Z" },
    });
    expect(
      (
        await rt.entries("suspicious").check(props, {
          name: "old",
          ipAddress: "1.1.1.1",
          expiresOn: "2020-01-01T00:00:00Z",
        })
      ).failures,
    ).toEqual([]);
    expect(
      (
        await rt.entries("suspicious").diff(e.pk, props, {
          name: "old",
          ipAddress: "1.1.1.1",
          expiresOn: "2020-01-01T00:00:00Z",
        })
      ).changes,
    ).toBe(false);
  });
});

describe("expiry by Cloudlock's clock", () => {
  test("50 concurrent checks of expiring entries in a fresh process ask the clock once, and judge by it", async () => {
    // Cloudlock is 30 days ahead of this machine: an expiry 10 days ahead of us has passed for it.
    emu.advanceClock(30 * 86_400);
    try {
      const expiresOn = new Date(emu.now() - 20 * 86_400_000).toISOString(); // 20 days past for Cloudlock
      const results = await Promise.all(
        addresses(50, 51).map((ip, i) =>
          rt.entries("suspicious").check({}, { name: `s${i}`, ipAddress: ip, expiresOn }),
        ),
      );
      expect(emu.requests().counters.byMethod.GET).toBe(1);
      expect(
        results.every((r) =>
          r.failures.some((f) => /is in the past; a new entry must expire/.test(f.reason)),
        ),
      ).toBe(true);
    } finally {
      emu.advanceClock(-30 * 86_400);
    }
  });
});
