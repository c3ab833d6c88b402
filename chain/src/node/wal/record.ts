/**
 * WAL records and their framing.
 *
 * Framing is CometBFT's (consensus/wal.go WALEncoder): a 4-byte big-endian CRC-32C of the
 * data, a 4-byte big-endian data length, then the data. The data is Hearth's own protobuf
 * `WalRecord` (CometBFT's TimedWALMessage carries Go consensus types we do not mirror):
 *
 *   WalRecord { time = 1 (Timestamp); oneof { end_height = 2 EndHeight{height = 1 int64};
 *               message = 3 Message{payload = 1 bytes, peer_id = 2 string};
 *               timeout = 4 Timeout{duration_ns = 1 int64, height = 2 int64, round = 3 int32,
 *                                   step = 4 uint32} } }
 *
 * A message's payload is opaque bytes from the consensus core; an empty peer_id means the node
 * itself produced it (what it sent or signed).
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { decodeTimestamp, encodeTimestamp, ProtoReader, type Timestamp } from '../types/index.js';
import { crc32c } from './crc32c.js';

export type WalRecord =
  | { kind: 'endHeight'; height: bigint }
  | { kind: 'message'; payload: Uint8Array; peerId: string }
  | { kind: 'timeout'; durationNs: bigint; height: bigint; round: number; step: number };

export interface TimedWalRecord {
  time: Timestamp;
  record: WalRecord;
}

/** Largest data part of one record (CometBFT: max consensus message 1 MiB + 24). */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576 + 24;
export const FRAME_HEADER_BYTES = 8;

export class WalCorruptionError extends Error {
  override readonly name = 'WalCorruptionError';
}

function writeI64(w: BinaryWriter, field: number, v: bigint): void {
  if (v !== 0n) w.tag(field, 0).int64(v);
}

export function encodeRecordData(t: TimedWalRecord): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, 2).bytes(encodeTimestamp(t.time));
  const r = t.record;
  w.tag(r.kind === 'endHeight' ? 2 : r.kind === 'message' ? 3 : 4, 2).fork();
  if (r.kind === 'endHeight') writeI64(w, 1, r.height);
  else if (r.kind === 'message') {
    if (r.payload.length > 0) w.tag(1, 2).bytes(r.payload);
    if (r.peerId.length > 0) w.tag(2, 2).string(r.peerId);
  } else {
    writeI64(w, 1, r.durationNs);
    writeI64(w, 2, r.height);
    if (r.round !== 0) w.tag(3, 0).int32(r.round);
    if (r.step !== 0) w.tag(4, 0).uint32(r.step);
  }
  w.join();
  return w.finish();
}

export function decodeRecordData(data: Uint8Array): TimedWalRecord {
  const r = new ProtoReader(data, 'WalRecord');
  let time: Timestamp | undefined;
  let record: WalRecord | undefined;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) time = decodeTimestamp(r.bytes());
    else if (f === 2) {
      const s = new ProtoReader(r.bytes(), 'WalRecord.end_height');
      let height = 0n;
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) height = s.int64();
        else s.skip();
      }
      record = { kind: 'endHeight', height };
    } else if (f === 3) {
      const s = new ProtoReader(r.bytes(), 'WalRecord.message');
      let payload: Uint8Array = new Uint8Array(0);
      let peerId = '';
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) payload = s.bytesCopy();
        else if (g === 2) peerId = s.string();
        else s.skip();
      }
      record = { kind: 'message', payload, peerId };
    } else if (f === 4) {
      const s = new ProtoReader(r.bytes(), 'WalRecord.timeout');
      const t = { kind: 'timeout' as const, durationNs: 0n, height: 0n, round: 0, step: 0 };
      for (let g = s.next(); g !== 0; g = s.next()) {
        if (g === 1) t.durationNs = s.int64();
        else if (g === 2) t.height = s.int64();
        else if (g === 3) t.round = s.int32();
        else if (g === 4) t.step = s.uint32();
        else s.skip();
      }
      record = t;
    } else r.skip();
  }
  if (time === undefined || record === undefined)
    throw new WalCorruptionError('WalRecord: missing time or body');
  return { time, record };
}

/** One framed record: crc32c(data) BE, len(data) BE, data. */
export function frameRecord(t: TimedWalRecord, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): Uint8Array {
  const data = encodeRecordData(t);
  if (data.length > maxRecordBytes) {
    throw new RangeError(`WAL record too big: ${data.length} bytes, max ${maxRecordBytes}`);
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, crc32c(data));
  view.setUint32(4, data.length);
  out.set(data, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Decodes the framed records of one segment. Stops at the first torn or corrupt record and
 * reports where the valid prefix ends (`validBytes`) and why it stopped (`problem`).
 */
export function decodeFrames(
  buf: Uint8Array,
  maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
): { records: TimedWalRecord[]; validBytes: number; problem?: string } {
  const records: TimedWalRecord[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < FRAME_HEADER_BYTES) {
      return { records, validBytes: pos, problem: `torn frame header at byte ${pos}` };
    }
    const crc = view.getUint32(pos);
    const len = view.getUint32(pos + 4);
    if (len > maxRecordBytes) {
      return {
        records,
        validBytes: pos,
        problem: `record length ${len} exceeds ${maxRecordBytes} at byte ${pos}`,
      };
    }
    if (buf.length - pos - FRAME_HEADER_BYTES < len) {
      return { records, validBytes: pos, problem: `torn record at byte ${pos}` };
    }
    const data = buf.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + len);
    if (crc32c(data) !== crc)
      return { records, validBytes: pos, problem: `checksum mismatch at byte ${pos}` };
    try {
      records.push(decodeRecordData(data));
    } catch (e) {
      return {
        records,
        validBytes: pos,
        problem: `undecodable record at byte ${pos}: ${(e as Error).message}`,
      };
    }
    pos += FRAME_HEADER_BYTES + len;
  }
  return { records, validBytes: pos };
}
