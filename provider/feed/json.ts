/**
 * JSON text to a value, with where it goes wrong: Node's JSON.parse names a position for some faults only
 * ("Unexpected token 'x', "…" is not valid JSON" has none), so a small scanner finds the first fault itself.
 * Pure: no I/O.
 */

export type JsonRead =
  { ok: true; value: unknown } | { ok: false; reason: string; offset: number; line: number; column: number };

/** Parse JSON text; a fault comes back with the parser's message and its 1-based line and column. */
export function readJson(text: string): JsonRead {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const said = /at position (\d+)/.exec(message);
    const found = faultOffset(text);
    const offset = found >= 0 ? found : said ? Number(said[1]) : 0;
    return { ok: false, reason: cleanMessage(message), offset, ...lineAndColumn(text, offset) };
  }
}

/** The parser's message without the copy of the input or the position (said in lines and columns instead). */
function cleanMessage(message: string): string {
  return message
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/ in JSON at position \d+.*$/s, "")
    .replace(/ at position \d+.*$/s, "");
}

/** 1-based line and column (in characters) of `offset`; CRLF, LF and CR each end a line. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: [...text.slice(start, offset)].length + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/**
 * The offset of the first fault in JSON text (text.length when it ends too soon), or -1 if none is found.
 * Iterative, so deep nesting cannot overflow the stack.
 */
function faultOffset(s: string): number {
  let i = 0;
  const blank = () => {
    while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  };
  /** At a quote: past the string, or false at its fault. */
  const string = (): boolean => {
    for (i++; i < s.length; i++) {
      const c = s[i];
      if (c === '"') {
        i++;
        return true;
      }
      if (c < " ") return false;
      if (c === "\\") {
        i++;
        if (s[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) return false;
          i += 4;
        } else if (!ESCAPES.has(s[i])) return false;
      }
    }
    return false;
  };
  const open: string[] = [];
  // What comes next: a value (or, first in a list, its end), a key (or, first in an object, its end), or what
  // follows a value.
  let want: "value" | "first-value" | "key" | "first-key" | "after" = "value";
  for (;;) {
    blank();
    if (want === "after") {
      const top = open[open.length - 1];
      if (top === undefined) return i < s.length ? i : -1;
      if (s[i] === ",") {
        i++;
        want = top === "[" ? "value" : "key";
      } else if (s[i] === (top === "[" ? "]" : "}")) {
        i++;
        open.pop();
      } else return i;
      continue;
    }
    if (want === "key" || want === "first-key") {
      if (want === "first-key" && s[i] === "}") {
        i++;
        open.pop();
        want = "after";
        continue;
      }
      if (s[i] !== '"' || !string()) return i;
      blank();
      if (s[i] !== ":") return i;
      i++;
      want = "value";
      continue;
    }
    const c = s[i];
    if (want === "first-value" && c === "]") {
      i++;
      open.pop();
      want = "after";
      continue;
    }
    want = "after";
    if (c === "{" || c === "[") {
      open.push(c);
      i++;
      want = c === "{" ? "first-key" : "first-value";
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(s);
      if (!m) return i + 1;
      i += m[0].length;
    } else {
      const word = ["true", "false", "null"].find((w) => s.startsWith(w, i));
      if (!word) return i;
      i += word.length;
    }
  }
}
