/**
 * The mempool's duplicate filter (CometBFT `mempool/cache.go` LRUTxCache): a bounded set of
 * tx hashes, evicting the least recently pushed one when full.
 */
import { OldestFirst } from '../../util/oldestFirst.js';

export class TxCache {
  /** Map iteration order is insertion order, which we keep as recency order. */
  private readonly keys = new Map<string, true>();
  private readonly oldest = new OldestFirst(this.keys);

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`cache size must be a non-negative integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  /** Adds `key`; false if it was already there (it then becomes the most recent). */
  push(key: string): boolean {
    if (this.capacity === 0) return true;
    if (this.keys.has(key)) {
      this.keys.delete(key);
      this.keys.set(key, true);
      return false;
    }
    if (this.keys.size >= this.capacity) this.oldest.evict();
    this.keys.set(key, true);
    return true;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  remove(key: string): void {
    this.keys.delete(key);
  }

  reset(): void {
    this.keys.clear();
  }
}
