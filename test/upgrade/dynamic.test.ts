/**
 * Upgrades on the dynamic SDK's route: every stack recorded with a release (TypeScript programs, a data file),
 * taken over by this checkout's package. See test/upgrade/helpers.ts and docs/internals/upgrade-fixtures.md.
 */
import { upgradeSuite } from "./helpers";

upgradeSuite("nodejs");
