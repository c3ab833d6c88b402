/**
 * ICS23 proofs (cosmos/ics23 `proofs.proto`) for the IAVL module stores and for the root
 * multistore's simple merkle tree, encoded with our own protobuf writer (never cosmjs-types').
 *
 * IAVL existence proofs follow iavl's `convertExistenceProof`: the leaf op's prefix is the
 * leaf's zigzag varints (height 0, size 1, version); each inner op's prefix is the node's
 * varints then, depending on the side the path takes, `0x20` or `0x20 || leftHash || 0x20`,
 * and its suffix `0x20 || rightHash` or nothing. Ops run leaf-to-root.
 *
 * The multistore tree is CometBFT's RFC 6962 simple merkle tree (`crypto/merkle`): leaf =
 * SHA-256(0x00 || uvarint len(name) || name || uvarint 32 || SHA-256(storeRoot)), inner =
 * SHA-256(0x01 || left || right), split at the largest power of two below the count, sorted by
 * store name (cosmos-sdk `store/internal/maps`), empty = SHA-256 of empty input.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ByteWriter, compareBytes, concatBytes, EMPTY_HASH, sha256 } from './bytes.js';
import { type Node, nodeHashBytes, nodeHeader, treeIterate, treeIterateReverse, treePath } from './tree.js';

/** ics23 HashOp.SHA256 and LengthOp.VAR_PROTO. */
const SHA256 = 1;
const VAR_PROTO = 1;

export interface InnerOp {
  prefix: Uint8Array;
  suffix: Uint8Array;
}

export interface ExistenceProof {
  key: Uint8Array;
  value: Uint8Array;
  leafPrefix: Uint8Array;
  path: InnerOp[];
}

export interface NonExistenceProof {
  key: Uint8Array;
  left: ExistenceProof | undefined;
  right: ExistenceProof | undefined;
}

export type CommitmentProof = { exist: ExistenceProof } | { nonexist: NonExistenceProof };

function writeExistence(w: BinaryWriter, p: ExistenceProof): void {
  w.tag(1, WireType.LengthDelimited).bytes(p.key);
  w.tag(2, WireType.LengthDelimited).bytes(p.value);
  w.tag(3, WireType.LengthDelimited).fork();
  w.tag(1, WireType.Varint).int32(SHA256);
  // prehash_key = NO_HASH (0) is the default and is omitted.
  w.tag(3, WireType.Varint).int32(SHA256);
  w.tag(4, WireType.Varint).int32(VAR_PROTO);
  w.tag(5, WireType.LengthDelimited).bytes(p.leafPrefix);
  w.join();
  for (const op of p.path) {
    w.tag(4, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Varint).int32(SHA256);
    w.tag(2, WireType.LengthDelimited).bytes(op.prefix);
    if (op.suffix.length > 0) w.tag(3, WireType.LengthDelimited).bytes(op.suffix);
    w.join();
  }
}

/** Protobuf bytes of an ics23 `CommitmentProof`. */
export function encodeCommitmentProof(proof: CommitmentProof): Uint8Array {
  const w = new BinaryWriter();
  if ('exist' in proof) {
    w.tag(1, WireType.LengthDelimited).fork();
    writeExistence(w, proof.exist);
    w.join();
  } else {
    w.tag(2, WireType.LengthDelimited).fork();
    const n = proof.nonexist;
    w.tag(1, WireType.LengthDelimited).bytes(n.key);
    if (n.left) {
      w.tag(2, WireType.LengthDelimited).fork();
      writeExistence(w, n.left);
      w.join();
    }
    if (n.right) {
      w.tag(3, WireType.LengthDelimited).fork();
      writeExistence(w, n.right);
      w.join();
    }
    w.join();
  }
  return w.finish();
}

function nodePrefix(w: ByteWriter, n: Node): void {
  w.reset();
  w.raw(nodeHeader(n));
}

