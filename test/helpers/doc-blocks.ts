/**
 * The steps a documentation page's code blocks make, read from the marker comment before each block (the
 * convention is in CONTRIBUTING.md, "Every block in a guide runs"). Pure: test/docs/doc-blocks.test.ts checks
 * every page is marked and test/engine/doc-blocks.test.ts runs the steps.
 */

/** A fenced block and where it starts. */
export interface Block {
  line: number;
  lang: string;
  text: string;
}

export type Step =
  /** The block is file `path` of the page's workspace (a later block for the same path replaces it). */
  | { kind: "file"; line: number; path: string; text: string }
  /** An `sh` block run as one bash script in workspace folder `dir`, expected to exit with `exit`. */
  | { kind: "run"; line: number; dir: string; exit: number; text: string }
  /** A change in the emulator as a person in the Cloudlock UI makes it (no block). */
  | { kind: "hand"; line: number; op: "seed" | "edit" | "delete"; collection: Collection; args: unknown[] }
  /** Both libraries emptied: the reader who takes another route on a page starts from a tenant of their own. */
  | { kind: "hand"; line: number; op: "reset" }
  /** Repository folder or file `from` copied to workspace path `to`, as the page tells the reader to (no block). */
  | { kind: "copy"; line: number; from: string; to: string }
  /** What a command prints: shown, not run. */
  | { kind: "output"; line: number; text: string }
  /** The block is the whole of repository file `path`, tested where it lives. */
  | { kind: "same-as"; line: number; path: string; text: string };

export type Collection = "trusted" | "suspicious";

const MARKER = /^<!-- (file|run|hand|copy|output|same-as)(?::\s*(.*?))?\s*-->$/;

/**
 * The page's steps in order, or the problems that stop it being run: a block without a marker, a marker with no
 * block, an argument that does not parse. Each problem names its line.
 */
export function pageSteps(markdown: string): { steps: Step[]; problems: string[] } {
  const lines = markdown.split(/\r?\n/);
  const steps: Step[] = [];
  const problems: string[] = [];
  let pending: { line: number; kind: string; arg: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i];
    const fence = /^ {0,3}(`{3,}|~{3,})(\S*)\s*$/.exec(t);
    if (fence) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === fence[1]);
      if (end < 0) {
        problems.push(`line ${i + 1}: a code block that never closes`);
        break;
      }
      const block: Block = { line: i + 1, lang: fence[2], text: lines.slice(i + 1, end).join("\n") + "\n" };
      i = end;
      if (!pending) {
        problems.push(`line ${block.line}: a \`${block.lang || "plain"}\` block without a marker`);
        continue;
      }
      const made = stepOf(pending, block);
      if (typeof made === "string") problems.push(`line ${pending.line}: ${made}`);
      else steps.push(made);
      pending = undefined;
      continue;
    }
    const m = MARKER.exec(t.trim());
    if (m) {
      if (pending) problems.push(`line ${pending.line}: a "${pending.kind}" marker with no block after it`);
      pending = undefined;
      if (m[1] === "hand" || m[1] === "copy") {
        const made = m[1] === "hand" ? handStep(i + 1, m[2] ?? "") : copyStep(i + 1, m[2] ?? "");
        if (typeof made === "string") problems.push(`line ${i + 1}: ${made}`);
        else steps.push(made);
      } else pending = { line: i + 1, kind: m[1], arg: m[2] ?? "" };
      continue;
    }
    // Between a marker and its block only blank lines, comments and a <details>/<summary> tag may stand.
    const between =
      t.trim() === "" || t.trim().startsWith("<!--") || /^<\/?(details|summary)\b.*>$/.test(t.trim());
    if (pending && !between) {
      problems.push(`line ${pending.line}: a "${pending.kind}" marker with text, not a block, after it`);
      pending = undefined;
    }
  }
  if (pending) problems.push(`line ${pending.line}: a "${pending.kind}" marker with no block after it`);
  return { steps, problems };
}

/** A workspace path: relative, inside the workspace, no `..`. */
function badPath(p: string): string | undefined {
  if (!p) return "names no path";
  if (p.startsWith("/") || p.split("/").some((s) => s === ".." || s === ""))
    return `path "${p}" leaves the workspace`;
  return undefined;
}

function stepOf(marker: { line: number; kind: string; arg: string }, block: Block): Step | string {
  const { line, kind, arg } = marker;
  switch (kind) {
    case "file":
      return badPath(arg) ?? { kind, line, path: arg, text: block.text };
    case "run": {
      const m = /^(\S+)(?:\s+exit=(\d+))?$/.exec(arg);
      if (!m) return `"run" takes a folder and an optional exit=N, got "${arg}"`;
      if (block.lang !== "sh") return `a "run" block is \`sh\`, not \`${block.lang || "plain"}\``;
      if (m[1] !== ".") {
        const bad = badPath(m[1]);
        if (bad) return bad;
      }
      return { kind, line, dir: m[1], exit: Number(m[2] ?? 0), text: block.text };
    }
    case "output":
      if (arg) return `"output" takes no argument`;
      if (block.lang !== "text") return `an "output" block is \`text\`, not \`${block.lang || "plain"}\``;
      return { kind, line, text: block.text };
    case "same-as":
      return arg ? { kind, line, path: arg, text: block.text } : `"same-as" names a repository file`;
    default:
      return `unknown marker "${kind}"`;
  }
}

/** `REPO-PATH WORKSPACE-PATH`. */
function copyStep(line: number, arg: string): Step | string {
  const m = /^(\S+)\s+(\S+)$/.exec(arg);
  if (!m) return `"copy" takes a repository path and a workspace path, got "${arg}"`;
  const bad = badPath(m[1]) ?? badPath(m[2]);
  return bad ?? { kind: "copy", line, from: m[1], to: m[2] };
}

/** `seed COLLECTION [entries]`, `edit COLLECTION "NAME" {patch}`, `delete COLLECTION "NAME"`, `reset`. */
function handStep(line: number, arg: string): Step | string {
  if (arg.trim() === "reset") return { kind: "hand", line, op: "reset" };
  const m = /^(seed|edit|delete)\s+(trusted|suspicious)\s+(.*)$/.exec(arg);
  if (!m) return `"hand" takes seed|edit|delete, trusted|suspicious and JSON arguments, got "${arg}"`;
  const [, op, collection, rest] = m;
  const args: unknown[] = [];
  let text = rest.trim();
  while (text) {
    const value = firstJson(text);
    if (value === undefined) return `"hand ${op}": "${text}" is not JSON`;
    args.push(value.value);
    text = text.slice(value.length).trim();
  }
  const shapes: Record<string, (a: unknown[]) => boolean> = {
    seed: (a) => a.length === 1 && Array.isArray(a[0]),
    edit: (a) => a.length === 2 && typeof a[0] === "string" && isObject(a[1]),
    delete: (a) => a.length === 1 && typeof a[0] === "string",
  };
  if (!shapes[op](args))
    return `"hand ${op}" takes ${{ seed: "[entries]", edit: '"NAME" {patch}', delete: '"NAME"' }[op]}`;
  return {
    kind: "hand",
    line,
    op: op as "seed" | "edit" | "delete",
    collection: collection as Collection,
    args,
  };
}

const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The JSON value at the start of `text`, and how many characters it took. */
function firstJson(text: string): { value: unknown; length: number } | undefined {
  for (let end = 1; end <= text.length; end++) {
    if (end < text.length && text[end] !== " ") continue;
    try {
      return { value: JSON.parse(text.slice(0, end)), length: end };
    } catch {
      // not yet a whole value
    }
  }
  return undefined;
}
