/**
 * Prefix iteration (the SDK's `KVStorePrefixIterator`): a prefix's keys are exactly the range
 * [prefix, prefixEnd(prefix)).
 */
import type { KVStore } from './types.js';

/** The smallest key greater than every key starting with `prefix`; undefined when none is
 * (an empty prefix, or one made only of 0xff bytes). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = new Uint8Array(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.slice(0, i + 1);
    }
  }
  return undefined;
}

/** Entries whose key starts with `prefix`, ascending. */
export function prefixIterator(
  store: KVStore,
  prefix: Uint8Array,
): IterableIterator<[Uint8Array, Uint8Array]> {
  return store.iterator(prefix.length > 0 ? prefix : undefined, prefixEnd(prefix));
}

/** Entries whose key starts with `prefix`, descending. */
export function reversePrefixIterator(
  store: KVStore,
  prefix: Uint8Array,
): IterableIterator<[Uint8Array, Uint8Array]> {
  return store.reverseIterator(prefix.length > 0 ? prefix : undefined, prefixEnd(prefix));
}
