/**
 * provider/model.ts is the one place under provider/ that spells an entry's field names (the SDK and API name of
 * each field of FIELDS and of each server-computed field of COMPUTED). Every other rule names its field through the
 * model (a role such as ADDRESS or EXPIRY, or a property of its FieldSpec), so a new or renamed field is one entry
 * there. This test reads provider/**\/*.ts except model.ts with the TypeScript compiler (comments are trivia to it,
 * so they are never read) and names file:line for every spelling it finds.
 *
 * The names come from the model itself. Two kinds:
 * - Distinctive names (camelCase or snake_case: `ipAddress`, `expires_on`, `createdOn`, ...) are caught wherever
 *   they are spelled in code: any identifier (property, variable, parameter, key) and any whole word inside a
 *   string or template text (messages included).
 * - Plain-word names (`name`, `type`, `description`, `categories`, `location`) are also JavaScript's and other
 *   objects' words (`Error.name`, `typeof`, a schema's `description`, the HTTP `location` header). They are caught
 *   where they touch an entry-shaped value, a value whose type has the address field (under its SDK or API name):
 *   property access (`e.name`, `e?.name`, `e["name"]`), `"name" in e`, an object literal's key or a property
 *   signature whose (contextual) type is entry-shaped, destructuring an entry-shaped value, and a string literal
 *   that stands for a field (its contextual type, or the other side of `===`/`!==`, is a union holding that literal,
 *   e.g. an EntryField or `keyof IpEntry`). A cast does not hide the value: `(e as any).name` is read through the
 *   cast, at the type of `e`.
 * - Built or patterned names: a regex literal's text is read like a string (`/ip_address/`); a string folded from
 *   literal parts (`"ip" + "_address"`, `` `expires${"_on"}` ``) is caught when its value is a field name (plain
 *   words too) or holds a distinctive one that no single part spells.
 * Not caught: plain words inside message prose ("its name"); use on values typed loosely from the start (`any`,
 * `Record<string, unknown>`), where the type says nothing about entries; a name reached through a key variable
 * (`Object.entries(e).find(([k]) => k === "name")`: `k` is a `string`); a name folded from non-literal parts (a
 * constant `const a = "ip"; a + "_address"`) or spelled by a pattern that differs from it (`/ip_?address/`).
 */
import * as path from "node:path";
import * as fs from "node:fs";
import * as os from "node:os";
import * as ts from "typescript";
import { COMPUTED, FIELDS, type FieldSpec } from "../../provider/model";

const ROOT = path.resolve(__dirname, "../..");
const PROVIDER = path.join(ROOT, "provider");

const EXCLUDED = new Set([path.join(PROVIDER, "model.ts")]);

const specs: [string, FieldSpec][] = Object.entries(FIELDS);
const NAMES = [...specs.flatMap(([sdk, s]) => [sdk, s.api]), ...Object.entries(COMPUTED).flat()];
/** A name that is one lowercase word is also an ordinary word of code: see the header. */
const plain = (n: string) => /^[a-z]+$/.test(n);
const DISTINCTIVE = new Set(NAMES.filter((n) => !plain(n)));
const PLAIN = new Set(NAMES.filter(plain));
const addressSpec = specs.find(([, s]) => s.compare === "address");
if (!addressSpec) throw new Error("the model declares no address field");
/** An entry-shaped type has the address field, under its SDK or API name. */
const ADDRESS_NAMES = [addressSpec[0], addressSpec[1].api];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith(".ts") && !d.name.endsWith(".d.ts") && !EXCLUDED.has(p) ? [p] : [];
  });
}

