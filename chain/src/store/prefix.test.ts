import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheKV } from './cacheKV.js';
import { prefixEnd, prefixIterator, reversePrefixIterator } from './prefix.js';
import { collect, hex } from './testing/model.js';
import { TreeView } from './views.js';

describe('prefix iteration', () => {
  it('yields exactly the keys starting with the prefix, in order, both ways', () => {
    const byte = fc.constantFrom(0x00, 0x01, 0xfe, 0xff);
    fc.assert(
      fc.property(
        fc.array(fc.array(byte, { minLength: 1, maxLength: 4 }), { maxLength: 40 }),
        fc.array(byte, { maxLength: 3 }),
        (keys, prefix) => {
          const store = new CacheKV(new TreeView(undefined));
          for (const k of keys) store.set(Uint8Array.from(k), Uint8Array.of(1));
          const p = Uint8Array.from(prefix);
          const expected = [...new Set(keys.map((k) => hex(Uint8Array.from(k))))]
            .filter((k) => k.startsWith(hex(p)))
            .sort()
            .map((k) => [k, '01']);
          expect(collect(prefixIterator(store, p))).toEqual(expected);
          expect(collect(reversePrefixIterator(store, p))).toEqual([...expected].reverse());
        },
      ),
    );
  });

  it('computes the end of a prefix range', () => {
    expect(prefixEnd(Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 3));
    expect(prefixEnd(Uint8Array.of(1, 0xff))).toEqual(Uint8Array.of(2));
    expect(prefixEnd(Uint8Array.of(0xff, 0xff))).toBeUndefined();
    expect(prefixEnd(new Uint8Array(0))).toBeUndefined();
  });
});
