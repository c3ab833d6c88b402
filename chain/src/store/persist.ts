/**
 * On-disk layout (one LevelDB per multistore). Every key starts with one tag byte; versions are
 * 8-byte big-endian so that LevelDB's order is version order.
 *
 *   O                      meta: the registered store names
 *   L                      latest committed version (written in the commit batch)
 *   C <version>            commit info: each store's root hash at that version
 *   W <version>            changeset: each store's sorted writes of that version
 *   M <version>            snapshot marker (chunk count), written once the snapshot file
 *                          (snapshotStore.ts: every tree at that version, post-order) is durable
 *
 * A commit is ONE batch (changeset, commit info, latest marker, pruning deletes), so a crash
 * leaves either the old or the new version. Opening loads the newest complete snapshot and
 * replays the changesets after it; snapshot files without a marker are leftovers of a crash.
 */
import { ByteReader, ByteWriter, bytesToStr } from './bytes.js';
import { hashNode, Node, type WriteOp } from './tree.js';

export const TAG = {
  meta: 0x4f,
  latest: 0x4c,
  info: 0x43,
  changes: 0x57,
  marker: 0x4d,
} as const;

export function tagKey(tag: number): Uint8Array {
  return Uint8Array.of(tag);
}

/** tag || u64be(version) */
export function versionKey(tag: number, version: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = tag;
  const dv = new DataView(k.buffer);
  dv.setUint32(1, Math.floor(version / 0x100000000));
  dv.setUint32(5, version >>> 0);
  return k;
}

export function keyVersion(key: Uint8Array): number {
  if (key.length < 9) throw new Error('corrupt store key: too short');
  const dv = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return dv.getUint32(1) * 0x100000000 + dv.getUint32(5);
}

export function encodeNames(names: readonly string[]): Uint8Array {
  const w = new ByteWriter();
  const enc = new TextEncoder();
  w.uvarint(names.length);
  for (const n of names) w.bytes(enc.encode(n));
  return w.finish();
}

export function decodeNames(b: Uint8Array): string[] {
  const r = new ByteReader(b, 'store meta');
  const dec = new TextDecoder();
  const n = r.uvarint();
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(dec.decode(r.bytes()));
  return out;
}

export function encodeVersion(v: number): Uint8Array {
  const w = new ByteWriter(10);
  w.uvarint(v);
  return w.finish();
}

export function decodeVersion(b: Uint8Array): number {
  return new ByteReader(b, 'latest version').uvarint();
}

/** Root hashes by store index. */
export function encodeInfo(hashes: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(40 * hashes.length + 4);
  w.uvarint(hashes.length);
  for (const h of hashes) w.bytes(h);
  return w.finish();
}

export function decodeInfo(b: Uint8Array): Uint8Array[] {
  const r = new ByteReader(b, 'commit info');
  const n = r.uvarint();
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(new Uint8Array(r.bytes()));
  return out;
}

/** Writes by store index (empty arrays for untouched stores). */
export function encodeChanges(changes: readonly (readonly WriteOp[])[]): Uint8Array {
  let size = 8;
  for (const ops of changes) for (const op of ops) size += op.key.length + (op.value?.length ?? 0) + 12;
  const w = new ByteWriter(size);
  let stores = 0;
  for (const ops of changes) if (ops.length > 0) stores++;
  w.uvarint(stores);
  changes.forEach((ops, i) => {
    if (ops.length === 0) return;
    w.uvarint(i);
    w.uvarint(ops.length);
    for (const op of ops) {
      if (op.value === undefined) {
        w.byte(0);
        w.bytes(op.key);
      } else {
        w.byte(1);
        w.bytes(op.key);
        w.bytes(op.value);
      }
    }
  });
  return w.view();
}

