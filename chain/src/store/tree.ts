/**
 * The IAVL tree (cosmos/iavl): an AVL+ tree whose values live in leaves, whose inner nodes carry
 * the smallest key of their right subtree, and whose every node records height, size and the
 * version it was written at. Node hash preimages follow iavl's `writeHashBytes`:
 *   zigzag varint height, size, version, then
 *   leaf:  uvarint len(key) || key || uvarint 32 || SHA-256(value)
 *   inner: uvarint 32 || leftHash || uvarint 32 || rightHash
 * The empty tree hashes to SHA-256 of empty input (iavl v1, RFC 6962 convention).
 *
 * Nodes are immutable once a batch of writes has been applied: every version shares the nodes
 * it did not change with its predecessor, so a retained version costs only its changed paths.
 * Insert, remove and rebalancing mirror iavl's `recursiveSet`, `recursiveRemove` and `balance`
 * so that the same ordered writes give the same shape (and so the same hashes) as iavl.
 */
import { compareBytes, EMPTY_HASH, sha256Str, strToBytes } from './bytes.js';

export class Node {
  /** Leaf: its key. Inner: the smallest key of its right subtree. */
  key: Uint8Array;
  /** Present exactly on leaves. */
  value: Uint8Array | undefined;
  left: Node | undefined;
  right: Node | undefined;
  height: number;
  size: number;
  version: number;
  /** SHA-256 of the node's preimage as a latin1 string (see bytes.ts `sha256Str`). */
  hash: string | undefined;
  /** The batch (`Mutator`) that created this node and may still change it in place. */
  owner: number;
  constructor(
    key: Uint8Array,
    value: Uint8Array | undefined,
    left: Node | undefined,
    right: Node | undefined,
    height: number,
    size: number,
    version: number,
    owner: number,
  ) {
    this.key = key;
    this.value = value;
    this.left = left;
    this.right = right;
    this.height = height;
    this.size = size;
    this.version = version;
    this.hash = undefined;
    this.owner = owner;
  }
}

/** One write of a batch: `value` undefined means delete. */
export interface WriteOp {
  key: Uint8Array;
  value: Uint8Array | undefined;
}

let nextOwner = 1;

/**
 * Applies one version's writes to a tree. Nodes it creates belong to it and are changed in place
 * by later writes of the same batch (so a hot upper path is copied once per batch, not per
 * write); nodes of earlier versions are cloned before any change.
 */
export class Mutator {
  private readonly owner = nextOwner++;
  private updated = false;
  private removed = false;
  private newKey: Uint8Array | undefined = undefined;
  constructor(readonly version: number) {}

  apply(root: Node | undefined, ops: readonly WriteOp[]): Node | undefined {
    let r = root;
    for (const op of ops) {
      if (op.value === undefined) r = this.remove(r, op.key);
      else r = this.set(r, op.key, op.value);
    }
    return r;
  }

  set(root: Node | undefined, key: Uint8Array, value: Uint8Array): Node {
    if (root === undefined) return this.leaf(key, value);
    this.updated = false;
    return this.setRec(root, key, value);
  }

  remove(root: Node | undefined, key: Uint8Array): Node | undefined {
    if (root === undefined) return undefined;
    this.removed = false;
    this.newKey = undefined;
    const r = this.removeRec(root, key);
    return this.removed ? r : root;
  }

  private leaf(key: Uint8Array, value: Uint8Array): Node {
    return new Node(key, value, undefined, undefined, 0, 1, this.version, this.owner);
  }

  private own(n: Node): Node {
    if (n.owner === this.owner) {
      n.hash = undefined;
      return n;
    }
    return new Node(n.key, n.value, n.left, n.right, n.height, n.size, this.version, this.owner);
  }

