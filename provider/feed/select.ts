/**
 * Selectors: which values of a JSON document hold a feed's addresses. Pure: no I/O.
 *
 * A selector is a path of steps read left to right from the document (json) or from each line's value (ndjson).
 * Steps are joined by `.`; a bracket step follows its key directly.
 *
 * ```text
 * selector = [head] suffix* ("." head suffix*)*     the first head may be left out: "[]" or "[kind=v4].cidr"
 * head     = key | "*"
 * key      = bare | quoted                          bare: any characters but . [ ] " * and white space
 * suffix   = "[]" | "[" field "=" value ("|" value)* "]"
 * field    = bare | quoted                          bare: as a key's, and not = or |
 * value    = bare | quoted                          bare: any characters but [ ] " | and white space
 *                                                   quoted: "…" with JSON's string escapes (\" and \\)
 * ```
 *
 * What each step does with each value it meets:
 *
 * - `key`: an object's value under that key. An object without the key (or with null there) gives nothing, and
 *   so does a value that is not an object: items of another shape are skipped, not bad.
 * - `*`: every value of an object (every item of a list).
 * - `[]`: every item of a list.
 * - `[field=a|b]` (white space around `=` and `|` is allowed): on a list, its items that are objects whose `field` is one of the values (numbers and booleans
 *   compare by their JSON text); on an object (an item already taken), the object itself if it matches. Filters
 *   chain: `prefixes[service=EC2][region=eu-west-1]`.
 *
 * The values the last step reaches are the records: a string is an address (trimmed); a list gives each of its
 * items (`hooks` and `hooks[]` are the same); null gives nothing; anything else (a number, an object) is a bad
 * record named by its path (`prefixes[3].ip_prefix`).
 *
 * Examples: `prefixes[].ip_prefix`; `prefixes[service=EC2][region=eu-west-1|eu-central-1].ip_prefix`;
 * `prefixes[service="AMAZON CONNECT"].ip_prefix`; `hooks`; `*[]` (every list of an object of lists); `cidr`
 * (ndjson: a key of each line's object); `"odd.key"[].ip`.
 *
 * A selector that reaches no value in the whole document is an error naming what is there where it stopped
 * (`the items of prefixes have: ip_prefix, region, service`), unless it stopped at an empty list or a null (the
 * feed lists nothing today). A malformed selector is an error pointing at the character.
 */
import { problem } from "../client/errors";

/** One step of a selector. `end` is where it ends in the selector's text (for messages). */
type Step =
  | { kind: "key"; key: string; end: number }
  | { kind: "any"; end: number }
  | { kind: "each"; end: number }
  | { kind: "filter"; field: string; values: string[]; end: number };

/** A parsed selector. */
export interface Selector {
  /** As written. */
  readonly text: string;
  readonly steps: readonly Step[];
}

/** A value a selector reached: a record. */
export interface Reached {
  value: unknown;
  /** Where, as a path from the top (`prefixes[3].ip_prefix`). */
  path: string;
  /** The object that holds the value (through any lists between them), for a template's fields. */
  holder?: Record<string, unknown>;
}

/** Where a selector stopped reaching anything: the step it could not take and what was there. */
export interface Stop {
  /** Index of the step that reached nothing. */
  step: number;
  /** What was there, in words: `the items of prefixes have: ip_prefix, region`. */
  there: string;
}

/** What a selector reached in one value. */
export interface Outcome {
  reached: Reached[];
  /** It reached something, or stopped only at empty lists or nulls (nothing to say). */
  fits: boolean;
  /** Where it stopped, when it reached nothing and does not fit. */
  stop?: Stop;
}

