/**
 * One provider process's providers, on one connection: the per-entry
 * providers of both libraries and the set providers, and the one dispatcher
 * by library and resource kind that the dynamic providers (dynamic/index.ts)
 * and the plugin (plugin/provider.ts) both call. The serialised provider
 * objects in state are a few lines that `require("pulumi-cloudlock/provider")`
 * at call time and forward here, so nothing in it (client, token, listings)
 * is ever serialised.
 */
import type { CloudlockClient } from "../client/client";
import { problem } from "../client/errors";
import { COLLECTIONS, type CollectionName } from "../client/types";
import { LABEL, SET_LABEL } from "../tokens";
import type { ConfigSource } from "../settings";
import { Connection, type RuntimeSettings } from "./connection";
import { Creates } from "./create";
import { EntryProvider } from "./entries";
import type { CheckFailure } from "./schema";
import { IpSets } from "./sets";
import type { EntryStore } from "./store";

export type { ConfigSource, RuntimeSettings };

/** What the engine hands a provider: inputs and stored states, untyped at this boundary. */
export type Props = Record<string, unknown>;

/**
 * What the engine asks of one resource type (TrustedIp, SuspiciousIp, TrustedIpSet, SuspiciousIpSet), the same
 * on both routes.
 */
export interface ResourceProvider {
  /** The resource type's name, as messages give it ("TrustedIp", "TrustedIpSet"). */
  readonly label: string;
  check(olds: Props, news: Props): Promise<{ inputs: object; failures: CheckFailure[] }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  create(inputs: Props): Promise<{ id: string; outs: object }>;
  read(id: string, props?: Props): Promise<{ id: string; props: object; inputs?: object }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: object }>;
  delete(id: string, props?: Props): Promise<void>;
}

export class ProviderRuntime {
  readonly connection: Connection;
  readonly trusted: EntryProvider;
  readonly suspicious: EntryProvider;
  /** TrustedIpSet and SuspiciousIpSet. */
  readonly sets: IpSets;
  private readonly resources = new Map<string, ResourceProvider>();

  constructor(explicit: RuntimeSettings = {}) {
    const conn = (this.connection = new Connection(explicit));
    const creates = new Creates(conn);
    this.trusted = new EntryProvider(conn, creates, "trusted");
    this.suspicious = new EntryProvider(conn, creates, "suspicious");
    this.sets = new IpSets(conn, creates);
    for (const kind of COLLECTIONS) {
      this.resources.set(key(kind, false), entryResource(this.entries(kind), LABEL[kind]));
      this.resources.set(key(kind, true), setResource(this.sets, kind));
    }
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

  /** The provider of one library's entries (`set` false) or sets: the one dispatch both routes use. */
  resource(kind: CollectionName, set: boolean): ResourceProvider {
    return this.resources.get(key(kind, set))!;
  }
}

const key = (kind: CollectionName, set: boolean) => `${kind}${set ? "-set" : ""}`;

function entryResource(p: EntryProvider, label: string): ResourceProvider {
  return {
    label,
    check: (olds, news) => p.check(olds, news),
    diff: (id, olds, news) => p.diff(id, olds as never, news as never),
    create: (inputs) => p.create(inputs as never),
    read: (id, props) => p.read(id, props),
    update: (id, olds, news) => p.update(id, olds as never, news as never),
    delete: (id, props) => p.delete(id, props),
  };
}

function setResource(sets: IpSets, kind: CollectionName): ResourceProvider {
  const label = SET_LABEL[kind];
  return {
    label,
    check: (olds, news) => sets.check(kind, olds, news),
    diff: (id, olds, news) => sets.diff(kind, id, olds, news as never),
    create: (inputs) => sets.create(kind, inputs as never),
    read: async (id, props = {}) => {
      // An import has no stored state: a set is many entries, not one object Cloudlock could read back.
      // (The dynamic provider host adds its own `__provider` to an import's properties: not state.)
      if (Object.keys(props).every((k) => k === "__provider"))
        throw problem("unsupported", {
          what: `${label} cannot be imported: a set is not one Cloudlock object.`,
          fix:
            "Declare it with the entries you want, and `pulumi up` adopts the existing ones at those addresses " +
            `(or import its entries one by one as ${LABEL[kind]}).`,
        });
      return sets.read(kind, id, props);
    },
    update: (id, olds, news) => sets.update(kind, id, olds, news as never),
    delete: (id, props = {}) => sets.delete(kind, id, props),
  };
}
