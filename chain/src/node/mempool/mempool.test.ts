import { createHash } from 'node:crypto';
import { CheckTxType, type RequestCheckTx, ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Mempool,
  MempoolFullError,
  type MempoolOptions,
  type MempoolTx,
  TxInCacheError,
  type TxInfo,
  TxTooLargeError,
  txProtoSize,
} from './mempool.js';
import { TxCache } from './txCache.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Test txs are text: `sender:sequence:priority:gas[:padding]`, or `-` as sender for no info. */
function mk(sender: string, sequence: number, priority = 0, gas = 1, pad = ''): Uint8Array {
  return enc.encode(`${sender}:${sequence}:${priority}:${gas}:${pad}`);
}
function parse(tx: Uint8Array) {
  const [sender, seq, prio, gas] = dec.decode(tx).split(':');
  return {
    sender: sender as string,
    sequence: BigInt(seq as string),
    priority: BigInt(prio as string),
    gas: BigInt(gas as string),
  };
}
const txInfo = (tx: Uint8Array): TxInfo | undefined => {
  const p = parse(tx);
  return p.sender === '-' ? undefined : p;
};
const label = (tx: Uint8Array) => {
  const p = parse(tx);
  return `${p.sender}${p.sequence}`;
};
const hashOf = (tx: Uint8Array) => new Uint8Array(createHash('sha256').update(tx).digest());

/**
 * A Cosmos-like fake app: each sender's txs must come with the next account sequence. CheckTx
 * works on a check state that `commit` resets to the committed state, as the SDK does.
 */
class SequenceApp {
  committed = new Map<string, bigint>();
  check = new Map<string, bigint>();
  calls: { tx: string; type: CheckTxType }[] = [];
  acceptAll = false;
  refuse = new Set<string>();

  async checkTx(req: RequestCheckTx): Promise<ResponseCheckTx> {
    this.calls.push({ tx: dec.decode(req.tx), type: req.type });
    const p = parse(req.tx);
    if (this.refuse.has(dec.decode(req.tx))) return ResponseCheckTx.fromPartial({ code: 5, log: 'refused' });
    if (!this.acceptAll && p.sender !== '-') {
      const next = this.check.get(p.sender) ?? 0n;
      if (p.sequence !== next) {
        return ResponseCheckTx.fromPartial({
          code: 32,
          log: `account sequence mismatch, expected ${next}, got ${p.sequence}`,
        });
      }
      this.check.set(p.sender, next + 1n);
    }
    return ResponseCheckTx.fromPartial({ code: 0, gasWanted: p.gas });
  }

  /** Executes a block's txs against the committed state; returns their results. */
  commit(txs: Uint8Array[]): { code: number }[] {
    const results = txs.map((tx) => {
      const p = parse(tx);
      const next = this.committed.get(p.sender) ?? 0n;
      if (p.sender !== '-' && p.sequence !== next) return { code: 32 };
      this.committed.set(p.sender, next + 1n);
      return { code: 0 };
    });
    this.check = new Map(this.committed);
    return results;
  }
}

function setup(opts: Partial<MempoolOptions> = {}) {
  const app = new SequenceApp();
  const mempool = new Mempool({ app, txInfo, ...opts });
  return { app, mempool };
}

async function commitBlock(app: SequenceApp, mempool: Mempool, height: bigint, txs: Uint8Array[]) {
  await mempool.lock();
  try {
    const results = app.commit(txs);
    return await mempool.update(height, txs, results);
  } finally {
    mempool.unlock();
  }
}

