/**
 * Name and description templates: `{placeholder}` replaced by a record's value, `{{` and `}}` literal braces.
 * Pure: no I/O.
 */
import { problem } from "../client/errors";

/** A parsed template: literal text and placeholders, in order. */
export interface Template {
  /** As written. */
  readonly text: string;
  /** Which option it is (for messages). */
  readonly option: string;
  readonly parts: readonly (string | { field: string })[];
}

/** Parse a template. @throws feed-format for a lone brace or an empty placeholder. */
export function parseTemplate(text: string, option: string, feed: string): Template {
  const parts: (string | { field: string })[] = [];
  let literal = "";
  const fail = (at: number, what: string): never => {
    throw problem("feed-format", {
      feed,
      problem: `${option} template ${JSON.stringify(text)} has ${what} at character ${at + 1}`,
      fix: "Write placeholders as {field} and a literal brace as {{ or }}.",
    });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === "{" || c === "}") && text[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === "}") fail(i, 'a "}" that closes nothing (write }} for a brace)');
    else if (c === "{") {
      const end = text.indexOf("}", i + 1);
      const open = text.indexOf("{", i + 1);
      if (end < 0 || (open >= 0 && open < end)) fail(i, 'a "{" that is not closed (write {{ for a brace)');
      const field = text.slice(i + 1, end).trim();
      if (field === "") fail(i, "an empty placeholder {}");
      if (literal) parts.push(literal);
      literal = "";
      parts.push({ field });
      i = end;
    } else literal += c;
  }
  if (literal) parts.push(literal);
  return { text, option, parts };
}

/** The placeholders a template names, each once. */
export const placeholders = (t: Template): string[] => [
  ...new Set(t.parts.flatMap((p) => (typeof p === "string" ? [] : [p.field]))),
];

/** A template filled in from `value` (a placeholder it does not know renders as ""). */
export function render(t: Template, value: (field: string) => string | undefined): string {
  return t.parts.map((p) => (typeof p === "string" ? p : (value(p.field) ?? ""))).join("");
}

/** `text` cut to `max` UTF-16 units (as the model's lengths count), ending in "…" when cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never leave half of a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
