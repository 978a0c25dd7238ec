/**
 * Reading Markdown as GitHub renders it, for the documentation tests: which text is code (and so holds no
 * links), the relative links a file makes, and the anchors its headings get.
 */
import { execFileSync } from "child_process";

/** Tracked files (and new ones not ignored) matching git pathspecs, relative to `root`. */
export function repoFiles(root: string, ...pathspecs: string[]): string[] {
  return execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...pathspecs],
    {
      cwd: root,
      encoding: "utf8",
    },
  )
    .split("\0")
    .filter(Boolean)
    .sort();
}

/** One line of a Markdown file, with whether it is inside a fenced code block (fence lines count as code). */
export interface MdLine {
  line: number;
  text: string;
  code: boolean;
}

/** The lines of a Markdown file, fenced code blocks (``` or ~~~, any indent up to 3) marked as code. */
export function mdLines(text: string): MdLine[] {
  let fence: string | undefined;
  return text.split(/\r?\n/).map((t, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(t);
    if (fence === undefined && m) {
      fence = m[1];
      return { line: i + 1, text: t, code: true };
    }
    if (fence !== undefined) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && /^ {0,3}[`~]+\s*$/.test(t))
        fence = undefined;
      return { line: i + 1, text: t, code: true };
    }
    return { line: i + 1, text: t, code: false };
  });
}

/** A line with its code spans (`x`, ``x``) and HTML comments blanked out, so what they hold is not read as markup. */
export function withoutCode(text: string): string {
  return text
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, (m) => " ".repeat(m.length))
    .replace(/<!--[\s\S]*?-->/g, (m) => " ".repeat(m.length));
}

/** The anchor GitHub gives a heading whose rendered text is `text` (github-slugger), before de-duplication. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** A heading's text as GitHub renders it: code spans' content, link text, no emphasis markers, no HTML tags. */
export function headingText(source: string): string {
  const s = source.replace(/(^|\s+)#+\s*$/, ""); // a closing sequence of #s
  const inline = (t: string) =>
    t
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, "")
      .replace(/(\*{1,3}|~~)(?=\S)(.*?\S)\1/g, "$2")
      // Underscores mark emphasis only at word edges (snake_case stays as it is).
      .replace(/(?<![\p{L}\p{N}])(_{1,3})(?=\S)(.*?\S)\1(?![\p{L}\p{N}])/gu, "$2")
      .replace(/\\([!-/:-@[-`{-~])/g, "$1");
  // Code spans keep their content as written; markup applies only outside them.
  let out = "";
  let last = 0;
  for (const m of s.matchAll(/(`+)(?!`)(.*?[^`])\1(?!`)/g)) {
    const code = /^ .* $/.test(m[2]) && m[2].trim() ? m[2].slice(1, -1) : m[2];
    out += inline(s.slice(last, m.index)) + code;
    last = m.index! + m[0].length;
  }
  return (out + inline(s.slice(last))).trim();
}

/** Every anchor a Markdown file defines: headings (ATX and setext, duplicates suffixed -1, -2, ...) and <a id|name>. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  const add = (heading: string) => {
    const base = slug(headingText(heading));
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  };
  const lines = mdLines(text);
  lines.forEach((l, i) => {
    if (l.code) return;
    const atx = /^ {0,3}#{1,6}(?:\s+(.*))?$/.exec(l.text);
    if (atx) return add(atx[1] ?? "");
    const next = lines[i + 1];
    if (
      next &&
      !next.code &&
      /^ {0,3}(=+|-+)\s*$/.test(next.text) &&
      l.text.trim() &&
      !/^ {0,3}([-*+]|\d+[.)])\s/.test(l.text)
    )
      add(l.text.trim());
    for (const m of withoutCode(l.text).matchAll(/<a\s[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']/gi))
      anchors.add(m[1]);
  });
  return anchors;
}

/** A link a Markdown file makes, where it is. */
export interface MdLink {
  line: number;
  target: string;
}

/** The link targets of a Markdown file outside code: inline links and images, reference definitions, href/src. */
export function linksOf(text: string): MdLink[] {
  const out: MdLink[] = [];
  for (const l of mdLines(text)) {
    if (l.code) continue;
    const t = withoutCode(l.text);
    // `](target)` or `](<target>)`, with an optional title; a target may hold one level of parentheses.
    for (const m of t.matchAll(
      /\]\(\s*(?:<([^>]*)>|((?:[^()\s]|\([^()\s]*\))*))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    ))
      out.push({ line: l.line, target: m[1] ?? m[2] });
    const def = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(t);
    if (def) out.push({ line: l.line, target: def[1] });
    for (const m of t.matchAll(/<(?:a|img)\s[^>]*?\b(?:href|src)\s*=\s*["']([^"']*)["']/gi))
      out.push({ line: l.line, target: m[1] });
  }
  return out;
}

/** Whether a link target leaves the repository (a scheme such as https: or mailto:, or a protocol-relative //). */
export const isExternal = (target: string): boolean => /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(target);

/** The body rows of the first Markdown table in `text` (header and separator left out). */
export function tableRows(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start + 2, end < 0 ? undefined : end);
}

/** The settings table's rows by the environment variable each names (`CLOUDLOCK_…`). */
export function rowsByEnv(rows: string[]): Map<string, string> {
  return new Map(
    rows.flatMap((r) => {
      const env = /`(CLOUDLOCK_[A-Z_]+)/.exec(r)?.[1];
      return env ? [[env, r] as const] : [];
    }),
  );
}