describe('Mempool admission', () => {
  it('keeps txs the app accepts and returns refusals as responses', async () => {
    const { app, mempool } = setup();
    const ok = await mempool.checkTx(mk('alice', 0, 0, 7));
    expect(ok.code).toBe(0);
    const bad = await mempool.checkTx(mk('alice', 5));
    expect(bad.code).toBe(32);
    expect(mempool.size()).toBe(1);
    expect(mempool.sizeBytes()).toBe(mk('alice', 0, 0, 7).length);
    expect(mempool.has(hashOf(mk('alice', 0, 0, 7)))).toBe(true);
    expect(mempool.get(hashOf(mk('alice', 0, 0, 7)))?.gasWanted).toBe(7n);
    expect(app.calls.map((c) => c.type)).toEqual([CheckTxType.NEW, CheckTxType.NEW]);
    expect(mempool.stats).toEqual({ failed: 1, rejected: 0, rechecked: 0, evicted: 0 });
  });

  it('refuses duplicates from the cache, but lets a refused tx be retried', async () => {
    const { app, mempool } = setup();
    await mempool.checkTx(mk('alice', 0));
    await expect(mempool.checkTx(mk('alice', 0))).rejects.toThrow(new TxInCacheError().message);
    await expect(mempool.checkTx(mk('alice', 0))).rejects.toThrow('tx already exists in cache');
    const early = mk('bob', 1);
    expect((await mempool.checkTx(early)).code).toBe(32);
    expect((await mempool.checkTx(mk('bob', 0))).code).toBe(0);
    expect((await mempool.checkTx(early)).code).toBe(0);
    expect(app.calls).toHaveLength(4);
  });

  it('starts preCheck on arrival, outside the lock, and still runs CheckTx in arrival order', async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const { app, mempool } = setup({
      preCheck: (tx) => {
        started.push(label(tx));
        // Each preparation finishes only when the test says so; a failing one is ignored.
        return new Promise<void>((resolve, reject) =>
          release.set(label(tx), label(tx) === 'a1' ? () => reject(new Error('no')) : resolve),
        );
      },
    });
    const txs = [mk('a', 0), mk('a', 1), mk('a', 2)];
    const results = txs.map((tx) => mempool.checkTx(tx));
    await new Promise((r) => setImmediate(r));
    // All three prepare at once although CheckTx runs one at a time.
    expect(started).toEqual(['a0', 'a1', 'a2']);
    expect(app.calls).toHaveLength(0);
    // Finishing out of order does not reorder CheckTx: a2 waits for a0 and a1.
    release.get('a2')!();
    await new Promise((r) => setImmediate(r));
    expect(app.calls).toHaveLength(0);
    release.get('a1')!();
    release.get('a0')!();
    expect((await Promise.all(results)).map((r) => r.code)).toEqual([0, 0, 0]);
    expect(app.calls.map((c) => c.tx.split(':').slice(0, 2).join(''))).toEqual(['a0', 'a1', 'a2']);
    // Duplicates are refused before any preparation.
    await expect(mempool.checkTx(mk('a', 0))).rejects.toBeInstanceOf(TxInCacheError);
    expect(started).toHaveLength(3);
  });

  it('refuses a concurrent duplicate without a second CheckTx', async () => {
    const { app, mempool } = setup();
    const tx = mk('alice', 0);
    const [a, b] = await Promise.allSettled([mempool.checkTx(tx), mempool.checkTx(tx)]);
    expect(a.status).toBe('fulfilled');
    expect(b.status === 'rejected' && b.reason).toBeInstanceOf(TxInCacheError);
    expect(app.calls).toHaveLength(1);
  });

  it('enforces max tx bytes, max txs and max total bytes with CometBFT messages', async () => {
    const { mempool } = setup({ maxTxBytes: 20, maxTxs: 2 });
    await expect(mempool.checkTx(mk('a', 0, 0, 1, 'x'.repeat(20)))).rejects.toThrow(
      'Tx too large. Max size is 20, but got 28',
    );
    await expect(mempool.checkTx(new Uint8Array(21).fill(65))).rejects.toBeInstanceOf(TxTooLargeError);
    await expect(mempool.checkTx(new Uint8Array())).rejects.toThrow('tx is empty');
    await mempool.checkTx(mk('a', 0));
    await mempool.checkTx(mk('b', 0));
    const err = await mempool.checkTx(mk('c', 0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MempoolFullError);
    expect((err as Error).message).toBe(
      'mempool is full: number of txs 2 (max: 2), total txs bytes 16 (max: 1073741824)',
    );
    // The refused tx was not cached: it may come back once there is room.
    mempool.removeTx(hashOf(mk('a', 0)));
    expect((await mempool.checkTx(mk('c', 0))).code).toBe(0);
    // Only the full mempool counts as a rejection (rejected_txs); a too-large tx does not.
    expect(mempool.stats).toEqual({ failed: 0, rejected: 1, rechecked: 0, evicted: 0 });

    const small = setup({ maxTxsBytes: 15 }).mempool;
    await small.checkTx(mk('a', 0));
    await expect(small.checkTx(mk('b', 0))).rejects.toThrow('total txs bytes 8 (max: 15)');
    expect(() => new Mempool({ app: new SequenceApp(), maxTxs: 0 })).toThrow(
      'maxTxs must be a positive integer',
    );
  });

  it('tells listeners about admitted txs only', async () => {
    const { mempool } = setup();
    const seen: string[] = [];
    const stop = mempool.onNewTx((t: MempoolTx) => seen.push(label(t.tx)));
    await mempool.checkTx(mk('a', 0));
    await mempool.checkTx(mk('a', 3));
    mempool.onNewTx(() => {
      throw new Error('gossip down');
    });
    await mempool.checkTx(mk('b', 0));
    stop();
    await mempool.checkTx(mk('c', 0));
    expect(seen).toEqual(['a0', 'b0']);
    expect(mempool.size()).toBe(3);
  });
});

