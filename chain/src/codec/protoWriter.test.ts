import { BinaryWriter as BufWriter, WireType } from '@bufbuild/protobuf/wire';
import { BinaryReader, BinaryWriter } from 'cosmjs-types/binary';
import { Fee } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { Timestamp } from 'cosmjs-types/google/protobuf/timestamp';
import { ExecTxResult, ResponseFinalizeBlock, ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProto, SafeBinaryWriter } from './protoWriter.js';

const UNSIGNED: bigint[] = [
  0n,
  1n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
];
const SIGNED: bigint[] = [
  ...UNSIGNED,
  -1n,
  -(2n ** 31n),
  -(2n ** 31n) - 1n,
  -(2n ** 32n),
  -(2n ** 53n) - 1n,
  -(2n ** 63n),
];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('cosmjs-types writer trap (why this module exists)', () => {
  it('the stock writer corrupts 2^31, ours does not', () => {
    const fee = { amount: [], gasLimit: 2n ** 31n, payer: '', granter: '' };
    expect(Fee.decode(Fee.encode(fee).finish()).gasLimit).not.toBe(2n ** 31n);
    expect(Fee.decode(encodeProto(Fee, fee)).gasLimit).toBe(2n ** 31n);
  });
});

describe('encodeProto with cosmjs-types messages', () => {
  it.each(UNSIGNED)('Fee.gasLimit (uint64, field 2) = %s', (v) => {
    const fee = { amount: [{ denom: 'uhth', amount: '5' }], gasLimit: v, payer: '', granter: '' };
    const bytes = encodeProto(Fee, fee);
    expect(Fee.decode(bytes).gasLimit).toBe(v);
    // Independent encoding with @bufbuild/protobuf: field 1 (coin), field 2 (gas_limit).
    const w = new BufWriter();
    w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('uhth');
    w.tag(2, WireType.LengthDelimited).string('5').join();
    if (v !== 0n) w.tag(2, WireType.Varint).uint64(v);
    expect(hex(bytes)).toBe(hex(w.finish()));
  });

  it.each(SIGNED)(
    'ExecTxResult.gasWanted/gasUsed (int64, fields 5/6; gasUsed = ~v) nested in ResponseFinalizeBlock = %s',
    (v) => {
      const tx = ExecTxResult.fromPartial({ code: 3, gasWanted: v, gasUsed: -1n - v });
      const resp = ResponseFinalizeBlock.fromPartial({ txResults: [tx], appHash: new Uint8Array([1, 2]) });
      const bytes = encodeProto(ResponseFinalizeBlock, resp);
      const back = ResponseFinalizeBlock.decode(bytes);
      expect(back.txResults[0]?.gasWanted).toBe(v);
      expect(back.txResults[0]?.gasUsed).toBe(-1n - v);
      // ResponseFinalizeBlock: tx_results = 2, app_hash = 5; ExecTxResult: code = 1, gas_wanted = 5, gas_used = 6.
      const w = new BufWriter();
      w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.Varint).uint32(3);
      if (v !== 0n) w.tag(5, WireType.Varint).int64(v);
      if (-1n - v !== 0n) w.tag(6, WireType.Varint).int64(-1n - v);
      w.join();
      w.tag(5, WireType.LengthDelimited).bytes(new Uint8Array([1, 2]));
      expect(hex(bytes)).toBe(hex(w.finish()));
    },
  );

  it('int64 -2^63 takes 10 bytes', () => {
    const bytes = encodeProto(ExecTxResult, ExecTxResult.fromPartial({ gasWanted: -(2n ** 63n) }));
    expect(bytes.length).toBe(11); // tag + 10-byte varint
    expect(ExecTxResult.decode(bytes).gasWanted).toBe(-(2n ** 63n));
  });

  const dates: Array<[string, bigint]> = [
    ['1970', 0n],
    ['2038-01-19T03:14:08Z', 2n ** 31n],
    ['2106-02-07T06:28:16Z', 2n ** 32n],
    ['9999-12-31T23:59:59Z', 253402300799n],
    ['before 1970', -86400n],
  ];
  it.each(dates)('Timestamp.seconds (int64, field 1) for %s', (_label, seconds) => {
    const ts = { seconds, nanos: 999_999_999 };
    const bytes = encodeProto(Timestamp, ts);
    expect(Timestamp.decode(bytes)).toEqual(ts);
    const w = new BufWriter();
    if (seconds !== 0n) w.tag(1, WireType.Varint).int64(seconds);
    w.tag(2, WireType.Varint).int32(999_999_999);
    expect(hex(bytes)).toBe(hex(w.finish()));
  });

  it.each(SIGNED)('ValidatorUpdate.power (int64, field 2) = %s', (power) => {
    const pubKey = { ed25519: new Uint8Array(32).fill(7) };
    const bytes = encodeProto(ValidatorUpdate, { pubKey, power });
    expect(ValidatorUpdate.decode(bytes).power).toBe(power);
    const w = new BufWriter();
    w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(pubKey.ed25519).join();
    if (power !== 0n) w.tag(2, WireType.Varint).int64(power);
    expect(hex(bytes)).toBe(hex(w.finish()));
  });
});

