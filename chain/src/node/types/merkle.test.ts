import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import vectors from '../../../test/vectors/cometbft/merkleRfc6962.json' with { type: 'json' };
import { ValidationError } from './errors.js';
import {
  computeProofRoot,
  hashFromByteSlices,
  innerHash,
  isValidProof,
  leafHash,
  proofsFromByteSlices,
  sha256,
  splitPoint,
  verifyProof,
} from './merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string) => new TextEncoder().encode(s);

describe('CometBFT crypto/merkle TestHashFromByteSlices', () => {
  it.each(vectors.TestHashFromByteSlices)('$name', (c) => {
    const items = c.items_hex === null ? null : c.items_hex.map(unhex);
    expect(hex(hashFromByteSlices(items))).toBe(c.expect);
  });
});

describe('CometBFT crypto/merkle TestRFC6962Hasher', () => {
  const [emptyTree, emptyLeaf, leaf, node] = vectors.TestRFC6962Hasher;
  it('empty tree, empty leaf, leaf and inner node hashes', () => {
    expect(hex(hashFromByteSlices([]))).toBe(emptyTree?.expect);
    expect(hex(leafHash(new Uint8Array(0)))).toBe(emptyLeaf?.expect);
    expect(hex(leafHash(ascii(leaf!.leaf_ascii!)))).toBe(leaf?.expect);
    expect(hex(innerHash(ascii(node!.left_ascii!), ascii(node!.right_ascii!)))).toBe(node?.expect);
  });
});

describe('tree shape', () => {
  it('splits at the largest power of two below n', () => {
    expect([2, 3, 4, 5, 8, 9, 100].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 64]);
  });

  it('a 3-leaf tree is inner(inner(a, b), c), not inner(a, inner(b, c))', () => {
    const [a, b, c] = [ascii('a'), ascii('b'), ascii('c')];
    expect(hex(hashFromByteSlices([a, b, c]))).toBe(
      hex(innerHash(innerHash(leafHash(a), leafHash(b)), leafHash(c))),
    );
  });
});

describe('inclusion proofs', () => {
  const items = fc.array(fc.uint8Array({ maxLength: 20 }), { minLength: 1, maxLength: 70 });

  it('every item proves against the root, and proofs of other items do not', () => {
    fc.assert(
      fc.property(items, (xs) => {
        const { rootHash, proofs } = proofsFromByteSlices(xs);
        expect(hex(rootHash)).toBe(hex(hashFromByteSlices(xs)));
        for (const [i, p] of proofs.entries()) {
          expect(p.index).toBe(BigInt(i));
          expect(p.total).toBe(BigInt(xs.length));
          verifyProof(p, rootHash, xs[i]!);
          expect(hex(computeProofRoot(p)!)).toBe(hex(rootHash));
        }
        const other = Uint8Array.of(...(xs[0] ?? []), 0xee);
        expect(isValidProof(proofs[0]!, rootHash, other)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a tampered aunt, index, total or root', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7].map((n) => Uint8Array.of(n));
    const { rootHash, proofs } = proofsFromByteSlices(xs);
    const p = proofs[5]!;
    const badAunt = { ...p, aunts: p.aunts.map((a, i) => (i === 0 ? sha256(a) : a)) };
    expect(() => verifyProof(badAunt, rootHash, xs[5]!)).toThrow(/invalid root hash/);
    expect(isValidProof({ ...p, index: 4n }, rootHash, xs[5]!)).toBe(false);
    expect(isValidProof({ ...p, total: 6n }, rootHash, xs[5]!)).toBe(false);
    // As in CometBFT, a proof does not pin the total by itself when the path shapes coincide
    // (index 5 of 7 and of 8 leaves): PartSet checks proof.total against its header for that.
    expect(isValidProof({ ...p, total: 8n }, rootHash, xs[5]!)).toBe(true);
    expect(isValidProof({ ...p, aunts: [...p.aunts, rootHash] }, rootHash, xs[5]!)).toBe(false);
    expect(isValidProof(p, sha256(rootHash), xs[5]!)).toBe(false);
    expect(() => verifyProof({ ...p, index: -1n }, rootHash, xs[5]!)).toThrow(ValidationError);
    expect(() => verifyProof({ ...p, leafHash: new Uint8Array(31) }, rootHash, xs[5]!)).toThrow(
      /LeafHash size/,
    );
    expect(() => verifyProof({ ...p, aunts: Array(101).fill(rootHash) }, rootHash, xs[5]!)).toThrow(/aunts/);
  });

  it('a single item is its own root with no aunts', () => {
    const { rootHash, proofs } = proofsFromByteSlices([ascii('only')]);
    expect(proofs[0]?.aunts).toEqual([]);
    expect(hex(rootHash)).toBe(hex(leafHash(ascii('only'))));
  });
});
