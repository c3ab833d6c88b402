/**
 * CosmJS registry support for Hearth's messages: `hearthTypes` lists `[typeUrl, codec]` for the
 * request message of every method of every Hearth `Msg` service, so Msgs added to a .proto are
 * registered as soon as the code is regenerated.
 */
import { type GeneratedType, Registry } from '@cosmjs/proto-signing';
import { defaultRegistryTypes } from '@cosmjs/stargate';
import { MsgUnjail } from 'cosmjs-types/cosmos/slashing/v1beta1/tx';
import { hearthMsgServices, serviceMethods, typeUrlOf } from './services.js';

function collectMsgTypes(): ReadonlyArray<[string, GeneratedType]> {
  const out: [string, GeneratedType][] = [];
  const seen = new Set<string>();
  for (const service of hearthMsgServices) {
    for (const method of serviceMethods(service)) {
      const typeUrl = typeUrlOf(method.requestType);
      if (seen.has(typeUrl)) continue;
      seen.add(typeUrl);
      // A ts-proto 2 codec is CosmJS' TsProto2GeneratedType, but CosmJS (CommonJS) types it
      // against @bufbuild/protobuf's CJS declarations and we compile against its ESM ones, whose
      // BinaryWriter classes TypeScript treats as distinct. The Registry never passes a writer or
      // reader in (encode(msg).finish(), decode(bytes)), so the runtime shapes agree; the tests
      // round-trip every Hearth Msg through it.
      out.push([typeUrl, method.requestType as unknown as GeneratedType]);
    }
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `[typeUrl, codec]` for every Hearth Msg, sorted by type URL. */
export const hearthTypes: ReadonlyArray<[string, GeneratedType]> = Object.freeze(collectMsgTypes());

/**
 * Cosmos SDK Msgs Hearth executes that CosmJS' default registry lacks: a validator's MsgUnjail.
 * (cosmjs-types encodes it: it has no 64-bit fields.)
 */
export const hearthCosmosExtraTypes: ReadonlyArray<[string, GeneratedType]> = Object.freeze([
  ['/cosmos.slashing.v1beta1.MsgUnjail', MsgUnjail],
]);

/**
 * A CosmJS `Registry` with the default Cosmos types (bank, staking, ...), slashing's MsgUnjail,
 * and Hearth's Msgs.
 */
export function createHearthRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...hearthCosmosExtraTypes, ...hearthTypes]);
}
