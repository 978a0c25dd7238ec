import { Emulator, EmulatorOptions } from "../../emulator";
import { ClientOptions, CloudlockClient } from "../../provider/client";

export const TOKEN = "test-token-0123456789";
export const READ_ONLY_TOKEN = "read-only-token-987654";

/** Start an emulator on port 0 with one read-write and one read-only token, and no rate limit unless asked. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return Emulator.start({
    tokens: [TOKEN, { token: READ_ONLY_TOKEN, readOnly: true }],
    ...opts,
    knobs: { rateLimit: null, ...opts.knobs },
  });
}

/** A client for the emulator with fast retries, so fault tests stay quick. */
export function clientFor(emu: Emulator, opts: ClientOptions = {}): CloudlockClient {
  return new CloudlockClient({
    apiUrl: emu.apiUrl,
    apiToken: TOKEN,
    env: {},
    ...opts,
    retry: { backoffBaseMs: 5, backoffMaxMs: 50, ...opts.retry },
  });
}

/** Generate n distinct public-looking IPv4 addresses. */
export function addresses(n: number, base = 11): string[] {
  return Array.from(
    { length: n },
    (_, i) => `${base}.${Math.floor(i / 250) % 250}.${i % 250}.${(i % 7) + 1}`,
  );
}

/**
 * Per-file set-up of the client suites: one emulator for the file, and before
 * each test a reset library (no rate limit, no list hook) and a fresh client.
 * Read the fields inside tests.
 */
export function clientSuite(
  opts: EmulatorOptions = {},
  clientOpts: ClientOptions = {},
): { emu: Emulator; client: CloudlockClient } {
  const ctx = {} as { emu: Emulator; client: CloudlockClient };
  beforeAll(async () => {
    ctx.emu = await startEmulator(opts);
  });
  afterAll(() => ctx.emu.close());
  beforeEach(() => {
    ctx.emu.reset();
    ctx.emu.setKnobs({ rateLimit: null });
    ctx.emu.onList = undefined;
    ctx.client = clientFor(ctx.emu, clientOpts);
  });
  afterEach(() => ctx.client.close());
  return ctx;
}
