/** The blocks of docs/guides/tenants.md run as a reader runs them (test/helpers/guide-runner.ts). */
import { guideTest } from "../../helpers/guide-runner";

guideTest("docs/guides/tenants.md");
