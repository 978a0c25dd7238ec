/**
 * What npm shows beside the package (its page's links, `npm repo`, `npm bugs`, `npm home`) points at the
 * project's repository.
 */
import * as fs from "fs";
import * as path from "path";

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package.json"), "utf8"));
const REPO = "https://github.com/pulumi-cloudlock/pulumi-cloudlock";

test("repository, homepage and bugs name the GitHub repository", () => {
  expect(pkg.repository).toEqual({ type: "git", url: `git+${REPO}.git` });
  expect(pkg.homepage).toBe(`${REPO}#readme`);
  expect(pkg.bugs).toBe(`${REPO}/issues`);
});
