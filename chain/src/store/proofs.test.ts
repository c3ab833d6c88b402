import { iavlSpec, ics23, tendermintSpec, verifyMembership, verifyNonMembership } from '@confio/ics23';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from './bytes.js';
import {
  encodeCommitmentProof,
  iavlExistenceProof,
  iavlNonExistenceProof,
  multistoreHash,
  multistoreProof,
  simpleMerkleRoot,
} from './proofs.js';
import { bytes, hex } from './testing/model.js';
import { Mutator, rootHash, type WriteOp } from './tree.js';

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const decode = (b: Uint8Array) => ics23.CommitmentProof.decode(b);

describe('simple merkle tree (RFC 6962)', () => {
  // From CometBFT v0.38.25 crypto/merkle/tree_test.go TestHashFromByteSlices
  // (transcribed from ../shared/conformance/cometbft-v0.38/merkle_TestHashFromByteSlices_and_RFC6962.json).
  const vectors: [string[], string][] = [
    [[], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    [['010203'], '054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8'],
    [[''], '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'],
    [['010203', '040506'], '82e6cfce00453804379b53962939eaa7906b39904be0813fcadd31b100773c4b'],
    [
      ['0102', '0304', '0506', '0708', '090a'],
      'f326493eceab4f2d9ffbc78c59432a0a005d6ea98392045c74df5d14a113be18',
    ],
  ];
  it.each(vectors)('HashFromByteSlices(%j)', (items, expected) => {
    expect(hex(simpleMerkleRoot(items.map(fromHex)))).toBe(expected);
  });

  // From cosmos-sdk store/rootmulti/internal/maps/maps_test.go TestSimpleMap: the multistore
  // hashes (name, value) pairs exactly like the SDK's merkle map, in name order.
  const mapVectors: [string[], string[], string][] = [
    [['key1'], ['value1'], 'a44d3cc7daba1a4600b00a2434b30f8b970652169810d6dfa9fb1793a2189324'],
    [['key1'], ['value2'], '0638e99b3445caec9d95c05e1a3fc1487b4ddec6a952ff337080360b0dcc078c'],
    [
      ['key1', 'key2'],
      ['value1', 'value2'],
      '8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3',
    ],
    [
      ['key2', 'key1'],
      ['value2', 'value1'],
      '8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3',
    ],
    [
      ['key1', 'key2', 'key3'],
      ['value1', 'value2', 'value3'],
      '1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc',
    ],
    [
      ['key1', 'key3', 'key2'],
      ['value1', 'value3', 'value2'],
      '1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc',
    ],
  ];
  it.each(mapVectors)('multistore hash of %j', (names, values, expected) => {
    expect(hex(multistoreHash(names.map((name, i) => ({ name, hash: bytes(values[i] as string) }))))).toBe(
      expected,
    );
  });

  it('proves every store of the multistore with tendermintSpec, and nothing tampered', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 12 }),
        (names) => {
          const stores = names.map((name, i) => ({ name, hash: Uint8Array.of(i, 7, 7) }));
          const root = multistoreHash(stores);
          for (const s of stores) {
            const proof = decode(encodeCommitmentProof({ exist: multistoreProof(stores, s.name) }));
            expect(verifyMembership(proof, tendermintSpec, root, bytes(s.name), s.hash)).toBe(true);
            expect(verifyMembership(proof, tendermintSpec, root, bytes(`${s.name}x`), s.hash)).toBe(false);
            expect(verifyMembership(proof, tendermintSpec, root, bytes(s.name), Uint8Array.of(9))).toBe(
              false,
            );
            const badRoot = Uint8Array.from(root);
            badRoot[0] = (badRoot[0] as number) ^ 1;
            expect(verifyMembership(proof, tendermintSpec, badRoot, bytes(s.name), s.hash)).toBe(false);
          }
        },
      ),
    );
  });
});

describe('IAVL proofs', () => {
  const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3 });
  // ics23 cannot prove an empty value ("leaf op needs value"), so proofs use non-empty ones.
  const treeArb = fc.uniqueArray(fc.tuple(keyArb, fc.uint8Array({ minLength: 1, maxLength: 5 })), {
    selector: ([k]) => hex(k),
    minLength: 1,
    maxLength: 60,
  });

  it('existence and non-existence proofs verify with iavlSpec and fail when tampered', () => {
    fc.assert(
      fc.property(
        treeArb,
        fc.array(keyArb, { maxLength: 10 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (entries, probes, version) => {
          const ops: WriteOp[] = entries
            .map(([key, value]) => ({ key, value }))
            .sort((a, b) => compareBytes(a.key, b.key));
          const root = new Mutator(version).apply(undefined, ops);
          const hash = rootHash(root);
          const badRoot = Uint8Array.from(hash);
          badRoot[31] = (badRoot[31] as number) ^ 0x80;
          const present = new Map(entries.map(([k, v]) => [hex(k), v]));
          for (const [key, value] of entries) {
            const ep = iavlExistenceProof(root, key);
            expect(ep).toBeDefined();
            const proof = decode(encodeCommitmentProof({ exist: ep as NonNullable<typeof ep> }));
            expect(verifyMembership(proof, iavlSpec, hash, key, value)).toBe(true);
            expect(verifyMembership(proof, iavlSpec, badRoot, key, value)).toBe(false);
            expect(verifyMembership(proof, iavlSpec, hash, key, Uint8Array.of(...value, 1))).toBe(false);
            expect(verifyMembership(proof, iavlSpec, hash, Uint8Array.of(...key, 0), value)).toBe(false);
          }
          for (const key of probes) {
            if (present.has(hex(key))) continue;
            const proof = decode(encodeCommitmentProof({ nonexist: iavlNonExistenceProof(root, key) }));
            expect(verifyNonMembership(proof, iavlSpec, hash, key)).toBe(true);
            expect(verifyNonMembership(proof, iavlSpec, badRoot, key)).toBe(false);
            // The same neighbours do not prove the absence of a key that is present.
            const [someKey] = entries[0] as [Uint8Array, Uint8Array];
            const forged = decode(
              encodeCommitmentProof({ nonexist: { ...iavlNonExistenceProof(root, key), key: someKey } }),
            );
            expect(verifyNonMembership(forged, iavlSpec, hash, someKey)).toBe(false);
          }
        },
      ),
    );
  });

  it('refuses to prove the absence of a present key', () => {
    const root = new Mutator(1).apply(undefined, [{ key: Uint8Array.of(1), value: Uint8Array.of(1) }]);
    expect(() => iavlNonExistenceProof(root, Uint8Array.of(1))).toThrow(/key exists/);
    expect(iavlExistenceProof(root, Uint8Array.of(2))).toBeUndefined();
  });
});
