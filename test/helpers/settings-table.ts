/** Checks of a Markdown table of the settings (README, docs/installation-configuration.md) against provider/settings.ts. */
import { SETTINGS } from "../../provider/settings";
import { rowsByEnv, tableRows } from "./markdown";

/**
 * The first table in `text`, by the environment variable each row names, after checking that it has exactly one
 * row per setting and no other row.
 */
export function settingsRows(text: string): Map<string, string> {
  const rows = tableRows(text);
  const byEnv = rowsByEnv(rows);
  expect(byEnv.size).toBe(rows.length);
  expect([...byEnv.keys()].sort()).toEqual(
    Object.values(SETTINGS)
      .map((s) => s.env)
      .sort(),
  );
  return byEnv;
}
