import { BinaryReader } from 'cosmjs-types/binary';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProto, readerOf } from './protoReader.js';
import { encodeProto } from './protoWriter.js';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

describe('readerOf', () => {
  it("has the fields and position of cosmjs-types' own reader (guards against a changed BinaryReader)", () => {
    const bytes = Uint8Array.of(8, 150, 1);
    const ours = readerOf(bytes);
    const theirs = new BinaryReader(bytes);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.uint32()).toBe(theirs.uint32());
    expect(ours.uint32()).toBe(theirs.uint32());
    expect(ours.pos).toBe(theirs.pos);
  });

  it('decodes exactly what decode(bytes) decodes, for random messages and garbage', () => {
    fc.assert(
      fc.property(
        fc.record({
          bodyBytes: fc.uint8Array({ maxLength: 40 }),
          authInfoBytes: fc.uint8Array({ maxLength: 40 }),
          signatures: fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 3 }),
        }),
        fc.string(),
        (raw, addr) => {
          const tx = encodeProto(TxRaw, raw);
          expect(decodeProto(TxRaw, tx)).toEqual(TxRaw.decode(tx));
          const send = encodeProto(MsgSend, {
            fromAddress: addr,
            toAddress: 'x',
            amount: [{ denom: 'u', amount: '1' }],
          });
          expect(decodeProto(MsgSend, send)).toEqual(MsgSend.decode(send));
        },
      ),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
        let a: unknown;
        let b: unknown;
        try {
          a = TxRaw.decode(junk);
        } catch (e) {
          a = (e as Error).message;
        }
        try {
          b = decodeProto(TxRaw, junk);
        } catch (e) {
          b = (e as Error).message;
        }
        expect(b).toEqual(a);
      }),
    );
  });

  it('decodes every string as cosmjs-types does: ASCII, UTF-8, invalid UTF-8, long', () => {
    const cases: Uint8Array[] = [
      new TextEncoder().encode('hearth1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn'),
      new TextEncoder().encode('ünïcödé 😀 €'),
      Uint8Array.of(0xff, 0xfe, 0x41, 0xc3),
      Uint8Array.of(0xe2, 0x82),
      new TextEncoder().encode('x'.repeat(5000)),
      new Uint8Array(0),
    ];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...cases), fc.uint8Array({ maxLength: 80 })), (raw) => {
        // Field 1 of MsgSend (a string) with arbitrary bytes.
        const bytes = new Uint8Array([10, ...varint(raw.length), ...raw]);
        expect(decodeProto(MsgSend, bytes).fromAddress).toBe(MsgSend.decode(bytes).fromAddress);
      }),
    );
  });

  it('decoded bytes fields are views of the input, not copies', () => {
    const tx = encodeProto(TxRaw, {
      bodyBytes: Uint8Array.of(1, 2, 3),
      authInfoBytes: new Uint8Array(),
      signatures: [],
    });
    const decoded = decodeProto(TxRaw, tx);
    expect(decoded.bodyBytes.buffer).toBe(tx.buffer);
  });
});
