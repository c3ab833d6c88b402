/** The consensus write-ahead log: CRC-framed records, end-height markers, rotation and tail repair. */
export { crc32c } from './crc32c.js';
export {
  DEFAULT_MAX_RECORD_BYTES,
  decodeFrames,
  decodeRecordData,
  encodeRecordData,
  FRAME_HEADER_BYTES,
  frameRecord,
  type TimedWalRecord,
  WalCorruptionError,
  type WalRecord,
} from './record.js';
export { ConsensusWal, type WalOptions, type WalRepair } from './wal.js';
