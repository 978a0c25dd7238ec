/**
 * The benchmark's baseline: a dynamic provider written the straightforward way, as a first version usually is.
 * Every read and every create's duplicate check lists the whole library, every delete is its own request, and
 * nothing is shared between calls. It uses the project's client (pacing, retries), so the comparison measures
 * what the provider does with the API, not HTTP plumbing. Used only by `scripts/bench.ts`; never shipped.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CloudlockClient } from "../../provider/client/client";
import { RateLimiter } from "../../provider/client/limiter";
import type { IpEntry } from "../../provider/client/types";

type Inputs = { name: string; ipAddress: string; description?: string; categories?: string[] };

/**
 * This module, compiled: the serialised provider loads it by path at call time, so it captures no client. Under
 * ts-jest this file runs from source, which the provider process cannot load: it then names the build's copy.
 */
const HERE = __filename.endsWith(".ts")
  ? path.join(__dirname, "..", "..", "dist", "scripts", "lib", "naive-provider.js")
  : __filename;

/** The provider object the bench hands to `new dynamic.Resource` (settings come from CLOUDLOCK_* env vars). */
export const naiveTrusted: pulumi.dynamic.ResourceProvider = {
  create: (inputs) => require(HERE).impl.create(inputs),
  read: (id, props) => require(HERE).impl.read(id, props),
  diff: (id, olds, news) => require(HERE).impl.diff(id, olds, news),
  update: (id, olds, news) => require(HERE).impl.update(id, olds, news),
  delete: (id) => require(HERE).impl.delete(id),
};

let client: CloudlockClient | undefined;
function trusted() {
  client ??= new CloudlockClient({
    limiter: new RateLimiter({ perSecond: Number(process.env.CLOUDLOCK_MAX_REQUESTS_PER_SECOND ?? 50) }),
  });
  return client.collection("trusted");
}

const outs = (e: IpEntry) => ({
  name: e.name,
  ipAddress: e.ip_address,
  description: e.description ?? undefined,
  categories: e.categories ?? undefined,
  location: e.location,
  type: e.type,
  createdOn: e.created_on,
  updatedOn: e.updated_on,
});

/**
 * The whole library, every time (what a first version does: there is no GET by id): one walk, page by page until
 * a short page. Unlike the client's `list`, it proves nothing, so it never fails when the bench's own creates
 * change the library under it.
 */
async function listAll(): Promise<IpEntry[]> {
  const all: IpEntry[] = [];
  for (let offset = 0; ;) {
    const page = await trusted().page({ offset });
    all.push(...page.items);
    offset += page.items.length;
    if (page.items.length < page.limit || page.items.length === 0) return all;
  }
}

async function find(pk: string): Promise<IpEntry | undefined> {
  return (await listAll()).find((e) => e.pk === pk);
}

export const impl = {
  async create(inputs: Inputs) {
    if ((await listAll()).some((e) => e.ip_address === inputs.ipAddress)) {
      throw new Error(`${inputs.ipAddress} is already in the library`);
    }
    const e = await trusted().create({
      name: inputs.name,
      ip_address: inputs.ipAddress,
      description: inputs.description,
      categories: inputs.categories,
    });
    return { id: e.pk, outs: outs(e) };
  },
  async read(id: string) {
    const e = await find(id);
    return e ? { id, props: outs(e) } : { id: "" };
  },
  async diff(_id: string, olds: Inputs, news: Inputs) {
    const fields = ["name", "ipAddress", "description", "categories"] as const;
    const changed = fields.filter((f) => JSON.stringify(olds[f]) !== JSON.stringify(news[f]));
    return { changes: changed.length > 0 };
  },
  async update(id: string, _olds: Inputs, news: Inputs) {
    await trusted().update(id, {
      name: news.name,
      ip_address: news.ipAddress,
      description: news.description,
      categories: news.categories,
    });
    const e = await find(id);
    return { outs: e ? outs(e) : news };
  },
  async delete(id: string) {
    await trusted().delete([id]);
  },
};

/** One trusted entry through the naive provider (the engine shows the same type as the SDK's TrustedIp). */
export class NaiveTrustedIp extends pulumi.dynamic.Resource {
  constructor(name: string, args: Inputs) {
    super(naiveTrusted, name, args, undefined, "cloudlock", "TrustedIp");
  }
}
