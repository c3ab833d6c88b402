/**
 * CometBFT's simple merkle tree (crypto/merkle), which is RFC 6962's Merkle Tree Hash:
 * leaf = SHA-256(0x00 || item), inner = SHA-256(0x01 || left || right), the split point is the
 * largest power of two strictly below n, and the empty tree hashes to SHA-256("").
 * Inclusion proofs (`Proof`) and their verification follow crypto/merkle/proof.go.
 */
import { hash } from 'node:crypto';
import { MAX_AUNTS } from './encoding.js';
import { ValidationError } from './errors.js';
import { bytesEqual, HASH_SIZE, type Proof } from './types.js';

const LEAF_PREFIX = Uint8Array.of(0);
const INNER_PREFIX = Uint8Array.of(1);

/** SHA-256 of the concatenation of the given chunks. */
export function sha256(...chunks: Uint8Array[]): Uint8Array {
  // One-shot hashing of one buffer: cheaper than a Hash object per call for the small inputs
  // of merkle trees (a 65-byte inner node, a leaf of one tx).
  let input: Uint8Array;
  if (chunks.length === 1) input = chunks[0] as Uint8Array;
  else {
    let n = 0;
    for (const c of chunks) n += c.length;
    input = Buffer.allocUnsafe(n);
    let off = 0;
    for (const c of chunks) {
      input.set(c, off);
      off += c.length;
    }
  }
  const d = hash('sha256', input, 'buffer');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256 of nothing: the root of an empty tree. */
export function emptyHash(): Uint8Array {
  return sha256();
}

export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leaf);
}

export function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(INNER_PREFIX, left, right);
}

/** Largest power of two strictly less than n (n >= 2). */
export function splitPoint(n: number): number {
  if (n < 1) throw new RangeError('splitPoint: n must be >= 1');
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOfLeafHashes(hashes: Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 1) return hashes[start]!;
  const k = splitPoint(n);
  return innerHash(rootOfLeafHashes(hashes, start, start + k), rootOfLeafHashes(hashes, start + k, end));
}

/** merkle.HashFromByteSlices: the root over the given items. */
export function hashFromByteSlices(items: readonly Uint8Array[] | null | undefined): Uint8Array {
  if (items === null || items === undefined || items.length === 0) return emptyHash();
  const leaves = items.map(leafHash);
  return rootOfLeafHashes(leaves, 0, leaves.length);
}

/** merkle.ProofsFromByteSlices: the root and one inclusion proof per item. */
export function proofsFromByteSlices(items: readonly Uint8Array[]): {
  rootHash: Uint8Array;
  proofs: Proof[];
} {
  const total = items.length;
  if (total === 0) return { rootHash: emptyHash(), proofs: [] };
  const leaves = items.map(leafHash);
  const aunts: Uint8Array[][] = leaves.map(() => []);
  // Build bottom-up along the same splits as the recursive definition, appending each node's
  // sibling to every leaf beneath it (deepest aunt first, as CometBFT orders them).
  const build = (start: number, end: number): Uint8Array => {
    const n = end - start;
    if (n === 1) return leaves[start]!;
    const k = splitPoint(n);
    const left = build(start, start + k);
    const right = build(start + k, end);
    for (let i = start; i < start + k; i++) aunts[i]!.push(right);
    for (let i = start + k; i < end; i++) aunts[i]!.push(left);
    return innerHash(left, right);
  };
  const rootHash = build(0, total);
  const proofs = leaves.map((lh, i) => ({
    total: BigInt(total),
    index: BigInt(i),
    leafHash: lh,
    aunts: aunts[i]!,
  }));
  return { rootHash, proofs };
}

function computeHashFromAunts(
  index: bigint,
  total: bigint,
  leaf: Uint8Array,
  aunts: readonly Uint8Array[],
  auntsLen: number,
): Uint8Array | undefined {
  if (index >= total || index < 0n || total <= 0n) return undefined;
  if (total === 1n) return auntsLen === 0 ? leaf : undefined;
  if (auntsLen === 0) return undefined;
  const numLeft = BigInt(splitPoint(Number(total)));
  const last = aunts[auntsLen - 1]!;
  if (index < numLeft) {
    const left = computeHashFromAunts(index, numLeft, leaf, aunts, auntsLen - 1);
    return left === undefined ? undefined : innerHash(left, last);
  }
  const right = computeHashFromAunts(index - numLeft, total - numLeft, leaf, aunts, auntsLen - 1);
  return right === undefined ? undefined : innerHash(last, right);
}

/** Proof.ValidateBasic: returns a reason the proof is malformed, or undefined. */
export function proofProblem(p: Proof): string | undefined {
  if (p.total < 0n) return 'negative Total';
  if (p.index < 0n) return 'negative Index';
  if (p.total > BigInt(Number.MAX_SAFE_INTEGER)) return 'Total too large';
  if (p.leafHash.length !== HASH_SIZE)
    return `expected LeafHash size to be ${HASH_SIZE}, got ${p.leafHash.length}`;
  if (p.aunts.length > MAX_AUNTS) return `expected no more than ${MAX_AUNTS} aunts, got ${p.aunts.length}`;
  for (const [i, a] of p.aunts.entries()) {
    if (a.length !== HASH_SIZE) return `expected Aunts#${i} size to be ${HASH_SIZE}, got ${a.length}`;
  }
  return undefined;
}

/** The root a proof implies, or undefined when the proof's shape is inconsistent. */
export function computeProofRoot(p: Proof): Uint8Array | undefined {
  if (proofProblem(p) !== undefined) return undefined;
  return computeHashFromAunts(p.index, p.total, p.leafHash, p.aunts, p.aunts.length);
}

/**
 * Proof.Verify: checks that `leaf` is the item at `proof.index` of a tree with root
 * `rootHash`. Throws a ValidationError saying why not.
 */
export function verifyProof(proof: Proof, rootHash: Uint8Array, leaf: Uint8Array): void {
  const problem = proofProblem(proof);
  if (problem !== undefined) throw new ValidationError(`invalid proof: ${problem}`);
  if (!bytesEqual(proof.leafHash, leafHash(leaf))) {
    throw new ValidationError('invalid leaf hash: the leaf does not match the proof');
  }
  const computed = computeProofRoot(proof);
  if (computed === undefined || !bytesEqual(computed, rootHash)) {
    throw new ValidationError('invalid root hash: the proof does not lead to the expected root');
  }
}

/** Boolean form of `verifyProof`. */
export function isValidProof(proof: Proof, rootHash: Uint8Array, leaf: Uint8Array): boolean {
  try {
    verifyProof(proof, rootHash, leaf);
    return true;
  } catch {
    return false;
  }
}
