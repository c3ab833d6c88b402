import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iavlSpec, ics23, tendermintSpec, verifyMembership, verifyNonMembership } from '@confio/ics23';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDb } from './db.js';
import { type OpenOptions, openCommitMultiStore, openMemoryCommitMultiStore } from './index.js';
import { bytes, collect, dump, hex, Model, prng } from './testing/model.js';
import type { CommitMultiStore, MultiStore, QueryResult } from './types.js';

const NAMES = ['bank', 'acc', 'market'];
const keyArb = fc.uint8Array({ minLength: 1, maxLength: 2 }).map((k) => k.map((x) => x % 10));
const storeArb = fc.constantFrom(...NAMES);
type Op =
  | { t: 'set'; store: string; key: Uint8Array; value: Uint8Array }
  | { t: 'del'; store: string; key: Uint8Array }
  | { t: 'tx'; store: string; key: Uint8Array; value: Uint8Array; fail: boolean }
  | { t: 'commit' }
  | { t: 'reopen' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      store: storeArb,
      key: keyArb,
      value: fc.uint8Array({ minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), store: storeArb, key: keyArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('tx' as const),
      store: storeArb,
      key: keyArb,
      value: fc.uint8Array({ minLength: 1, maxLength: 3 }),
      fail: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'commit' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
);

type Models = Record<string, Model>;
const cloneModels = (m: Models): Models =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.clone()]));
const freshModels = (): Models => Object.fromEntries(NAMES.map((n) => [n, new Model()]));

function expectStoreEquals(ms: MultiStore, models: Models): void {
  for (const n of NAMES)
    expect(dump(ms.getKVStore(n))).toEqual((models[n] as Model).range(undefined, undefined));
}

/** Verifies a query's two proof ops chained to the app hash, as a light client would. */
function verifyQuery(q: QueryResult, store: string, appHash: Uint8Array): boolean {
  const [iavlOp, simpleOp] = q.proofOps ?? [];
  if (!iavlOp || !simpleOp) return false;
  if (iavlOp.type !== 'ics23:iavl' || simpleOp.type !== 'ics23:simple') return false;
  const iavlProof = ics23.CommitmentProof.decode(iavlOp.data);
  const simpleProof = ics23.CommitmentProof.decode(simpleOp.data);
  const storeRoot = simpleProof.exist?.value;
  if (!storeRoot) return false;
  if (!verifyMembership(simpleProof, tendermintSpec, appHash, bytes(store), storeRoot)) return false;
  return q.value === undefined
    ? verifyNonMembership(iavlProof, iavlSpec, storeRoot, q.key)
    : verifyMembership(iavlProof, iavlSpec, storeRoot, q.key, q.value);
}

