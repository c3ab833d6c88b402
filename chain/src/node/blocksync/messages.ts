/**
 * Block sync wire messages (CometBFT v0.38 proto/tendermint/blocksync/types.proto):
 *
 *   Message { oneof sum { BlockRequest block_request = 1; NoBlockResponse no_block_response = 2;
 *                         BlockResponse block_response = 3; StatusRequest status_request = 4;
 *                         StatusResponse status_response = 5; } }
 *   BlockRequest { int64 height = 1; }       NoBlockResponse { int64 height = 1; }
 *   BlockResponse { Block block = 1; ExtendedCommit ext_commit = 2; }
 *   StatusRequest {}                         StatusResponse { int64 height = 1; int64 base = 2; }
 *
 * The decoder is strict: exactly one known member, heights in range, a BlockResponse with a
 * block. Anything else throws a DecodeError (the switch then disconnects the peer).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  type Block,
  DecodeError,
  decodeBlockFrom,
  decodeExtendedCommitFrom,
  type ExtendedCommit,
  encodeBlockInto,
  encodeExtendedCommitInto,
  ProtoReader,
} from '../types/index.js';
import { writeInt64 } from '../types/proto.js';

export type BlockSyncMessage =
  | { kind: 'blockRequest'; height: bigint }
  | { kind: 'noBlockResponse'; height: bigint }
  | { kind: 'blockResponse'; block: Block; extCommit?: ExtendedCommit }
  | { kind: 'statusRequest' }
  | { kind: 'statusResponse'; height: bigint; base: bigint };

const FIELD = {
  blockRequest: 1,
  noBlockResponse: 2,
  blockResponse: 3,
  statusRequest: 4,
  statusResponse: 5,
} as const;

export function encodeBlockSyncMessage(m: BlockSyncMessage): Uint8Array {
  const w = new BinaryWriter();
  w.tag(FIELD[m.kind], WireType.LengthDelimited).fork();
  switch (m.kind) {
    case 'blockRequest':
    case 'noBlockResponse':
      writeInt64(w, 1, m.height, `${m.kind}.height`);
      break;
    case 'blockResponse':
      w.tag(1, WireType.LengthDelimited).fork();
      encodeBlockInto(w, m.block);
      w.join();
      if (m.extCommit !== undefined) {
        w.tag(2, WireType.LengthDelimited).fork();
        encodeExtendedCommitInto(w, m.extCommit);
        w.join();
      }
      break;
    case 'statusRequest':
      break;
    case 'statusResponse':
      writeInt64(w, 1, m.height, 'StatusResponse.height');
      writeInt64(w, 2, m.base, 'StatusResponse.base');
      break;
  }
  w.join();
  return w.finish();
}

function fail(message: string): never {
  throw new DecodeError(`blocksync.Message: ${message}`);
}

function readHeights(bytes: Uint8Array, what: string): { height: bigint; base: bigint } {
  const r = new ProtoReader(bytes, what);
  let height = 0n;
  let base = 0n;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) height = r.int64();
    else if (f === 2) base = r.int64();
    else r.skip();
  }
  return { height, base };
}

/** Decodes one block sync message; `maxBytes` bounds the whole message (default: no extra bound). */
export function decodeBlockSyncMessage(bytes: Uint8Array, maxBytes?: number): BlockSyncMessage {
  if (!(bytes instanceof Uint8Array)) fail('expected bytes');
  if (maxBytes !== undefined && bytes.length > maxBytes) {
    fail(`${bytes.length} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const r = new ProtoReader(bytes, 'blocksync.Message');
  let out: BlockSyncMessage | undefined;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f < 1 || f > 5) {
      r.skip();
      continue;
    }
    if (out !== undefined) fail('more than one message in the oneof');
    const inner = r.bytes();
    try {
      switch (f) {
        case 1:
        case 2: {
          const { height } = readHeights(inner, f === 1 ? 'BlockRequest' : 'NoBlockResponse');
          if (height < 0n) fail(`negative height ${height}`);
          out = { kind: f === 1 ? 'blockRequest' : 'noBlockResponse', height };
          break;
        }
        case 3: {
          const br = new ProtoReader(inner, 'BlockResponse');
          let block: Block | undefined;
          let extCommit: ExtendedCommit | undefined;
          for (let g = br.next(); g !== 0; g = br.next()) {
            if (g === 1) block = decodeBlockFrom(new ProtoReader(br.bytes(), 'BlockResponse.block'));
            else if (g === 2)
              extCommit = decodeExtendedCommitFrom(new ProtoReader(br.bytes(), 'BlockResponse.ext_commit'));
            else br.skip();
          }
          if (block === undefined) fail('block response without a block');
          out =
            extCommit === undefined
              ? { kind: 'blockResponse', block }
              : { kind: 'blockResponse', block, extCommit };
          break;
        }
        case 4: {
          const sr = new ProtoReader(inner, 'StatusRequest');
          for (let g = sr.next(); g !== 0; g = sr.next()) sr.skip();
          out = { kind: 'statusRequest' };
          break;
        }
        default: {
          const { height, base } = readHeights(inner, 'StatusResponse');
          if (height < 0n || base < 0n) fail(`negative status height ${height} / base ${base}`);
          if (base > height) fail(`status base ${base} is above height ${height}`);
          out = { kind: 'statusResponse', height, base };
        }
      }
    } catch (e) {
      if (e instanceof DecodeError) throw e;
      fail((e as Error).message);
    }
  }
  if (out === undefined) fail('no known message');
  return out;
}
