import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { HttpError } from "../../emulator/api";
import { READ_ONLY_TOKEN, TOKEN, addresses, startEmulator } from "../helpers/emulator";
import { rewritingProxy } from "../helpers/proxy";

let emu: Emulator;
let rt: ProviderRuntime;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  rt = new ProviderRuntime({
    apiUrl: emu.apiUrl,
    apiToken: TOKEN,
    env: {},
    retry: { backoffBaseMs: 5, backoffMaxMs: 20 },
  });
});

const gets = () => emu.requests().log.filter((r) => r.method === "GET").length;
const writes = () => emu.requests().log.filter((r) => r.method !== "GET").length;

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("lifecycle", () => {
  test("trusted: create → read → update in place → delete", async () => {
    const inputs = {
      name: "HQ Berlin",
      ipAddress: "198.51.100.0/24",
      categories: ["office"],
      description: "Main office egress",
    };
    const { id, outs } = await rt.create("trusted", inputs);
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

    const read = await rt.read("trusted", id, outs as unknown as Record<string, unknown>);
    expect(read).toEqual({ id, props: outs, inputs });

    const news = { ...inputs, name: "HQ Berlin Mitte", categories: ["office", "berlin"] };
    const diff = await rt.diff("trusted", id, outs as unknown as Record<string, unknown>, news);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    emu.clearRequests();
    const { outs: after } = await rt.update("trusted", id, outs as unknown as Record<string, unknown>, news);
    expect(emu.requests().log.map((r) => r.route)).toEqual(["PUT /ip/trusted/{id}"]);
    expect(after).toMatchObject({ name: "HQ Berlin Mitte", categories: ["office", "berlin"] });
    expect(emu.entries("trusted")[0]).toMatchObject({ pk: id, name: "HQ Berlin Mitte" });

    await rt.delete("trusted", id);
    expect(emu.entries("trusted")).toEqual([]);
    await expect(rt.delete("trusted", id)).resolves.toBeUndefined(); // idempotent
    emu.setKnobs({ unknownDeleteIds: "404" });
    await expect(rt.delete("trusted", id)).resolves.toBeUndefined(); // also when the API says 404
  });

  test("suspicious: name change is a replacement, deleted before its successor is created", async () => {
    const inputs = { name: "TOR exit", ipAddress: "203.0.113.7", expiresOn: "2099-01-01T00:00:00Z" };
    const { id, outs } = await rt.create("suspicious", inputs);
    const d = await rt.diff("suspicious", id, outs as unknown as Record<string, unknown>, {
      ...inputs,
      name: "TOR exit node",
    });
    expect(d).toEqual({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
  });

  test("the user's spelling is sent; an equivalent respelling is no diff", async () => {
    const { id, outs } = await rt.create("trusted", { name: "a", ipAddress: "2001:DB8::1/128" });
    expect(emu.entries("trusted")[0].ip_address).toBe("2001:DB8::1/128");
    const d = await rt.diff("trusted", id, outs as unknown as Record<string, unknown>, {
      name: "a",
      ipAddress: "2001:db8::1",
    });
    expect(d.changes).toBe(false);
  });

  test("update of an entry deleted by hand explains what to do", async () => {
    const { id, outs } = await rt.create("trusted", { name: "a", ipAddress: "1.1.1.1" });
    emu.store.remove("trusted", [id]);
    const err = await rejection(
      rt.update("trusted", id, outs as unknown as Record<string, unknown>, {
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
    const { id, outs } = await rt.create("suspicious", declared);
    // The server normalises spellings: not drift.
    emu.edit("suspicious", id, { ip_address: "10.9.0.1", categories: ["a", "b"] });
    const same = await new ProviderRuntime({ apiUrl: emu.apiUrl, apiToken: TOKEN, env: {} }).read(
      "suspicious",
      id,
      { ...outs },
    );
    expect(same.inputs).toEqual(declared);
    // A person changes the description.
    emu.edit("suspicious", id, { description: "edited by hand" });
    const fresh = new ProviderRuntime({ apiUrl: emu.apiUrl, apiToken: TOKEN, env: {} });
    const drifted = await fresh.read("suspicious", id, { ...outs });
    expect(drifted.inputs).toEqual({ ...declared, description: "edited by hand" });
    expect(drifted.props).toMatchObject({ description: "edited by hand" });
    expect((await fresh.diff("suspicious", id, drifted.props, declared)).changes).toBe(true);
  });

  test("an out-of-band delete reads as gone", async () => {
    const { id, outs } = await rt.create("trusted", { name: "a", ipAddress: "1.1.1.1" });
    emu.store.remove("trusted", [id]);
    const fresh = new ProviderRuntime({ apiUrl: emu.apiUrl, apiToken: TOKEN, env: {} });
    expect(await fresh.read("trusted", id, { ...outs })).toEqual({ id: "", props: {} });
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
    const r = await rt.read("suspicious", e.pk, { ...props, __provider: "code" });
    expect(r).toEqual({
      id: e.pk,
      props,
      inputs: { name: "old", ipAddress: "1.1.1.1", expiresOn: "2020-01-01T00:00:00Z" },
    });
    expect(
      (
        await rt.check("suspicious", props, {
          name: "old",
          ipAddress: "1.1.1.1",
          expiresOn: "2020-01-01T00:00:00Z",
        })
      ).failures,
    ).toEqual([]);
    expect(
      (
        await rt.diff("suspicious", e.pk, props, {
          name: "old",
          ipAddress: "1.1.1.1",
          expiresOn: "2020-01-01T00:00:00Z",
        })
      ).changes,
    ).toBe(false);
  });
});

describe("shared listing", () => {
  test("200 concurrent reads cost at most ceil(200/100)+1 list requests", async () => {
    const made = emu.seed(
      "trusted",
      addresses(200).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
    emu.clearRequests();
    const results = await Promise.all(
      made.map((e) => rt.read("trusted", e.pk, { name: e.name, ipAddress: e.ip_address })),
    );
    expect(results.every((r, i) => r.id === made[i].pk)).toBe(true);
    // A listing ends on a short page: 200 entries take floor(200/100) + 1 pages; the read plan one more.
    expect(gets()).toBeLessThanOrEqual(Math.floor(200 / 100) + 1 + 1);
  });

  test("50 concurrent creates share one listing for their duplicate checks; each is checked alone once, after", async () => {
    emu.seed(
      "trusted",
      addresses(150, 30).map((ip, i) => ({ name: `pre${i}`, ip_address: ip })),
    );
    emu.clearRequests();
    await Promise.all(addresses(50).map((ip, i) => rt.create("trusted", { name: `n${i}`, ipAddress: ip })));
    const log = emu.requests().log;
    const firstPost = log.findIndex((r) => r.method === "POST");
    expect(log.slice(0, firstPost).map((r) => r.query)).toEqual([
      "?offset=0&limit=100",
      "?offset=100&limit=100",
    ]);
    expect(emu.requests().counters.byMethod.POST).toBe(50);
    // The checks after the POSTs: at most one search each, fewer where checks waiting together share a listing.
    expect(emu.requests().counters.byMethod.GET - 2).toBeLessThanOrEqual(50);
  });

  test("checks that wait together go as one round, at the cost of the cheaper of their searches and a listing", async () => {
    const seeded = emu.seed(
      "trusted",
      addresses(150, 33).map((ip, i) => ({ name: `pre${i}`, ip_address: ip })),
    );
    const cache = rt.cache("trusted");
    await cache.all(); // the duplicate check's listing, held
    emu.clearRequests();
    const others = await Promise.all(seeded.slice(0, 50).map((e) => cache.othersAtOne(e, e.ip_address)));
    expect(others.every((o) => o.others.length === 0 && o.ours)).toBe(true);
    expect(emu.requests().log.map((r) => r.query)).toEqual(["?offset=0&limit=100", "?offset=100&limit=100"]);
    emu.clearRequests();
    // Two waiting: two searches cost no more than the 2-page listing, so searches.
    await Promise.all(seeded.slice(0, 2).map((e) => cache.othersAtOne(e, e.ip_address)));
    expect(emu.requests().log.map((r) => r.query)).toEqual([
      `?q=${seeded[0].ip_address}&offset=0&limit=100`,
      `?q=${seeded[1].ip_address}&offset=0&limit=100`,
    ]);
  });

  test("a read after our own write sees it (the listing is kept current, not stale)", async () => {
    const { id } = await rt.create("trusted", { name: "a", ipAddress: "1.1.1.1" });
    expect((await rt.read("trusted", id, {})).id).toBe(id);
    await rt.delete("trusted", id);
    expect((await rt.read("trusted", id, {})).id).toBe("");
  });
});

describe("adopting existing entries", () => {
  test("adoptId adopts without POST, updating the fields that differ", async () => {
    const [e] = emu.seed("trusted", [{ name: "Office", ip_address: "198.51.100.9", categories: ["old"] }]);
    emu.clearRequests();
    const { id, outs } = await rt.create("trusted", {
      name: "Office Paris",
      ipAddress: "198.51.100.9/32",
      categories: ["office"],
      adoptId: e.pk,
    });
    expect(id).toBe(e.pk);
    expect(emu.requests().counters.byMethod).toEqual({ GET: 1, PUT: 1 });
    expect(emu.entries("trusted")).toEqual([
      expect.objectContaining({
        pk: e.pk,
        name: "Office Paris",
        categories: ["office"],
        ip_address: "198.51.100.9",
      }),
    ]);
    expect(outs).toMatchObject({ adoptId: e.pk, ipAddress: "198.51.100.9/32" });
    // Removing adoptId later is not a change.
    expect(
      (
        await rt.diff(
          "trusted",
          id,
          { ...outs },
          { name: "Office Paris", ipAddress: "198.51.100.9", categories: ["office"] },
        )
      ).changes,
    ).toBe(false);
  });

  test("adopting an identical entry makes no write at all", async () => {
    const [e] = emu.seed("suspicious", [
      { name: "Feed", ip_address: "203.0.113.0/24", expires_on: "2099-01-01T00:00:00Z" },
    ]);
    emu.clearRequests();
    await rt.create("suspicious", {
      name: "Feed",
      ipAddress: "203.0.113.0/24",
      expiresOn: "2099-01-01T00:00:00Z",
      adoptId: e.pk,
    });
    expect(writes()).toBe(0);
  });

  test("a replacement-only field that differs is an error that explains the choice", async () => {
    const [e] = emu.seed("suspicious", [{ name: "Feed", ip_address: "203.0.113.5" }]);
    const err = await rejection(
      rt.create("suspicious", { name: "Other", ipAddress: "203.0.113.5", adoptId: e.pk }),
    );
    expect(err.message).toMatch(
      /adoptId "\w+": the existing entry has name "Feed" but the declaration says "Other".*cannot change a suspicious entry's name in place/,
    );
    expect(writes()).toBe(0);
  });

  test("an unknown adoptId is a clear error", async () => {
    const err = await rejection(
      rt.create("trusted", { name: "x", ipAddress: "1.1.1.1", adoptId: "nosuchpk00" }),
    );
    expect(err.message).toMatch(/adoptId "nosuchpk00": no trusted entry with that id exists/);
  });

  test("without adoptId, a duplicate address is refused with the guiding message, before any POST", async () => {
    const [e] = emu.seed("trusted", [{ name: "Office", ip_address: "10.1.1.1" }]);
    emu.setKnobs({ duplicates: "allow" }); // even where the server would accept a duplicate
    const err = await rejection(rt.create("trusted", { name: "Office 2", ipAddress: "10.1.1.1/32" }));
    expect(err.message).toBe(
      `TrustedIp ipAddress "10.1.1.1/32" already exists in the trusted library as entry ${e.pk} ("Office", 10.1.1.1). ` +
        `To manage that entry with Pulumi instead of creating a duplicate, set adoptId: "${e.pk}" on this resource.`,
    );
    expect(emu.entries("trusted")).toHaveLength(1);
  });

  test("two resources declaring one address at once: one is created, the other refused", async () => {
    emu.setKnobs({ duplicates: "allow" });
    const results = await Promise.allSettled([
      rt.create("trusted", { name: "a", ipAddress: "10.2.2.2" }),
      rt.create("trusted", { name: "b", ipAddress: "10.2.2.2/32" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(emu.entries("trusted")).toHaveLength(1);
  });
});

describe("configuration", () => {
  test("configure takes cloudlock:apiUrl and cloudlock:apiToken from stack config", async () => {
    const r = new ProviderRuntime({ env: {} });
    const cfg: Record<string, string> = { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN };
    r.configure({ get: (k) => cfg[k] });
    await expect(r.create("trusted", { name: "a", ipAddress: "1.1.1.1" })).resolves.toMatchObject({
      id: expect.any(String),
    });
  });

  test("a second configure with the same settings (the other provider's) keeps requests in flight", async () => {
    emu.seed(
      "trusted",
      addresses(300).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
    emu.setKnobs({ latencyMs: 30 });
    const r = new ProviderRuntime({ env: {} });
    const cfg: Record<string, string> = { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN };
    r.configure({ get: (k) => cfg[k] });
    const reading = r.read("trusted", emu.entries("trusted")[299].pk, {});
    await new Promise((res) => setTimeout(res, 15)); // the first page is now on the wire
    r.configure({ get: (k) => cfg[k] });
    await expect(reading).resolves.toMatchObject({ id: emu.entries("trusted")[299].pk });
    // One listing of 300 entries: floor(300/100) + 1 pages (it ends on a short page).
    expect(emu.requests().counters.byMethod.GET).toBe(Math.floor(300 / 100) + 1);
  });

  test("environment variables serve when stack config is absent", async () => {
    const r = new ProviderRuntime({ env: { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN } });
    r.configure({ get: () => undefined });
    await expect(r.read("trusted", "nosuchpk00", {})).resolves.toEqual({ id: "", props: {} });
  });

  test("missing settings fail with a message naming every way to set them", async () => {
    const r = new ProviderRuntime({ env: {} });
    const err = await rejection(r.create("trusted", { name: "a", ipAddress: "1.1.1.1" }));
    expect(err.message).toMatch(
      /cloudlock:apiUrl.*CLOUDLOCK_API_URL.*cloudlock:apiToken.*CLOUDLOCK_API_TOKEN/s,
    );
  });
});

test("a POST whose answer is lost is adopted, not duplicated", async () => {
  emu.setKnobs({ dropAfterCommitRate: 1, faultMethods: ["POST"] });
  const { id } = await rt.create("trusted", { name: "lost", ipAddress: "192.0.2.44" });
  expect(emu.entries("trusted")).toEqual([expect.objectContaining({ pk: id, name: "lost" })]);
});

describe("faults on create", () => {
  test("100 POSTs whose answers are lost after the server committed: 100 entries, zero duplicates", async () => {
    emu.setKnobs({ dropAfterCommitRate: 1, faultMethods: ["POST"] });
    const ips = addresses(100, 31);
    const made = await Promise.all(
      ips.map((ip, i) => rt.create("trusted", { name: `lost ${i}`, ipAddress: ip })),
    );
    expect(emu.requests().counters.faults["drop-after-commit"]).toBe(100);
    expect(emu.entries("trusted")).toHaveLength(100);
    expect(new Set(made.map((m) => m.id))).toEqual(new Set(emu.entries("trusted").map((e) => e.pk)));
    expect(emu.requests().counters.byMethod.POST).toBe(100);
    // One listing for the duplicate checks, then one address search per lost answer: no re-listing.
    expect(emu.requests().counters.byMethod.GET).toBe(1 + 100);
  });

  test("a 5xx before the server acted: the entry is verified absent, then POSTed again", async () => {
    emu.setKnobs({ errorRate: 0.5, faultMethods: ["POST"], seed: 7 });
    const ips = addresses(40, 32);
    await Promise.all(ips.map((ip, i) => rt.create("trusted", { name: `retry ${i}`, ipAddress: ip })));
    const c = emu.requests().counters;
    expect(c.faults.error).toBeGreaterThan(5);
    expect(emu.entries("trusted")).toHaveLength(40);
    expect(c.byMethod.POST).toBe(40 + c.faults.error);
  });

  test("a POST that never succeeds stops after 4 attempts, each after a listing showed nothing was made", async () => {
    emu.setKnobs({ errorRate: 1, faultMethods: ["POST"] });
    const err = await rejection(rt.create("trusted", { name: "never", ipAddress: "192.0.2.77" }));
    expect(err.message).toMatch(
      /^TrustedIp "never" \(192\.0\.2\.77\): creating it failed 4 times \(last: Cloudlock API POST \/ip\/trusted returned 50\d.*\)\. After each failure a search of the trusted library showed no entry was made, so nothing was created: running `pulumi up` again is safe\.$/,
    );
    expect(emu.requests().counters.byMethod.POST).toBe(4);
    expect(emu.entries("trusted")).toEqual([]);
  });

  test("an identical entry already there is refused by default, naming it: it may be another stack's (#14)", async () => {
    const [e] = emu.seed("trusted", [{ name: "Shared", ip_address: "203.0.113.70" }]);
    emu.clearRequests();
    const err = await rejection(rt.create("trusted", { name: "Shared", ipAddress: "203.0.113.70" }));
    expect(err.message).toMatch(
      new RegExp(
        `^TrustedIp "Shared" \\(203\\.0\\.113\\.70\\): an entry identical to this declaration already exists in the trusted library \\(entry ${e.pk}, .*run \`CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up\` once to adopt it; .*set adoptId: "${e.pk}"`,
      ),
    );
    expect(writes()).toBe(0);
  });

  test("with CLOUDLOCK_ADOPT_IDENTICAL=1, an identical entry (left by an interrupted run) is adopted without a POST", async () => {
    rt = new ProviderRuntime({
      apiUrl: emu.apiUrl,
      apiToken: TOKEN,
      env: { CLOUDLOCK_ADOPT_IDENTICAL: "1" },
      retry: { backoffBaseMs: 5, backoffMaxMs: 20 },
    });
    const [e] = emu.seed("suspicious", [
      {
        name: "Feed",
        ip_address: "203.0.113.60",
        categories: ["b", "a"],
        expires_on: "2031-01-01T00:00:00.000000+00:00",
      },
    ]);
    emu.clearRequests();
    const { id } = await rt.create("suspicious", {
      name: "Feed",
      ipAddress: "203.0.113.60/32",
      categories: ["a", "b"],
      expiresOn: "2031-01-01T00:00:00Z",
    });
    expect(id).toBe(e.pk);
    expect(writes()).toBe(0);
    // Any difference (here the description) is still refused: it may be someone else's entry.
    const err = await rejection(
      rt
        .create("trusted", { name: "Feed", ipAddress: "203.0.113.61" })
        .then(() => rt.create("trusted", { name: "Feed", ipAddress: "203.0.113.61", description: "x" })),
    );
    expect(err.message).toContain("already exists in the trusted library");
  });
});

describe("permissions", () => {
  test("a read-only token: the first write names the missing permission; later writes are not sent", async () => {
    const ro = new ProviderRuntime({ apiUrl: emu.apiUrl, apiToken: READ_ONLY_TOKEN, env: {} });
    const first = await rejection(ro.create("trusted", { name: "a", ipAddress: "192.0.2.81" }));
    expect(first.message).toMatch(
      /^TrustedIp: Cloudlock refused to create an entry in the trusted IP library \(403 Forbidden on POST \/ip\/trusted.*\)\. The API token lacks write permission for IP libraries/,
    );
    expect(first.message).not.toContain(READ_ONLY_TOKEN);
    const posts = emu.requests().counters.byMethod.POST;
    const again = await rejection(ro.create("trusted", { name: "b", ipAddress: "192.0.2.82" }));
    expect(again.message).toBe(first.message);
    expect(emu.requests().counters.byMethod.POST).toBe(posts);
    // Concurrent writes: only the first is sent.
    const ro2 = new ProviderRuntime({ apiUrl: emu.apiUrl, apiToken: READ_ONLY_TOKEN, env: {} });
    emu.clearRequests();
    const all = await Promise.allSettled(
      addresses(10, 33).map((ip) => ro2.create("trusted", { name: "x", ipAddress: ip })),
    );
    expect(all.every((r) => r.status === "rejected")).toBe(true);
    expect(emu.requests().counters.byMethod.POST).toBe(1);
    // A create stopped behind a refused update names the create, and cites the update's 403.
    const ro3 = new ProviderRuntime({ apiUrl: emu.apiUrl, apiToken: READ_ONLY_TOKEN, env: {} });
    const [other] = emu.seed("trusted", [{ name: "other", ip_address: "192.0.2.90" }]);
    const upd = await rejection(
      ro3.update(
        "trusted",
        other.pk,
        { name: "other", ipAddress: "192.0.2.90" },
        { name: "renamed", ipAddress: "192.0.2.90" },
      ),
    );
    expect(upd.message).toMatch(
      /^TrustedIp: Cloudlock refused to update an entry .*403 Forbidden on PUT \/ip\/trusted\//,
    );
    const made = await rejection(ro3.create("trusted", { name: "c", ipAddress: "192.0.2.91" }));
    expect(made.message).toMatch(
      /^TrustedIp: Cloudlock refused to create an entry in the trusted IP library \(403 Forbidden on PUT \/ip\/trusted\/\w+.*, when this run tried to update an entry; this create was not sent\)/,
    );
    emu.remove("trusted", [other.pk]);
    // Reads still work with it, and the other library is judged on its own.
    await expect(ro.read("trusted", "nope123456", {})).resolves.toEqual({ id: "", props: {} });
    expect(emu.entries("trusted")).toEqual([]);
  });
});

/** Run tasks at most `limit` at a time, as the engine does (--parallel 8 by default on 2 cores). */
async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

describe("read strategy: search or list, whichever is cheaper", () => {
  const seedLibrary = (n: number) =>
    emu.seed(
      "trusted",
      addresses(n, 70).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
  const readAll = (entries: { pk: string; ip_address: string; name: string }[]) =>
    pool(entries, 8, async (e) => {
      const r = await rt.read("trusted", e.pk, { name: e.name, ipAddress: e.ip_address });
      expect(r.id).toBe(e.pk);
    });

  test("10 managed entries in a library of 5,000: targeted searches, GETs ≤ min(50, 10) + 2", async () => {
    const lib = seedLibrary(5000);
    emu.clearRequests();
    await readAll([0, 499, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4999].map((i) => lib[i]));
    expect(gets()).toBeLessThanOrEqual(12);
    expect(emu.requests().log.filter((r) => r.query.includes("q=")).length).toBeGreaterThanOrEqual(9);
  });

  test("1,000 managed entries in a library of 1,000: one listing, GETs ≤ min(10, 1000) + 2", async () => {
    const lib = seedLibrary(1000);
    emu.clearRequests();
    await readAll(lib);
    expect(gets()).toBeLessThanOrEqual(12);
  });

  test("5,000 of 5,000 read in the listing's order, 8 at a time: pages read ahead, GETs ≤ min(50, 5000) + 2", async () => {
    const lib = seedLibrary(5000);
    emu.clearRequests();
    await readAll(lib);
    expect(gets()).toBeLessThanOrEqual(52);
    expect(emu.requests().log.filter((r) => r.query.includes("q=")).length).toBe(0);
  });

  test("reading ahead stops at a page that answers nothing: 30 early entries and one late one cost 3 GETs", async () => {
    const lib = seedLibrary(5000);
    emu.clearRequests();
    await readAll([...lib.slice(0, 30), lib[4999]]);
    // Page 0 answers the 30; page 1 is read ahead for the last one and answers nothing; one search finds it.
    expect(gets()).toBeLessThanOrEqual(3);
  });

  test("a page read ahead is not trusted after our own write", async () => {
    const lib = seedLibrary(300);
    await rt.read("trusted", lib[0].pk, { name: lib[0].name, ipAddress: lib[0].ip_address });
    await rt.read("trusted", lib[1].pk, { name: lib[1].name, ipAddress: lib[1].ip_address });
    const declared = { name: lib[2].name, ipAddress: lib[2].ip_address };
    await rt.update("trusted", lib[2].pk, declared, { ...declared, name: "renamed" });
    // Page 0, read before the update, still holds the old name.
    const r = await rt.read("trusted", lib[2].pk, declared);
    expect(r.inputs).toMatchObject({ name: "renamed" });
  });

  test("an entry whose address changed by hand is found by falling back to the listing", async () => {
    const lib = seedLibrary(400);
    const moved = lib[7];
    emu.edit("trusted", moved.pk, { ip_address: "198.18.0.1" });
    const r = await rt.read("trusted", moved.pk, { name: moved.name, ipAddress: moved.ip_address });
    expect(r.inputs).toMatchObject({ ipAddress: "198.18.0.1" });
    const gone = await rt.read("trusted", "zzzzzzzzzz", { name: "x", ipAddress: "198.18.9.9" });
    expect(gone.id).toBe("");
  });
});

describe("delete coalescing", () => {
  test("deletes that arrive together go as one DELETE ?ids= call, chunked at 50", async () => {
    const made = emu.seed(
      "trusted",
      addresses(120, 80).map((ip, i) => ({ name: `d${i}`, ip_address: ip })),
    );
    emu.clearRequests();
    await pool(made.slice(0, 8), 8, (e) => rt.delete("trusted", e.pk));
    expect(emu.requests().counters.byMethod.DELETE).toBe(1);
    emu.clearRequests();
    await Promise.all(made.slice(8).map((e) => rt.delete("trusted", e.pk)));
    expect(emu.requests().counters.byMethod.DELETE).toBe(Math.ceil(112 / 50));
    expect(emu.entries("trusted")).toEqual([]);
  });

  test("a batch the server refuses is split, so one bad id cannot block the rest; gone ids count as deleted", async () => {
    emu.setKnobs({ unknownDeleteIds: "404" });
    const made = emu.seed(
      "trusted",
      addresses(7, 81).map((ip, i) => ({ name: `s${i}`, ip_address: ip })),
    );
    const ids = [...made.map((e) => e.pk), "gone000000"];
    const results = await Promise.allSettled(ids.map((id) => rt.delete("trusted", id)));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(emu.entries("trusted")).toEqual([]);
    expect(emu.requests().counters.byMethod.DELETE).toBeGreaterThan(1);
  });

  test("a persistent failure rejects only the ids it concerns", async () => {
    const made = emu.seed(
      "trusted",
      addresses(4, 82).map((ip, i) => ({ name: `f${i}`, ip_address: ip })),
    );
    emu.setKnobs({ errorRate: 1, faultMethods: ["DELETE"] });
    const results = await Promise.allSettled(made.map((e) => rt.delete("trusted", e.pk)));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(emu.entries("trusted")).toHaveLength(4);
  });
});

test("1,000 creates into an empty library: exactly 1,000 POSTs, one listing, at most one check each", async () => {
  const fast = new ProviderRuntime({
    apiUrl: emu.apiUrl,
    apiToken: TOKEN,
    env: {},
    maxRequestsPerSecond: 10_000,
  });
  emu.setKnobs({ rateLimit: null }); // about 2,000 requests: the emulator's tenant limit alone would take 20 s
  await pool(addresses(1000, 90), 8, (ip) => fast.create("trusted", { name: ip, ipAddress: ip }));
  const c = emu.requests().counters.byMethod;
  const log = emu.requests().log;
  expect(
    log
      .slice(
        0,
        log.findIndex((r) => r.method === "POST"),
      )
      .filter((r) => r.method === "GET"),
  ).toHaveLength(1);
  expect(c.POST).toBe(1000);
  expect(c.GET).toBeLessThanOrEqual(1 + 1000);
}, 120_000);

describe("answers that cannot be used (#14)", () => {
  test.each(["html", "empty-object", "truncated"] as const)(
    "a POST answered %s: the entry it made is found and adopted, never an empty id, never a second POST",
    async (badAnswer) => {
      emu.setKnobs({ badAnswerRate: 1, badAnswer, faultMethods: ["POST"] });
      const made = await rt.create("trusted", { name: "Made", ipAddress: "192.0.2.30" });
      expect(emu.entries("trusted")).toHaveLength(1);
      expect(made.id).toBe(emu.entries("trusted")[0].pk);
      expect(emu.requests().counters.byMethod.POST).toBe(1);
    },
  );

  test("an entry missed by a listing that shifted under it is confirmed by a search, not reported gone", async () => {
    const made = emu.seed(
      "trusted",
      addresses(200, 41).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
    );
    const ours = made[100];
    // Between page 0 and page 1: one entry of page 0 deleted and one added, so the total stays 200 and the
    // entry at index 100 slides onto page 0, already served.
    let once = false;
    emu.onList = (_c, offset) => {
      if (offset === 100 && !once) {
        once = true;
        emu.remove("trusted", [made[14].pk]);
        emu.seed("trusted", [{ name: "late", ip_address: "192.0.2.250" }]);
      }
    };
    const deleted = made[150];
    emu.remove("trusted", [deleted.pk]);
    try {
      // Force the full-listing path (a snapshot), as a big refresh takes.
      await rt.cache("trusted").refresh();
      emu.clearRequests();
      const r = await rt.read("trusted", ours.pk, { name: ours.name, ipAddress: ours.ip_address });
      expect(r.id).toBe(ours.pk);
      // An entry really gone is still reported gone, after its one search.
      const gone = await rt.read("trusted", deleted.pk, {
        name: deleted.name,
        ipAddress: deleted.ip_address,
      });
      expect(gone.id).toBe("");
      expect(emu.requests().log.map((l) => l.query)).toEqual([
        `?q=${ours.ip_address}&offset=0&limit=100`,
        `?q=${deleted.ip_address}&offset=0&limit=100`,
      ]);
    } finally {
      emu.onList = undefined;
    }
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
          rt.check("suspicious", {}, { name: `s${i}`, ipAddress: ip, expiresOn }),
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

describe("another writer between our duplicate check and our POST (#14)", () => {
  /** Play a second writer (another stack, a script) whose POST lands just before ours. */
  function otherWriterFirst(collection: "trusted" | "suspicious", ip: string): { pk?: string } {
    const theirs: { pk?: string } = {};
    emu.onCreate = (c) => {
      if (c !== collection || theirs.pk) return;
      theirs.pk = emu.seed(collection, [{ name: "Other writer", ip_address: ip }])[0].pk;
    };
    return theirs;
  }
  afterEach(() => (emu.onCreate = undefined));

  test("a server that allows duplicates: the create fails naming both pks, and ours is deleted again", async () => {
    emu.setKnobs({ duplicates: "allow" });
    const theirs = otherWriterFirst("trusted", "192.0.2.40");
    const e = await rejection(rt.create("trusted", { name: "Ours", ipAddress: "192.0.2.40/32" }));
    const posted = emu.requests().log.find((r) => r.method === "POST")!;
    expect(theirs.pk).toBeDefined();
    expect(e.message).toContain(`another writer created entry ${theirs.pk}`);
    expect(e.message).toMatch(/this run created entry (\w+) \(Cloudlock accepted both\)/);
    const ours = /this run created entry (\w+)/.exec(e.message)![1];
    expect(ours).not.toBe(theirs.pk);
    expect(e.message).toContain(`was deleted again so the library holds no duplicate`);
    expect(e.message).toContain(`adoptId: "${theirs.pk}"`);
    expect(posted.status).toBe(200);
    // No duplicate left, and the other writer's entry untouched.
    expect(emu.entries("trusted").map((x) => x.pk)).toEqual([theirs.pk]);
  });

  test("a server that refuses duplicates: the POST is refused and the error names the other entry", async () => {
    const theirs = otherWriterFirst("trusted", "192.0.2.41");
    const e = await rejection(rt.create("trusted", { name: "Ours", ipAddress: "192.0.2.41" }));
    expect(e.message).toContain(`already exists in the trusted library as entry ${theirs.pk}`);
    expect(emu.entries("trusted").map((x) => x.pk)).toEqual([theirs.pk]);
  });

  /** The same refusal, as other servers the docs allow might word it (#15: recognised by status and structure). */
  test.each([
    ["409 Conflict", 409, { message: "Conflict" }],
    ["400 naming the field, Django REST style", 400, { ip_address: ["This field must be unique."] }],
    ["400 with an errors object", 400, { errors: { ip_address: "taken" } }],
    ["400 with a field key", 400, { message: "invalid", field: "ip_address" }],
  ])("a duplicate refused as %s: the error names the other entry", async (_label, status, answer) => {
    const theirs = otherWriterFirst("trusted", "192.0.2.42");
    const proxy = await rewritingProxy(emu.url, {
      status: (st, method) => (method === "POST" && st === 400 ? status : st),
      body: (b, method, _url, st) => (method === "POST" && st === 400 ? JSON.stringify(answer) : b),
    });
    try {
      const viaProxy = new ProviderRuntime({ apiUrl: `${proxy.url}/api/v2`, apiToken: TOKEN, env: {} });
      const e = await rejection(viaProxy.create("trusted", { name: "Ours", ipAddress: "192.0.2.42" }));
      expect(e.message).toContain(`already exists in the trusted library as entry ${theirs.pk}`);
      expect(emu.entries("trusted").map((x) => x.pk)).toEqual([theirs.pk]);
    } finally {
      await proxy.close();
    }
  });

  test("another 400 (a field other than the address) is the server's word, with no second look", async () => {
    const proxy = await rewritingProxy(emu.url, {
      status: (st, method) => (method === "POST" ? 400 : st),
      body: (b, method) =>
        method === "POST"
          ? JSON.stringify({ name: ["Ensure this field has no more than 50 characters."] })
          : b,
    });
    try {
      const viaProxy = new ProviderRuntime({ apiUrl: `${proxy.url}/api/v2`, apiToken: TOKEN, env: {} });
      emu.clearRequests();
      const e = await rejection(viaProxy.create("trusted", { name: "Ours", ipAddress: "192.0.2.43" }));
      expect(e.message).toMatch(/returned 400 Bad Request/);
      const log = emu.requests().log.map((r) => r.method);
      // Nothing after the POST: no listing to look for a duplicate the answer never claimed.
      expect(log.slice(log.indexOf("POST") + 1)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  test("the other writer spelt the address differently: still found", async () => {
    emu.setKnobs({ duplicates: "allow" });
    const theirs = otherWriterFirst("trusted", "2001:db8:0:0:0:0:0:7");
    const e = await rejection(rt.create("trusted", { name: "Ours", ipAddress: "2001:DB8::7/128" }));
    expect(e.message).toContain(`another writer created entry ${theirs.pk}`);
    expect(emu.entries("trusted").map((x) => x.pk)).toEqual([theirs.pk]);
  });

  test("alone at its address: a create costs its POST and one search, and succeeds", async () => {
    emu.setKnobs({ duplicates: "allow" });
    emu.seed("trusted", [{ name: "Elsewhere", ip_address: "192.0.2.43" }]);
    emu.clearRequests();
    const { id } = await rt.create("trusted", { name: "Ours", ipAddress: "192.0.2.42" });
    expect(emu.requests().log.map((r) => `${r.method} ${r.query ?? ""}`)).toEqual([
      "GET ?offset=0&limit=100", // the duplicate check's listing
      "POST ",
      "GET ?q=192.0.2.42&offset=0&limit=100", // alone at the address
    ]);
    expect(emu.entries("trusted").map((x) => x.pk)).toContain(id);
  });

  test("an expired entry at the address is no company", async () => {
    emu.setKnobs({ duplicates: "allow", expired: "keep" });
    emu.seed("suspicious", [
      { name: "Old", ip_address: "192.0.2.44", expires_on: new Date(emu.now() - 86_400_000).toISOString() },
    ]);
    const { id } = await rt.create("suspicious", { name: "New", ipAddress: "192.0.2.44" });
    expect(emu.entries("suspicious").map((x) => x.pk)).toContain(id);
  });

  test("when the POST's answer was lost, which entry is ours is unknown: nothing is deleted, both are named", async () => {
    emu.setKnobs({ duplicates: "allow", dropAfterCommitRate: 1, faultMethods: ["POST"] });
    const theirs = otherWriterFirst("trusted", "192.0.2.45");
    const e = await rejection(rt.create("trusted", { name: "Ours", ipAddress: "192.0.2.45" }));
    const pks = emu.entries("trusted").map((x) => x.pk);
    expect(pks).toHaveLength(2);
    expect(e.message).toContain("which entry it made is not known: none was deleted");
    for (const pk of pks) expect(e.message).toContain(pk);
    expect(theirs.pk).toBeDefined();
  });
});

describe("hostile review of the check after a POST (#14)", () => {
  afterEach(() => (emu.onCreate = undefined));

  test.each([
    ["198.51.100.0/24", "198.51.100.0-198.51.100.255"],
    ["2001:db8::/64", "2001:db8:0:0::/64"],
    ["2001:DB8::7/128", "2001:0db8:0000:0000:0000:0000:0000:0007"],
    ["10.0.0.7/24", "10.0.0.9/24"],
  ])(
    "in a library of 700 (searches, not a listing), ours %s and another writer's %s are one address",
    async (ours, theirs) => {
      emu.setKnobs({ duplicates: "allow" });
      emu.seed(
        "trusted",
        addresses(700, 35).map((ip, i) => ({ name: `pre${i}`, ip_address: ip })),
      );
      let other: string | undefined;
      emu.onCreate = () => {
        other ??= emu.seed("trusted", [{ name: "Other writer", ip_address: theirs }])[0].pk;
      };
      const e = await rejection(rt.create("trusted", { name: "Ours", ipAddress: ours }));
      expect(e.message).toContain(`another writer created entry ${other}`);
      expect(emu.requests().log.some((r) => r.method === "GET" && r.query.startsWith("?q="))).toBe(true);
      expect(
        emu.entries("trusted").filter((x) => x.name !== "Ours" && !x.name.startsWith("pre")),
      ).toHaveLength(1);
      expect(emu.entries("trusted").some((x) => x.name === "Ours")).toBe(false);
    },
  );

  test("a POST answer naming another entry's pk: nothing is deleted, and the create fails saying why", async () => {
    const [victim] = emu.seed("trusted", [{ name: "Another stack's", ip_address: "198.51.100.200" }]);
    const proxy = await rewritingProxy(emu.url, {
      body: (b, method) => (method === "POST" ? JSON.stringify({ ...JSON.parse(b), pk: victim.pk }) : b),
    });
    try {
      const viaProxy = new ProviderRuntime({ apiUrl: `${proxy.url}/api/v2`, apiToken: TOKEN, env: {} });
      const e = await rejection(viaProxy.create("trusted", { name: "Ours", ipAddress: "192.0.2.60" }));
      expect(e.message).toContain(
        `Cloudlock's answer named entry ${victim.pk}, which a fresh look did not find`,
      );
      expect(
        emu
          .entries("trusted")
          .map((x) => x.name)
          .sort(),
      ).toEqual(["Another stack's", "Ours"]);
      expect(emu.requests().counters.byMethod.DELETE).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  test("a POST answer that is another entry altogether is unusable: the entry made is found, its own pk kept", async () => {
    const [victim] = emu.seed("trusted", [{ name: "Another stack's", ip_address: "198.51.100.201" }]);
    const proxy = await rewritingProxy(emu.url, {
      body: (b, method) => (method === "POST" ? JSON.stringify(victim) : b),
    });
    try {
      const viaProxy = new ProviderRuntime({ apiUrl: `${proxy.url}/api/v2`, apiToken: TOKEN, env: {} });
      const { id } = await viaProxy.create("trusted", { name: "Ours", ipAddress: "192.0.2.61" });
      expect(id).toBe(emu.entries("trusted").find((x) => x.name === "Ours")!.pk);
      expect(emu.entries("trusted")).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  test("after a POST that failed before it was applied, an identical entry older than the POST is not taken as ours", async () => {
    emu.onCreate = () => {
      if (emu.entries("trusted").length) return;
      emu.seed("trusted", [
        { name: "HQ", ip_address: "192.0.2.70", created_on: new Date(emu.now() - 60_000).toISOString() },
      ]);
      throw new HttpError(503, "service unavailable");
    };
    const e = await rejection(rt.create("trusted", { name: "HQ", ipAddress: "192.0.2.70" }));
    expect(e.message).toMatch(/an entry identical to this declaration already exists/);
    expect(emu.entries("trusted")).toHaveLength(1);
  });

  test("a DELETE answered 404 because the API URL is wrong is an error, not 'already deleted'", async () => {
    const [entry] = emu.seed("trusted", [{ name: "Kept", ip_address: "192.0.2.62" }]);
    const wrong = new ProviderRuntime({ apiUrl: `${emu.url}/api/v3`, apiToken: TOKEN, env: {} });
    const e = await rejection(wrong.delete("trusted", entry.pk));
    expect(e.message).toMatch(/a listing of \/ip\/trusted is answered 404 too, so the API URL is wrong/);
    expect(emu.entries("trusted").map((x) => x.pk)).toEqual([entry.pk]);
    // An unknown id on the right URL is still simply gone.
    emu.setKnobs({ unknownDeleteIds: "404" });
    await expect(rt.delete("trusted", "nosuchid00")).resolves.toBeUndefined();
  });
});

test("moving an entry, or adopting one, onto an address another entry holds is refused before the PUT (#14)", async () => {
  emu.setKnobs({ duplicates: "allow" });
  const [other, mine] = emu.seed("trusted", [
    { name: "Other team's VPN", ip_address: "192.0.2.80" },
    { name: "Mine", ip_address: "192.0.2.81" },
  ]);
  const { id, outs } = await rt.create("trusted", {
    name: "Mine",
    ipAddress: "192.0.2.81",
    adoptId: mine.pk,
  });
  emu.clearRequests();
  const e = await rejection(
    rt.update("trusted", id, outs as unknown as Record<string, unknown>, {
      name: "Mine",
      ipAddress: "192.0.2.80/32",
    }),
  );
  expect(e.message).toContain(`already exists in the trusted library as entry ${other.pk}`);
  const adopt = await rejection(
    rt.create("trusted", { name: "Mine", ipAddress: "192.0.2.80", adoptId: mine.pk }),
  );
  expect(adopt.message).toContain(`as entry ${other.pk}`);
  expect(emu.requests().counters.byMethod.PUT).toBeUndefined();
  expect(
    emu
      .entries("trusted")
      .map((x) => x.ip_address)
      .sort(),
  ).toEqual(["192.0.2.80", "192.0.2.81"]);
});

test("when the check after a POST cannot run, the error names the entry Cloudlock made (#14)", async () => {
  emu.setKnobs({ duplicates: "allow" });
  const proxy = await rewritingProxy(emu.url, {
    url: (u, method) => (method === "GET" && u.includes("q=") ? u.replace("/ip/", "/nowhere/") : u),
  });
  try {
    const viaProxy = new ProviderRuntime({
      apiUrl: `${proxy.url}/api/v2`,
      apiToken: TOKEN,
      env: {},
      retry: { retries: 0 },
    });
    const e = await rejection(viaProxy.create("trusted", { name: "Ours", ipAddress: "192.0.2.63" }));
    const [made] = emu.entries("trusted");
    expect(e.message).toContain(`Cloudlock made entry ${made.pk}, but checking that no other writer`);
    expect(e.message).toContain("CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up");
  } finally {
    await proxy.close();
  }
});
