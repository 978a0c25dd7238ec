import type { Emulator } from "../../emulator";
import { ProviderRuntime, type RuntimeSettings } from "../../provider/dynamic";
import { IpSets } from "../../provider/dynamic/sets";
import { TOKEN, startEmulator } from "./emulator";

/** The tests' retry policy: the default number of attempts, with short waits between them. */
export const FAST_RETRY = { backoffBaseMs: 5, backoffMaxMs: 20 };

/**
 * A provider runtime (a provider process of its own: fresh listing caches) talking to `emu` with the
 * read-write token, no environment, and {@link FAST_RETRY}. `overrides` win over each of these (e.g. `apiUrl`
 * for a proxy in front of the emulator, `apiToken` for the read-only token); `retry` is merged into the fast one.
 */
export function runtimeFor(emu: Emulator, overrides: RuntimeSettings = {}): ProviderRuntime {
  return new ProviderRuntime({
    apiUrl: emu.apiUrl,
    apiToken: TOKEN,
    env: {},
    ...overrides,
    retry: { ...FAST_RETRY, ...overrides.retry },
  });
}

/** The set resources' provider methods over {@link runtimeFor}`(emu, overrides)`. */
export function setsFor(emu: Emulator, overrides: RuntimeSettings = {}): IpSets {
  return runtimeFor(emu, overrides).sets;
}

/** The error a promise rejects with (failing the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

/** Run tasks at most `limit` at a time, as the engine does (--parallel 8 by default on 2 cores). */
export async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * The hooks of a provider test file: one emulator for the file, reset before each test with a fresh runtime
 * (a provider process of its own). `use` receives them before each test.
 */
export function providerSuite(use: (emu: Emulator, rt: ProviderRuntime) => void): void {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    use(emu, runtimeFor(emu));
  });
}
