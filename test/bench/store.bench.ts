/**
 * The store under a realistic load: 1 M keys committed, then blocks of 10k random updates of
 * existing keys, written through the working store and committed (hashing + one LevelDB batch).
 * Sizes can be shrunk for a quick look: HEARTH_BENCH_KEYS=100000 pnpm bench store.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCommitMultiStore, type RootCommitMultiStore } from '@hearth/chain/store/index';
import type { BenchResult } from './run.js';

export const name = 'store';
export const title = 'Store: IAVL multistore on LevelDB (chain/src/store)';

const KEYS = Number(process.env.HEARTH_BENCH_KEYS ?? 1_000_000);
const LOAD_BATCH = 10_000;
const BLOCK = 10_000;
const BLOCKS = 20;
const READS = 200_000;
const PROOFS = 5_000;
const STORES = ['acc', 'bank', 'market'];

function key(i: number): Uint8Array {
  // Like an SDK key: a one-byte prefix and a 20-byte address.
  const k = new Uint8Array(21);
  k[0] = 0x02;
  k.set(createHash('sha256').update(`k${i}`).digest().subarray(0, 20), 1);
  return k;
}

function value(i: number, round: number): Uint8Array {
  // Written byte by byte: a DataView would move every value's bytes off-heap.
  const v = new Uint8Array(40);
  v[0] = i >>> 24;
  v[1] = (i >>> 16) & 0xff;
  v[2] = (i >>> 8) & 0xff;
  v[3] = i & 0xff;
  v[4] = round & 0xff;
  v[5] = (round >>> 8) & 0xff;
  return v;
}

/** xorshift32: the same update sequence every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const now = () => performance.now();

export async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-store-'));
  const opts = { storeNames: STORES, keepRecent: 10 };
  let store: RootCommitMultiStore = await openCommitMultiStore(dir, opts);
  const results: BenchResult[] = [];
  try {
    const keys: Uint8Array[] = [];
    for (let i = 0; i < KEYS; i++) keys.push(key(i));

    let t = now();
    for (let i = 0; i < KEYS; i += LOAD_BATCH) {
      const kv = store.getKVStore('bank');
      for (let j = i; j < Math.min(KEYS, i + LOAD_BATCH); j++) kv.set(keys[j] as Uint8Array, value(j, 0));
      await store.commit();
    }
    const loadMs = now() - t;
    results.push({
      metric: `initial load (${KEYS.toLocaleString('en-US')} new keys, ${LOAD_BATCH.toLocaleString('en-US')}/commit)`,
      value: (KEYS / loadMs) * 1000,
      unit: 'keys/s',
    });
    t = now();
    await store.flushSnapshot();
    results.push({
      metric: 'finishing the background snapshot after the load',
      value: (now() - t) / 1000,
      unit: 's',
      notes: 'a full snapshot (a file) is written once per max(100k, last snapshot size) committed writes',
    });

    const rnd = rng(42);
    let updateMs = 0;
    let commitMs = 0;
    for (let b = 1; b <= BLOCKS; b++) {
      const t0 = now();
      const kv = store.getKVStore('bank');
      for (let i = 0; i < BLOCK; i++) {
        const j = Math.floor(rnd() * KEYS);
        kv.set(keys[j] as Uint8Array, value(j, b));
      }
      const t1 = now();
      await store.commit();
      const t2 = now();
      updateMs += t2 - t0;
      commitMs += t2 - t1;
    }
    const updates = BLOCK * BLOCKS;
    results.push({
      metric: `updated leaves committed (${BLOCKS} blocks of ${BLOCK.toLocaleString('en-US')} random updates, ${KEYS.toLocaleString('en-US')} keys in store)`,
      value: (updates / updateMs) * 1000,
      unit: 'leaves/s',
      target: '>= 40,000/s',
      notes: `set + commit; commit alone ${(commitMs / BLOCKS).toFixed(0)} ms per block`,
    });

    // Snapshots are written in the background once per max(100k, snapshot size) writes; the window
    // above contains none, so charge their cost explicitly.
    t = now();
    await store.snapshot();
    const snapshotMs = now() - t;
    const perWriteMs = snapshotMs / Math.max(100_000, KEYS);
    results.push({
      metric: `full snapshot of the ${KEYS.toLocaleString('en-US')}-key tree (file, fsync'd)`,
      value: snapshotMs / 1000,
      unit: 's',
      notes: `${(perWriteMs * 1000).toFixed(1)} µs per committed write when amortized`,
    });
    results.push({
      metric: 'updated leaves committed, snapshot cost amortized in',
      value: updates / ((updateMs + perWriteMs * updates) / 1000),
      unit: 'leaves/s',
      target: '>= 40,000/s',
    });

    const kv = store.getKVStore('bank');
    t = now();
    let found = 0;
    for (let i = 0; i < READS; i++) if (kv.get(keys[Math.floor(rnd() * KEYS)] as Uint8Array)) found++;
    const readMs = now() - t;
    if (found !== READS) throw new Error(`read ${found} of ${READS} committed keys`);
    results.push({
      metric: 'random reads of committed keys (working store)',
      value: (READS / readMs) * 1000,
      unit: 'reads/s',
    });

    const version = store.lastCommitId().version;
    t = now();
    let proofBytes = 0;
    for (let i = 0; i < PROOFS; i++) {
      const q = await store.query('bank', keys[Math.floor(rnd() * KEYS)] as Uint8Array, version, true);
      proofBytes += (q.proofOps?.[0]?.data.length ?? 0) + (q.proofOps?.[1]?.data.length ?? 0);
    }
    const proofMs = now() - t;
    results.push({
      metric: 'proof generations (abci query, prove=true: ics23:iavl + ics23:simple)',
      value: (PROOFS / proofMs) * 1000,
      unit: 'proofs/s',
      notes: `${Math.round(proofBytes / PROOFS)} bytes per query`,
    });

    await store.close();
    t = now();
    store = await openCommitMultiStore(dir, opts);
    results.push({
      metric: `reopen: load the latest tree (${KEYS.toLocaleString('en-US')} keys) and replay changesets`,
      value: (now() - t) / 1000,
      unit: 's',
    });
    const mem = process.memoryUsage();
    results.push({ metric: 'process RSS after reopen', value: mem.rss / 2 ** 20, unit: 'MiB' });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
