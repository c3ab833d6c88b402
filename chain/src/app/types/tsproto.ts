/**
 * Glue for Hearth's own ts-proto codecs (`@hearth/sdk`), which write with @bufbuild/protobuf's
 * 64-bit-safe writer: `encode(msg).finish()` is always correct for them, so they must not be
 * handed the cosmjs-types based `SafeBinaryWriter` (a different writer class).
 */
import type { Any } from 'cosmjs-types/google/protobuf/any';
import type { Context } from './context.js';
import { invalidArgument } from './errors.js';
import type { QueryHandler } from './module.js';

export interface TsProtoCodec<T> {
  readonly $type: string;
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: never): T;
}

/** A query handler over ts-proto request/response codecs. */
export function tsQueryMethod<Req, Res>(
  request: { decode(input: Uint8Array): Req },
  response: { encode(message: Res): { finish(): Uint8Array } },
  fn: (ctx: Context, req: Req) => Res,
): QueryHandler {
  return (ctx, bytes) => {
    let req: Req;
    try {
      req = request.decode(bytes);
    } catch {
      throw invalidArgument('malformed request');
    }
    return response.encode(fn(ctx, req)).finish();
  };
}

/** A Msg response packed as Any. */
export function anyOf<T>(codec: TsProtoCodec<T>, value: T): Any {
  return { typeUrl: `/${codec.$type}`, value: codec.encode(value).finish() };
}

/** Recursively turns camelCase object keys into snake_case (genesis JSON, as the SDK writes it). */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = snakeKeys(x);
    return out;
  }
  return v;
}
