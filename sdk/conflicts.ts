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
import { problem } from "../provider/client/errors";
import type { CollectionName } from "../provider/client/types";
import { LABEL } from "../provider/tokens";
import { programError } from "../provider/pulumi-internals";
import { warnPlainToken } from "./plain-token";

interface Declared {
  kind: CollectionName;
  /** The declaring resource, e.g. `TrustedIp "hq"` (one set declares many addresses). */
  owner: string;
  /** How messages name this declaration. */
  label: string;
  address: string;
  family: string;
  first: bigint;
  last: bigint;
  resource: () => pulumi.Resource | undefined;
}

/** A resource managing entries of a library (lookups with `get()` manage nothing). */
interface Claim {
  label: string;
  authoritative: boolean;
}

interface Registry {
  byAddress: Map<string, Declared>;
  claims: Record<CollectionName, Claim[]>;
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
    r = {
      byAddress: new Map(),
      claims: { trusted: [], suspicious: [] },
      all: [],
      sweepPending: false,
      warned: new Set(),
    };
    registries.set(key, r);
  }
  return r;
}

const describe = (d: Declared) => `${d.label} (${d.address})`;

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
  claimLibrary(kind, `${LABEL[kind]} "${name}"`, false);
  const owner = `${LABEL[kind]} "${name}"`;
  return pulumi.output(args.ipAddress).apply((a) => declare(kind, owner, owner, a, resource));
}

/**
 * The same checks for every entry of a set: an address another resource of
 * the program declares in the same library is the set's error (on `entries`);
 * duplicates inside the set are its own check's to report.
 */
export function guardSetAddresses(
  kind: CollectionName,
  name: string,
  authoritative: boolean,
  entries: pulumi.Input<pulumi.Input<{ name?: pulumi.Input<string>; ipAddress?: pulumi.Input<string> }>[]>,
  resource: () => pulumi.Resource | undefined,
): pulumi.Output<string | undefined> {
  const owner = `${LABEL[kind]}Set "${name}"`;
  claimLibrary(kind, owner, authoritative);
  return pulumi.output(entries).apply((list) => {
    if (!Array.isArray(list)) return undefined;
    const conflicts = list
      .filter((e) => e && typeof e.ipAddress === "string")
      .map((e) => {
        const c = declare(kind, owner, `${owner} entry "${e.name}"`, e.ipAddress as string, resource);
        return c && `entry "${e.name}": ${c}`;
      })
      .filter((c): c is string => c !== undefined);
    return conflicts.length ? conflicts.join("; ") : undefined;
  });
}

/**
 * An authoritative set owns its whole library: the library must equal its
 * declaration, so any other resource managing entries there would be undone
 * by it (and undo it). Refused while the program runs, before any API call.
 */
function claimLibrary(kind: CollectionName, label: string, authoritative: boolean): void {
  // Every resource that manages entries passes here (a `get()` does not, nor writes state of its own).
  warnPlainToken();
  const claims = registry().claims[kind];
  const owner = authoritative ? { label } : claims.find((c) => c.authoritative);
  const other = authoritative ? claims[0] : { label };
  if (owner && other) {
    throw programError(
      problem("library-owned", { owner: owner.label, library: kind, other: other.label, label: LABEL[kind] }),
    );
  }
  claims.push({ label, authoritative });
}

function declare(
  kind: CollectionName,
  owner: string,
  label: string,
  address: string,
  resource: () => pulumi.Resource | undefined,
): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed.ok) return undefined; // the provider's check reports it, field by field
  const reg = registry();
  const { family, first, last } = parsed.value;
  const d: Declared = { kind, owner, label, address, family, first, last, resource };
  if (parsed.value.hostBitsSet) {
    warn(
      reg,
      `${label}: ipAddress "${address}" has host bits set; it means the block ${parsed.value.canonical}. ` +
        `Write ${parsed.value.canonical} if that is what you mean.`,
      d,
    );
  }
  if (kind === "trusted" && parsed.value.everyAddress) {
    warn(
      reg,
      `${label}: ipAddress "${address}" trusts every ${family === "ipv4" ? "IPv4" : "IPv6"} address there is. ` +
        `If that is not deliberate, narrow it to your own blocks.`,
      d,
    );
  }
  const mine = reg.byAddress.get(`${kind} ${parsed.value.canonical}`);
  if (mine && mine.owner !== owner) {
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
  if (!mine) reg.byAddress.set(`${kind} ${parsed.value.canonical}`, d);
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
