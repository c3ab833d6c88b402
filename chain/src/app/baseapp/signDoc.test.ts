import { SignDoc } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../codec/protoWriter.js';
import { encodeSignDoc } from './ante.js';

describe('encodeSignDoc', () => {
  it('is exactly encodeProto(SignDoc) for any sign doc (what CosmJS signs)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.oneof(
          fc.constant(''),
          fc.constant('hearth-localnet-1'),
          fc.string({ maxLength: 60 }),
          fc.string({ unit: 'binary', maxLength: 20 }),
        ),
        fc.oneof(
          fc.constantFrom(0n, 1n, 2n ** 53n, 2n ** 64n - 1n),
          fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        ),
        (bodyBytes, authInfoBytes, chainId, accountNumber) => {
          const ours = encodeSignDoc(bodyBytes, authInfoBytes, chainId, accountNumber);
          const generic = encodeProto(SignDoc, { bodyBytes, authInfoBytes, chainId, accountNumber });
          expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(generic).toString('hex'));
        },
      ),
      { numRuns: 2000 },
    );
    expect(() => encodeSignDoc(new Uint8Array(), new Uint8Array(), 'c', -1n)).toThrow(/uint64/);
  });
});
