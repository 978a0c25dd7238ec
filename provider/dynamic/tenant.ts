/**
 * Which tenant a resource's entries live in. Every output written by this release records the API URL (normal
 * form) the entries were made in, so a stack later pointed at another tenant through settings the engine cannot
 * compare (the environment, the dynamic SDK's stack config) is refused by name instead of being read as
 * "deleted" and made again there, with the first tenant's entries left behind. States written before the record
 * existed have none and are taken as they are.
 */
import { normaliseApiUrl, sameApiUrl } from "../client/config";
import { problem } from "../client/errors";

/** The output holding the tenant's API URL. */
export const TENANT_OUTPUT = "apiUrl";

/** `outs` with the tenant recorded: the current one for a write, else what `stored` recorded (or nothing). */
export function withTenant<T extends object>(
  outs: T,
  tenant: string | undefined,
): T & { [TENANT_OUTPUT]?: string } {
  return tenant ? { ...outs, [TENANT_OUTPUT]: normalForm(tenant) } : outs;
}

/** The tenant a stored state recorded, if it did. */
export function recordedTenant(stored: object | undefined): string | undefined {
  const v = (stored as Record<string, unknown> | undefined)?.[TENANT_OUTPUT];
  return typeof v === "string" && v ? v : undefined;
}

/** Throws when `stored` was written in another tenant than `current` (see problem "tenant-changed"). */
export function assertSameTenant(
  label: string,
  id: string,
  stored: object | undefined,
  current: string | undefined,
): void {
  const recorded = recordedTenant(stored);
  if (!recorded || !current || sameApiUrl(recorded, current)) return;
  throw problem("tenant-changed", { label, id, recorded, current });
}

/** A URL in its normal form when it has one (settings are normalised where read; an explicit option may not be). */
function normalForm(url: string): string {
  try {
    return normaliseApiUrl(url);
  } catch {
    return url;
  }
}
