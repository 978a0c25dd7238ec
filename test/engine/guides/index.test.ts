/** The blocks of docs/_index.md run as a reader runs them (test/helpers/guide-runner.ts). */
import { guideTest } from "../../helpers/guide-runner";

guideTest("docs/_index.md");
