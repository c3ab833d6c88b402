import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { Any } from 'cosmjs-types/google/protobuf/any';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../../codec/protoWriter.js';
import { encodeBaseAccountAny } from './accountCodec.js';

/** The generic path: what the keeper stored before the one-pass encoder. */
function generic(address: string, pubKey: Uint8Array | undefined, accountNumber: bigint, sequence: bigint) {
  const base = {
    address,
    pubKey: pubKey
      ? { typeUrl: '/cosmos.crypto.secp256k1.PubKey', value: encodeProto(PubKey, { key: pubKey }) }
      : undefined,
    accountNumber,
    sequence,
  };
  return encodeProto(Any, {
    typeUrl: '/cosmos.auth.v1beta1.BaseAccount',
    value: encodeProto(BaseAccount, base),
  });
}

const u64 = fc.oneof(
  fc.constantFrom(0n, 1n, 127n, 128n, 2n ** 31n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

describe('encodeBaseAccountAny', () => {
  it('produces exactly the generic encoding, for any account', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(''),
          fc.string({ maxLength: 70 }),
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.constant('hearth1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn5nq7wq'),
        ),
        fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
        u64,
        u64,
        (address, pubKey, accountNumber, sequence) => {
          expect(
            Buffer.from(encodeBaseAccountAny(address, pubKey, accountNumber, sequence)).toString('hex'),
          ).toBe(Buffer.from(generic(address, pubKey, accountNumber, sequence)).toString('hex'));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses values outside uint64', () => {
    expect(() => encodeBaseAccountAny('a', undefined, -1n, 0n)).toThrow(/uint64/);
    expect(() => encodeBaseAccountAny('a', undefined, 0n, 2n ** 64n)).toThrow(/uint64/);
  });
});
