/**
 * Decoding memoized by the identity of the stored bytes. A store hands out the same Uint8Array
 * for a value until that value is overwritten (a write stores a new array, and nobody modifies
 * a stored one), so what was decoded from it stays valid for as long as that bytes object
 * lives; a WeakMap lets both be collected together. The same account or params object is then
 * decoded once per stored value instead of once per read.
 *
 * Decoded objects are shared between readers: they are frozen (shallowly), and callers build
 * new objects to change them, as the keepers already do.
 */
export interface MemoizedDecoder<T extends object> {
  (bytes: Uint8Array): T;
  /**
   * Records that `bytes`, which the caller has just encoded from `value` and is about to store
   * (stores keep a fresh array as given), decode to `value`: the next block reads them back
   * without decoding.
   */
  remember(bytes: Uint8Array, value: T): void;
}

export function memoizedDecoder<T extends object>(decode: (bytes: Uint8Array) => T): MemoizedDecoder<T> {
  const memo = new WeakMap<Uint8Array, T>();
  const fn = ((bytes: Uint8Array) => {
    let v = memo.get(bytes);
    if (v === undefined) {
      v = Object.freeze(decode(bytes));
      memo.set(bytes, v);
    }
    return v;
  }) as MemoizedDecoder<T>;
  fn.remember = (bytes, value) =>
    memo.set(bytes, Object.isFrozen(value) ? value : Object.freeze({ ...value }));
  return fn;
}
