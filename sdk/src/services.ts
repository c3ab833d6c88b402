/**
 * Service descriptors of Hearth's modules, for routing. A method's path is
 * `/<package>.<Service>/<Method>`: the type-URL-like name the Cosmos SDK uses for gRPC-over-ABCI
 * queries (`/hearth.market.v1.Query/Params`) and for Msg service handlers.
 */
import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import * as escrowV1 from './generated/index.hearth.escrow.v1.js';
import * as marketV1 from './generated/index.hearth.market.v1.js';
import * as providerV1 from './generated/index.hearth.provider.v1.js';

/** A codec as ts-proto generates it (with `outputTypeAnnotations=static-only`). */
export interface HearthCodec<T = unknown> {
  readonly $type: string;
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  fromPartial(object: never): T;
}

/** The shape of ts-proto's `generic-definitions` service descriptors. */
export interface ServiceDefinition {
  readonly name: string;
  readonly fullName: string;
  readonly methods: Readonly<
    Record<
      string,
      {
        readonly name: string;
        readonly requestType: HearthCodec;
        readonly responseType: HearthCodec;
        readonly requestStream: boolean;
        readonly responseStream: boolean;
      }
    >
  >;
}

/** Every Hearth `Msg` service (transactions), in module order provider, market, escrow. */
export const hearthMsgServices = [
  providerV1.MsgDefinition,
  marketV1.MsgDefinition,
  escrowV1.MsgDefinition,
] as const satisfies readonly ServiceDefinition[];

/** Every Hearth `Query` service (gRPC-over-ABCI queries). */
export const hearthQueryServices = [
  providerV1.QueryDefinition,
  marketV1.QueryDefinition,
  escrowV1.QueryDefinition,
] as const satisfies readonly ServiceDefinition[];

export interface ServiceMethod {
  /** `/hearth.market.v1.Query/Params` */
  readonly path: string;
  readonly service: string;
  readonly method: string;
  readonly requestType: HearthCodec;
  readonly responseType: HearthCodec;
}

/** A method's path: `/hearth.market.v1.Query/Leases`. */
export function methodPath(definition: { readonly fullName: string }, methodName: string): string {
  return `/${definition.fullName}/${methodName}`;
}

/** The methods of a service with their full paths, sorted by path. */
export function serviceMethods(definition: ServiceDefinition): ServiceMethod[] {
  return Object.values(definition.methods)
    .map((m) => ({
      path: methodPath(definition, m.name),
      service: definition.fullName,
      method: m.name,
      requestType: m.requestType,
      responseType: m.responseType,
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The type URL of a generated message codec: `/` + its fully qualified name. */
export function typeUrlOf(codec: { readonly $type: string }): string {
  return `/${codec.$type}`;
}
