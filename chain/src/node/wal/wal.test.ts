import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
import { decodeRecordData, encodeRecordData, frameRecord, type WalRecord } from './record.js';
import { ConsensusWal } from './wal.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hearth-wal-'));
  dirs.push(d);
  return join(d, 'cs.wal');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let tick = 0n;
const clock = () => ({ seconds: 1_700_000_000n + tick++, nanos: 7 });

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const arbRecord: fc.Arbitrary<WalRecord> = fc.oneof(
  fc.record({ kind: fc.constant('endHeight' as const), height: fc.bigInt(0n, INT64_MAX) }),
  fc.record({
    kind: fc.constant('message' as const),
    payload: fc.uint8Array({ maxLength: 300 }),
    peerId: fc.constantFrom('', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'),
  }),
  fc.record({
    kind: fc.constant('timeout' as const),
    durationNs: fc.bigInt(INT64_MIN, INT64_MAX),
    height: fc.bigInt(INT64_MIN, INT64_MAX),
    round: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    step: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  }),
);

describe('records and framing', () => {
  it('crc32c matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('round-trips every record kind, including 64-bit extremes', () => {
    const extremes: WalRecord[] = [
      { kind: 'endHeight', height: INT64_MAX },
      { kind: 'endHeight', height: 2n ** 31n },
      { kind: 'timeout', durationNs: INT64_MIN, height: INT64_MAX, round: -1, step: 2 ** 32 - 1 },
      { kind: 'message', payload: new Uint8Array([0, 255]), peerId: 'peer' },
    ];
    for (const record of extremes) {
      const t = { time: { seconds: 253402300799n, nanos: 999_999_999 }, record };
      expect(decodeRecordData(encodeRecordData(t))).toEqual(t);
    }
    fc.assert(
      fc.property(arbRecord, (record) => {
        const t = { time: clock(), record };
        expect(decodeRecordData(encodeRecordData(t))).toEqual(t);
      }),
    );
  });

  it('frames as CometBFT does: big-endian CRC-32C, big-endian length, data', () => {
    const t = { time: clock(), record: { kind: 'endHeight' as const, height: 5n } };
    const frame = frameRecord(t);
    const data = encodeRecordData(t);
    const view = new DataView(frame.buffer);
    expect(view.getUint32(0)).toBe(crc32c(data));
    expect(view.getUint32(4)).toBe(data.length);
    expect(Buffer.from(frame.subarray(8)).equals(Buffer.from(data))).toBe(true);
  });
});

