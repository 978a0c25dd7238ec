/**
 * How an entry Cloudlock holds reads against its declaration: the declared
 * spelling where the server's value means the same, what the declaration
 * leaves to the server, and what the server computes. Pure functions only.
 */
import type { CollectionName, IpEntry } from "../client/types";
import { COMPUTED, EntryField, FIELDS, FieldSpec, LIBRARY, WIRE, fieldsOf } from "../model";
import {
  type EntryInputs,
  type EntryOutputs,
  type ServerView,
  absent,
  entryFields,
  leftToServer,
  sameValue,
} from "./schema";

export interface EntryView {
  /** The declaration as Cloudlock holds it now: declared spelling where it means the same, else Cloudlock's. */
  inputs: EntryInputs;
  /** Values of the fields left to the server. */
  owned: Partial<EntryInputs>;
  view: ServerView;
}

/**
 * Read an entry against its declaration. `known` is what earlier writes
 * learnt; `wrote` says the entry is Cloudlock's answer to our own write of
 * `declared`, so any difference left is its spelling of our value (recorded,
 * and not drift from then on). Otherwise a difference is drift, shown as
 * Cloudlock's value.
 */
export function viewEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
  known: ServerView = {},
  wrote = false,
): EntryView {
  const actual = entryFields(e);
  const owned = new Set<EntryField>(
    known.serverOwned ?? fieldsOf(kind).filter((f) => leftToServer(f, declared)),
  );
  const inputs: Record<string, unknown> = {};
  const ownedValues: Record<string, unknown> = {};
  const spelling: Partial<Record<EntryField, unknown>> = {};
  for (const f of fieldsOf(kind)) {
    if (owned.has(f)) {
      if (!absent(actual[f])) ownedValues[f] = actual[f];
      continue;
    }
    // Identical means the same however the field compares, without parsing an address (a set reads thousands).
    const same = actual[f] === declared[f] || sameValue(f, actual[f], declared[f]);
    const spelt =
      !same && f in (known.serverSpelling ?? {}) && sameValue(f, actual[f], known.serverSpelling![f]);
    if (same || spelt || wrote) {
      if (!same) spelling[f] = actual[f];
      if (!absent(declared[f])) inputs[f] = declared[f];
    } else if (
      !absent(actual[f]) &&
      !((FIELDS[f] as FieldSpec).whenOmitted === "empty" && isEmpty(actual[f]))
    ) {
      inputs[f] = actual[f];
    }
  }
  if (declared.adoptId !== undefined) inputs.adoptId = declared.adoptId;
  const view: ServerView = {};
  if (owned.size) view.serverOwned = [...owned];
  if (Object.keys(spelling).length) view.serverSpelling = spelling;
  return { inputs: inputs as unknown as EntryInputs, owned: ownedValues, view };
}

const isEmpty = (v: unknown) => v === "" || (Array.isArray(v) && v.length === 0);

/**
 * Inputs that describe the entry as it is now, keeping the declared spelling
 * wherever the server's value means the same thing: so refresh shows real
 * drift and nothing else.
 */
export function inputsFromEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
  known?: ServerView,
): EntryInputs {
  return viewEntry(kind, e, declared, known).inputs;
}

/** Outputs: the declaration as Cloudlock holds it, the values left to it, what it computes, and the view. */
export function outputsOf(kind: CollectionName, e: IpEntry, v: EntryView): EntryOutputs & ServerView {
  const computed = Object.fromEntries(Object.entries(COMPUTED).map(([sdk, api]) => [sdk, e[api] ?? ""]));
  return { ...v.inputs, ...v.owned, ...computed, [LIBRARY]: e[WIRE.library] ?? kind, ...v.view };
}

/** Outputs for an entry read against its declaration (see viewEntry). */
export function outputsFromEntry(
  kind: CollectionName,
  e: IpEntry,
  declared: Partial<EntryInputs>,
  known?: ServerView,
  wrote = false,
): EntryOutputs & ServerView {
  return outputsOf(kind, e, viewEntry(kind, e, declared, known, wrote));
}

/** The server view stored in outputs (absent in states written before it existed). */
export function storedView(stored: object): ServerView {
  const props = stored as Record<string, unknown>;
  const view: ServerView = {};
  if (Array.isArray(props.serverOwned)) view.serverOwned = props.serverOwned as EntryField[];
  if (props.serverSpelling && typeof props.serverSpelling === "object")
    view.serverSpelling = props.serverSpelling as ServerView["serverSpelling"];
  return view;
}