describe('Mempool ordering and reaping', () => {
  it('orders each sender by sequence, otherwise by priority then arrival', async () => {
    const { app, mempool } = setup();
    app.acceptAll = true;
    for (const tx of [
      mk('A', 1, 10),
      mk('A', 0, 1),
      mk('B', 0, 5),
      mk('-', 0, 0),
      mk('B', 1, 7),
      mk('-', 1, 0),
    ]) {
      await mempool.checkTx(tx);
    }
    expect(mempool.unconfirmed().map(label)).toEqual(['B0', 'B1', 'A0', 'A1', '-0', '-1']);
    expect(mempool.unconfirmed(2).map(label)).toEqual(['B0', 'B1']);
  });

  it('orders a tx whose info cannot be read by arrival', async () => {
    const app = new SequenceApp();
    app.acceptAll = true;
    const mempool = new Mempool({
      app,
      txInfo: (tx) => {
        if (parse(tx).sender === 'X') throw new Error('undecodable');
        return txInfo(tx);
      },
    });
    for (const tx of [mk('X', 0, 50), mk('A', 0, 9)]) await mempool.checkTx(tx);
    expect(mempool.reap(-1, -1).map(label)).toEqual(['A0', 'X0']);
  });

  it('is arrival order without txInfo', async () => {
    const app = new SequenceApp();
    app.acceptAll = true;
    const mempool = new Mempool({ app });
    for (const tx of [mk('A', 1, 10), mk('B', 0, 5), mk('A', 0, 1)]) await mempool.checkTx(tx);
    expect(mempool.reap(-1, -1).map(label)).toEqual(['A1', 'B0', 'A0']);
  });

  it('matches a reference merge for random txs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C', '-'), fc.nat(5), fc.nat(3)), { maxLength: 25 }),
        async (specs) => {
          const app = new SequenceApp();
          app.acceptAll = true;
          const mempool = new Mempool({ app, txInfo });
          const admitted: { tx: Uint8Array; arrival: number }[] = [];
          for (const [s, seq, prio] of specs) {
            const tx = mk(s, seq, prio, 1, String(admitted.length));
            await mempool.checkTx(tx);
            admitted.push({ tx, arrival: admitted.length });
          }
          // Reference: repeatedly take, among each sender's lowest (sequence, arrival) tx and
          // every info-less tx, the one with the highest priority, earliest arrival on ties.
          const left = [...admitted];
          const expected: string[] = [];
          while (left.length > 0) {
            const heads = left.filter((c) => {
              const p = parse(c.tx);
              if (p.sender === '-') return true;
              return !left.some((o) => {
                const q = parse(o.tx);
                return (
                  q.sender === p.sender &&
                  (q.sequence < p.sequence || (q.sequence === p.sequence && o.arrival < c.arrival))
                );
              });
            });
            // Txs without info rank with priority 0.
            const prio = (t: Uint8Array) => (parse(t).sender === '-' ? 0n : parse(t).priority);
            heads.sort((x, y) => {
              const px = prio(x.tx);
              const py = prio(y.tx);
              return px !== py ? (px > py ? -1 : 1) : x.arrival - y.arrival;
            });
            const pick = heads[0] as (typeof left)[number];
            expected.push(dec.decode(pick.tx));
            left.splice(left.indexOf(pick), 1);
          }
          expect(mempool.reap(-1, -1).map((t) => dec.decode(t))).toEqual(expected);
        },
      ),
      { numRuns: process.env.HEARTH_LONG ? 10000 : 200 },
    );
  });

  it('stops reaping at the byte and gas limits', async () => {
    const { mempool } = setup();
    const txs = [mk('a', 0, 9, 10), mk('b', 0, 8, 20), mk('c', 0, 7, 5), mk('d', 0, 6, 1)];
    for (const tx of txs) await mempool.checkTx(tx);
    const size = txProtoSize((txs[0] as Uint8Array).length);
    expect(size).toBe(2 + (txs[0] as Uint8Array).length);
    expect(txProtoSize(127)).toBe(129);
    expect(txProtoSize(128)).toBe(131);
    expect(mempool.reap(-1, -1).map(label)).toEqual(['a0', 'b0', 'c0', 'd0']);
    expect(mempool.reap(2 * size, -1).map(label)).toEqual(['a0', 'b0']);
    expect(mempool.reap(2 * size - 1, -1).map(label)).toEqual(['a0']);
    expect(mempool.reap(0, -1)).toEqual([]);
    expect(mempool.reap(-1, 30).map(label)).toEqual(['a0', 'b0']);
    // Stops at the first tx over the limit, even if a later one would fit (as CometBFT).
    expect(mempool.reap(-1, 29).map(label)).toEqual(['a0']);
    expect(mempool.reap(-1, 1n << 62n).map(label)).toHaveLength(4);
    expect(mempool.reap(3 * size, 35n).map(label)).toEqual(['a0', 'b0', 'c0']);
  });
});