describe('ConsensusWal', () => {
  it('starts with #ENDHEIGHT 0 and finds the records after each marker, across reopen', () => {
    const dir = tempDir();
    let wal = ConsensusWal.open(dir, { now: clock });
    expect(wal.readAll().map((r) => r.record)).toEqual([{ kind: 'endHeight', height: 0n }]);
    const m = (s: string): WalRecord => ({
      kind: 'message',
      payload: new TextEncoder().encode(s),
      peerId: '',
    });
    wal.write(m('h1-a'));
    wal.write({ kind: 'timeout', durationNs: 3_000_000_000n, height: 1n, round: 0, step: 3 });
    wal.writeSync({ kind: 'endHeight', height: 1n });
    wal.write(m('h2-a'));
    wal.close();
    expect(() => wal.write(m('x'))).toThrow(/closed/);
    wal = ConsensusWal.open(dir, { now: clock });
    expect(wal.repairs).toEqual([]);
    wal.writeSync(m('h2-b'));
    expect(wal.searchForEndHeight(0n)?.map((r) => r.record.kind)).toEqual([
      'message',
      'timeout',
      'endHeight',
      'message',
      'message',
    ]);
    expect(wal.searchForEndHeight(1n)?.map((r) => r.record)).toEqual([m('h2-a'), m('h2-b')]);
    expect(wal.searchForEndHeight(2n)).toBeUndefined();
    wal.close();
  });

  it('refuses an oversized record without writing anything', () => {
    const dir = tempDir();
    const wal = ConsensusWal.open(dir, { maxRecordBytes: 100 });
    const before = wal.readAll().length;
    expect(() => wal.write({ kind: 'message', payload: new Uint8Array(200), peerId: '' })).toThrow(/too big/);
    expect(wal.readAll().length).toBe(before);
    wal.close();
  });

  it('rotates segments, drops the oldest beyond the limit, and searches across segments', () => {
    const dir = tempDir();
    const wal = ConsensusWal.open(dir, { maxSegmentBytes: 200, maxSegments: 4, now: clock });
    for (let h = 1n; h <= 30n; h++) {
      wal.write({ kind: 'message', payload: new Uint8Array(40).fill(Number(h)), peerId: '' });
      wal.write({ kind: 'message', payload: new Uint8Array(40).fill(Number(h) + 100), peerId: 'p' });
      wal.writeSync({ kind: 'endHeight', height: h });
    }
    const segs = wal.segments();
    expect(segs.length).toBe(4);
    expect(segs[0]).not.toBe('wal.000000');
    for (const s of segs) expect(statSync(join(dir, s)).size).toBeLessThanOrEqual(200);
    const after29 = wal.searchForEndHeight(29n)!;
    expect(after29.map((r) => r.record.kind)).toEqual(['message', 'message', 'endHeight']);
    expect((after29[0]!.record as { payload: Uint8Array }).payload[0]).toBe(30);
    expect(wal.searchForEndHeight(1n)).toBeUndefined(); // rotated away
    expect(wal.searchForEndHeight(30n)).toEqual([]);
    wal.close();
  });

  it('repairs a torn or corrupted tail at any offset: keeps exactly the intact prefix and stays writable', {
    timeout: 300_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.array(arbRecord, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom('truncate', 'flip', 'garbage'),
        fc.nat(255),
        (records, where, damage, byte) => {
          const dir = tempDir();
          // Cleaned up per run: thousands of directories would outlast the afterEach hook.
          dirs.pop();
          try {
            checkRepair(dir, records, where, damage, byte);
          } finally {
            rmSync(join(dir, '..'), { recursive: true, force: true });
          }
        },
      ),
      { numRuns: process.env.HEARTH_LONG ? 2000 : 150 },
    );
  });

  function checkRepair(dir: string, records: WalRecord[], where: number, damage: string, byte: number): void {
    let wal = ConsensusWal.open(dir, { now: clock });
    for (const r of records) wal.write(r);
    wal.close();
    const file = join(dir, 'wal.000000');
    const bytes = readFileSync(file);
    // Frame boundaries, to know which records must survive.
    const ends: number[] = [];
    for (let pos = 0; pos < bytes.length; ) {
      pos += 8 + bytes.readUInt32BE(pos + 4);
      ends.push(pos);
    }
    const cut = where % bytes.length;
    let expectedCount: number;
    if (damage === 'truncate') {
      writeFileSync(file, bytes.subarray(0, cut));
      expectedCount = ends.filter((e) => e <= cut).length;
    } else if (damage === 'flip') {
      const copy = Buffer.from(bytes);
      copy[cut] = copy[cut]! ^ (byte | 1);
      writeFileSync(file, copy);
      expectedCount = ends.filter((e) => e <= cut).length;
    } else {
      writeFileSync(file, Buffer.concat([bytes, Buffer.alloc(1 + (byte % 20), byte)]));
      expectedCount = ends.length;
    }
    wal = ConsensusWal.open(dir, { now: clock });
    const got = wal.readAll().map((r) => r.record);
    const all: WalRecord[] = [{ kind: 'endHeight', height: 0n }, ...records];
    // A flipped byte inside a length field can still leave a valid-looking frame only
    // if the CRC also matches, which it does not; so exactly the prefix survives.
    expect(got).toEqual(all.slice(0, expectedCount));
    const cleanCut = damage === 'truncate' && (cut === 0 || ends.includes(cut));
    expect(wal.repairs.length).toBe(cleanCut ? 0 : 1);
    wal.writeSync({ kind: 'endHeight', height: 99n });
    wal.close();
    const reopened = ConsensusWal.open(dir, { now: clock });
    expect(reopened.repairs).toEqual([]);
    expect(reopened.readAll().map((r) => r.record)).toEqual([
      ...all.slice(0, expectedCount),
      { kind: 'endHeight', height: 99n },
    ]);
    expect(reopened.searchForEndHeight(99n)).toEqual([]);
    reopened.close();
  }

  it('damage in an older segment cuts the log there and removes the later segments', () => {
    const dir = tempDir();
    let wal = ConsensusWal.open(dir, { maxSegmentBytes: 150, now: clock });
    for (let h = 1n; h <= 30n; h++) wal.writeSync({ kind: 'endHeight', height: h });
    wal.close();
    const segs = wal.segments();
    expect(segs.length).toBeGreaterThan(3);
    const victim = join(dir, segs[1]!);
    const b = readFileSync(victim);
    writeFileSync(victim, b.subarray(0, b.length - 3));
    wal = ConsensusWal.open(dir, { maxSegmentBytes: 150, now: clock });
    expect(wal.repairs.length).toBe(1);
    expect(wal.repairs[0]!.removedSegments).toEqual(segs.slice(2));
    expect(wal.segments()).toEqual(segs.slice(0, 2));
    const heights = wal.readAll().map((r) => (r.record as { height: bigint }).height);
    expect(heights).toEqual([...Array(heights.length).keys()].map(BigInt));
    wal.close();
  });
});
