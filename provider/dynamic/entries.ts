/**
 * The per-entry resources (TrustedIp, SuspiciousIp): one provider per
 * library, a few lines per method over the connection, the creates and the
 * pure entry model.
 */
import type * as pulumi from "@pulumi/pulumi";
import { canonicalAddress, sameAddress } from "../address";
import { isNotFoundError, problem } from "../client/errors";
import type { CollectionName, IpEntry } from "../client/types";
import { ADDRESS, COMPUTED, EXPIRY, FIELDS, LIBRARY, NAME, WIRE, emptyOf, expires, fieldsOf } from "../model";
import { LABEL } from "../tokens";
import type { Connection } from "./connection";
import { type Creates, duplicateError } from "./create";
import { type Route, forecastCreate } from "./forecast";
import {
  CheckFailure,
  EntryInputs,
  EntryOutputs,
  type ServerView,
  UNKNOWN,
  UPDATABLE,
  decideDiff,
  declarationOf,
  entryFields,
  hasExpired,
  unexpired,
  patchFor,
  sameValue,
} from "./schema";
import { pickInputs, validate } from "./validate";
import { assertSameTenant, recordedTenant, withTenant } from "./tenant";
import { outputsFromEntry, outputsOf, storedView, viewEntry } from "./view";

/** What state holds for an entry: its outputs and how Cloudlock holds them. */
export type EntryState = EntryOutputs & ServerView;

/** What the engine hands `check`: anything a program declared, validated field by field. */
export type Declared = Record<string, unknown>;

/** A stored state as `read` may get it (older states lack fields; the engine adds `__provider`). */
export type StoredState = Partial<EntryState> & { __provider?: unknown };

/** What `read` answers: the entry's state and the declaration as it holds now, or an empty id when gone. */
export type Read = { id: string; props: EntryState; inputs?: EntryInputs };

/** What `read` answers for an entry that is gone: an empty id (the engine then drops it; props are not used). */
const GONE: Read = { id: "", props: {} as EntryState };

export class EntryProvider implements pulumi.dynamic.ResourceProvider<EntryInputs, EntryState> {
  /** Declarations from a data file, by canonical address (see routeOf). */
  private readonly routes = new Map<string, Route>();

  constructor(
    private readonly conn: Connection,
    private readonly creates: Creates,
    readonly kind: CollectionName,
  ) {}

  async check(olds: Declared, news: Declared): Promise<{ inputs: EntryInputs; failures: CheckFailure[] }> {
    const isNew = olds === undefined || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    const dated = expires(this.kind) && typeof news[EXPIRY] === "string" && news[EXPIRY] !== UNKNOWN;
    const failures = validate(this.kind, news, isNew, await this.conn.nowFor(dated));
    const inputs = pickInputs(this.kind, news);
    const route = this.routeOf(inputs, news);
    if (isNew && failures.length === 0) await this.forecast(inputs, news, route);
    return { inputs: { ...inputs }, failures };
  }

  /**
   * The route a declaration came by. A data file's resources say so in an input `check` drops, so the route is
   * kept here, by address, for the create of the same operation (its refusal names the data file's fields).
   */
  private routeOf(inputs: EntryInputs, news: Declared): Route {
    const address = inputs[ADDRESS];
    if (news.route !== "data-file" || typeof address !== "string" || address === UNKNOWN)
      return this.conn.route;
    this.routes.set(canonicalAddress(address), "data-file");
    return "data-file";
  }

  /**
   * At preview, what `up` will do with a new entry whose address the library already holds: a warning on the
   * resource (not a check failure, which would stop the engine planning every later resource). Its read goes
   * through the store, so N new entries cost the read rule's searches or one shared listing, not N listings.
   */
  private async forecast(inputs: EntryInputs, news: Declared, route: Route): Promise<void> {
    if (typeof inputs[ADDRESS] !== "string" || inputs[ADDRESS] === UNKNOWN) return;
    if (inputs.adoptId === UNKNOWN) return;
    const held = await this.conn.store(this.kind).atAddress(inputs[ADDRESS]);
    // After the read, so by the server's clock.
    const now = this.conn.now();
    // A replacement's own old entry is deleted before it is created: not in its way.
    const live = unexpired(held, now).filter((e) => !this.conn.isReplacing(this.kind, e.pk));
    // An adoptId not at the address: it must exist elsewhere (`up` moves it here), or `up` refuses it.
    const adoptMissing =
      typeof inputs.adoptId === "string" &&
      !held.some((e) => e.pk === inputs.adoptId) &&
      !(await this.conn.store(this.kind).byPk(inputs.adoptId));
    const f = forecastCreate(this.kind, inputs, live, {
      adoptIdentical: this.conn.settings.adoptIdentical,
      route,
      adoptMissing,
    });
    const urn = typeof news.logUrn === "string" && news.logUrn !== UNKNOWN ? news.logUrn : undefined;
    if (f?.outcome === "fail") this.conn.noteForecast(this.kind, inputs[ADDRESS]);
    if (f) await this.conn.engine.log(f.outcome === "fail" ? "warning" : "info", f.message, urn);
  }

