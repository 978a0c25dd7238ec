/**
 * Where the runtime's settings come from (stack config, environment, explicit), and a token that may not write:
 * the 403 refusal named once and remembered.
 */
import { Emulator } from "../../emulator";
import { ProviderRuntime } from "../../provider/dynamic";
import { READ_ONLY_TOKEN, TOKEN, addresses, startEmulator } from "../helpers/emulator";
import { rejection, runtimeFor } from "../helpers/runtime";

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
});

describe("configuration", () => {
  test("configure takes cloudlock:apiUrl and cloudlock:apiToken from stack config", async () => {
    const r = new ProviderRuntime({ env: {} });
    const cfg: Record<string, string> = { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": TOKEN };
    r.configure({ get: (k) => cfg[k] });
    await expect(r.entries("trusted").create({ name: "a", ipAddress: "1.1.1.1" })).resolves.toMatchObject({
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
    const reading = r.entries("trusted").read(emu.entries("trusted")[299].pk, {});
    await new Promise((res) => setTimeout(res, 15)); // the first page is now on the wire
    r.configure({ get: (k) => cfg[k] });
    await expect(reading).resolves.toMatchObject({ id: emu.entries("trusted")[299].pk });
    // One listing of 300 entries: floor(300/100) + 1 pages (it ends on a short page).
    expect(emu.requests().counters.byMethod.GET).toBe(Math.floor(300 / 100) + 1);
  });

  test("environment variables serve when stack config is absent", async () => {
    const r = new ProviderRuntime({ env: { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: TOKEN } });
    r.configure({ get: () => undefined });
    await expect(r.entries("trusted").read("nosuchpk00", {})).resolves.toEqual({ id: "", props: {} });
  });

  test("missing settings fail with a message naming every way to set them", async () => {
    const r = new ProviderRuntime({ env: {} });
    const err = await rejection(r.entries("trusted").create({ name: "a", ipAddress: "1.1.1.1" }));
    expect(err.message).toMatch(
      /cloudlock:apiUrl.*CLOUDLOCK_API_URL.*cloudlock:apiToken.*CLOUDLOCK_API_TOKEN/s,
    );
  });
});

describe("permissions", () => {
  test("a read-only token: the first write names the missing permission; later writes are not sent", async () => {
    const ro = runtimeFor(emu, { apiToken: READ_ONLY_TOKEN });
    const first = await rejection(ro.entries("trusted").create({ name: "a", ipAddress: "192.0.2.81" }));
    expect(first.message).toMatch(
      /^TrustedIp: Cloudlock refused to create an entry in the trusted IP library \(403 Forbidden on POST \/ip\/trusted.*\)\. The API token lacks write permission for IP libraries/,
    );
    expect(first.message).not.toContain(READ_ONLY_TOKEN);
    const posts = emu.requests().counters.byMethod.POST;
    const again = await rejection(ro.entries("trusted").create({ name: "b", ipAddress: "192.0.2.82" }));
    expect(again.message).toBe(first.message);
    expect(emu.requests().counters.byMethod.POST).toBe(posts);
    // Concurrent writes: only the first is sent.
    const ro2 = runtimeFor(emu, { apiToken: READ_ONLY_TOKEN });
    emu.clearRequests();
    const all = await Promise.allSettled(
      addresses(10, 33).map((ip) => ro2.entries("trusted").create({ name: "x", ipAddress: ip })),
    );
    expect(all.every((r) => r.status === "rejected")).toBe(true);
    expect(emu.requests().counters.byMethod.POST).toBe(1);
    // A create stopped behind a refused update names the create, and cites the update's 403.
    const ro3 = runtimeFor(emu, { apiToken: READ_ONLY_TOKEN });
    const [other] = emu.seed("trusted", [{ name: "other", ip_address: "192.0.2.90" }]);
    const upd = await rejection(
      ro3
        .entries("trusted")
        .update(
          other.pk,
          { name: "other", ipAddress: "192.0.2.90" },
          { name: "renamed", ipAddress: "192.0.2.90" },
        ),
    );
    expect(upd.message).toMatch(
      /^TrustedIp: Cloudlock refused to update an entry .*403 Forbidden on PUT \/ip\/trusted\//,
    );
    const made = await rejection(ro3.entries("trusted").create({ name: "c", ipAddress: "192.0.2.91" }));
    expect(made.message).toMatch(
      /^TrustedIp: Cloudlock refused to create an entry in the trusted IP library \(403 Forbidden on PUT \/ip\/trusted\/\w+.*, when this run tried to update an entry; this create was not sent\)/,
    );
    emu.remove("trusted", [other.pk]);
    // Reads still work with it, and the other library is judged on its own.
    await expect(ro.entries("trusted").read("nope123456", {})).resolves.toEqual({ id: "", props: {} });
    expect(emu.entries("trusted")).toEqual([]);
  });
});

describe("a 401 on a read or delete (a refresh or destroy may send the token recorded at the last up)", () => {
  const refused = async (r: ProviderRuntime, op: "read" | "create") => {
    const e =
      op === "read"
        ? await rejection(r.entries("trusted").read("nosuchpk00", {}))
        : await rejection(r.entries("trusted").create({ name: "a", ipAddress: "1.1.1.1" }));
    return (r.connection.report(e, op) as Error).message;
  };

  test("stack config: the message says where the token came from; the fix is true whether or not the program ran", async () => {
    const r = new ProviderRuntime({ env: {} });
    const cfg: Record<string, string> = { "cloudlock:apiUrl": emu.apiUrl, "cloudlock:apiToken": "wrong" };
    r.configure({ get: (k) => cfg[k] });
    const text = await refused(r, "read");
    expect(text).toContain(
      `${emu.apiUrl} did not accept the API token from stack config "cloudlock:apiToken".`,
    );
    // Not a claim that the recorded settings were sent: the provider cannot know whether the program ran.
    expect(text).not.toMatch(/sends the settings recorded|not the current stack config/);
    expect(text).toContain(
      "If you set a new token after the stack's last `pulumi up`, a command that does not run the program " +
        "(`pulumi refresh`, `preview --refresh`, `up --refresh`, `destroy`, `pulumi import`) still sends the one " +
        "recorded then: run it again with `--run-program` (in CI, PULUMI_RUN_PROGRAM=true; before a " +
        "`pulumi import`, run `pulumi up`). Otherwise create a token in Cloudlock",
    );
    expect(text).toMatch(/set it: pulumi config set --secret cloudlock:apiToken <token>\.$/);
  });

  test("a token from the environment (read afresh by every run): no remark on recorded settings", async () => {
    const r = new ProviderRuntime({ env: { CLOUDLOCK_API_URL: emu.apiUrl, CLOUDLOCK_API_TOKEN: "wrong" } });
    r.configure({ get: () => undefined });
    const text = await refused(r, "read");
    expect(text).toContain("did not accept the API token from the environment variable CLOUDLOCK_API_TOKEN");
    expect(text).not.toMatch(/recorded|--run-program/);
    expect(text).toContain("Create a token in Cloudlock");
  });
});
