/**
 * Read-only views over committed trees, and the branching multistore (the SDK's cachemulti):
 * a branch holds one CacheKV per module store, created on first use so that a tx touching two
 * stores pays for two caches, not for all of them.
 */
import { assertKey, CacheKV } from './cacheKV.js';
import { type Node, treeGet, treeIterate, treeIterateReverse } from './tree.js';
import type { CacheMultiStore, KVStore, MultiStore } from './types.js';

/** Reads a TreeView remembers: a tx reads its accounts several times, a version is read by CheckTx and then by the block. */
const TREE_READ_CACHE = 250_000;

/** A committed tree as a KVStore; writes are refused. */
export class TreeView implements KVStore {
  /** Results of reads by key string (null: absent). The tree never changes, so they stay true. */
  private readonly reads = new Map<string, Uint8Array | null>();
  constructor(readonly root: Node | undefined) {}
  get(key: Uint8Array): Uint8Array | undefined {
    assertKey(key);
    return treeGet(this.root, key);
  }

  /** `get` through the read cache, for a caller that already has the key's map string. */
  getByString(key: Uint8Array, s: string): Uint8Array | undefined {
    const hit = this.reads.get(s);
    if (hit !== undefined) return hit ?? undefined;
    const v = treeGet(this.root, key);
    if (this.reads.size < TREE_READ_CACHE) this.reads.set(s, v ?? null);
    return v;
  }
  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }
  set(): void {
    throw new Error('read-only store: committed versions cannot be written');
  }
  delete(): void {
    throw new Error('read-only store: committed versions cannot be written');
  }
  iterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    return treeIterate(this.root, start, end);
  }
  reverseIterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    return treeIterateReverse(this.root, start, end);
  }
}

export function unknownStore(name: string, names: readonly string[]): Error {
  return new Error(`unknown store "${name}" (registered: ${names.join(', ')})`);
}

/** A committed version of every module store. */
export class ReadOnlyMultiStore implements MultiStore {
  private readonly views = new Map<string, TreeView>();
  constructor(
    private readonly names: readonly string[],
    roots: readonly (Node | undefined)[],
  ) {
    names.forEach((n, i) => {
      this.views.set(n, new TreeView(roots[i]));
    });
  }
  getKVStore(name: string): KVStore {
    const v = this.views.get(name);
    if (v === undefined) throw unknownStore(name, this.names);
    return v;
  }
  storeNames(): readonly string[] {
    return this.names;
  }
}

export class BranchMultiStore implements CacheMultiStore {
  private readonly caches = new Map<string, CacheKV>();
  constructor(private readonly parent: MultiStore) {}
  getKVStore(name: string): KVStore {
    let c = this.caches.get(name);
    if (c === undefined) {
      c = new CacheKV(this.parent.getKVStore(name));
      this.caches.set(name, c);
    }
    return c;
  }
  storeNames(): readonly string[] {
    return this.parent.storeNames();
  }
  write(): void {
    for (const c of this.caches.values()) c.write();
  }
  cacheMultiStore(): CacheMultiStore {
    return new BranchMultiStore(this);
  }
}
