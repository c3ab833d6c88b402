/**
 * `hearth tx msg` and `hearth query hearth`: any Hearth Msg (and any Cosmos Msg CosmJS knows), and
 * any Hearth query, from JSON, without a command per message. Messages and requests are written
 * in the proto3 JSON mapping the generated codecs read (camelCase field names, 64-bit integers as
 * strings, enums by name), which is also what the queries print.
 *
 * Names: a message is its type URL (`/hearth.market.v1.MsgCreateDeployment`) or
 * `<module>.<Msg>` for Hearth's modules (`market.MsgCreateDeployment`); a query is its gRPC path
 * (`/hearth.market.v1.Query/Deployments`) or `<module>.<Method>` (`market.Deployments`).
 */
import { readFileSync } from 'node:fs';
import type { GeneratedType } from '@cosmjs/proto-signing';
import { defaultRegistryTypes } from '@cosmjs/stargate';
import {
  createHearthRegistry,
  hearthCosmosExtraTypes,
  hearthQueryServices,
  hearthTypes,
  type ServiceMethod,
  serviceMethods,
} from '@hearth/sdk';
import { InputError } from '../passphrase.js';

/** What the generated codecs (ts-proto and cosmjs-types alike) offer besides encode/decode. */
interface JsonCodec {
  fromJSON(object: unknown): unknown;
  toJSON(message: unknown): unknown;
  fromPartial(object: object): object;
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}

const HEARTH_MODULES = ['provider', 'market', 'escrow'] as const;

function asJsonCodec(t: GeneratedType | undefined): JsonCodec | undefined {
  const c = t as Partial<JsonCodec> | undefined;
  return c && typeof c.fromJSON === 'function' && typeof c.toJSON === 'function'
    ? (c as JsonCodec)
    : undefined;
}

/** `market.MsgCreateDeployment` → `/hearth.market.v1.MsgCreateDeployment`; a type URL is kept. */
function msgTypeUrl(name: string): string {
  if (name.startsWith('/')) return name;
  const m = /^([a-z]+)\.(Msg[A-Za-z0-9]+)$/.exec(name);
  if (!m || !(HEARTH_MODULES as readonly string[]).includes(m[1]!)) {
    throw new InputError(
      `unknown message ${JSON.stringify(name)}: give a type URL (/cosmos.bank.v1beta1.MsgSend) or <module>.<Msg> with module ${HEARTH_MODULES.join(', ')} (hearth tx msg --list)`,
    );
  }
  return `/hearth.${m[1]}.v1.${m[2]}`;
}

/** The Cosmos SDK modules Hearth runs: CosmJS also knows messages of others (gov, authz, ...). */
const CHAIN_COSMOS_MODULES = /^\/cosmos\.(bank|staking|distribution|slashing)\.v1beta1\.Msg/;

/** Every message type `hearth tx msg` can sign and a Hearth chain executes, sorted. */
export function messageTypes(): string[] {
  const cosmos = [...defaultRegistryTypes, ...hearthCosmosExtraTypes].filter(([url]) =>
    CHAIN_COSMOS_MODULES.test(url),
  );
  const all = [...cosmos, ...hearthTypes];
  return [...new Set(all.filter(([, t]) => asJsonCodec(t)).map(([url]) => url))].sort();
}

/** Reads a JSON argument: inline text, or `@path` for a file. */
export function readJsonArg(text: string, what: string): unknown {
  let raw = text;
  if (text.startsWith('@')) {
    try {
      raw = readFileSync(text.slice(1), 'utf8');
    } catch (e) {
      throw new InputError(`cannot read ${what} from ${text.slice(1)}: ${(e as Error).message}`);
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new InputError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new InputError(`${what} must be a JSON object`);
  return v;
}

/**
 * A message from its proto3 JSON. The codecs ignore fields they do not know, which would turn a
 * typo into a silently empty field, so top-level names are checked against the message's fields.
 */
export function fromJson(codec: JsonCodec, json: unknown, what: string): unknown {
  const fields = Object.keys(codec.fromPartial({}));
  const unknown = Object.keys(json as object).filter((k) => !fields.includes(k));
  if (unknown.length > 0) {
    throw new InputError(
      `${what}: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; its fields are ${fields.join(', ') || '(none)'} (proto3 JSON: camelCase)`,
    );
  }
  try {
    return codec.fromJSON(json);
  } catch (e) {
    throw new InputError(`${what}: ${(e as Error).message}`);
  }
}

/** `{ typeUrl, value }` for SigningStargateClient, from a message name and its JSON. */
export function encodeObjectFromJson(name: string, json: unknown): { typeUrl: string; value: unknown } {
  const typeUrl = msgTypeUrl(name);
  const codec = asJsonCodec(createHearthRegistry().lookupType(typeUrl));
  if (!codec) throw new InputError(`unknown message type ${typeUrl} (hearth tx msg --list)`);
  return { typeUrl, value: fromJson(codec, json, typeUrl) };
}

/** Every Hearth query method, by path. */
export function queryMethods(): ServiceMethod[] {
  return hearthQueryServices.flatMap((s) => serviceMethods(s));
}

/** `market.Deployments` or `/hearth.market.v1.Query/Deployments` → the method. */
export function findQuery(name: string): ServiceMethod {
  const short = /^([a-z]+)\.([A-Za-z0-9]+)$/.exec(name);
  const path = short ? `/hearth.${short[1]}.v1.Query/${short[2]}` : name;
  const method = queryMethods().find((q) => q.path === path);
  if (!method) {
    throw new InputError(
      `unknown query ${JSON.stringify(name)}: use <module>.<Method> such as market.Deployments (hearth query hearth --list)`,
    );
  }
  return method;
}

/** Encodes a query request from JSON and decodes a response to JSON, with the method's codecs. */
export function queryCodecs(method: ServiceMethod): { request: JsonCodec; response: JsonCodec } {
  const request = asJsonCodec(method.requestType as unknown as GeneratedType);
  const response = asJsonCodec(method.responseType as unknown as GeneratedType);
  if (!request || !response) throw new Error(`${method.path}: generated codecs lack JSON methods`);
  return { request, response };
}
