import { Emulator } from "../../emulator";
import { getSuspiciousIps, getTrustedIps } from "../../sdk";
import { TOKEN, startEmulator } from "../helpers/emulator";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

test("lookups list every page, filter, and return camelCase entries", async () => {
  emu.seed(
    "trusted",
    Array.from({ length: 130 }, (_, i) => ({
      name: i % 2 ? `Office ${i}` : `VPN ${i}`,
      ip_address: `10.1.${Math.floor(i / 200)}.${i + 1}`,
    })),
  );
  const [x] = emu.seed("suspicious", [
    { name: "C2", ip_address: "203.0.113.5", categories: ["Malicious"], expires_on: "2099-01-01T00:00:00Z" },
  ]);
  const connection = { apiUrl: emu.apiUrl, apiToken: TOKEN };
  expect(await getTrustedIps({ connection })).toHaveLength(130);
  const offices = await getTrustedIps({ name: "office", connection });
  expect(offices).toHaveLength(65);
  expect(offices[0]).toEqual({
    pk: expect.any(String),
    name: "Office 1",
    ipAddress: "10.1.0.2",
    description: "",
    categories: [],
    location: "Private network",
    type: "trusted",
    createdOn: expect.any(String),
    updatedOn: expect.any(String),
  });
  expect(await getSuspiciousIps({ q: "malicious", connection })).toEqual([
    expect.objectContaining({
      pk: x.pk,
      name: "C2",
      ipAddress: "203.0.113.5",
      expiresOn: "2099-01-01T00:00:00.000000+00:00",
    }),
  ]);
});

test("lookups fall back to the environment, and say how to configure when nothing is set", async () => {
  process.env.CLOUDLOCK_API_URL = emu.apiUrl;
  process.env.CLOUDLOCK_API_TOKEN = TOKEN;
  try {
    await expect(getSuspiciousIps()).resolves.toHaveLength(1);
  } finally {
    delete process.env.CLOUDLOCK_API_URL;
    delete process.env.CLOUDLOCK_API_TOKEN;
  }
  await expect(getTrustedIps()).rejects.toThrow(/cloudlock:apiUrl.*CLOUDLOCK_API_URL/s);
});
