/**
 * Buffered writes over a parent KVStore (the Cosmos SDK's cachekv): a map of dirty entries
 * (a deletion is an entry whose value is null) with a lazily sorted key list for iteration,
 * merged over the parent's iteration. Branches nest (block -> tx); `write()` flushes into the
 * parent, dropping the branch discards its writes.
 *
 * Iterators snapshot the dirty entries in their range when created, so writing to this branch
 * while iterating it is safe (the iteration reflects the state when it began, for dirty keys).
 */
import { compareBytes, keyString } from './bytes.js';
import type { CacheKVStore, KVStore } from './types.js';
import { TreeView } from './views.js';

interface Entry {
  key: Uint8Array;
  value: Uint8Array | null;
}

export function assertKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new TypeError('store key must be a Uint8Array');
  if (key.length === 0) throw new RangeError('store key must not be empty');
}

export function assertValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('store value must be a Uint8Array');
}

function assertBound(b: unknown, what: string): void {
  if (b !== undefined && !(b instanceof Uint8Array))
    throw new TypeError(`iterator ${what} must be a Uint8Array or undefined`);
}

/** Index of the first element of a sorted string array that is >= s. */
function lowerBound(arr: readonly string[], s: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as string) < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CacheKV implements CacheKVStore {
  private readonly map = new Map<string, Entry>();
  private sorted: string[] = [];
  private pending: string[] = [];
  /** Bumped on every write; lets the multistore reuse a working tree while nothing changed. */
  generation = 0;
  /** Set while the multistore commits: a write then would be lost, so it is refused. */
  frozen = false;

  constructor(private parent: KVStore) {}

  /** Replace the parent (the multistore does this after a commit, when the cache is empty). */
  rebase(parent: KVStore): void {
    if (this.map.size > 0) throw new Error('rebase of a non-empty cache');
    this.parent = parent;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    assertKey(key);
    return this.getByString(key, keyString(key));
  }

  /**
   * `get` with the key's map string already made: nested branches (tx -> block -> working)
   * pass the one string down rather than each building (and hashing) its own.
   */
  private getByString(key: Uint8Array, s: string): Uint8Array | undefined {
    const e = this.map.get(s);
    if (e !== undefined) return e.value ?? undefined;
    const p = this.parent;
    if (p instanceof CacheKV) return p.getByString(key, s);
    if (p instanceof TreeView) return p.getByString(key, s);
    return p.get(key);
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    assertKey(key);
    assertValue(value);
    // A plain Uint8Array starting its buffer is kept as given (see KVStore.set). A Node Buffer
    // (often a slice of a shared pool) or a view into the middle of another array is copied,
    // so the store does not hand Buffers back or pin much larger memory. (`value.buffer` is not
    // read: that would move a small on-heap array's bytes off-heap.) The key is always copied:
    // it is also this branch's map identity.
    const owned = value.byteOffset === 0 && !(value instanceof Buffer);
    this.put(key, owned ? value : new Uint8Array(value));
  }

  delete(key: Uint8Array): void {
    assertKey(key);
    this.put(key, null);
  }

  private put(key: Uint8Array, value: Uint8Array | null): void {
    this.adopt(keyString(key), key, value, true);
  }

  /**
   * Records a write. `copyKey` false hands over a key array this cache may keep (a child
   * branch's own copy, which the child drops right after).
   */
  private adopt(s: string, key: Uint8Array, value: Uint8Array | null, copyKey: boolean): void {
    if (this.frozen) throw new Error('store write during commit');
    const e = this.map.get(s);
    if (e !== undefined) e.value = value;
    else {
      this.map.set(s, { key: copyKey ? new Uint8Array(key) : key, value });
      this.pending.push(s);
    }
    this.generation++;
  }

  write(): void {
    const p = this.parent;
    if (p instanceof CacheKV) {
      // Branch into branch (tx -> block): the entries, which this cache copied when they were
      // written and drops now, move over as they are, with their map strings.
      for (const [s, e] of this.map) p.adopt(s, e.key, e.value, false);
    } else {
      for (const e of this.map.values()) {
        if (e.value === null) p.delete(e.key);
        else p.set(e.key, e.value);
      }
    }
    this.discard();
  }

  /** Drop every buffered write. */
  discard(): void {
    this.map.clear();
    this.sorted = [];
    this.pending = [];
    this.generation++;
  }

  private sortedKeys(): string[] {
    if (this.pending.length > 0) {
      const add = this.pending.sort();
      this.pending = [];
      if (this.sorted.length === 0) this.sorted = add;
      else {
        const a = this.sorted;
        const out: string[] = new Array(a.length + add.length);
        let i = 0;
        let j = 0;
        let k = 0;
        while (i < a.length && j < add.length)
          out[k++] = (a[i] as string) < (add[j] as string) ? (a[i++] as string) : (add[j++] as string);
        while (i < a.length) out[k++] = a[i++] as string;
        while (j < add.length) out[k++] = add[j++] as string;
        this.sorted = out;
      }
    }
    return this.sorted;
  }

  /** Dirty entries in key order (value undefined = delete), for the commit. */
  sortedEntries(): { key: Uint8Array; value: Uint8Array | undefined }[] {
    return this.sortedKeys().map((s) => {
      const e = this.map.get(s) as Entry;
      return { key: e.key, value: e.value ?? undefined };
    });
  }

  private dirtyRange(start: Uint8Array | undefined, end: Uint8Array | undefined): Entry[] {
    const keys = this.sortedKeys();
    const lo = start === undefined ? 0 : lowerBound(keys, keyString(start));
    const hi = end === undefined ? keys.length : lowerBound(keys, keyString(end));
    const out: Entry[] = [];
    for (let i = lo; i < hi; i++) {
      const e = this.map.get(keys[i] as string) as Entry;
      out.push({ key: e.key, value: e.value });
    }
    return out;
  }

  iterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    assertBound(start, 'start');
    assertBound(end, 'end');
    return mergeIterate(this.dirtyRange(start, end), this.parent.iterator(start, end), 1);
  }

  reverseIterator(start?: Uint8Array, end?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    assertBound(start, 'start');
    assertBound(end, 'end');
    return mergeIterate(this.dirtyRange(start, end).reverse(), this.parent.reverseIterator(start, end), -1);
  }
}

/** Merge dirty entries (already in iteration order) over the parent's iteration. */
function* mergeIterate(
  dirty: Entry[],
  parent: Iterator<[Uint8Array, Uint8Array]>,
  dir: 1 | -1,
): Generator<[Uint8Array, Uint8Array]> {
  let i = 0;
  let p = parent.next();
  while (i < dirty.length || !p.done) {
    if (p.done) {
      const d = dirty[i++] as Entry;
      if (d.value !== null) yield [d.key, d.value];
      continue;
    }
    if (i >= dirty.length) {
      yield p.value;
      p = parent.next();
      continue;
    }
    const d = dirty[i] as Entry;
    const c = compareBytes(d.key, p.value[0]) * dir;
    if (c <= 0) {
      i++;
      if (c === 0) p = parent.next();
      if (d.value !== null) yield [d.key, d.value];
    } else {
      yield p.value;
      p = parent.next();
    }
  }
}