describe('Mempool update and recheck', () => {
  it('removes committed txs, caches them, and rechecks the rest in sequence order', async () => {
    const { app, mempool } = setup();
    for (const tx of [mk('a', 0), mk('a', 1), mk('a', 2), mk('b', 0)]) await mempool.checkTx(tx);
    app.calls = [];
    const res = await commitBlock(app, mempool, 1n, [mk('a', 0), mk('b', 0)]);
    expect(res).toEqual({ removed: 2, evicted: 0 });
    expect(mempool.unconfirmed().map(label)).toEqual(['a1', 'a2']);
    expect(app.calls).toEqual([
      { tx: dec.decode(mk('a', 1)), type: CheckTxType.RECHECK },
      { tx: dec.decode(mk('a', 2)), type: CheckTxType.RECHECK },
    ]);
    await expect(mempool.checkTx(mk('a', 0))).rejects.toThrow(TxInCacheError);
  });

  it('evicts txs whose sequence was used by another tx in the block', async () => {
    const { app, mempool } = setup();
    await mempool.checkTx(mk('a', 0, 0, 1, 'mine'));
    await mempool.checkTx(mk('a', 1));
    await mempool.checkTx(mk('c', 0));
    // Another node's tx with the same sequence made it into the block.
    const res = await commitBlock(app, mempool, 1n, [mk('a', 0, 0, 1, 'theirs')]);
    expect(res).toEqual({ removed: 0, evicted: 1 });
    expect(mempool.unconfirmed().map(label)).toEqual(['a1', 'c0']);
    expect(mempool.has(hashOf(mk('a', 0, 0, 1, 'mine')))).toBe(false);
    // The evicted tx left the cache: resubmitting reaches the app (which refuses it).
    expect((await mempool.checkTx(mk('a', 0, 0, 1, 'mine'))).code).toBe(32);
    expect(mempool.stats).toEqual({ failed: 1, rejected: 0, rechecked: 3, evicted: 1 });
  });

  it('forgets committed txs that failed, so they may be resubmitted', async () => {
    const { app, mempool } = setup();
    const failed = mk('z', 3);
    await mempool.lock();
    await mempool.update(1n, [failed], [{ code: 7 }]);
    mempool.unlock();
    app.acceptAll = true;
    expect((await mempool.checkTx(failed)).code).toBe(0);
  });

  it('can skip recheck, and refuses update without the lock or with mismatched results', async () => {
    const { app, mempool } = setup({ recheck: false });
    await mempool.checkTx(mk('a', 0));
    await mempool.checkTx(mk('a', 1));
    await expect(mempool.update(1n, [], [])).rejects.toThrow('requires the lock');
    app.calls = [];
    const res = await commitBlock(app, mempool, 1n, [mk('a', 0, 0, 1, 'other')]);
    expect(res).toEqual({ removed: 0, evicted: 0 });
    expect(app.calls).toEqual([]);
    expect(mempool.stats.rechecked).toBe(0);
    await mempool.lock();
    await expect(mempool.update(2n, [mk('q', 0)], [])).rejects.toThrow('1 txs but 0 results');
    mempool.unlock();
  });

  it('makes CheckTx wait while a block is being committed', async () => {
    const { app, mempool } = setup();
    await mempool.lock();
    let done = false;
    const pending = mempool.checkTx(mk('a', 0)).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    expect(app.calls).toHaveLength(0);
    // The committed block used a's sequence 0 for another tx: the waiting CheckTx sees that.
    app.commit([mk('a', 0, 0, 1, 'other')]);
    await mempool.update(1n, [mk('a', 0, 0, 1, 'other')], [{ code: 0 }]);
    mempool.unlock();
    expect((await pending).code).toBe(32);
    expect(() => mempool.unlock()).toThrow('unlock without lock');
  });

  it('flush empties the pool and the cache', async () => {
    const { app, mempool } = setup();
    await mempool.checkTx(mk('a', 0));
    mempool.flush();
    expect([mempool.size(), mempool.sizeBytes()]).toEqual([0, 0]);
    // Not refused as a duplicate: the app sees it again.
    await mempool.checkTx(mk('a', 0));
    expect(app.calls).toHaveLength(2);
  });
});

