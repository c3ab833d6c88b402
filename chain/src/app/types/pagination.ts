/**
 * `cosmos.base.query.v1beta1` pagination over a store prefix, as the SDK's query.Paginate:
 * a `key` to resume from (the `next_key` of the previous page) or an `offset`, a `limit`
 * (default 100, bounded here), `count_total` and `reverse`.
 */
import type { PageRequest, PageResponse } from 'cosmjs-types/cosmos/base/query/v1beta1/pagination';
import type { KVStore } from '../../store/types.js';
import { invalidArgument } from './errors.js';
import { concatBytes, prefixEnd } from './keys.js';

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;

export interface Page<T> {
  items: T[];
  pagination: PageResponse;
}

/**
 * Pages through the entries under `prefix`; `decode` gets the key without the prefix and the
 * value and returns the item, or undefined to leave the entry out (a filter).
 */
export function paginate<T>(
  store: KVStore,
  prefix: Uint8Array,
  req: PageRequest | undefined,
  decode: (key: Uint8Array, value: Uint8Array) => T | undefined,
): Page<T> {
  const key = req?.key ?? new Uint8Array();
  const offset = req?.offset ?? 0n;
  let limit = req?.limit ?? 0n;
  if (key.length > 0 && offset > 0n)
    throw invalidArgument('paginate: invalid request, either offset or key is expected, got both');
  if (limit === 0n) limit = DEFAULT_PAGE_LIMIT;
  if (limit > MAX_PAGE_LIMIT)
    throw invalidArgument(`paginate: limit ${limit} exceeds the maximum of ${MAX_PAGE_LIMIT}`);
  const reverse = req?.reverse ?? false;
  const countTotal = (req?.countTotal ?? false) && key.length === 0;
  const end = prefixEnd(prefix);
  let it: IterableIterator<[Uint8Array, Uint8Array]>;
  if (key.length > 0) {
    const from = concatBytes(prefix, key);
    // Resuming includes the entry at `key` itself: in reverse, the exclusive end is its successor.
    it = reverse
      ? store.reverseIterator(prefix, concatBytes(from, Uint8Array.of(0)))
      : store.iterator(from, end);
  } else {
    it = reverse ? store.reverseIterator(prefix, end) : store.iterator(prefix, end);
  }
  const items: T[] = [];
  let seen = 0n;
  let nextKey = new Uint8Array();
  for (const [k, v] of it) {
    const rel = k.subarray(prefix.length);
    const item = decode(rel, v);
    if (item === undefined) continue;
    if (key.length === 0 && seen < offset) {
      seen++;
      continue;
    }
    if (BigInt(items.length) === limit) {
      nextKey = Uint8Array.from(rel);
      if (!countTotal) break;
      seen++;
      continue;
    }
    items.push(item);
    seen++;
  }
  return { items, pagination: { nextKey, total: countTotal ? seen : 0n } };
}