/** Existence proof of a key present in the tree; undefined when absent. */
export function iavlExistenceProof(root: Node | undefined, key: Uint8Array): ExistenceProof | undefined {
  if (root === undefined) return undefined;
  const { path, leaf } = treePath(root, key);
  if (compareBytes(leaf.key, key) !== 0) return undefined;
  const w = new ByteWriter(64);
  nodePrefix(w, leaf);
  const leafPrefix = w.finish();
  const ops: InnerOp[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i] as Node;
    const child = (i + 1 < path.length ? path[i + 1] : leaf) as Node;
    nodePrefix(w, n);
    if (child === n.left) {
      w.byte(32);
      const suffix = new Uint8Array(33);
      suffix[0] = 32;
      suffix.set(nodeHashBytes(n.right as Node), 1);
      ops.push({ prefix: w.finish(), suffix });
    } else {
      w.byte(32);
      w.raw(nodeHashBytes(n.left as Node));
      w.byte(32);
      ops.push({ prefix: w.finish(), suffix: new Uint8Array(0) });
    }
  }
  return { key: leaf.key, value: leaf.value as Uint8Array, leafPrefix, path: ops };
}

/** Non-existence proof of an absent key: existence proofs of its neighbours. */
export function iavlNonExistenceProof(root: Node | undefined, key: Uint8Array): NonExistenceProof {
  let left: ExistenceProof | undefined;
  let right: ExistenceProof | undefined;
  for (const [k] of treeIterateReverse(root, undefined, key)) {
    left = iavlExistenceProof(root, k);
    break;
  }
  for (const [k] of treeIterate(root, key, undefined)) {
    if (compareBytes(k, key) === 0) throw new Error('key exists: cannot prove its absence');
    right = iavlExistenceProof(root, k);
    break;
  }
  return { key, left, right };
}

/** The simple-merkle (RFC 6962) leaf hash: SHA-256(0x00 || item). */
function leafHash(item: Uint8Array): Uint8Array {
  return sha256(concatBytes([Uint8Array.of(0), item]));
}

/** The leaf item of one (store name, store root hash) pair: the SDK's `KVPair.Bytes()`. */
function storeItem(name: Uint8Array, storeRoot: Uint8Array): Uint8Array {
  const w = new ByteWriter(64 + name.length);
  w.bytes(name);
  w.bytes(sha256(storeRoot));
  return w.finish();
}

function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes([Uint8Array.of(1), left, right]));
}

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** CometBFT's `merkle.HashFromByteSlices`. */
export function simpleMerkleRoot(items: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(items.map(leafHash), 0, items.length);
}

function merkleRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return EMPTY_HASH;
  if (n === 1) return leaves[lo] as Uint8Array;
  const k = splitPoint(n);
  return innerHash(merkleRoot(leaves, lo, lo + k), merkleRoot(leaves, lo + k, hi));
}

export interface StoreRoot {
  name: string;
  hash: Uint8Array;
}

const utf8 = new TextEncoder();

function sortedLeaves(stores: readonly StoreRoot[]): {
  names: Uint8Array[];
  leaves: Uint8Array[];
  roots: Uint8Array[];
} {
  const items = stores
    .map((s) => ({ name: utf8.encode(s.name), hash: s.hash }))
    .sort((a, b) => compareBytes(a.name, b.name));
  return {
    names: items.map((i) => i.name),
    roots: items.map((i) => i.hash),
    leaves: items.map((i) => leafHash(storeItem(i.name, i.hash))),
  };
}

/** The app hash: simple merkle root over the stores' (name, root hash) pairs sorted by name. */
export function multistoreHash(stores: readonly StoreRoot[]): Uint8Array {
  return merkleRoot(sortedLeaves(stores).leaves, 0, stores.length);
}

/** Existence proof of (store name -> store root hash) in the multistore tree. */
export function multistoreProof(stores: readonly StoreRoot[], name: string): ExistenceProof {
  const { names, leaves, roots } = sortedLeaves(stores);
  const target = utf8.encode(name);
  const index = names.findIndex((n) => compareBytes(n, target) === 0);
  if (index < 0) throw new Error(`unknown store "${name}"`);
  const path: InnerOp[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      walk(lo, lo + k);
      path.push({ prefix: Uint8Array.of(1), suffix: merkleRoot(leaves, lo + k, hi) });
    } else {
      walk(lo + k, hi);
      path.push({
        prefix: concatBytes([Uint8Array.of(1), merkleRoot(leaves, lo, lo + k)]),
        suffix: new Uint8Array(0),
      });
    }
  };
  walk(0, leaves.length);
  return { key: target, value: roots[index] as Uint8Array, leafPrefix: Uint8Array.of(0), path };
}
