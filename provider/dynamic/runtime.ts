/**
 * One provider process's providers, on one connection: the per-entry
 * providers of both libraries and the set providers. The serialised provider
 * objects in state are a few lines that `require("pulumi-cloudlock/provider")`
 * at call time and forward here, so nothing in it (client, token, listings)
 * is ever serialised.
 */
import type { CloudlockClient } from "../client/client";
import type { CollectionName } from "../client/types";
import type { ConfigSource } from "../settings";
import { Connection, type RuntimeSettings } from "./connection";
import { Creates } from "./create";
import { type Declared, EntryProvider, type EntryState, type StoredState } from "./entries";
import type { EntryInputs } from "./schema";
import { IpSets } from "./sets";
import type { EntryStore } from "./store";

export type { ConfigSource, RuntimeSettings };

export class ProviderRuntime {
  readonly connection: Connection;
  readonly trusted: EntryProvider;
  readonly suspicious: EntryProvider;
  /** TrustedIpSet and SuspiciousIpSet. */
  readonly sets: IpSets;

  constructor(explicit: RuntimeSettings = {}) {
    const conn = (this.connection = new Connection(explicit));
    const creates = new Creates(conn);
    this.trusted = new EntryProvider(conn, creates, "trusted");
    this.suspicious = new EntryProvider(conn, creates, "suspicious");
    this.sets = new IpSets(conn, creates);
  }

  /** Take the settings from stack config (synchronous: see Connection.configure). */
  configure(config: ConfigSource): void {
    this.connection.configure(config);
  }

  get client(): CloudlockClient {
    return this.connection.client;
  }

  /** The store of one library (its listing, reads and searches). */
  cache(kind: CollectionName): EntryStore {
    return this.connection.store(kind);
  }

  /** The per-entry provider of one library. */
  entries(kind: CollectionName): EntryProvider {
    return kind === "trusted" ? this.trusted : this.suspicious;
  }

  check(kind: CollectionName, olds: Declared, news: Declared) {
    return this.entries(kind).check(olds, news);
  }

  diff(kind: CollectionName, id: string, olds: EntryState, news: EntryInputs) {
    return this.entries(kind).diff(id, olds, news);
  }

  create(kind: CollectionName, inputs: EntryInputs) {
    return this.entries(kind).create(inputs);
  }

  read(kind: CollectionName, id: string, props?: StoredState) {
    return this.entries(kind).read(id, props);
  }

  update(kind: CollectionName, id: string, olds: EntryState, news: EntryInputs) {
    return this.entries(kind).update(id, olds, news);
  }

  delete(kind: CollectionName, id: string) {
    return this.entries(kind).delete(id);
  }
}
