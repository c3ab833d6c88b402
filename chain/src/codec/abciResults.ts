/**
 * One-pass encoders for the ABCI results a node stores for every tx: `ExecTxResult` (with its
 * events), `TxResult` (the tx indexer's record) and `ResponseFinalizeBlock` (the state store's
 * record of a block). They write the same bytes as the generic encoders (`encodeProto` with
 * the cosmjs-types codecs, fields in number order, proto3 defaults omitted) without their
 * per-field operation objects, and full-range 64-bit integers.
 *
 * A tx's `ExecTxResult` is encoded once per node and the bytes are shared by the block's
 * stored response and the tx index: results are treated as immutable once FinalizeBlock has
 * returned them, as everything downstream of FinalizeBlock does.
 */
import {
  type Event,
  type EventAttribute,
  type ExecTxResult,
  type ResponseFinalizeBlock,
  ValidatorUpdate,
} from 'cosmjs-types/tendermint/abci/types';
import { ConsensusParams } from 'cosmjs-types/tendermint/types/params';
import {
  bytesFieldSize,
  ExactWriter,
  lengthDelimitedSize,
  uint64FieldSize,
  utf8Length,
  varintSize,
} from './exactWriter.js';
import { encodeProto } from './protoWriter.js';

const UTF8 = new TextEncoder();
const TWO_63 = 1n << 63n;
const MASK_64 = (1n << 64n) - 1n;

/** An int64 as its wire varint (two's complement in 64 bits), checked to be in range. */
function int64Wire(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint') throw new TypeError(`${what}: expected a bigint, got ${typeof v}`);
  if (v < -TWO_63 || v >= TWO_63) throw new RangeError(`${what}: ${v} is outside the signed 64-bit range`);
  return v & MASK_64;
}