describe('SafeBinaryWriter 64-bit primitives', () => {
  // Each kind: how ours writes it, how @bufbuild/protobuf writes it, how cosmjs-types reads it back.
  type Kind = 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64';
  const kinds: Array<[Kind, boolean]> = [
    ['int64', true],
    ['uint64', false],
    ['sint64', true],
    ['fixed64', false],
    ['sfixed64', true],
  ];
  const encodeOurs = (kind: Kind, v: bigint | string | number) => {
    const w = new SafeBinaryWriter();
    w[kind](v);
    return w.finish();
  };
  const encodeBuf = (kind: Kind, v: bigint) => {
    const w = new BufWriter();
    w[kind](v);
    return w.finish();
  };
  const decode = (kind: Kind, b: Uint8Array) => new BinaryReader(b)[kind]();

  for (const [kind, signed] of kinds) {
    const values = signed ? SIGNED : [...UNSIGNED, 2n ** 64n - 1n];
    it.each(values)(`${kind} %s matches @bufbuild/protobuf and round-trips`, (v) => {
      const bytes = encodeOurs(kind, v);
      expect(hex(bytes)).toBe(hex(encodeBuf(kind, v)));
      expect(decode(kind, bytes)).toBe(v);
    });

    it(`${kind} matches @bufbuild/protobuf on random values`, () => {
      const arb = signed ? fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n) : fc.bigInt(0n, 2n ** 64n - 1n);
      fc.assert(
        fc.property(arb, (v) => {
          const bytes = encodeOurs(kind, v);
          expect(hex(bytes)).toBe(hex(encodeBuf(kind, v)));
          expect(decode(kind, bytes)).toBe(v);
        }),
        { numRuns: 300 },
      );
    });

    it(`${kind} accepts decimal strings and safe numbers like cosmjs-types`, () => {
      expect(hex(encodeOurs(kind, '4294967296'))).toBe(hex(encodeBuf(kind, 4294967296n)));
      expect(hex(encodeOurs(kind, 2147483648))).toBe(hex(encodeBuf(kind, 2147483648n)));
    });

    it(`${kind} refuses out-of-range and non-integer input`, () => {
      const tooBig = signed ? 2n ** 63n : 2n ** 64n;
      expect(() => encodeOurs(kind, tooBig)).toThrow(RangeError);
      expect(() => encodeOurs(kind, signed ? -(2n ** 63n) - 1n : -1n)).toThrow(RangeError);
      expect(() => encodeOurs(kind, 1.5)).toThrow(RangeError);
      expect(() => encodeOurs(kind, 2 ** 60)).toThrow(/safe integer/);
      expect(() => encodeOurs(kind, '12abc')).toThrow(TypeError);
    });
  }

  it('int32 negatives are sign-extended to 10 bytes', () => {
    for (const v of [-1, -(2 ** 31), 0, 2 ** 31 - 1]) {
      const w = new SafeBinaryWriter();
      w.int32(v);
      const b = w.finish();
      const ref = new BufWriter();
      ref.int32(v);
      expect(hex(b)).toBe(hex(ref.finish()));
      expect(new BinaryReader(b).int32()).toBe(v);
    }
  });

  it('is a BinaryWriter and create() returns a safe writer', () => {
    const w = SafeBinaryWriter.create();
    expect(w).toBeInstanceOf(BinaryWriter);
    expect(w).toBeInstanceOf(SafeBinaryWriter);
    w.uint64(2n ** 31n);
    expect(new BinaryReader(w.finish()).uint64()).toBe(2n ** 31n);
  });

  it('finish returns an unshared buffer', () => {
    const b = encodeProto(Fee, { amount: [], gasLimit: 5n, payer: '', granter: '' });
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(b.length);
  });
});
