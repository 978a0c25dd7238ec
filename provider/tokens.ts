/**
 * The Pulumi-facing names of the resources and functions over the two IP libraries: the module and package, each
 * resource's label and its type tokens on both routes (the dynamic SDK's and the plugin's), and the lookups'
 * tokens. Kept apart from the field model (model.ts) so that the API client, which derives its types from the
 * model, loads no Pulumi names.
 */
import { COLLECTIONS, type CollectionName } from "./model";

/** The module the four resources are registered under (`new dynamic.Resource(..., MODULE, name)`). */
export const MODULE = "cloudlock";

/** The resource type of each collection's entries. */
export const LABEL = { suspicious: "SuspiciousIp", trusted: "TrustedIp" } as const satisfies Record<
  CollectionName,
  string
>;

/** The resource type of each collection's set (one resource, many entries). */
export const SET_LABEL = {
  suspicious: `${LABEL.suspicious}Set`,
  trusted: `${LABEL.trusted}Set`,
} as const satisfies Record<CollectionName, string>;

type ResourceName = (typeof LABEL)[CollectionName] | (typeof SET_LABEL)[CollectionName];
const token = <N extends ResourceName>(n: N) => `pulumi-nodejs:dynamic/${MODULE}:${n}` as const;

/** The engine's type token of each resource (a `dynamic.Resource` of module MODULE). */
export const TYPE_TOKENS = {
  TrustedIp: token(LABEL.trusted),
  SuspiciousIp: token(LABEL.suspicious),
  TrustedIpSet: token(SET_LABEL.trusted),
  SuspiciousIpSet: token(SET_LABEL.suspicious),
} as const;

/** The native plugin's package (`pulumi-resource-cloudlock`): the same name as the dynamic resources' module. */
export const PACKAGE = MODULE;

const pluginToken = <N extends string>(n: N) => `${PACKAGE}:index:${n}` as const;

/** The plugin's type token of each resource (`cloudlock:index:TrustedIp`, ...). */
export const PLUGIN_TOKENS = {
  TrustedIp: pluginToken(LABEL.trusted),
  SuspiciousIp: pluginToken(LABEL.suspicious),
  TrustedIpSet: pluginToken(SET_LABEL.trusted),
  SuspiciousIpSet: pluginToken(SET_LABEL.suspicious),
} as const;

/** What a type token of ours names: its library, whether it is a set, its label, and the route that declares it. */
export interface ResourceType {
  kind: CollectionName;
  set: boolean;
  /** `TrustedIp`, `SuspiciousIpSet`, ... */
  label: ResourceName;
  /** The dynamic SDK's resources, or the plugin's. */
  route: "sdk" | "plugin";
}

/** Every type token of ours, on both routes (the dynamic SDK's and the plugin's), and what it names. */
export const RESOURCE_TYPES: ReadonlyMap<string, ResourceType> = new Map(
  COLLECTIONS.flatMap((kind) =>
    [LABEL[kind], SET_LABEL[kind]].flatMap((label) => {
      const set = label === SET_LABEL[kind];
      return [
        [TYPE_TOKENS[label], { kind, set, label, route: "sdk" }],
        [PLUGIN_TOKENS[label], { kind, set, label, route: "plugin" }],
      ] as [string, ResourceType][];
    }),
  ),
);

/** The type token a URN names (`urn:pulumi:<stack>::<project>::<parent$>…<type>::<name>`): its last type. */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** The plugin's lookup function of each library (`cloudlock:index:getTrustedIps`, ...). */
export const FUNCTION_TOKENS = {
  trusted: pluginToken(`get${LABEL.trusted}s`),
  suspicious: pluginToken(`get${LABEL.suspicious}s`),
} as const satisfies Record<CollectionName, string>;

/** The plugin's feed function (`cloudlock:index:getFeed`): reads and parses a feed for a set's `feed`. */
export const FEED_FUNCTION_TOKEN = pluginToken("getFeed");