export function decodeChanges(b: Uint8Array, storeCount: number): WriteOp[][] {
  const r = new ByteReader(b, 'changeset');
  const out: WriteOp[][] = Array.from({ length: storeCount }, () => []);
  const stores = r.uvarint();
  for (let s = 0; s < stores; s++) {
    const idx = r.uvarint();
    const ops = out[idx];
    if (ops === undefined) throw new Error(`corrupt changeset: store index ${idx}`);
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      const kind = r.byte();
      const key = r.bytes();
      if (kind === 0) ops.push({ key, value: undefined });
      else if (kind === 1) ops.push({ key, value: r.bytes() });
      else throw new Error(`corrupt changeset: op kind ${kind}`);
    }
  }
  return out;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Serializes trees in post-order, yielding ~1 MiB chunks that never split a record:
 * per store `uvarint leafCount`, then leaf = 0, version, key, value, hash; inner = 1, version,
 * hash (inner keys, heights and sizes follow from the children).
 */
export function* snapshotChunks(roots: readonly (Node | undefined)[]): Generator<Uint8Array> {
  const w = new ByteWriter(CHUNK_BYTES + 4096);
  for (const root of roots) {
    w.uvarint(root?.size ?? 0);
    if (root === undefined) continue;
    const stack: Node[] = [root];
    const expanded: boolean[] = [false];
    while (stack.length > 0) {
      const n = stack[stack.length - 1] as Node;
      if (n.height > 0 && !expanded[expanded.length - 1]) {
        expanded[expanded.length - 1] = true;
        stack.push(n.right as Node, n.left as Node);
        expanded.push(false, false);
        continue;
      }
      stack.pop();
      expanded.pop();
      const h = hashNode(n);
      if (n.height === 0) {
        w.byte(0);
        w.uvarint(n.version);
        w.bytes(n.key);
        w.bytes(n.value as Uint8Array);
      } else {
        w.byte(1);
        w.uvarint(n.version);
      }
      w.latin1(h);
      if (w.pos >= CHUNK_BYTES) {
        yield w.finish();
        w.reset();
      }
    }
  }
  if (w.pos > 0) yield w.finish();
}

/** Rebuilds trees from snapshot chunks fed in order. */
export class SnapshotDecoder {
  readonly roots: (Node | undefined)[] = [];
  private store = -1;
  private leavesLeft = 0;
  private readonly stack: Node[] = [];
  private readonly mins: Uint8Array[] = [];
  constructor(private readonly storeCount: number) {}

  feed(chunk: Uint8Array): void {
    const r = new ByteReader(chunk, 'snapshot');
    while (!r.done) {
      if (this.leavesLeft === 0 && this.stack.length <= 1) {
        this.finishStore();
        this.store++;
        if (this.store >= this.storeCount) throw new Error('corrupt snapshot: more stores than registered');
        this.leavesLeft = r.uvarint();
        continue;
      }
      const kind = r.byte();
      const version = r.uvarint();
      if (kind === 0) {
        if (this.leavesLeft === 0) throw new Error('corrupt snapshot: too many leaves');
        // Copies, so that no leaf keeps a whole chunk alive.
        const key = new Uint8Array(r.bytes());
        const value = new Uint8Array(r.bytes());
        const n = new Node(key, value, undefined, undefined, 0, 1, version, 0);
        n.hash = bytesToStr(r.raw(32));
        this.stack.push(n);
        this.mins.push(key);
        this.leavesLeft--;
      } else if (kind === 1) {
        const right = this.stack.pop();
        const left = this.stack.pop();
        const rmin = this.mins.pop();
        if (left === undefined || right === undefined || rmin === undefined)
          throw new Error('corrupt snapshot: inner node without children');
        const n = new Node(
          rmin,
          undefined,
          left,
          right,
          Math.max(left.height, right.height) + 1,
          left.size + right.size,
          version,
          0,
        );
        n.hash = bytesToStr(r.raw(32));
        this.stack.push(n);
      } else throw new Error(`corrupt snapshot: record kind ${kind}`);
    }
  }

  private finishStore(): void {
    if (this.store >= 0) {
      this.roots[this.store] = this.stack.pop();
      this.mins.length = 0;
    }
  }

  /** The trees, once every chunk has been fed. */
  finish(): (Node | undefined)[] {
    if (this.leavesLeft !== 0 || this.stack.length > 1) throw new Error('corrupt snapshot: truncated');
    this.finishStore();
    this.store++;
    while (this.store < this.storeCount) {
      this.roots[this.store] = undefined;
      this.store++;
    }
    if (this.roots.length !== this.storeCount) throw new Error('corrupt snapshot: store count');
    return this.roots;
  }
}