describe('TxCache', () => {
  it('evicts the least recently pushed hash', () => {
    const c = new TxCache(2);
    expect(c.push('a')).toBe(true);
    expect(c.push('b')).toBe(true);
    expect(c.push('a')).toBe(false);
    expect(c.push('c')).toBe(true);
    expect([c.has('a'), c.has('b'), c.has('c')]).toEqual([true, false, true]);
    c.remove('a');
    expect(c.size).toBe(1);
    const off = new TxCache(0);
    expect(off.push('x')).toBe(true);
    expect(off.push('x')).toBe(true);
  });

  it('behaves as a plain LRU list over any sequence of pushes, removals and resets', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), key: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('remove' as const), key: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('reset' as const), key: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
        const cache = new TxCache(capacity);
        let model: string[] = []; // oldest first
        for (const o of ops) {
          const key = String(o.key);
          if (o.kind === 'push') {
            const fresh = !model.includes(key);
            model = model.filter((k) => k !== key);
            if (fresh && model.length >= capacity) model.shift();
            model.push(key);
            expect(cache.push(key)).toBe(fresh);
          } else if (o.kind === 'remove') {
            model = model.filter((k) => k !== key);
            cache.remove(key);
          } else {
            model = [];
            cache.reset();
          }
          expect(cache.size).toBe(model.length);
          for (let k = 0; k <= 12; k++) expect(cache.has(String(k))).toBe(model.includes(String(k)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
