/**
 * The consensus write-ahead log (CometBFT consensus/wal.go, with libs/autofile's rotation).
 *
 * Every consensus input and own message is appended before it is acted on, and `#ENDHEIGHT h`
 * is written (synced) once height h is committed, so after a crash the node replays the
 * records following the last end-height marker. The log is a directory of segment files
 * `wal.000000`, `wal.000001`, ...; the newest is the head. When the head passes
 * `maxSegmentBytes` a new segment starts, and the oldest segments are removed beyond
 * `maxSegments`. A record never spans two segments.
 *
 * `write` hands the bytes to the OS (they survive a process crash); `writeSync` and
 * `flushAndSync` also fsync (they survive a power loss). On open, a torn or corrupt tail —
 * what a crash in the middle of a write leaves — is cut off, and any later segment removed;
 * opening never fails because of it. The repair is reported in `repairs`.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ensureDir, fsyncDir } from '../config/files.js';
import { type Timestamp, timestampFromDate } from '../types/index.js';
import {
  DEFAULT_MAX_RECORD_BYTES,
  decodeFrames,
  frameRecord,
  type TimedWalRecord,
  type WalRecord,
} from './record.js';

export interface WalOptions {
  /** Start a new segment once the head reaches this size (CometBFT: 10 MiB). */
  maxSegmentBytes?: number;
  /** Keep at most this many segments, dropping the oldest (bounds the disk use). */
  maxSegments?: number;
  maxRecordBytes?: number;
  /** Clock for record times (tests pass a fixed one). */
  now?: () => Timestamp;
}

export interface WalRepair {
  file: string;
  /** Where the valid prefix ended; the file was truncated there. */
  offset: number;
  droppedBytes: number;
  problem: string;
  /** Later segments deleted because they followed the damage. */
  removedSegments: string[];
}

const SEGMENT = /^wal\.(\d{6})$/;
const segmentName = (i: number) => `wal.${String(i).padStart(6, '0')}`;

export class ConsensusWal {
  private fd: number;
  private headIndex: number;
  private headSize: number;
  private closed = false;
  readonly repairs: WalRepair[];
  private readonly maxSegmentBytes: number;
  private readonly maxSegments: number;
  private readonly maxRecordBytes: number;
  private readonly now: () => Timestamp;

  private constructor(
    readonly dir: string,
    opts: Required<WalOptions>,
    state: { fd: number; headIndex: number; headSize: number; repairs: WalRepair[] },
  ) {
    this.maxSegmentBytes = opts.maxSegmentBytes;
    this.maxSegments = opts.maxSegments;
    this.maxRecordBytes = opts.maxRecordBytes;
    this.now = opts.now;
    this.fd = state.fd;
    this.headIndex = state.headIndex;
    this.headSize = state.headSize;
    this.repairs = state.repairs;
  }

  /** Opens (creating, repairing) the WAL in `dir`. A new WAL starts with `#ENDHEIGHT 0`, as CometBFT's. */
  static open(dir: string, options: WalOptions = {}): ConsensusWal {
    const opts: Required<WalOptions> = {
      maxSegmentBytes: options.maxSegmentBytes ?? 10 * 1024 * 1024,
      maxSegments: options.maxSegments ?? 100,
      maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      now: options.now ?? (() => timestampFromDate(new Date())),
    };
    if (!(opts.maxSegmentBytes > 0) || !Number.isInteger(opts.maxSegments) || opts.maxSegments < 1) {
      throw new RangeError('WAL: maxSegmentBytes must be positive and maxSegments at least 1');
    }
    ensureDir(dir);
    const segments = listSegments(dir);
    const repairs: WalRepair[] = [];
    let headIndex = segments.length === 0 ? 0 : segments[segments.length - 1]!;
    for (const [k, idx] of segments.entries()) {
      const file = join(dir, segmentName(idx));
      const buf = readFileSync(file);
      const { validBytes, problem } = decodeFrames(buf, opts.maxRecordBytes);
      if (problem === undefined) continue;
      const later = segments.slice(k + 1).map(segmentName);
      truncateFile(file, validBytes);
      for (const name of later) unlinkSync(join(dir, name));
      fsyncDir(dir);
      repairs.push({
        file,
        offset: validBytes,
        droppedBytes: buf.length - validBytes,
        problem,
        removedSegments: later,
      });
      headIndex = idx;
      break;
    }
    const fd = openSync(join(dir, segmentName(headIndex)), 'a', 0o600);
    const wal = new ConsensusWal(dir, opts, { fd, headIndex, headSize: fstatSync(fd).size, repairs });
    if (segments.length === 0) {
      fsyncDir(dir);
      wal.writeSync({ kind: 'endHeight', height: 0n });
    }
    return wal;
  }

  /** Appends a record (not fsync'd). */
  write(record: WalRecord): void {
    this.append(record);
  }

  /** Appends a record and fsyncs: use before signing or acting on anything that must survive a power loss. */
  writeSync(record: WalRecord): void {
    this.append(record);
    fsyncSync(this.fd);
  }

  /** fsyncs everything written so far. */
  flushAndSync(): void {
    this.checkOpen();
    fsyncSync(this.fd);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('WAL is closed');
  }

  private append(record: WalRecord): void {
    this.checkOpen();
    const frame = frameRecord({ time: this.now(), record }, this.maxRecordBytes);
    if (this.headSize > 0 && this.headSize + frame.length > this.maxSegmentBytes) this.rotate();
    let off = 0;
    while (off < frame.length) off += writeSync(this.fd, frame, off, frame.length - off);
    this.headSize += frame.length;
  }

  private rotate(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.headIndex++;
    this.fd = openSync(join(this.dir, segmentName(this.headIndex)), 'a', 0o600);
    this.headSize = 0;
    const segments = listSegments(this.dir);
    for (const idx of segments.slice(0, Math.max(0, segments.length - this.maxSegments))) {
      unlinkSync(join(this.dir, segmentName(idx)));
    }
    fsyncDir(this.dir);
  }

  /** All records, oldest first (for tools and tests). */
  readAll(): TimedWalRecord[] {
    this.checkOpen();
    return listSegments(this.dir).flatMap((idx) => this.readSegment(idx));
  }

  private readSegment(idx: number): TimedWalRecord[] {
    return decodeFrames(readFileSync(join(this.dir, segmentName(idx))), this.maxRecordBytes).records;
  }

  /**
   * SearchForEndHeight: the records written after `#ENDHEIGHT height` (the last one, if the
   * marker occurs more than once), or `undefined` when the marker is not in the log. Segments
   * are searched newest first, as CometBFT does.
   */
  searchForEndHeight(height: bigint): TimedWalRecord[] | undefined {
    this.checkOpen();
    const segments = listSegments(this.dir);
    const after: TimedWalRecord[][] = [];
    for (let k = segments.length - 1; k >= 0; k--) {
      const records = this.readSegment(segments[k]!);
      for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i]!.record;
        if (r.kind === 'endHeight' && r.height === height) {
          after.unshift(records.slice(i + 1));
          return after.flat();
        }
      }
      after.unshift(records);
    }
    return undefined;
  }

  /** The segment file names, oldest first. */
  segments(): string[] {
    return listSegments(this.dir).map(segmentName);
  }

  close(): void {
    if (this.closed) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
  }
}

function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((n) => SEGMENT.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function truncateFile(file: string, size: number): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, size);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