  private setRec(node: Node, key: Uint8Array, value: Uint8Array): Node {
    if (node.height === 0) {
      const c = compareBytes(key, node.key);
      if (c < 0)
        return new Node(node.key, undefined, this.leaf(key, value), node, 1, 2, this.version, this.owner);
      if (c > 0) return new Node(key, undefined, node, this.leaf(key, value), 1, 2, this.version, this.owner);
      this.updated = true;
      return this.leaf(key, value);
    }
    const n = this.own(node);
    if (compareBytes(key, n.key) < 0) n.left = this.setRec(n.left as Node, key, value);
    else n.right = this.setRec(n.right as Node, key, value);
    if (this.updated) return n;
    update(n);
    return this.balance(n);
  }

  private removeRec(node: Node, key: Uint8Array): Node | undefined {
    if (node.height === 0) {
      if (compareBytes(key, node.key) === 0) {
        this.removed = true;
        return undefined;
      }
      return node;
    }
    if (compareBytes(key, node.key) < 0) {
      const nl = this.removeRec(node.left as Node, key);
      if (!this.removed) return node;
      if (nl === undefined) {
        // The left leaf went away: this subtree's smallest key is now this node's key.
        this.newKey = node.key;
        return node.right;
      }
      const n = this.own(node);
      n.left = nl;
      update(n);
      return this.balance(n);
    }
    const nr = this.removeRec(node.right as Node, key);
    if (!this.removed) return node;
    if (nr === undefined) {
      this.newKey = undefined;
      return node.left;
    }
    const n = this.own(node);
    n.right = nr;
    if (this.newKey !== undefined) {
      n.key = this.newKey;
      this.newKey = undefined;
    }
    update(n);
    return this.balance(n);
  }

  /** `n` is owned by this batch. */
  private balance(n: Node): Node {
    const l = n.left as Node;
    const r = n.right as Node;
    const b = l.height - r.height;
    if (b > 1) {
      if ((l.left as Node).height - (l.right as Node).height >= 0) return this.rotateRight(n);
      n.left = this.rotateLeft(this.own(l));
      return this.rotateRight(n);
    }
    if (b < -1) {
      if ((r.left as Node).height - (r.right as Node).height <= 0) return this.rotateLeft(n);
      n.right = this.rotateRight(this.own(r));
      return this.rotateLeft(n);
    }
    return n;
  }

  private rotateRight(n: Node): Node {
    const top = this.own(n.left as Node);
    n.left = top.right;
    top.right = n;
    update(n);
    update(top);
    return top;
  }

  private rotateLeft(n: Node): Node {
    const top = this.own(n.right as Node);
    n.right = top.left;
    top.left = n;
    update(n);
    update(top);
    return top;
  }
}

function update(n: Node): void {
  const l = n.left as Node;
  const r = n.right as Node;
  n.height = Math.max(l.height, r.height) + 1;
  n.size = l.size + r.size;
}

/** Scratch space for preimages, with cached views per length (no allocation per hash). */
let scratch = new Uint8Array(1024);
let views: Uint8Array[] = [];

function view(len: number): Uint8Array {
  let v = views[len];
  if (v === undefined) {
    v = scratch.subarray(0, len);
    views[len] = v;
  }
  return v;
}

function ensureScratch(len: number): void {
  if (len <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < len) size *= 2;
  scratch = new Uint8Array(size);
  views = [];
}

