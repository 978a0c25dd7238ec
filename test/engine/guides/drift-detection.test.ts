/** The blocks of docs/guides/drift-detection.md run as a reader runs them (test/helpers/guide-runner.ts). */
import { guideTest } from "../../helpers/guide-runner";

guideTest("docs/guides/drift-detection.md");
