/** Byte helpers for store keys: prefixes, length-prefixed parts and big-endian numbers. */
import { prefixEnd } from '../../store/prefix.js';
import type { KVStore } from '../../store/types.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export const utf8 = (s: string): Uint8Array => enc.encode(s);
export const fromUtf8 = (b: Uint8Array): string => dec.decode(b);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `len(b) | b`, with a one-byte length as the SDK's address.MustLengthPrefix. */
export function lengthPrefixed(b: Uint8Array): Uint8Array {
  if (b.length > 255) throw new Error('length-prefixed key part longer than 255 bytes');
  return concatBytes(Uint8Array.of(b.length), b);
}

export function u64BE(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function readU64BE(b: Uint8Array, offset = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset);
}

export { prefixEnd };

export function* prefixIterator(store: KVStore, prefix: Uint8Array, reverse = false) {
  const end = prefixEnd(prefix);
  const it = reverse ? store.reverseIterator(prefix, end) : store.iterator(prefix, end);
  for (const [k, v] of it) yield [k.subarray(prefix.length), v, k] as const;
}
