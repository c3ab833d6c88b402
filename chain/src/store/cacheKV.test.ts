import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from './bytes.js';
import { CacheKV } from './cacheKV.js';
import { openMemoryCommitMultiStore } from './index.js';
import { collect, Model } from './testing/model.js';
import { Mutator, type WriteOp } from './tree.js';
import { TreeView } from './views.js';

const keyArb = fc.uint8Array({ minLength: 1, maxLength: 2 }).map((k) => k.map((x) => x % 6));
const bound = fc.option(keyArb, { nil: undefined });
type Step =
  | { t: 'set'; key: Uint8Array; value: Uint8Array }
  | { t: 'del'; key: Uint8Array }
  | { t: 'iter'; start: Uint8Array | undefined; end: Uint8Array | undefined }
  | { t: 'push' }
  | { t: 'write' }
  | { t: 'drop' };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      key: keyArb,
      value: fc.uint8Array({ maxLength: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('iter' as const), start: bound, end: bound }) },
  { weight: 1, arbitrary: fc.constant({ t: 'push' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'write' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'drop' as const }) },
);

describe('CacheKV', () => {
  it('nested branches (block -> tx -> ...) read, iterate, write and discard like a stack of models', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, fc.uint8Array({ maxLength: 3 })), { maxLength: 30 }),
        fc.array(stepArb, { maxLength: 80 }),
        (initial, steps) => {
          const ops: WriteOp[] = [];
          const seen = new Set<string>();
          for (const [key, value] of initial) {
            const h = Buffer.from(key).toString('hex');
            if (!seen.has(h)) ops.push({ key, value });
            seen.add(h);
          }
          ops.sort((a, b) => compareBytes(a.key, b.key));
          const root = new Mutator(1).apply(undefined, ops);
          const base = new Model();
          for (const op of ops) base.set(op.key, op.value as Uint8Array);
          const stores: CacheKV[] = [new CacheKV(new TreeView(root))];
          const models: Model[] = [base.clone()];
          for (const s of steps) {
            const store = stores[stores.length - 1] as CacheKV;
            const model = models[models.length - 1] as Model;
            switch (s.t) {
              case 'set':
                store.set(s.key, s.value);
                model.set(s.key, s.value);
                break;
              case 'del':
                store.delete(s.key);
                model.delete(s.key);
                break;
              case 'iter':
                expect(collect(store.iterator(s.start, s.end))).toEqual(model.range(s.start, s.end));
                expect(collect(store.reverseIterator(s.start, s.end))).toEqual(
                  model.range(s.start, s.end, true),
                );
                break;
              case 'push':
                stores.push(new CacheKV(store));
                models.push(model.clone());
                break;
              case 'write':
                if (stores.length > 1) {
                  store.write();
                  stores.pop();
                  models.pop();
                  models[models.length - 1] = model;
                }
                break;
              case 'drop':
                if (stores.length > 1) {
                  stores.pop();
                  models.pop();
                }
                break;
            }
            const top = stores[stores.length - 1] as CacheKV;
            const m = models[models.length - 1] as Model;
            for (const [key] of initial) expect(top.get(key)).toEqual(m.get(key));
          }
          // Writing everything down to the bottom cache leaves the committed tree untouched.
          const bottom = stores[0] as CacheKV;
          expect(collect(new TreeView(root).iterator())).toEqual(base.range(undefined, undefined));
          for (let i = stores.length - 1; i > 0; i--) (stores[i] as CacheKV).write();
          expect(collect(bottom.iterator())).toEqual(
            (models[models.length - 1] as Model).range(undefined, undefined),
          );
        },
      ),
    );
  });

  it('allows writing while iterating: the iteration reflects the state when it began', () => {
    const c = new CacheKV(new TreeView(undefined));
    for (let i = 1; i <= 5; i++) c.set(Uint8Array.of(i), Uint8Array.of(i));
    const seen: number[] = [];
    for (const [k] of c.iterator()) {
      seen.push(k[0] as number);
      c.delete(k);
      c.set(Uint8Array.of(100 + (k[0] as number)), Uint8Array.of(0));
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(collect(c.iterator()).map(([k]) => k)).toEqual(['65', '66', '67', '68', '69']);
  });

  it('copies keys, and values that are Buffers or views, so later changes to those do not leak in', () => {
    const c = new CacheKV(new TreeView(undefined));
    const k = Uint8Array.of(1);
    const v = Buffer.from([7]);
    c.set(k, v);
    v[0] = 8;
    k[0] = 2;
    expect(c.get(Uint8Array.of(1))).toEqual(Uint8Array.of(7));
    expect(c.get(Uint8Array.of(1))?.constructor).toBe(Uint8Array);
    const big = Uint8Array.of(1, 2, 3, 4);
    c.set(Uint8Array.of(3), big.subarray(1, 2));
    big[1] = 9;
    expect(c.get(Uint8Array.of(3))).toEqual(Uint8Array.of(2));
  });

  it('keeps a fresh Uint8Array value as given (the KVStore contract: writers do not modify it)', () => {
    const c = new CacheKV(new TreeView(undefined));
    const v = Uint8Array.of(5, 6);
    c.set(Uint8Array.of(1), v);
    expect(c.get(Uint8Array.of(1))).toBe(v);
  });

  it('rejects bad keys, values and bounds with clear errors', () => {
    const c = new CacheKV(new TreeView(undefined));
    expect(() => c.set(new Uint8Array(0), Uint8Array.of(1))).toThrow(/must not be empty/);
    expect(() => c.set('k' as unknown as Uint8Array, Uint8Array.of(1))).toThrow(/must be a Uint8Array/);
    expect(() => c.set(Uint8Array.of(1), null as unknown as Uint8Array)).toThrow(
      /value must be a Uint8Array/,
    );
    expect(() => c.get(undefined as unknown as Uint8Array)).toThrow(/key must be a Uint8Array/);
    expect(() => c.iterator('a' as unknown as Uint8Array)).toThrow(/iterator start/);
    expect(() => new TreeView(undefined).set()).toThrow(/read-only/);
  });
});

describe('TreeView read cache', () => {
  it('answers repeated reads through a CacheKV, present and absent, as the tree does', async () => {
    const store = await openMemoryCommitMultiStore({ storeNames: ['s'], keepRecent: 0 });
    const kv = store.getKVStore('s');
    for (let i = 0; i < 50; i++) kv.set(Uint8Array.of(1, i), Uint8Array.of(i));
    await store.commit();
    const a = store.cacheMultiStore().getKVStore('s');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 60; i++) {
        const v = a.get(Uint8Array.of(1, i));
        expect(v).toEqual(i < 50 ? Uint8Array.of(i) : undefined);
      }
    }
    // A new version is a new view: the cached reads of the old one do not leak into it.
    kv.set(Uint8Array.of(1, 3), Uint8Array.of(99));
    kv.delete(Uint8Array.of(1, 4));
    await store.commit();
    const b = store.cacheMultiStore().getKVStore('s');
    expect(b.get(Uint8Array.of(1, 3))).toEqual(Uint8Array.of(99));
    expect(b.get(Uint8Array.of(1, 4))).toBeUndefined();
    expect(b.get(Uint8Array.of(1, 5))).toEqual(Uint8Array.of(5));
    await store.close();
  });
});
