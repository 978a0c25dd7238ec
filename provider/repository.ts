/**
 * This package's home, read from its package.json `repository` (the one place it is written): the Go SDK's module
 * path and the GitHub releases the plugin is downloaded from both derive from it.
 */
import * as fs from "fs";
import * as path from "path";

/** The package.json of this package: the first one above this file (source checkout, dist/, an install). */
function packageJson(): { repository?: string | { url?: string } } {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
}

/**
 * `github.com/<owner>/<repo>` from a package.json `repository` in any of npm's spellings
 * (`git+https://github.com/o/r.git`, `https://github.com/o/r`, `github:o/r`, `o/r`).
 */
export function githubHome(repository: string | { url?: string } | undefined): {
  owner: string;
  repo: string;
} {
  const url = typeof repository === "string" ? repository : repository?.url;
  const m =
    /^(?:git\+)?(?:https?|ssh|git):\/\/(?:git@)?github\.com\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(
      url ?? "",
    ) ?? /^(?:github:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(url ?? "");
  if (!m) throw new Error(`package.json repository is not a GitHub repository: ${JSON.stringify(url)}`);
  return { owner: m[1], repo: m[2] };
}

/** This package's GitHub repository, from package.json. */
export const REPOSITORY = githubHome(packageJson().repository);

/** `github.com/<owner>/<repo>`: the Go module path of the repository (the Go SDK lives under it). */
export const REPOSITORY_PATH = `github.com/${REPOSITORY.owner}/${REPOSITORY.repo}`;