/** Every spelling of a field name in the given files, as `file:line: what`. */
export function spellings(files: string[]): string[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const found: string[] = [];

  const entryShaped = (t: ts.Type | undefined): boolean => {
    if (!t) return false;
    const types = t.isUnionOrIntersection() ? t.types : [t];
    return types.some((u) => {
      const a = checker.getApparentType(checker.getNonNullableType(u));
      return ADDRESS_NAMES.some((n) => a.getProperty(n) !== undefined);
    });
  };
  const standsFor = (t: ts.Type | undefined, word: string): boolean =>
    !!t && (t.isUnion() ? t.types : [t]).some((u) => u.isStringLiteral() && u.value === word);

  for (const file of files) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`not compiled: ${file}`);
    const report = (node: ts.Node, what: string) => {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      found.push(`${path.relative(ROOT, file)}:${line + 1}: ${what}`);
    };
    const words = (text: string) => [...DISTINCTIVE].filter((n) => new RegExp(`\\b${n}\\b`).test(text));
    const plainKey = (name: ts.Node | undefined) =>
      name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) && PLAIN.has(name.text)
        ? name.text
        : undefined;

    /** An expression under its casts and parentheses: `(e as any)` is `e`. */
    const uncast = (e: ts.Expression): ts.Expression => {
      while (
        ts.isParenthesizedExpression(e) ||
        ts.isAsExpression(e) ||
        ts.isTypeAssertionExpression(e) ||
        ts.isSatisfiesExpression(e) ||
        ts.isNonNullExpression(e)
      )
        e = e.expression;
      return e;
    };
    /** The value or its uncast self is entry-shaped. */
    const entryValue = (e: ts.Expression) =>
      entryShaped(checker.getTypeAtLocation(e)) || entryShaped(checker.getTypeAtLocation(uncast(e)));
    /** The string an expression of literal parts folds to (`"a" + "b"`, `` `a${"b"}` ``), else undefined. */
    const fold = (e: ts.Node): string | undefined => {
      if (ts.isStringLiteralLike(e)) return e.text;
      if (ts.isParenthesizedExpression(e)) return fold(e.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const [l, r] = [fold(e.left), fold(e.right)];
        return l === undefined || r === undefined ? undefined : l + r;
      }
      if (ts.isTemplateExpression(e)) {
        let out = e.head.text;
        for (const span of e.templateSpans) {
          const v = fold(span.expression);
          if (v === undefined) return undefined;
          out += v + span.literal.text;
        }
        return out;
      }
      return undefined;
    };
    const composed = (e: ts.Node) =>
      ts.isTemplateExpression(e) ||
      ts.isParenthesizedExpression(e) ||
      (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken);
    /** The literal texts an expression is folded from. */
    const parts = (e: ts.Node): string[] =>
      ts.isStringLiteralLike(e) || ts.isTemplateLiteralToken(e) ? [e.text] : e.getChildren(sf).flatMap(parts);

    const visit = (node: ts.Node): void => {
      // Distinctive names: anywhere in code or text.
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
        if (DISTINCTIVE.has(node.text)) report(node, node.text);
      } else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
        for (const n of words(node.text)) report(node, `${n} in text`);
      } else if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        for (const n of words((node as ts.RegularExpressionLiteral).text)) report(node, `${n} in a regex`);
      }
      // Names folded from literal parts: the outermost composition only.
      if (composed(node) && !(node.parent && composed(node.parent) && fold(node.parent) !== undefined)) {
        const value = fold(node);
        if (value !== undefined && !ts.isParenthesizedExpression(node)) {
          const spelled = new Set(parts(node).flatMap(words));
          if (NAMES.includes(value)) report(node, `"${value}" folded from parts`);
          else for (const n of words(value)) if (!spelled.has(n)) report(node, `${n} folded from parts`);
        }
      }
      // Plain-word names: where they touch an entry-shaped value.
      if (ts.isPropertyAccessExpression(node)) {
        const w = plainKey(node.name);
        if (w && entryValue(node.expression)) report(node, `.${w} of an entry`);
      } else if (ts.isElementAccessExpression(node)) {
        const w = plainKey(node.argumentExpression);
        if (w && entryValue(node.expression)) report(node, `["${w}"] of an entry`);
      } else if (ts.isBinaryExpression(node)) {
        const op = node.operatorToken.kind;
        const w = plainKey(node.left);
        if (op === ts.SyntaxKind.InKeyword && w && entryValue(node.right)) report(node, `"${w}" in an entry`);
        const eq = [
          ts.SyntaxKind.EqualsEqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          ts.SyntaxKind.EqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsToken,
        ].includes(op);
        for (const [lit, other] of [
          [node.left, node.right],
          [node.right, node.left],
        ]) {
          if (
            eq &&
            ts.isStringLiteral(lit) &&
            PLAIN.has(lit.text) &&
            standsFor(checker.getTypeAtLocation(other), lit.text)
          )
            report(lit, `"${lit.text}" compared with a field`);
        }
      } else if (ts.isObjectLiteralElementLike(node) && ts.isObjectLiteralExpression(node.parent)) {
        const w = plainKey(node.name);
        const obj = node.parent;
        if (w && entryShaped(checker.getContextualType(obj) ?? checker.getTypeAtLocation(obj)))
          report(node, `key ${w} of an entry`);
      } else if (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) {
        const w = plainKey(node.name);
        if (w && entryShaped(checker.getTypeAtLocation(node.parent)))
          report(node, `property ${w} of an entry type`);
      } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const w = plainKey(node.propertyName ?? node.name);
        if (w && entryShaped(checker.getTypeAtLocation(node.parent)))
          report(node, `${w} taken from an entry`);
      } else if (ts.isStringLiteral(node) && PLAIN.has(node.text) && !ts.isPropertyAssignment(node.parent)) {
        if (standsFor(checker.getContextualType(node), node.text)) report(node, `"${node.text}" as a field`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

test("under provider/, only model.ts spells a field's name (the rest derive it from the model)", () => {
  expect(spellings(sourceFiles(PROVIDER))).toEqual([]);
});

/** A distinctive name cut in two at its separator, so that neither half spells it (`ip_address`: `ip`, `_address`). */
const split = (name: string): [string, string] => {
  const at = Math.max(name.indexOf("_"), name.search(/[A-Z]/));
  return [name.slice(0, at), name.slice(at)];
};

test("the check catches each way a field can be spelled, and leaves ordinary words alone", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "field-names-"));
  try {
    const probe = path.join(dir, "probe.ts");
    const model = path.join(PROVIDER, "model");
    const types = path.join(PROVIDER, "client", "types");
    fs.writeFileSync(
      probe,
      [
        `import type { EntryField } from "${model}";`,
        `import type { IpEntry } from "${types}";`,
        `export const a = (e: IpEntry) => e.${FIELDS.expiresOn.api};`, // 3: distinctive property
        `export const b = (e: IpEntry) => e.name + e["type"];`, // 4: plain, on an entry (twice)
        `export const c = (f: EntryField) => f === "description";`, // 5: a field as a literal
        `export const d = (e: IpEntry): Partial<IpEntry> => ({ categories: e.categories });`, // 6: key and access
        `export const g = "the ${FIELDS.ipAddress.api} is wrong";`, // 7: in a message
        `export const h = (x: Error, r: Map<string, string>) => x.name + r.get("location") + typeof x;`, // 8: none
        `export const i = { name: "n", description: "d", type: "string" };`, // 9: none: not an entry
        `// e.${FIELDS.expiresOn.api} in a comment`, // 10: none
        `export const j = (s: string) => /${FIELDS.ipAddress.api}/.test(s);`, // 11: a regex literal
        `export const k = (e: IpEntry) => (e as any)[\`${split(FIELDS.expiresOn.api)[0]}\${"${split(FIELDS.expiresOn.api)[1]}"}\`];`, // 12
        `export const l = (e: IpEntry) => (e as any)["${split(FIELDS.ipAddress.api)[0]}" + "${split(FIELDS.ipAddress.api)[1]}"];`, // 13
        `export const m = (e: IpEntry) => (e as any).name + (<any>e).type;`, // 14: through casts
        `export const n = (e: IpEntry) => Object.entries(e).find(([k]) => k === "name");`, // 15: out of reach
        `export const o = (e: IpEntry) => e["na" + "me"];`, // 16: a plain name folded
        `export const p = "the ${FIELDS.ipAddress.api} is " + "wrong";`, // 17: once, as text
        `export const q = (x: string) => "na" + x + "me";`, // 18: none: not literal parts
      ].join("\n"),
    );
    const got = spellings([probe]).map((s) => s.replace(/^.*probe\.ts:/, ""));
    expect(got).toEqual([
      `3: ${FIELDS.expiresOn.api}`,
      "4: .name of an entry",
      '4: ["type"] of an entry',
      '5: "description" compared with a field',
      "6: key categories of an entry",
      "6: .categories of an entry",
      `7: ${FIELDS.ipAddress.api} in text`,
      `11: ${FIELDS.ipAddress.api} in a regex`,
      `12: "${FIELDS.expiresOn.api}" folded from parts`,
      `13: "${FIELDS.ipAddress.api}" folded from parts`,
      "14: .name of an entry",
      "14: .type of an entry",
      '16: "name" folded from parts',
      `17: ${FIELDS.ipAddress.api} in text`,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
