import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, compareBytes, keyFromString, keyString } from './bytes.js';

describe('varints', () => {
  it('uvarint matches protobuf uint64 and svarint matches sint64, including values >= 2^31', () => {
    const values = [
      0,
      1,
      127,
      128,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 40 + 3,
      Number.MAX_SAFE_INTEGER,
    ];
    for (const v of values) {
      const ours = new ByteWriter();
      ours.uvarint(v);
      expect(ours.finish()).toEqual(new BinaryWriter().uint64(BigInt(v)).finish());
      const signed = new ByteWriter();
      signed.svarint(v);
      expect(signed.finish()).toEqual(new BinaryWriter().sint64(BigInt(v)).finish());
      const neg = new ByteWriter();
      neg.svarint(-v);
      expect(neg.finish()).toEqual(new BinaryWriter().sint64(BigInt(-v)).finish());
    }
  });

  it('round-trips every safe integer through the reader', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (v) => {
        const w = new ByteWriter(1);
        w.svarint(v);
        w.uvarint(Math.abs(v));
        const r = new ByteReader(w.finish());
        expect(r.svarint()).toBe(v);
        expect(r.uvarint()).toBe(Math.abs(v));
        expect(r.done).toBe(true);
      }),
    );
  });

  it('rejects varints beyond 2^53 and truncated input with a clear error', () => {
    const big = new BinaryWriter().uint64(2n ** 63n - 1n).finish();
    expect(() => new ByteReader(big, 'test').uvarint()).toThrow(/corrupt test/);
    expect(() => new ByteReader(Uint8Array.of(0x80), 'test').uvarint()).toThrow(/unexpected end/);
    expect(() => new ByteReader(Uint8Array.of(5, 1), 'test').bytes()).toThrow(/past end/);
  });
});

describe('key strings', () => {
  it('order like the bytes they stand for', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        const c = compareBytes(a, b);
        const sa = keyString(a);
        const sb = keyString(b);
        expect(Math.sign(c)).toBe(sa < sb ? -1 : sa > sb ? 1 : 0);
        expect(keyFromString(sa)).toEqual(a);
      }),
    );
  });
});