function uint32Check(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what}: ${n} is not a uint32`);
  return n;
}

/**
 * Sizes computed in a first pass, consumed in the same order by the writing pass: every
 * string's UTF-8 length and every nested message's length.
 */
class Sizes {
  readonly list: number[] = [];
  private next = 0;
  push(n: number): number {
    this.list.push(n);
    return n;
  }
  take(): number {
    return this.list[this.next++] as number;
  }
}

function writeString(w: ExactWriter, tag: number, s: string, len: number): void {
  if (len === 0) return;
  w.byte(tag);
  w.varint(len);
  if (len === s.length) w.ascii(s);
  else {
    UTF8.encodeInto(s, w.buf.subarray(w.pos, w.pos + len));
    w.pos += len;
  }
}

function sizeAttribute(a: EventAttribute, z: Sizes): number {
  const k = z.push(utf8Length(a.key));
  const v = z.push(utf8Length(a.value));
  return bytesFieldSize(k) + bytesFieldSize(v) + (a.index ? 2 : 0);
}

function sizeEvent(e: Event, z: Sizes): number {
  const slot = z.list.length;
  z.push(0);
  let size = bytesFieldSize(z.push(utf8Length(e.type)));
  for (const a of e.attributes) {
    const at = z.list.length;
    z.push(0);
    const n = sizeAttribute(a, z);
    z.list[at] = n;
    size += lengthDelimitedSize(n);
  }
  z.list[slot] = size;
  return size;
}

function writeEvent(w: ExactWriter, tag: number, e: Event, z: Sizes): void {
  w.byte(tag);
  w.varint(z.take());
  writeString(w, 0x0a, e.type, z.take());
  for (const a of e.attributes) {
    w.byte(0x12);
    w.varint(z.take());
    writeString(w, 0x0a, a.key, z.take());
    writeString(w, 0x12, a.value, z.take());
    if (a.index) {
      w.byte(0x18);
      w.byte(1);
    }
  }
}

/** Size of a `repeated Event` field (1-byte tag). */
function sizeEvents(events: readonly Event[], z: Sizes): number {
  let size = 0;
  for (const e of events) size += lengthDelimitedSize(sizeEvent(e, z));
  return size;
}

function writeEvents(w: ExactWriter, tag: number, events: readonly Event[], z: Sizes): void {
  for (const e of events) writeEvent(w, tag, e, z);
}

/** An encoded message field: written even when empty (a set message field is present). */
function writeMessage(w: ExactWriter, tag: number, encoded: Uint8Array): void {
  w.byte(tag);
  w.varint(encoded.length);
  w.bytes(encoded);
}

const memo = new WeakMap<ExecTxResult, Uint8Array>();

/** `ExecTxResult` bytes, encoded once per result object. */
export function encodeExecTxResult(r: ExecTxResult): Uint8Array {
  const known = memo.get(r);
  if (known !== undefined) return known;
  const z = new Sizes();
  const code = uint32Check(r.code, 'ExecTxResult.code');
  const wanted = int64Wire(r.gasWanted, 'ExecTxResult.gas_wanted');
  const used = int64Wire(r.gasUsed, 'ExecTxResult.gas_used');
  const log = utf8Length(r.log);
  const info = utf8Length(r.info);
  const codespace = utf8Length(r.codespace);
  const size =
    (code !== 0 ? 1 + varintSize(code) : 0) +
    bytesFieldSize(r.data.length) +
    bytesFieldSize(log) +
    bytesFieldSize(info) +
    uint64FieldSize(wanted) +
    uint64FieldSize(used) +
    sizeEvents(r.events, z) +
    bytesFieldSize(codespace);
  const w = new ExactWriter(size);
  if (code !== 0) {
    w.byte(0x08);
    w.varint(code);
  }
  w.bytesField(0x12, r.data);
  writeString(w, 0x1a, r.log, log);
  writeString(w, 0x22, r.info, info);
  w.uint64Field(0x28, wanted);
  w.uint64Field(0x30, used);
  writeEvents(w, 0x3a, r.events, z);
  writeString(w, 0x42, r.codespace, codespace);
  const out = w.finish();
  memo.set(r, out);
  return out;
}

/** The tx indexer's record of one executed tx (`abci.TxResult`). */
export function encodeTxResult(
  height: bigint,
  index: number,
  tx: Uint8Array,
  result: ExecTxResult,
): Uint8Array {
  const h = int64Wire(height, 'TxResult.height');
  const i = uint32Check(index, 'TxResult.index');
  const res = encodeExecTxResult(result);
  const w = new ExactWriter(
    uint64FieldSize(h) +
      (i !== 0 ? 1 + varintSize(i) : 0) +
      bytesFieldSize(tx.length) +
      lengthDelimitedSize(res.length),
  );
  w.uint64Field(0x08, h);
  if (i !== 0) {
    w.byte(0x10);
    w.varint(i);
  }
  w.bytesField(0x1a, tx);
  writeMessage(w, 0x22, res);
  return w.finish();
}

/** `ResponseFinalizeBlock` bytes, reusing each tx result's encoding. */
export function encodeFinalizeBlockResponse(resp: ResponseFinalizeBlock): Uint8Array {
  const z = new Sizes();
  const events = sizeEvents(resp.events, z);
  const results = resp.txResults.map(encodeExecTxResult);
  const updates = resp.validatorUpdates.map((u) => encodeProto(ValidatorUpdate, u));
  const params =
    resp.consensusParamUpdates !== undefined
      ? encodeProto(ConsensusParams, resp.consensusParamUpdates)
      : undefined;
  let size = events + bytesFieldSize(resp.appHash.length);
  for (const r of results) size += lengthDelimitedSize(r.length);
  for (const u of updates) size += lengthDelimitedSize(u.length);
  if (params !== undefined) size += lengthDelimitedSize(params.length);
  const w = new ExactWriter(size);
  writeEvents(w, 0x0a, resp.events, z);
  for (const r of results) writeMessage(w, 0x12, r);
  for (const u of updates) writeMessage(w, 0x1a, u);
  if (params !== undefined) writeMessage(w, 0x22, params);
  w.bytesField(0x2a, resp.appHash);
  return w.finish();
}
