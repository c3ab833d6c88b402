/**
 * What a module plugs into the app: message handlers, gRPC-over-ABCI query handlers, genesis,
 * block hooks and invariants. `app.ts` wires modules together; modules never see each other's
 * stores, only the narrow keeper interfaces they declare in `expectedKeepers.ts`.
 */
import type { Any } from 'cosmjs-types/google/protobuf/any';
import type { ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import { encodeProto, type ProtoEncoder } from '../../codec/protoWriter.js';
import type { Context } from './context.js';
import { invalidArgument } from './errors.js';

/** A protobuf codec as cosmjs-types and ts-proto generate them. */
export interface ProtoCodec<T> {
  decode(input: Uint8Array): T;
  encode(message: T, writer?: never): { finish(): Uint8Array };
  fromPartial(object: never): T;
}

export interface MsgHandler<T = unknown> {
  typeUrl: string;
  decode(bytes: Uint8Array): T;
  /** The addresses that must sign, as the proto's `cosmos.msg.v1.signer` option names them. */
  signers(msg: T): Uint8Array[];
  /** Stateless checks, run in CheckTx before any state is touched. */
  validateBasic(msg: T): void;
  /** Executes the message; returns its response packed as Any. */
  handle(ctx: Context, msg: T): Any;
}

export type QueryHandler = (ctx: Context, request: Uint8Array) => Uint8Array;

export interface Invariant {
  name: string;
  /** Returns a description of what is broken, or undefined when the invariant holds. */
  check(ctx: Context): string | undefined;
}

export interface BlockEndResult {
  validatorUpdates: ValidatorUpdate[];
}

export interface AppModule {
  name: string;
  msgHandlers?: MsgHandler<any>[];
  /** Full gRPC method path ("/cosmos.bank.v1beta1.Query/Balance") to handler. */
  queryHandlers?: Record<string, QueryHandler>;
  defaultGenesis(): unknown;
  /** Throws an Error naming the offending field when the genesis JSON is not acceptable. */
  validateGenesis(genesis: unknown): void;
  initGenesis(ctx: Context, genesis: unknown): ValidatorUpdate[] | undefined;
  exportGenesis(ctx: Context): unknown;
  beginBlock?(ctx: Context): void;
  endBlock?(ctx: Context): ValidatorUpdate[] | undefined;
  invariants?: Invariant[];
}

/** A query handler from a request decoder, a response encoder and the method's logic. */
export function queryMethod<Req, Res>(
  request: { decode(input: Uint8Array): Req },
  response: ProtoEncoder<Res>,
  fn: (ctx: Context, req: Req) => Res,
): QueryHandler {
  return (ctx, bytes) => {
    let req: Req;
    try {
      req = request.decode(bytes);
    } catch {
      throw invalidArgument('malformed request');
    }
    return encodeProto(response, fn(ctx, req));
  };
}
