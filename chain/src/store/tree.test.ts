import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes, concatBytes, sha256 } from './bytes.js';
import { collect, hex, Model } from './testing/model.js';
import {
  Mutator,
  type Node,
  nodeHashBytes,
  rootHash,
  treeGet,
  treeIterate,
  treeIterateReverse,
  type WriteOp,
} from './tree.js';

const b = (...xs: number[]) => Uint8Array.from(xs);

/** Checks the AVL+ and IAVL invariants; returns the subtree's smallest key. */
function checkNode(n: Node): Uint8Array {
  if (n.height === 0) {
    expect(n.size).toBe(1);
    expect(n.value).toBeDefined();
    return n.key;
  }
  const l = n.left as Node;
  const r = n.right as Node;
  expect(n.value).toBeUndefined();
  expect(n.height).toBe(Math.max(l.height, r.height) + 1);
  expect(n.size).toBe(l.size + r.size);
  expect(Math.abs(l.height - r.height)).toBeLessThanOrEqual(1);
  const lmin = checkNode(l);
  const rmin = checkNode(r);
  // iavl: an inner node's key is the smallest key of its right subtree.
  expect(hex(n.key)).toBe(hex(rmin));
  expect(compareBytes(lmin, rmin)).toBeLessThan(0);
  return lmin;
}

const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((k) => k.map((x) => x % 8));
const opArb = fc.record({
  key: keyArb,
  value: fc.option(fc.uint8Array({ maxLength: 4 }), { nil: undefined }),
});
const batchesArb = fc.array(fc.array(opArb, { maxLength: 40 }), { minLength: 1, maxLength: 8 });

function sortedUnique(ops: WriteOp[]): WriteOp[] {
  const m = new Map<string, WriteOp>();
  for (const op of ops) m.set(hex(op.key), op);
  return [...m.values()].sort((x, y) => compareBytes(x.key, y.key));
}

describe('IAVL node hashing', () => {
  it('hashes a leaf as iavl does: zigzag height/size/version, prefixed key, prefixed SHA-256(value)', () => {
    const root = new Mutator(1).apply(undefined, [{ key: b(0x61), value: b(0x62) }]);
    const preimage = concatBytes([b(0x00, 0x02, 0x02), b(0x01, 0x61), b(0x20), sha256(b(0x62))]);
    expect(hex(rootHash(root))).toBe(hex(sha256(preimage)));
  });

  it('hashes an inner node over its children with their length prefixes', () => {
    const root = new Mutator(3).apply(undefined, [
      { key: b(1), value: b(10) },
      { key: b(2), value: b(20) },
    ]) as Node;
    const leaf = (k: number, v: number) => sha256(concatBytes([b(0, 2, 6, 1, k, 0x20), sha256(b(v))]));
    const expected = sha256(concatBytes([b(2, 4, 6, 0x20), leaf(1, 10), b(0x20), leaf(2, 20)]));
    expect(hex(rootHash(root))).toBe(hex(expected));
    // The inner node is keyed by the smallest key of its right subtree.
    expect(hex(root.key)).toBe('02');
  });

  it('hashes the empty tree as SHA-256 of empty input (iavl v1)', () => {
    expect(hex(rootHash(undefined))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('encodes versions >= 2^31 in the preimage as 64-bit zigzag varints', () => {
    const v = 2 ** 31 + 5;
    const root = new Mutator(v).apply(undefined, [{ key: b(1), value: b(2) }]);
    const version = new BinaryWriter().sint64(BigInt(v)).finish();
    expect(version.length).toBe(5);
    const preimage = concatBytes([b(0, 2), version, b(1, 1, 0x20), sha256(b(2))]);
    expect(hex(rootHash(root))).toBe(hex(sha256(preimage)));
  });
});

describe('IAVL tree', () => {
  it('matches a model map, keeps AVL balance and iavl keys, and leaves old versions untouched', () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const model = new Model();
        let root: Node | undefined;
        const history: { root: Node | undefined; hash: string; model: Model }[] = [];
        batches.forEach((ops, i) => {
          const sorted = sortedUnique(ops);
          root = new Mutator(i + 1).apply(root, sorted);
          for (const op of sorted)
            op.value === undefined ? model.delete(op.key) : model.set(op.key, op.value);
          if (root) checkNode(root);
          expect(root?.size ?? 0).toBe(model.map.size);
          expect(collect(treeIterate(root, undefined, undefined))).toEqual(model.range(undefined, undefined));
          history.push({ root, hash: hex(rootHash(root)), model: model.clone() });
        });
        for (const h of history) {
          expect(hex(rootHash(h.root))).toBe(h.hash);
          expect(collect(treeIterate(h.root, undefined, undefined))).toEqual(
            h.model.range(undefined, undefined),
          );
        }
      }),
    );
  });

  it('gets and iterates ranges forward and backward like the model', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 80 }),
        fc.array(fc.tuple(fc.option(keyArb, { nil: undefined }), fc.option(keyArb, { nil: undefined }))),
        (ops, ranges) => {
          const sorted = sortedUnique(ops);
          const root = new Mutator(1).apply(undefined, sorted);
          const model = new Model();
          for (const op of sorted)
            op.value === undefined ? model.delete(op.key) : model.set(op.key, op.value);
          for (const op of ops) expect(treeGet(root, op.key)).toEqual(model.get(op.key));
          for (const [s, e] of ranges) {
            expect(collect(treeIterate(root, s, e))).toEqual(model.range(s, e));
            expect(collect(treeIterateReverse(root, s, e))).toEqual(model.range(s, e, true));
          }
        },
      ),
    );
  });

  it('gives the same tree whether a batch mutates its own nodes in place or copies every time', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), fc.array(opArb, { maxLength: 60 }), (first, second) => {
        const base = new Mutator(1).apply(undefined, sortedUnique(first));
        const batch = sortedUnique(second);
        const inPlace = new Mutator(2).apply(base, batch);
        let copied = base;
        // A fresh Mutator per write owns nothing it did not create, so it copies every node.
        for (const op of batch) copied = new Mutator(2).apply(copied, [op]);
        expect(hex(rootHash(inPlace))).toBe(hex(rootHash(copied)));
      }),
    );
  });

  it('caches hashes and recomputes only changed paths', () => {
    let root: Node | undefined;
    const ops: WriteOp[] = [];
    for (let i = 0; i < 64; i++) ops.push({ key: b(i), value: b(i) });
    root = new Mutator(1).apply(root, ops) as Node;
    const before = nodeHashBytes(root);
    const left = root.left as Node;
    root = new Mutator(2).apply(root, [{ key: b(63), value: b(1) }]) as Node;
    expect(root.left).toBe(left);
    expect(hex(nodeHashBytes(root))).not.toBe(hex(before));
  });
});