/** Writes `n` as a uvarint at `pos`; returns the next position. */
function putUvarint(buf: Uint8Array, pos: number, n: number): number {
  let v = n;
  let p = pos;
  while (v >= 0x80) {
    buf[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[p++] = v;
  return p;
}

/** Zigzag varint of a non-negative safe integer below 2^52 (heights, sizes, versions). */
function putZigzag(buf: Uint8Array, pos: number, n: number): number {
  return putUvarint(buf, pos, n * 2);
}

function putHash(buf: Uint8Array, pos: number, h: string): number {
  let p = pos;
  buf[p++] = 32;
  for (let i = 0; i < 32; i++) buf[p++] = h.charCodeAt(i);
  return p;
}

/** The varint header every node preimage starts with: height, size, version (zigzag). */
export function nodeHeader(n: Node): Uint8Array {
  const buf = new Uint8Array(30);
  let p = putZigzag(buf, 0, n.height);
  p = putZigzag(buf, p, n.size);
  p = putZigzag(buf, p, n.version);
  return buf.slice(0, p);
}

/** The node's hash, computing (and caching) any missing hashes below it. */
export function hashNode(n: Node): string {
  if (n.hash !== undefined) return n.hash;
  if (n.height === 0) {
    const key = n.key;
    const vh = sha256Str(n.value as Uint8Array);
    ensureScratch(key.length + 64);
    const buf = scratch;
    buf[0] = 0;
    buf[1] = 2;
    let p = putZigzag(buf, 2, n.version);
    p = putUvarint(buf, p, key.length);
    for (let i = 0; i < key.length; i++) buf[p++] = key[i] as number;
    p = putHash(buf, p, vh);
    n.hash = sha256Str(view(p));
    return n.hash;
  }
  const lh = hashNode(n.left as Node);
  const rh = hashNode(n.right as Node);
  const buf = scratch;
  let p = putZigzag(buf, 0, n.height);
  p = putZigzag(buf, p, n.size);
  p = putZigzag(buf, p, n.version);
  p = putHash(buf, p, lh);
  p = putHash(buf, p, rh);
  n.hash = sha256Str(view(p));
  return n.hash;
}

/** A node's hash as bytes. */
export function nodeHashBytes(n: Node): Uint8Array {
  return strToBytes(hashNode(n));
}

export function rootHash(root: Node | undefined): Uint8Array {
  return root === undefined ? EMPTY_HASH : nodeHashBytes(root);
}

export function treeGet(root: Node | undefined, key: Uint8Array): Uint8Array | undefined {
  let n = root;
  if (n === undefined) return undefined;
  while (n.height > 0) n = (compareBytes(key, n.key) < 0 ? n.left : n.right) as Node;
  return compareBytes(key, n.key) === 0 ? n.value : undefined;
}

/** Leaves with start <= key < end, ascending. */
export function* treeIterate(
  root: Node | undefined,
  start: Uint8Array | undefined,
  end: Uint8Array | undefined,
): Generator<[Uint8Array, Uint8Array]> {
  const stack: Node[] = [];
  let n = root;
  while (n !== undefined) {
    while (n.height > 0) {
      if (start !== undefined && compareBytes(start, n.key) >= 0) {
        n = n.right as Node;
      } else {
        if (end === undefined || compareBytes(n.key, end) < 0) stack.push(n.right as Node);
        n = n.left as Node;
      }
    }
    if (end !== undefined && compareBytes(n.key, end) >= 0) return;
    if (start === undefined || compareBytes(n.key, start) >= 0) yield [n.key, n.value as Uint8Array];
    n = stack.pop();
  }
}

/** Leaves with start <= key < end, descending. */
export function* treeIterateReverse(
  root: Node | undefined,
  start: Uint8Array | undefined,
  end: Uint8Array | undefined,
): Generator<[Uint8Array, Uint8Array]> {
  const stack: Node[] = [];
  let n = root;
  while (n !== undefined) {
    while (n.height > 0) {
      if (end !== undefined && compareBytes(n.key, end) >= 0) {
        n = n.left as Node;
      } else {
        if (start === undefined || compareBytes(n.key, start) > 0) stack.push(n.left as Node);
        n = n.right as Node;
      }
    }
    if (start !== undefined && compareBytes(n.key, start) < 0) return;
    if (end === undefined || compareBytes(n.key, end) < 0) yield [n.key, n.value as Uint8Array];
    n = stack.pop();
  }
}

/** The inner nodes from the root down to the leaf where `key` is or would be, and that leaf. */
export function treePath(root: Node, key: Uint8Array): { path: Node[]; leaf: Node } {
  const path: Node[] = [];
  let n = root;
  while (n.height > 0) {
    path.push(n);
    n = (compareBytes(key, n.key) < 0 ? n.left : n.right) as Node;
  }
  return { path, leaf: n };
}