  async diff(id: string, olds: EntryState, news: EntryInputs) {
    this.sameTenant(id, olds);
    const dated = expires(this.kind) && (olds[EXPIRY] !== undefined || news[EXPIRY] !== undefined);
    const d = decideDiff(this.kind, olds, news, await this.conn.nowFor(dated));
    // The old entry holds the address: it must go before its replacement is created (and so is not in its way).
    if (d.replaces.length > 0) this.conn.noteReplacing(this.kind, id);
    return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.replaces.length > 0 };
  }

  async create(props: EntryInputs): Promise<{ id: string; outs: EntryState }> {
    const inputs = pickInputs(this.kind, props);
    const entry = inputs.adoptId
      ? await this.adopt(inputs)
      : await this.creates.createNew(this.kind, inputs, {
          adoptIdentical: this.conn.settings.adoptIdentical,
          route: this.routes.get(canonicalAddress(inputs[ADDRESS])) ?? this.conn.route,
        });
    return { id: entry.pk, outs: withTenant(this.written(entry, inputs), this.conn.settings.apiUrl) };
  }

  async read(id: string, props: StoredState = {}): Promise<Read> {
    this.sameTenant(id, props);
    const declared = pickInputs(this.kind, props);
    const store = this.conn.store(this.kind);
    const address = typeof props[ADDRESS] === "string" ? props[ADDRESS] : undefined;
    const entry = (await store.byPk(id, address)) ?? (await store.findAt(id, address));
    if (entry) {
      // An import (`pulumi import`: a read with no state) declares what the entry holds, every field it has.
      const imported = Object.keys(props).length === 0;
      const v = viewEntry(
        this.kind,
        entry,
        imported ? declarationOf(this.kind, entry) : declared,
        storedView(props),
      );
      // The tenant as recorded (none in older states: a refresh changes nothing); an import's is this one.
      const tenant = imported ? this.conn.settings.apiUrl : recordedTenant(props);
      return { id, props: withTenant(outputsOf(this.kind, entry, v), tenant), inputs: { ...v.inputs } };
    }
    // An entry that expired on schedule is not drift: keep the state as it is.
    if (expires(this.kind) && hasExpired(props[EXPIRY], this.conn.now())) {
      void this.conn.engine.log(
        "warning",
        `${LABEL[this.kind]} ${id} ("${String(props[NAME])}"): its expiry ${String(props[EXPIRY])} has passed by ` +
          `Cloudlock's clock, and Cloudlock removed it on schedule. That is not drift; you can delete the declaration.`,
      );
      const { __provider: _, ...kept } = props;
      return { id, props: kept as EntryState, inputs: declaredOnly(props, declared) };
    }
    return GONE;
  }

  async update(id: string, olds: EntryState, news: EntryInputs): Promise<{ outs: EntryState }> {
    this.sameTenant(id, olds);
    const inputs = pickInputs(this.kind, news);
    const patch = patchFor(this.kind, olds, inputs);
    const changes = Object.keys(patch).length > 0;
    if (changes) await this.addressFree(id, olds[ADDRESS], inputs);
    let updated: IpEntry | undefined;
    try {
      updated = changes
        ? await this.conn.write(this.kind, "update", () =>
            this.conn.client.collection(this.kind).update(id, patch),
          )
        : undefined;
    } catch (e) {
      if (!isNotFoundError(e)) throw e;
      throw problem("entry-gone", { label: LABEL[this.kind], pk: id });
    }
    const store = this.conn.store(this.kind);
    const entry =
      updated ??
      // The documented PUT answers no body: one search at the new address, not a listing per update.
      (await store.findAt(id, inputs[ADDRESS])) ??
      ({ ...toEntry(this.kind, id, olds), ...patch } as IpEntry);
    store.noteWritten(entry);
    const tenant = this.conn.settings.apiUrl;
    if (!changes)
      return {
        outs: withTenant(
          outputsFromEntry(this.kind, entry, inputs, { serverSpelling: storedView(olds).serverSpelling }),
          tenant,
        ),
      };
    await this.stillAlone(entry, olds[ADDRESS], inputs);
    return { outs: withTenant(this.written(entry, inputs), tenant) };
  }

  /** `stored` is the resource's state: an entry made in another tenant is not deleted in this one. */
  async delete(id: string, stored?: object): Promise<void> {
    this.sameTenant(id, stored);
    await this.conn.deletes(this.kind).delete(id);
    this.conn.store(this.kind).noteDeleted([id]);
  }

  /** Refuse a resource whose entry was made in another tenant than the one the settings name now. */
  private sameTenant(id: string, stored: object | undefined): void {
    assertSameTenant(LABEL[this.kind], id, stored, this.conn.settings.apiUrl);
  }

  private async adopt(inputs: EntryInputs): Promise<IpEntry> {
    const kind = this.kind;
    const store = this.conn.store(kind);
    const pk = inputs.adoptId!;
    const entry = (await store.byPk(pk)) ?? (await store.refresh()).get(pk);
    if (!entry) {
      throw problem("adopt-missing", { label: LABEL[kind], library: kind, pk });
    }
    // Taken over from whoever held it: their delete in this run must not remove it (Connection.claim).
    this.conn.claim(kind, [entry.pk]);
    const current = entryFields(entry);
    const fixed = fieldsOf(kind).filter(
      (f) => !UPDATABLE[kind].includes(f) && !sameValue(f, current[f], inputs[f]),
    );
    if (fixed.length > 0) {
      const f = fixed[0];
      throw problem("adopt-replace", {
        label: LABEL[kind],
        library: kind,
        pk,
        field: f,
        held: JSON.stringify(current[f]),
        declared: JSON.stringify(inputs[f]),
      });
    }
    const patch = patchFor(kind, current, inputs);
    if (Object.keys(patch).length === 0) return entry;
    await this.addressFree(pk, current[ADDRESS], inputs);
    const updated =
      (await this.conn.write(kind, "update", () => this.conn.client.collection(kind).update(pk, patch))) ??
      ({ ...entry, ...patch } as IpEntry);
    store.noteWritten(updated);
    await this.stillAlone(updated, current[ADDRESS], inputs);
    return updated;
  }

  /** Before a PUT that moves an entry to another address: no other live entry may hold it. */
  private async addressFree(pk: string, from: unknown, inputs: EntryInputs): Promise<void> {
    if (typeof from === "string" && sameAddress(from, inputs[ADDRESS])) return;
    const now = this.conn.now();
    const other = unexpired(await this.conn.store(this.kind).byAddress(inputs[ADDRESS]), now).find(
      (e) => e.pk !== pk,
    );
    if (other) throw duplicateError(this.kind, inputs, other);
  }

  /** After such a PUT: no other writer moved or made an entry there meanwhile (see aloneAt). */
  private async stillAlone(entry: IpEntry, from: unknown, inputs: EntryInputs): Promise<void> {
    if (typeof from === "string" && sameAddress(from, inputs[ADDRESS])) return;
    const { others } = await this.conn.check(this.kind).othersAtOne(entry, inputs[ADDRESS]);
    const now = this.conn.now();
    const live = unexpired(others, now);
    if (live.length === 0) return;
    throw problem("address-race", {
      what:
        `${LABEL[this.kind]} ${entry.pk} ("${inputs[NAME]}"): it was moved to ${inputs[ADDRESS]}, and another writer ` +
        `holds that address too (entry ${live.map((e) => e.pk).join(", ")}; Cloudlock accepted both).`,
      fix:
        "Delete one of them, or set adoptId on this resource to manage the other, then run `pulumi refresh` and " +
        "`pulumi up`.",
    });
  }

  /**
   * Outputs for Cloudlock's answer to our own write: where it holds a declared
   * value in a spelling of its own, that spelling is recorded (not drift from
   * now on), and the engine's output says so once.
   */
  private written(entry: IpEntry, inputs: EntryInputs): EntryState {
    const v = viewEntry(this.kind, entry, inputs, {}, true);
    const spelt = Object.entries(v.view.serverSpelling ?? {});
    if (spelt.length) {
      const what = spelt
        .map(
          ([f, val]) =>
            `${f} ${JSON.stringify(val)} for the declared ${JSON.stringify(inputs[f as keyof EntryInputs])}`,
        )
        .join(", ");
      void this.conn.engine.log(
        "warning",
        `${LABEL[this.kind]} ${entry.pk}: Cloudlock stored ${what}. Pulumi takes that as Cloudlock's spelling of the ` +
          `declared value: it is no change now, and a later edit away from it is drift.`,
      );
    }
    return outputsOf(this.kind, entry, v);
  }
}

/** Rebuild an entry from stored outputs (last resort when the server does not echo a PUT). */
function toEntry(kind: CollectionName, id: string, o: Partial<EntryState>): IpEntry {
  const stored = o as Record<string, unknown>;
  const e: Record<string, unknown> = { pk: id };
  for (const f of fieldsOf(kind)) {
    const empty = emptyOf(f);
    e[FIELDS[f].api] = empty === undefined ? stored[f] : (stored[f] ?? empty);
  }
  for (const [sdk, api] of Object.entries(COMPUTED)) e[api] = stored[sdk];
  e[WIRE.library] = stored[LIBRARY] ?? kind;
  return e as IpEntry;
}

/** The declared inputs of stored outputs: without the values a declaration left to the server. */
function declaredOnly(props: Partial<EntryState>, declared: EntryInputs): EntryInputs {
  const out: Record<string, unknown> = { ...declared };
  for (const f of storedView(props).serverOwned ?? []) delete out[f];
  return out as EntryInputs;
}
