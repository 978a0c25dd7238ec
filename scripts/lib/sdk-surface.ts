/**
 * What the dynamic SDK (`pulumi-cloudlock`, sdk/index.ts) declares, read with the TypeScript compiler: the
 * properties of a resource's arguments and outputs and of a function's arguments and result, each with its type
 * as the SDK spells it. The generated reference shows the TypeScript route from here, so it cannot drift from
 * what users' editors show.
 */
import * as path from "path";
import type * as TS from "typescript";
import { REPO_ROOT } from "./engine";

/** A property as the SDK declares it: its type without Pulumi's Input/Output/Promise wrappers. */
export interface SdkProperty {
  type: string;
  optional: boolean;
}

/** The SDK's side of one resource or function: its argument and result properties, by name. */
export interface SdkMember {
  /** What TypeScript users call it: `cloudlock.TrustedIp`, `cloudlock.getFeed`. */
  call: string;
  /** The arguments' type name, e.g. `TrustedIpArgs`, `IpSetArgs<TrustedIpSetEntry>`. */
  argsType: string;
  args: Map<string, SdkProperty>;
  /** Outputs (resources) or the fields of the result (functions). */
  results: Map<string, SdkProperty>;
  /** The result's type (functions): e.g. `Promise<IpEntryInfo[]>`. */
  returns?: string;
}

/** `Input<Input<string>[]> | undefined` → `string[]`: the wrappers every Pulumi input and output carries. */
export function unwrap(type: string): string {
  let t = type;
  for (;;) {
    const m = /\b(?:Input|Output|OutputInstance|Promise)<(.*)>/.exec(t);
    if (!m) return t.replace(/\s*\|\s*undefined$/, "").replace(/^undefined\s*\|\s*/, "");
    // Find the wrapper's closing bracket: the regex's greedy match may run past it.
    const start = m.index + m[0].indexOf("<") + 1;
    let depth = 1;
    let end = start;
    for (; end < t.length && depth > 0; end++) {
      if (t[end] === "<") depth++;
      if (t[end] === ">") depth--;
    }
    t = t.slice(0, m.index) + t.slice(start, end - 1) + t.slice(end);
  }
}

/**
 * The SDK's resources and functions, by the name the package exports them under (a class for a resource, a
 * function otherwise). Compiling the SDK takes a few seconds: call it once.
 */
export function sdkSurface(names: readonly string[]): Map<string, SdkMember> {
  const ts: typeof TS = require("typescript");
  const entry = path.join(REPO_ROOT, "sdk/index.ts");
  const program = ts.createProgram([entry], {
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  });
  const checker = program.getTypeChecker();
  const show = (t: TS.Type) => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
  const props = (type: TS.Type, keep: (p: TS.Symbol) => boolean = () => true) =>
    new Map(
      checker
        .getPropertiesOfType(type)
        .filter(keep)
        .map((p) => {
          const declared = p.valueDeclaration as TS.PropertySignature | undefined;
          const optional = (p.flags & ts.SymbolFlags.Optional) !== 0 || !!declared?.questionToken;
          return [p.name, { type: unwrap(show(checker.getTypeOfSymbol(p))), optional }] as const;
        }),
    );
  const out = new Map<string, SdkMember>();
  for (const name of names) {
    let symbol = exported.get(name);
    if (!symbol) throw new Error(`the SDK (sdk/index.ts) exports no ${name}`);
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const value = checker.getTypeOfSymbol(symbol);
    const construct = value.getConstructSignatures()[0];
    if (construct) {
      const args = checker.getTypeOfSymbol(construct.parameters[1]);
      // Outputs: the `declare readonly` properties of the SDK's own classes (not Pulumi's urn and id).
      const outputs = props(checker.getDeclaredTypeOfSymbol(symbol), (p) => {
        const d = p.valueDeclaration;
        return (
          !!d &&
          ts.isPropertyDeclaration(d) &&
          d.getSourceFile().fileName.startsWith(path.join(REPO_ROOT, "sdk"))
        );
      });
      // The type as the SDK writes it (an alias such as TrustedIpArgs keeps its name), else as the checker shows it.
      const param = construct.parameters[1].valueDeclaration;
      const written = param && ts.isParameter(param) && param.type ? param.type.getText() : show(args);
      out.set(name, { call: `cloudlock.${name}`, argsType: written, args: props(args), results: outputs });
      continue;
    }
    const call = value.getCallSignatures()[0];
    if (!call) throw new Error(`the SDK's ${name} is neither a class nor a function`);
    const args = checker.getNonNullableType(checker.getTypeOfSymbol(call.parameters[0]));
    const returned = checker.getReturnTypeOfSignature(call);
    // Promise<T> or Promise<T[]>: the fields of T.
    const awaited = checker.getAwaitedType(returned) ?? returned;
    const element = checker.isArrayType(awaited)
      ? checker.getTypeArguments(awaited as TS.TypeReference)[0]
      : awaited;
    out.set(name, {
      call: `cloudlock.${name}`,
      argsType: show(args),
      args: props(args),
      results: props(element),
      returns: show(returned),
    });
  }
  return out;
}