describe('CommitMultiStore', () => {
  it('random operations, commits and restarts read and iterate like the model, at every retained version', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        async (ops, keepRecent, snapEvery) => {
          const db = new MemoryDb();
          const opts: OpenOptions = {
            storeNames: NAMES,
            keepRecent,
            snapshotMinWrites: snapEvery,
            memoryVersions: 1,
          };
          let store = await openMemoryCommitMultiStore(opts, db);
          let working = freshModels();
          const committed: Models[] = [freshModels()];
          const hashes: string[] = [hex(store.lastCommitId().hash)];
          for (const op of ops) {
            if (op.t === 'set') {
              store.getKVStore(op.store).set(op.key, op.value);
              (working[op.store] as Model).set(op.key, op.value);
            } else if (op.t === 'del') {
              store.getKVStore(op.store).delete(op.key);
              (working[op.store] as Model).delete(op.key);
            } else if (op.t === 'tx') {
              const block = store.cacheMultiStore();
              const tx = block.cacheMultiStore();
              tx.getKVStore(op.store).set(op.key, op.value);
              if (!op.fail) {
                tx.write();
                (working[op.store] as Model).set(op.key, op.value);
              }
              block.write();
            } else if (op.t === 'commit') {
              const expected = hex(store.workingHash());
              const id = await store.commit();
              expect(hex(id.hash)).toBe(expected);
              expect(id.version).toBe(committed.length);
              committed.push(cloneModels(working));
              hashes.push(hex(id.hash));
            } else {
              await store.flushSnapshot();
              await store.close();
              store = await openMemoryCommitMultiStore(opts, db);
              working = cloneModels(committed[committed.length - 1] as Models);
              expect(hex(store.lastCommitId().hash)).toBe(hashes[hashes.length - 1]);
            }
            expectStoreEquals(store, working);
          }
          const latest = committed.length - 1;
          expect(store.lastCommitId().version).toBe(latest);
          const available = await store.availableVersions();
          const oldest = latest === 0 ? 1 : keepRecent === 0 ? 1 : Math.max(1, latest - keepRecent);
          expect(available).toEqual(
            Array.from({ length: Math.max(0, latest - oldest + 1) }, (_, i) => oldest + i),
          );
          for (const v of available) expectStoreEquals(await store.viewAt(v), committed[v] as Models);
          if (latest > 0) await expect(store.viewAt(latest + 1)).rejects.toThrow(/future/);
          if (available.length > 0 && (available[0] as number) > 1)
            await expect(store.viewAt(1)).rejects.toThrow(/not available/);
          await store.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('app hash depends on what a block wrote, not on the order it wrote it in', async () => {
    const writeArb = fc.uniqueArray(
      fc.tuple(
        storeArb,
        keyArb,
        fc.option(fc.uint8Array({ minLength: 1, maxLength: 3 }), { nil: undefined }),
      ),
      {
        selector: ([s, k]) => `${s}/${hex(k)}`,
        maxLength: 30,
      },
    );
    await fc.assert(
      fc.asyncProperty(writeArb, writeArb, fc.func(fc.integer()), async (first, block, order) => {
        const run = async (writes: typeof block) => {
          const s = await openMemoryCommitMultiStore({ storeNames: NAMES, keepRecent: 0 });
          for (const [n, k, v] of first) v ? s.getKVStore(n).set(k, v) : s.getKVStore(n).delete(k);
          await s.commit();
          for (const [n, k, v] of writes) v ? s.getKVStore(n).set(k, v) : s.getKVStore(n).delete(k);
          return hex((await s.commit()).hash);
        };
        const shuffled = [...block]
          .map((w, i) => ({ w, r: order(i) }))
          .sort((a, b) => a.r - b.r)
          .map((x) => x.w);
        expect(await run(shuffled)).toBe(await run(block));
      }),
      { numRuns: 40 },
    );
  });

  it('answers queries with ICS23 proofs that verify against the app hash and fail when tampered', async () => {
    const s = await openMemoryCommitMultiStore({ storeNames: NAMES, keepRecent: 0 });
    const rnd = prng(7);
    const present: Uint8Array[] = [];
    for (let v = 0; v < 3; v++) {
      for (let i = 0; i < 50; i++) {
        const key = bytes(`k${Math.floor(rnd() * 200)}`);
        s.getKVStore('bank').set(key, bytes(`v${v}-${i}`));
        present.push(key);
      }
      s.getKVStore('acc').set(bytes(`a${v}`), bytes('x'));
      await s.commit();
    }
    const { hash: appHash, version } = s.lastCommitId();
    const probes = [...present.slice(0, 20), bytes('k'), bytes('k1000'), bytes('zz'), bytes('0')];
    for (const key of probes) {
      const q = await s.query('bank', key, version, true);
      expect(q.height).toBe(version);
      expect(q.value).toEqual(s.getKVStore('bank').get(key));
      expect(verifyQuery(q, 'bank', appHash)).toBe(true);
      const badRoot = Uint8Array.from(appHash);
      badRoot[5] = (badRoot[5] as number) ^ 1;
      expect(verifyQuery(q, 'bank', badRoot)).toBe(false);
      // A different key: absent for an existence proof, present for a non-existence proof.
      expect(
        verifyQuery({ ...q, key: q.value ? bytes('other') : (present[0] as Uint8Array) }, 'bank', appHash),
      ).toBe(false);
      expect(verifyQuery(q, 'acc', appHash)).toBe(false);
      if (q.value)
        expect(verifyQuery({ ...q, value: Uint8Array.of(...q.value, 0) }, 'bank', appHash)).toBe(false);
      else expect(verifyQuery({ ...q, value: Uint8Array.of(1) }, 'bank', appHash)).toBe(false);
    }
    // Historical query at version 1 proves against version 1's app hash.
    const v1 = await s.viewAt(1);
    const key = present[0] as Uint8Array;
    const q1 = await s.query('bank', key, 1, true);
    expect(q1.value).toEqual(v1.getKVStore('bank').get(key));
    expect(verifyQuery(q1, 'bank', appHash)).toBe(false);
    // Height 0 means the latest version, without proofs unless asked.
    const q0 = await s.query('bank', key, 0, false);
    expect(q0.height).toBe(version);
    expect(q0.proofOps).toBeUndefined();
  });

  it('keeps the app hash of a version across restarts and after rebuilding old versions from snapshots', async () => {
    const db = new MemoryDb();
    const opts: OpenOptions = { storeNames: NAMES, keepRecent: 0, snapshotMinWrites: 30, memoryVersions: 1 };
    const s = await openMemoryCommitMultiStore(opts, db);
    const rnd = prng(3);
    const appHashes: string[] = [];
    for (let v = 1; v <= 12; v++) {
      for (let i = 0; i < 20; i++)
        s.getKVStore(NAMES[i % 3] as string).set(
          Uint8Array.of(Math.floor(rnd() * 60) + 1),
          Uint8Array.of(v, i),
        );
      if (v % 4 === 0) s.getKVStore('bank').delete(Uint8Array.of(Math.floor(rnd() * 60) + 1));
      appHashes.push(hex((await s.commit()).hash));
      await s.flushSnapshot();
    }
    const snapshots = [...db.data.keys()].filter((k) => k.charCodeAt(0) === 0x4d).length;
    expect(snapshots).toBeGreaterThan(1);
    const views = await Promise.all(
      [1, 5, 12].map(async (v) => [v, (await s.viewAt(v)).getKVStore('bank')] as const),
    );
    const contents = views.map(([v, kv]) => [v, collect(kv.iterator())] as const);
    await s.close();
    const r = await openMemoryCommitMultiStore(opts, db);
    expect(hex(r.lastCommitId().hash)).toBe(appHashes[11]);
    for (const [v, c] of contents)
      expect(collect((await r.viewAt(v)).getKVStore('bank').iterator())).toEqual(c);
    for (const v of [1, 5, 12]) {
      const q = await r.query('market', Uint8Array.of(9), v, true);
      expect(verifyQuery(q, 'market', Buffer.from(appHashes[v - 1] as string, 'hex'))).toBe(true);
    }
    await r.close();
  });

  it('prunes snapshots and changesets no retained version needs', async () => {
    const db = new MemoryDb();
    const opts: OpenOptions = { storeNames: NAMES, keepRecent: 2, snapshotMinWrites: 10, memoryVersions: 1 };
    const s = await openMemoryCommitMultiStore(opts, db);
    for (let v = 1; v <= 30; v++) {
      for (let i = 0; i < 10; i++) s.getKVStore('bank').set(Uint8Array.of(i + 1), Uint8Array.of(v));
      await s.commit();
      await s.flushSnapshot();
    }
    const count = (tag: string) => [...db.data.keys()].filter((k) => k[0] === tag).length;
    expect(await s.availableVersions()).toEqual([28, 29, 30]);
    expect(count('C')).toBe(3);
    expect(count('M')).toBeLessThanOrEqual(4);
    expect(count('W')).toBeLessThanOrEqual(4);
    await s.close();
    const r = await openMemoryCommitMultiStore(opts, db);
    expect(collect((await r.viewAt(28)).getKVStore('bank').iterator())[0]).toEqual([
      '01',
      hex(Uint8Array.of(28)),
    ]);
    await expect(r.viewAt(27)).rejects.toThrow(/not available/);
    await r.close();
  });

  it('rejects bad input with clear errors', async () => {
    await expect(openMemoryCommitMultiStore({ storeNames: [], keepRecent: 0 })).rejects.toThrow(/non-empty/);
    await expect(openMemoryCommitMultiStore({ storeNames: ['a', 'a'], keepRecent: 0 })).rejects.toThrow(
      /unique/,
    );
    await expect(openMemoryCommitMultiStore({ storeNames: ['a'], keepRecent: -1 })).rejects.toThrow(
      /keepRecent/,
    );
    const db = new MemoryDb();
    const s = await openMemoryCommitMultiStore({ storeNames: ['a'], keepRecent: 0 }, db);
    expect(() => s.getKVStore('nope')).toThrow(/unknown store "nope"/);
    await expect(s.query('a', bytes('k'), 0, true)).rejects.toThrow(/nothing has been committed/);
    s.getKVStore('a').set(bytes('k'), bytes('v'));
    await s.commit();
    await expect(s.query('nope', bytes('k'), 1, false)).rejects.toThrow(/unknown store/);
    await expect(s.query('a', new Uint8Array(0), 1, false)).rejects.toThrow(/empty/);
    await expect(s.query('a', bytes('k'), 1.5, false)).rejects.toThrow(/version/);
    await expect(s.viewAt(0)).rejects.toThrow(/not available/);
    await expect(s.viewAt(2)).rejects.toThrow(/future/);
    const writing = s.commit();
    expect(() => s.getKVStore('a').set(bytes('x'), bytes('y'))).toThrow(/during commit/);
    await expect(s.commit()).rejects.toThrow(/already in progress/);
    await writing;
    await s.close();
    await expect(openMemoryCommitMultiStore({ storeNames: ['b'], keepRecent: 0 }, db)).rejects.toThrow(
      /store names differ/,
    );
  });

  describe('on LevelDB', () => {
    const dirs: string[] = [];
    afterAll(async () => {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    it('persists, reopens at the latest version and serves old versions', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hearth-store-'));
      dirs.push(dir);
      const opts: OpenOptions = { storeNames: NAMES, keepRecent: 0, snapshotMinWrites: 50 };
      let s: CommitMultiStore = await openCommitMultiStore(dir, opts);
      const model = new Model();
      const hashes: string[] = [];
      for (let v = 1; v <= 8; v++) {
        for (let i = 0; i < 25; i++) {
          const key = bytes(`key-${(v * 31 + i * 7) % 90}`);
          const value = Buffer.from(`value-${v}-${i}`);
          s.getKVStore('market').set(key, value);
          model.set(key, new Uint8Array(value));
        }
        hashes.push(hex((await s.commit()).hash));
      }
      await s.close();
      s = await openCommitMultiStore(dir, opts);
      expect(s.lastCommitId().version).toBe(8);
      expect(hex(s.lastCommitId().hash)).toBe(hashes[7]);
      expect(dump(s.getKVStore('market'))).toEqual(model.range(undefined, undefined));
      expect((await s.viewAt(2)).getKVStore('market').get(bytes('key-62'))).toEqual(bytes('value-2-0'));
      const q = await s.query('market', bytes('key-62'), 8, true);
      expect(verifyQuery(q, 'market', s.lastCommitId().hash)).toBe(true);
      await s.close();
    });

    it('keeps snapshot files only while a retained version needs them, and drops crash leftovers', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hearth-store-'));
      dirs.push(dir);
      const opts: OpenOptions = { storeNames: NAMES, keepRecent: 1, snapshotMinWrites: 20 };
      const s = await openCommitMultiStore(dir, opts);
      for (let v = 1; v <= 30; v++) {
        for (let i = 0; i < 20; i++) s.getKVStore('acc').set(Uint8Array.of(i + 1), Uint8Array.of(v));
        await s.commit();
        await s.flushSnapshot();
      }
      const files = (await readdir(join(dir, 'snapshots'))).filter((f) => f.endsWith('.snapshot'));
      expect(files.length).toBeGreaterThan(0);
      expect(files.length).toBeLessThanOrEqual(2);
      await s.close();
      // A snapshot whose marker never made it (crash between file and marker) is removed on open.
      await writeFile(join(dir, 'snapshots', '999.snapshot'), 'partial');
      await writeFile(join(dir, 'snapshots', '31.snapshot.tmp'), 'partial');
      const r = await openCommitMultiStore(dir, opts);
      expect(await r.availableVersions()).toEqual([29, 30]);
      expect((await r.viewAt(29)).getKVStore('acc').get(Uint8Array.of(1))).toEqual(Uint8Array.of(29));
      const after = await readdir(join(dir, 'snapshots'));
      expect(after).not.toContain('999.snapshot');
      expect(after).not.toContain('31.snapshot.tmp');
      await r.close();
    });
  });
});

describe('snapshot()', () => {
  it('writes a snapshot of the latest version that a reopen loads without replaying', async () => {
    const db = new MemoryDb();
    const opts: OpenOptions = { storeNames: NAMES, keepRecent: 0, snapshotMinWrites: 1_000_000 };
    const s = await openMemoryCommitMultiStore(opts, db);
    for (let v = 1; v <= 3; v++) {
      s.getKVStore('acc').set(Uint8Array.of(v), Uint8Array.of(v));
      await s.commit();
    }
    expect([...db.snapshots.files.keys()]).toEqual([]);
    await s.snapshot();
    expect([...db.snapshots.files.keys()]).toEqual([3]);
    const hash = hex(s.lastCommitId().hash);
    await s.close();
    // With the changesets gone, only the snapshot can give version 3 back.
    for (const k of [...db.data.keys()]) if (k[0] === 'W') db.data.delete(k);
    const r = await openMemoryCommitMultiStore(opts, db);
    expect(hex(r.lastCommitId().hash)).toBe(hash);
    expect(dump(r.getKVStore('acc'))).toEqual([
      ['01', '01'],
      ['02', '02'],
      ['03', '03'],
    ]);
    await r.close();
  });
});
