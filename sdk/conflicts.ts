/**
 * Conflicts between declarations of one program, caught while the program
 * runs (so at preview, before any API call). A provider's `check` sees one
 * resource at a time; only the program sees them all.
 *   - the same address twice in one library: an error (the library holds one entry per address);
 *   - the same address in both libraries: a warning (it may be deliberate);
 *   - overlapping blocks or ranges in one library: a warning.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseAddress } from "../provider/address";
import type { CollectionName } from "../provider/client/types";

const LABEL: Record<CollectionName, string> = { trusted: "TrustedIp", suspicious: "SuspiciousIp" };

interface Declared {
  kind: CollectionName;
  name: string;
  address: string;
  family: string;
  first: bigint;
  last: bigint;
  resource: () => pulumi.Resource | undefined;
}

interface Registry {
  byAddress: Map<string, Declared>;
  all: Declared[];
  sweepPending: boolean;
  warned: Set<string>;
}

// One registry per program run: inline Automation programs run many times in one process.
const registries = new WeakMap<object, Registry>();
const OUTSIDE_A_RUN = {};

function registry(): Registry {
  const key: object = pulumi.runtime.getStackResource() ?? OUTSIDE_A_RUN;
  let r = registries.get(key);
  if (!r) {
    r = { byAddress: new Map(), all: [], sweepPending: false, warned: new Set() };
    registries.set(key, r);
  }
  return r;
}

const describe = (d: Declared) => `${LABEL[d.kind]} "${d.name}" (${d.address})`;

/**
 * Register the ipAddress input for conflict checks once its value is known.
 * Resolves to the conflict that makes this declaration an error, if any: the
 * resource passes it as the input `addressConflict`, and the provider's check
 * reports it as a failure of `ipAddress` (cleanly, at preview, before any call).
 * `resource` is read later, when the resource exists, to attach warnings.
 */
export function guardAddress(
  kind: CollectionName,
  name: string,
  args: { ipAddress?: pulumi.Input<string> } | undefined,
  opts: pulumi.CustomResourceOptions | undefined,
  resource: () => pulumi.Resource | undefined,
): pulumi.Output<string | undefined> | undefined {
  // A `get()` declares nothing; a missing address is the provider's check to report.
  if (opts?.id || args?.ipAddress === undefined) return undefined;
  return pulumi.output(args.ipAddress).apply((a) => declare(kind, name, a, resource));
}

function declare(
  kind: CollectionName,
  name: string,
  address: string,
  resource: () => pulumi.Resource | undefined,
): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed.ok) return undefined; // the provider's check reports it, field by field
  const reg = registry();
  const { family, first, last } = parsed.value;
  const d: Declared = { kind, name, address, family, first, last, resource };
  const mine = reg.byAddress.get(`${kind} ${parsed.value.canonical}`);
  if (mine && mine.name !== name) {
    return (
      `ipAddress "${address}" is the same address as ${describe(mine)}, declared in this program. ` +
      `The ${kind} library holds one entry per address: remove one of the declarations or merge them.`
    );
  }
  const other = kind === "trusted" ? "suspicious" : "trusted";
  const theirs = reg.byAddress.get(`${other} ${parsed.value.canonical}`);
  if (theirs) {
    warn(
      reg,
      `${describe(theirs)} and ${describe(d)} declare the same address as both trusted and suspicious; if that is not deliberate, remove one.`,
      d,
    );
  }
  reg.byAddress.set(`${kind} ${parsed.value.canonical}`, d);
  reg.all.push(d);
  if (!reg.sweepPending) {
    reg.sweepPending = true;
    // Declarations resolve in bursts: check overlaps once per burst, O(n log n), not once per pair.
    setImmediate(() => {
      reg.sweepPending = false;
      sweepOverlaps(reg);
    });
  }
  return undefined;
}

/** Warn about overlapping blocks/ranges within each library: sort by start, track the farthest end. */
function sweepOverlaps(reg: Registry) {
  const groups = new Map<string, Declared[]>();
  for (const d of reg.all) {
    const k = `${d.kind} ${d.family}`;
    const g = groups.get(k);
    if (g) g.push(d);
    else groups.set(k, [d]);
  }
  for (const g of groups.values()) {
    g.sort((a, b) =>
      a.first < b.first ? -1 : a.first > b.first ? 1 : a.last > b.last ? -1 : a.last < b.last ? 1 : 0,
    );
    let widest: Declared | undefined;
    for (const d of g) {
      if (widest && d.first <= widest.last && !(d.first === widest.first && d.last === widest.last)) {
        warn(reg, `${describe(d)} overlaps ${describe(widest)} in the ${d.kind} library.`, d);
      }
      if (!widest || d.last > widest.last) widest = d;
    }
  }
}

function warn(reg: Registry, message: string, d: Declared) {
  if (reg.warned.has(message)) return;
  reg.warned.add(message);
  void pulumi.log.warn(message, d.resource());
}
