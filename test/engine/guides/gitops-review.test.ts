/** The blocks of docs/guides/gitops-review.md run as a reader runs them (test/helpers/guide-runner.ts). */
import { guideTest } from "../../helpers/guide-runner";

guideTest("docs/guides/gitops-review.md");