const BARE = /[^.[\]"*\s]/;
const BARE_FIELD = /[^.[\]"*\s=|]/;
const BARE_VALUE = /[^[\]"|\s]/;

/** Parse a selector. @throws feed-format pointing at the character where it goes wrong. */
export function parseSelector(text: string, feed: string): Selector {
  let i = 0;
  const steps: Step[] = [];
  const fail = (expected: string): never => {
    const at = i < text.length ? `character ${i + 1} (${JSON.stringify(text.slice(i, i + 12))})` : "its end";
    throw problem("feed-format", {
      feed,
      problem: `select ${JSON.stringify(text)} is malformed at ${at}: expected ${expected}`,
      fix: "Write the selector as keys joined by dots with [] or [field=value] after a key, e.g. prefixes[].ip_prefix.",
    });
  };
  const blank = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const quoted = (): string => {
    const start = i;
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    if (i >= text.length) {
      i = start;
      fail("a closing quote for this quoted name");
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail("a quoted name with JSON's escapes only (\\\" and \\\\)");
    }
  };
  const word = (chars: RegExp, what: string): string => {
    if (text[i] === '"') return quoted();
    const start = i;
    while (i < text.length && chars.test(text[i])) i++;
    if (i === start) fail(what);
    return text.slice(start, i);
  };
  const bracket = () => {
    i++;
    blank();
    if (text[i] === "]") {
      i++;
      steps.push({ kind: "each", end: i });
      return;
    }
    const field = word(BARE_FIELD, '"]" or a field name (as in [] or [service=EC2])');
    blank();
    if (text[i] !== "=") fail('"=" after the field name (as in [service=EC2])');
    const values: string[] = [];
    do {
      i++;
      blank();
      values.push(word(BARE_VALUE, 'a value (quote one that holds spaces, [ ] or |: "a b")'));
      blank();
    } while (text[i] === "|");
    if (text[i] !== "]") fail('"|" or "]" after the value');
    i++;
    steps.push({ kind: "filter", field, values, end: i });
  };

  if (text.trim() === "") fail("a key, * or [");
  for (let first = true; ; first = false) {
    // A head, then its brackets.
    if (text[i] === "*") {
      i++;
      steps.push({ kind: "any", end: i });
    } else if (!(first && text[i] === "[")) {
      const key = word(BARE, first ? "a key, * or [" : "a key or * after the dot");
      steps.push({ kind: "key", key, end: i });
    }
    while (text[i] === "[") bracket();
    if (i === text.length) break;
    if (text[i] !== ".") fail('".", "[" or the end');
    i++;
  }
  return { text, steps };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** An object's own value under `key` (never one it inherits, such as `constructor`). */
const own = (o: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(o, key) ? o[key] : undefined;

/** A key as a path step: dotted when it reads as one, else bracketed and quoted. */
const keyPath = (path: string, key: string) =>
  /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

/** A string, number or boolean as text (numbers and booleans by their JSON text); undefined for anything else. */
export const scalar = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? JSON.stringify(v) : undefined;

/** What one step does to one value (see the module doc): what it reaches goes to `out`. */
function take(step: Step, node: Reached, out: Reached[]): void {
  const { value, path, holder } = node;
  const items = (list: unknown[], keep: (v: unknown) => boolean) =>
    list.forEach((v, n) => {
      if (v !== null && keep(v)) out.push({ value: v, path: `${path}[${n}]`, holder });
    });
  switch (step.kind) {
    case "key":
      if (isObject(value) && own(value, step.key) !== undefined && own(value, step.key) !== null)
        out.push({ value: own(value, step.key), path: keyPath(path, step.key), holder: value });
      return;
    case "any":
      if (Array.isArray(value)) items(value, () => true);
      else if (isObject(value))
        for (const [k, v] of Object.entries(value))
          if (v !== null) out.push({ value: v, path: keyPath(path, k), holder: value });
      return;
    case "each":
      if (Array.isArray(value)) items(value, () => true);
      return;
    case "filter": {
      const matches = (v: unknown) => {
        const f = isObject(v) ? scalar(own(v, step.field)) : undefined;
        return f !== undefined && step.values.includes(f);
      };
      if (Array.isArray(value)) items(value, matches);
      else if (matches(value)) out.push(node);
      return;
    }
  }
}

/** A value a step took nothing from because there is nothing there today: an empty list or object, a null. */
function empty(step: Step, value: unknown): boolean {
  if (step.kind === "key") return isObject(value) && own(value, step.key) === null;
  if (Array.isArray(value)) return value.length === 0;
  return step.kind === "any" && isObject(value) && Object.keys(value).length === 0;
}

/** Run a selector on one value (the document, or one ndjson line's value). */
export function select(selector: Selector, root: unknown): Outcome {
  let frontier: Reached[] = [{ value: root, path: "" }];
  for (let s = 0; s < selector.steps.length; s++) {
    const step = selector.steps[s];
    const next: Reached[] = [];
    for (const node of frontier) take(step, node, next);
    if (next.length === 0) {
      if (frontier.some((n) => empty(step, n.value))) return { reached: [], fits: true };
      return { reached: [], fits: false, stop: { step: s, there: describe(selector, s, frontier) } };
    }
    frontier = next;
  }
  // The last step's lists give their items.
  const reached: Reached[] = [];
  for (const node of frontier) {
    if (!Array.isArray(node.value)) reached.push(node);
    else
      node.value.forEach((v, n) => {
        if (v !== null) reached.push({ value: v, path: `${node.path}[${n}]`, holder: node.holder });
      });
  }
  return { reached, fits: true };
}

/** Where the values before step `s` are, in words: `prefixes`, `the items of prefixes`, `the top level`. */
function placeOf(selector: Selector, s: number): { place: string; many: boolean } {
  if (s === 0) return { place: "the top level", many: false };
  const prev = selector.steps[s - 1];
  const before = s >= 2 ? selector.text.slice(0, selector.steps[s - 2].end) : "";
  switch (prev.kind) {
    case "each":
      return { place: before ? `the items of ${before}` : "the items of the top-level list", many: true };
    case "filter":
      return { place: `the items of ${selector.text.slice(0, prev.end)}`, many: true };
    case "any":
      return { place: before ? `the values of ${before}` : "the top-level values", many: true };
    default:
      return { place: selector.text.slice(0, prev.end), many: false };
  }
}

const list = (names: Iterable<string>, max = 12): string => {
  const all = [...names];
  return all.length > max ? `${all.slice(0, max).join(", ")}, …` : all.join(", ");
};

/** What is there where step `s` found nothing, in words. */
function describe(selector: Selector, s: number, frontier: Reached[]): string {
  const step = selector.steps[s];
  const { place, many } = placeOf(selector, s);
  const has = many ? "have" : "has";
  const objects = frontier.filter((n) => isObject(n.value)).map((n) => n.value as Record<string, unknown>);
  const lists = frontier.filter((n) => Array.isArray(n.value)).map((n) => n.value as unknown[]);
  if (step.kind === "filter") {
    const items = [...objects, ...lists.flat().filter(isObject)];
    const none = many ? `none of ${place}` : `no item of ${place}`;
    const seen = new Set(
      items.map((o) => scalar(own(o, step.field))).filter((v): v is string => v !== undefined),
    );
    if (seen.size > 0)
      return `${none} has ${step.field}=${step.values.join("|")}; ${step.field} there is one of: ${list(seen)}`;
    const keys = new Set(items.flatMap((o) => Object.keys(o)));
    if (keys.size > 0) return `${none} has ${step.field}; the items have: ${list(keys)}`;
  }
  if (step.kind === "each" && objects.length > 0)
    return `${place} ${many ? "are objects" : "is an object"}, not a list; ${many ? "they have" : "it has"}: ${list(new Set(objects.flatMap((o) => Object.keys(o))))}`;
  if (objects.length > 0) {
    const keys = new Set(objects.flatMap((o) => Object.keys(o)));
    return keys.size > 0 ? `${place} ${has}: ${list(keys)}` : `${place} ${has} no keys`;
  }
  if (lists.length > 0)
    return `${place} ${many ? "are lists" : "is a list"}: take ${many ? "their" : "its"} items with []`;
  const kinds = new Set(frontier.map((n) => (typeof n.value === "string" ? "text" : `a ${typeof n.value}`)));
  return `${place} ${many ? "are" : "is"} ${list(kinds)}, not an object`;
}

/** The error for a selector that reached nothing anywhere: which one, and what is there where it stopped. */
export function reachedNothing(feed: string, selector: Selector, stop: Stop | undefined) {
  return problem("feed-format", {
    feed,
    problem: `select ${JSON.stringify(selector.text)} reached no value${stop ? ` (${stop.there})` : ""}`,
    fix: "Correct the selector to what the feed holds there (listed above): nothing was written.",
  });
}
