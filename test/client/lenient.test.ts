/**
 * The client against the lenient server: every point the docs leave open
 * answered the other way (201 on create, empty PUT and DELETE answers,
 * problem+json errors, categories as one string, nulls, extra fields, a
 * Retry-After date) and a server clock days away from ours.
 */
import { isBadRequestError, isNotFoundError } from "../../provider/client";
import { clientFor, clientSuite } from "../helpers/emulator";

const suite = clientSuite({ profile: "lenient" }, {});

test("create (201), list, update (empty answer) and delete (204) all succeed; entries decode to one shape", async () => {
  const made = await suite.client.trusted.create({
    name: " HQ ",
    ip_address: "2001:DB8::1",
    categories: ["b", "a"],
  });
  expect(made.pk).toHaveLength(11);
  expect(made.categories).toEqual(["a", "b"]); // sent back as "a, b"
  expect(made.ip_address).toBe("2001:0db8:0000:0000:0000:0000:0000:0001");
  const [listed] = await suite.client.trusted.listAll();
  expect(listed).toMatchObject({ pk: made.pk, name: "HQ", categories: ["a", "b"], description: null });
  // The docs show no body for PUT: the client resolves with nothing, not an error.
  await expect(
    suite.client.trusted.update(made.pk, {
      ip_address: "2001:db8::1",
      name: "HQ",
      categories: [],
      description: "x",
    }),
  ).resolves.toBeUndefined();
  expect((await suite.client.trusted.listAll())[0]).toMatchObject({ description: "x", categories: [] });
  await expect(suite.client.trusted.delete([made.pk])).resolves.toBeUndefined();
  expect(await suite.client.trusted.listAll()).toEqual([]);
});

test("problem+json errors carry the server's detail into the message", async () => {
  const err = await suite.client.trusted.delete(["nope0000000"]).catch((e: Error) => e);
  expect(isNotFoundError(err)).toBe(true);
  expect((err as Error).message).toMatch(
    /DELETE \/ip\/trusted\?ids=nope0000000 returned 404 Not Found: no trusted entries with ids: nope0000000/,
  );
  const bad = await suite.client.trusted
    .create({ name: "x", ip_address: "not-an-ip" })
    .catch((e: Error) => e);
  expect(isBadRequestError(bad)).toBe(true);
  expect((bad as Error).message).toMatch(/ip_address/);
});

test("now() follows the server's Date header, days away from ours", async () => {
  suite.emu.advanceClock(10 * 86_400);
  await suite.client.trusted.listAll();
  expect(Math.abs(suite.client.now() - suite.emu.now())).toBeLessThanOrEqual(1_500);
});

test("a Retry-After date is measured on the server's clock, not ours", async () => {
  // The server is 10 days ahead: read against our clock its date would mean a 10-day wait.
  suite.emu.advanceClock(10 * 86_400);
  suite.emu.setKnobs({ rateLimit: { perSecond: 5, burst: 1 } });
  const c = clientFor(suite.emu, { retry: { retries: 3, maxTotalMs: 20_000 } });
  await c.trusted.listAll();
  await c.trusted.listAll(); // 429 with Retry-After: <date 1 s on by the server's clock>, then retried
  const log = suite.emu.requests().log;
  expect(log.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(1);
  expect(log.at(-1)!.status).toBe(200);
  c.close();
});
