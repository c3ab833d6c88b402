/**
 * Decoding memoized by the identity of the stored bytes. A store hands out the same Uint8Array
 * for a value until that value is overwritten (every write stores a fresh copy), so what was
 * decoded from it stays valid for as long as that bytes object lives; a WeakMap lets both be
 * collected together. The same account or params object is then decoded once per block
 * instead of once per read.
 *
 * Decoded objects are shared between readers: they are frozen (shallowly), and callers build
 * new objects to change them, as the keepers already do.
 */
export function memoizedDecoder<T extends object>(
  decode: (bytes: Uint8Array) => T,
): (bytes: Uint8Array) => T {
  const memo = new WeakMap<Uint8Array, T>();
  return (bytes) => {
    let v = memo.get(bytes);
    if (v === undefined) {
      v = Object.freeze(decode(bytes));
      memo.set(bytes, v);
    }
    return v;
  };
}
