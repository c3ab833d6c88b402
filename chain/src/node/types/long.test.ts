// Long randomized runs (HEARTH_LONG=1): the same properties as the default suites, many more cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as arb from './arbitraries.js';
import {
  DecodeError,
  decodeBlock,
  decodeCommit,
  decodeVote,
  encodeBlock,
  formatRfc3339Nano,
  hashFromByteSlices,
  parseRfc3339,
  proofsFromByteSlices,
  ValidatorSet,
  verifyProof,
} from './index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe.skipIf(!process.env.HEARTH_LONG)('long randomized runs', () => {
  it('block codec round-trips', () => {
    fc.assert(
      fc.property(arb.block(), (b) => {
        const bytes = encodeBlock(b);
        expect(hex(encodeBlock(decodeBlock(bytes)))).toBe(hex(bytes));
      }),
      { numRuns: 20_000 },
    );
  });

  it('garbage never escapes as anything but DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (g) => {
        for (const dec of [decodeBlock, decodeVote, decodeCommit]) {
          try {
            dec(g);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 100_000 },
    );
  });

  it('timestamps round-trip through RFC 3339', () => {
    fc.assert(
      fc.property(arb.timestamp(), (t) => {
        expect(parseRfc3339(formatRfc3339Nano(t))).toEqual(t);
      }),
      { numRuns: 200_000 },
    );
  });

  it('merkle proofs verify for trees up to 600 leaves', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 600 }), (xs) => {
        const { rootHash, proofs } = proofsFromByteSlices(xs);
        expect(hex(rootHash)).toBe(hex(hashFromByteSlices(xs)));
        for (const [i, p] of proofs.entries()) verifyProof(p, rootHash, xs[i]!);
      }),
      { numRuns: 500 },
    );
  });

  it('each validator proposes exactly its power per cycle, for larger sets', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 30 }), (powers) => {
        const set = ValidatorSet.create(
          powers.map((p, i) => ({
            address: Uint8Array.of(i),
            pubKey: { type: 'ed25519' as const, key: new Uint8Array(32) },
            votingPower: BigInt(p),
            proposerPriority: 0n,
          })),
        );
        const total = powers.reduce((a, b) => a + b, 0);
        const counts = powers.map(() => 0);
        for (let r = 0; r < 2 * total; r++) {
          counts[set.getProposer()!.address[0]!]!++;
          set.incrementProposerPriority(1);
        }
        expect(counts).toEqual(powers.map((p) => 2 * p));
      }),
      { numRuns: 300 },
    );
  });
});
