/**
 * Answers that are not the documented shape, and listings that cannot be
 * trusted at their word: never an empty library, never a truncated one.
 */
import { CloudlockClient, isIncompleteListingError, isMalformedResponseError } from "../../provider/client";
import { TOKEN, addresses, clientSuite } from "../helpers/emulator";
import { type Rewrites, rewritingProxy } from "../helpers/proxy";

const suite = clientSuite({}, { retry: { retries: 3 } });

const seed = (n: number, base = 31) =>
  suite.emu.seed(
    "trusted",
    addresses(n, base).map((ip, i) => ({ name: `e${i}`, ip_address: ip })),
  );

describe("a 2xx answer that is not the documented shape", () => {
  test.each(["html", "empty-object", "truncated"] as const)(
    "a listing answered %s is an error naming method, URL and problem, after retries; never []",
    async (badAnswer) => {
      seed(30);
      suite.emu.setKnobs({ badAnswerRate: 1, badAnswer });
      const err = await suite.client.trusted.listAll().catch((e: Error) => e);
      expect(isMalformedResponseError(err)).toBe(true);
      expect((err as Error).message).toMatch(
        /^Cloudlock API GET \/ip\/trusted\?offset=0&limit=100 answered 200 with (an HTML page|a list envelope without an items list|a body that is not JSON \(or is cut off\)), which is not the documented shape \(gave up after 4 attempts/,
      );
      expect(suite.emu.requests().counters.faults["bad-answer"]).toBe(4);
    },
  );

  test("retried like a 5xx: an answer that is sometimes bad still gives the whole listing", async () => {
    const made = seed(250);
    suite.emu.setKnobs({ badAnswerRate: 0.3, seed: 7, badAnswer: "truncated" });
    const got = await suite.client.trusted.listAll();
    expect(new Set(got.map((e) => e.pk))).toEqual(new Set(made.map((e) => e.pk)));
    expect(suite.emu.requests().counters.faults["bad-answer"]).toBeGreaterThan(0);
  });

  test("a create answered with HTML is an error, not an entry without an id; POST is not repeated", async () => {
    suite.emu.setKnobs({ badAnswerRate: 1, faultMethods: ["POST"] });
    const err = await suite.client.trusted
      .create({ name: "x", ip_address: "192.0.2.1" })
      .catch((e: Error) => e);
    expect(isMalformedResponseError(err)).toBe(true);
    expect(suite.emu.requests().counters.byMethod.POST).toBe(1);
    // It was made: recovery (the provider's lost-answer path) finds it by listing.
    suite.emu.setKnobs({ badAnswerRate: 0 });
    expect((await suite.client.trusted.listAll()).map((e) => e.ip_address)).toEqual(["192.0.2.1"]);
  });

  test("an update answered with HTML is retried (PUT is idempotent), then an error", async () => {
    const [e] = seed(1);
    suite.emu.setKnobs({ badAnswerRate: 1, faultMethods: ["PUT"] });
    const err = await suite.client.trusted.update(e.pk, { description: "d" }).catch((x: Error) => x);
    expect(isMalformedResponseError(err)).toBe(true);
    expect(suite.emu.requests().counters.byMethod.PUT).toBe(4);
  });
});

describe("a listing is complete or it is an error", () => {
  test.each([
    ["missing", /total is missing, not a count/],
    ["string", /total is "30", not a count/],
  ] as const)("a total that is %s is not the documented shape", async (listTotal, reason) => {
    seed(30);
    suite.emu.setKnobs({ listTotal });
    const err = await suite.client.trusted.listAll().catch((e: Error) => e);
    expect(isMalformedResponseError(err)).toBe(true);
    expect((err as Error).message).toMatch(reason);
  });

  test("a total that is too low does not truncate: pages are read until a short one, and a second walk confirms", async () => {
    const made = seed(170);
    suite.emu.setKnobs({ listTotal: "low" });
    const got = await suite.client.trusted.listAll();
    expect(got).toHaveLength(170);
    expect(new Set(got.map((e) => e.pk))).toEqual(new Set(made.map((e) => e.pk)));
    // Two walks of two pages each: the second proves the first was not a moving target.
    expect(suite.emu.requests().counters.byMethod.GET).toBe(4);
  });

  test("a library with exactly 100 entries ends on an empty page", async () => {
    seed(100);
    expect(await suite.client.trusted.listAll()).toHaveLength(100);
    expect(suite.emu.requests().log.map((r) => r.query)).toEqual([
      "?offset=0&limit=100",
      "?offset=100&limit=100",
    ]);
  });

  test("entries removed between pages: the walk notices the total move and walks again", async () => {
    const made = seed(150);
    let once = false;
    suite.emu.onList = (_c, offset) => {
      if (offset === 100 && !once) {
        once = true;
        suite.emu.remove("trusted", [made[3].pk]);
      }
    };
    const got = await suite.client.trusted.listAll();
    expect(new Set(got.map((e) => e.pk))).toEqual(
      new Set(
        made
          .slice(0, 3)
          .concat(made.slice(4))
          .map((e) => e.pk),
      ),
    );
  });

  test("a library that keeps changing is an IncompleteListingError after 4 walks, never a partial listing", async () => {
    const made = seed(150);
    let n = 0;
    suite.emu.onList = (_c, offset) => {
      if (offset === 100) suite.emu.remove("trusted", [made[n++].pk]);
    };
    const err = await suite.client.trusted.listAll().catch((e: Error) => e);
    expect(isIncompleteListingError(err)).toBe(true);
    expect((err as Error).message).toMatch(
      /could not be proven complete after 4 walks \(the library changed/,
    );
  });

  test('whenBusy "union": a library that never holds still gives every entry seen by the last two walks', async () => {
    const made = seed(150);
    let n = 0;
    suite.emu.onList = (_c, offset) => {
      if (offset === 100) suite.emu.seed("trusted", [{ name: `new ${n}`, ip_address: `192.0.2.${++n}` }]);
    };
    const got = new Set((await suite.client.trusted.listAll({}, { whenBusy: "union" })).map((e) => e.pk));
    // Every entry that was there throughout is in it.
    for (const e of made) expect(got.has(e.pk)).toBe(true);
  });

  test("fewer entries than the total, twice over, is an error (a server that stops early)", async () => {
    seed(150);
    // A server whose pages stop after the first, while its total says 150.
    const real = suite.emu.api.list.bind(suite.emu.api);
    suite.emu.api.list = (c, params) => {
      const page = real(c, params);
      return Number(params.get("offset")) >= 100 ? { ...page, items: [] } : page;
    };
    try {
      const err = await suite.client.trusted.listAll().catch((e: Error) => e);
      expect(isIncompleteListingError(err)).toBe(true);
      expect((err as Error).message).toMatch(
        /the server said total 150 but the listing ended after 100 entries/,
      );
    } finally {
      suite.emu.api.list = real;
    }
  });
});

describe("listings a hostile review found accepted (#14)", () => {
  async function through(rewrite: Rewrites, run: (c: CloudlockClient) => Promise<unknown>) {
    const proxy = await rewritingProxy(suite.emu.url, rewrite);
    const c = new CloudlockClient({
      apiUrl: `${proxy.url}/api/v2`,
      apiToken: TOKEN,
      env: {},
      retry: { retries: 0 },
    });
    try {
      return await run(c).catch((e: Error) => e);
    } finally {
      c.close();
      await proxy.close();
    }
  }

  test("pages after the first that say total 0 and hold nothing: incomplete, not 100 of 150", async () => {
    seed(150);
    const err = await through(
      {
        body: (b, method, url) =>
          method === "GET" && /offset=(?!0&)/.test(url)
            ? JSON.stringify({ items: [], total: 0, offset: 100, limit: 100 })
            : b,
      },
      (c) => c.trusted.listAll({}, { whenBusy: "union" }),
    );
    expect(isIncompleteListingError(err)).toBe(true);
    expect((err as Error).message).toMatch(/the library changed while it was being read|total 150/);
  });

  test("a server that ignores offset: even a busy-library union is refused below the total", async () => {
    seed(150);
    const err = await through({ url: (u) => u.replace(/offset=\d+/, "offset=0") }, (c) =>
      c.trusted.listAll({}, { whenBusy: "union" }),
    );
    expect(isIncompleteListingError(err)).toBe(true);
  });

  test("a server that caps pages below the limit it reports: the walk goes on while fewer than the total are read", async () => {
    const made = seed(250);
    let gets = 0;
    const list = await through(
      {
        url: (u) => (gets++, u.replace("limit=100", "limit=30")),
        body: (b, m) => (m === "GET" ? b.replace(/"limit":\s*30/, '"limit":100') : b),
      },
      (c) => c.trusted.listAll(),
    );
    expect((list as { pk: string }[]).map((e) => e.pk).sort()).toEqual(made.map((e) => e.pk).sort());
    // 9 pages of 30 (the last short at 10 ends it, the count being the total), once: the total never moved.
    expect(gets).toBe(9);
  });

  test("confirm: an entry another writer's delete slid onto a page already read is still listed", async () => {
    const made = seed(150);
    let once = false;
    suite.emu.onList = (_c, offset) => {
      if (offset === 100 && !once) {
        once = true;
        suite.emu.remove("trusted", [made[5].pk]);
        suite.emu.seed("trusted", [{ name: "late", ip_address: "192.0.2.251" }]);
      }
    };
    try {
      const got = await suite.client.trusted.listAll({}, { confirm: true });
      const pks = new Set(got.map((e) => e.pk));
      expect(pks.has(made[100].pk)).toBe(true);
      expect(pks.has(made[5].pk)).toBe(false);
      expect(new Set(suite.emu.entries("trusted").map((e) => e.pk))).toEqual(pks);
    } finally {
      suite.emu.onList = undefined;
    }
  });
});
