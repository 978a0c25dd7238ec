/**
 * Another writer between our duplicate check and our POST (#14): the check after each POST, as servers and
 * proxies may answer (duplicates allowed or refused, other spellings, lost or misleading answers).
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { HttpError } from "../../emulator/reply";
import { addresses } from "../helpers/emulator";
import { rewritingProxy } from "../helpers/proxy";
import { rejection, runtimeFor, providerSuite } from "../helpers/runtime";

let emu: Emulator;
let rt: ProviderRuntime;
providerSuite((e, r) => ((emu = e), (rt = r)));

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
    const e = await rejection(rt.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.40/32" }));
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
    const e = await rejection(rt.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.41" }));
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
      const viaProxy = runtimeFor(emu, { apiUrl: `${proxy.url}/api/v2` });
      const e = await rejection(
        viaProxy.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.42" }),
      );
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
      const viaProxy = runtimeFor(emu, { apiUrl: `${proxy.url}/api/v2` });
      emu.clearRequests();
      const e = await rejection(
        viaProxy.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.43" }),
      );
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
    const e = await rejection(rt.entries("trusted").create({ name: "Ours", ipAddress: "2001:DB8::7/128" }));
    expect(e.message).toContain(`another writer created entry ${theirs.pk}`);
    expect(emu.entries("trusted").map((x) => x.pk)).toEqual([theirs.pk]);
  });

  test("alone at its address: a create costs its POST and one search, and succeeds", async () => {
    emu.setKnobs({ duplicates: "allow" });
    emu.seed("trusted", [{ name: "Elsewhere", ip_address: "192.0.2.43" }]);
    emu.clearRequests();
    const { id } = await rt.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.42" });
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
    const { id } = await rt.entries("suspicious").create({ name: "New", ipAddress: "192.0.2.44" });
    expect(emu.entries("suspicious").map((x) => x.pk)).toContain(id);
  });

  test("when the POST's answer was lost, which entry is ours is unknown: nothing is deleted, both are named", async () => {
    emu.setKnobs({ duplicates: "allow", dropAfterCommitRate: 1, faultMethods: ["POST"] });
    const theirs = otherWriterFirst("trusted", "192.0.2.45");
    const e = await rejection(rt.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.45" }));
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
      const e = await rejection(rt.entries("trusted").create({ name: "Ours", ipAddress: ours }));
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
      const viaProxy = runtimeFor(emu, { apiUrl: `${proxy.url}/api/v2` });
      const e = await rejection(
        viaProxy.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.60" }),
      );
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
      const viaProxy = runtimeFor(emu, { apiUrl: `${proxy.url}/api/v2` });
      const { id } = await viaProxy.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.61" });
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
    const e = await rejection(rt.entries("trusted").create({ name: "HQ", ipAddress: "192.0.2.70" }));
    expect(e.message).toMatch(/an entry identical to this declaration already exists/);
    expect(emu.entries("trusted")).toHaveLength(1);
  });

  test("a DELETE answered 404 because the API URL is wrong is an error, not 'already deleted'", async () => {
    const [entry] = emu.seed("trusted", [{ name: "Kept", ip_address: "192.0.2.62" }]);
    const wrong = runtimeFor(emu, { apiUrl: `${emu.url}/api/v3` });
    const e = await rejection(wrong.entries("trusted").delete(entry.pk));
    expect(e.message).toMatch(/a listing of \/ip\/trusted is answered 404 too, so the API URL is wrong/);
    expect(emu.entries("trusted").map((x) => x.pk)).toEqual([entry.pk]);
    // An unknown id on the right URL is still simply gone.
    emu.setKnobs({ unknownDeleteIds: "404" });
    await expect(rt.entries("trusted").delete("nosuchid00")).resolves.toBeUndefined();
  });
});

test("when the check after a POST cannot run, the error names the entry Cloudlock made (#14)", async () => {
  emu.setKnobs({ duplicates: "allow" });
  const proxy = await rewritingProxy(emu.url, {
    url: (u, method) => (method === "GET" && u.includes("q=") ? u.replace("/ip/", "/nowhere/") : u),
  });
  try {
    const viaProxy = runtimeFor(emu, { apiUrl: `${proxy.url}/api/v2`, retry: { retries: 0 } });
    const e = await rejection(viaProxy.entries("trusted").create({ name: "Ours", ipAddress: "192.0.2.63" }));
    const [made] = emu.entries("trusted");
    expect(e.message).toContain(`Cloudlock made entry ${made.pk}, but checking that no other writer`);
    expect(e.message).toContain("CLOUDLOCK_ADOPT_IDENTICAL=1 pulumi up");
  } finally {
    await proxy.close();
  }
});
