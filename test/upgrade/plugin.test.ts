/**
 * Upgrades on the plugin's route: every YAML stack recorded with a release (an explicit provider, `pulumi
 * import`), taken over by this checkout's plugin. See test/upgrade/helpers.ts and
 * docs/internals/upgrade-fixtures.md.
 */
import { upgradeSuite } from "./helpers";

upgradeSuite("yaml");
