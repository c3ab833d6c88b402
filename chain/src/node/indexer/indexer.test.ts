import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Event as AbciEvent, ExecTxResult } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDb, openLevelDb } from '../../store/db.js';
import { matchesIndexed, parseQuery, QuerySyntaxError } from '../events/query.js';
import { txHash } from '../types/index.js';
import { BlockIndexer } from './blockIndexer.js';
import { indexFinalizedBlock } from './indexBlock.js';
import { concat, eventKey, eventKeyPrefix } from './keys.js';
import { PaginationError, pageWindow, validatePerPage } from './pagination.js';
import { TxIndexer, type TxToIndex } from './txIndexer.js';

const enc = new TextEncoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

function ev(type: string, ...attrs: [string, string, boolean?][]): AbciEvent {
  return { type, attributes: attrs.map(([key, value, index]) => ({ key, value, index: index ?? true })) };
}

function txAt(height: bigint, index: number, body: string, events: AbciEvent[], code = 0): TxToIndex {
  return {
    height,
    index,
    tx: enc.encode(body),
    result: ExecTxResult.fromPartial({ code, events, gasUsed: 10n }),
  };
}

describe('TxIndexer', () => {
  it('stores and returns a TxResult by hash, 64-bit fields intact', async () => {
    const idx = new TxIndexer(new MemoryDb());
    const big = txAt((1n << 62n) + 3n, 7, 'big', [ev('a', ['b', 'c'])]);
    big.result.gasWanted = (1n << 63n) - 1n;
    big.result.gasUsed = 1n << 31n;
    await idx.index([big]);
    const got = await idx.get(txHash(big.tx));
    expect(got?.height).toBe((1n << 62n) + 3n);
    expect(got?.index).toBe(7);
    expect(got?.result.gasWanted).toBe((1n << 63n) - 1n);
    expect(got?.result.gasUsed).toBe(1n << 31n);
    expect(got?.result.events).toEqual([ev('a', ['b', 'c'])]);
    expect(await idx.get(new Uint8Array(32))).toBeUndefined();
    await expect(idx.get(new Uint8Array())).rejects.toThrow('tx hash must not be empty');
    await expect(idx.index([txAt(-1n, 0, 'x', [])])).rejects.toThrow('tx height must be');
  });

  // Event layout and expectations from CometBFT v0.38 state/txindex/kv/kv_test.go TestTxSearch.
  it('answers the CometBFT TestTxSearch queries', async () => {
    const idx = new TxIndexer(new MemoryDb());
    const t = txAt(1n, 0, 'HELLO WORLD', [
      ev('account', ['number', '1']),
      ev('account', ['owner', '/Ivan/']),
      ev('', ['not_allowed', 'Vlad']),
    ]);
    await idx.index([t]);
    const h = hex(txHash(t.tx));
    const cases: [string, number][] = [
      [`tx.hash = '${h}'`, 1],
      [`tx.hash = '${h.toLowerCase()}'`, 1],
      ['account.number = 1', 1],
      ["account.number = 1 AND account.owner = 'Ivan'", 0],
      ["account.owner = 'Ivan' AND account.number = 1", 0],
      ["account.owner = '/Ivan/'", 1],
      ["account.number = 1 AND account.owner = 'Vlad'", 0],
      ["account.number >= 1 AND account.owner = 'Vlad'", 0],
      ['account.number <= 0', 0],
      ["account.number < 10000 AND account.owner = 'Ivan'", 0],
      ["account.owner = 'Iv'", 0],
      ['account.number >= 1 AND account.number <= 5', 1],
      ["account.number >= 1 AND account.owner = 'Ivan' AND account.number <= 5", 0],
      ['account.number >= 1', 1],
      ['account.number <= 5', 1],
      ["not_allowed = 'boom'", 0],
      ["not_allowed = 'Vlad'", 0],
      ['account.number >= 2 AND account.number <= 5 AND tx.height > 0', 0],
      ['account.date >= TIME 2013-05-03T14:45:00Z', 0],
      ["account.owner CONTAINS 'an'", 1],
      ["account.owner CONTAINS 'Vlad'", 0],
      ['account.owner EXISTS', 1],
      ['account.owner EXISTS AND tx.height = 1', 1],
      ['account.owner EXISTS AND tx.height = 2', 0],
      ['tx.height = 1 AND tx.height = 1', 1],
      ['tx.height > 0 AND tx.height < 2', 1],
    ];
    for (const [q, n] of cases) {
      const res = await idx.search(q);
      expect([q, res.totalCount]).toEqual([q, n]);
      expect(res.txs).toHaveLength(n);
    }
  });

  async function chain(): Promise<TxIndexer> {
    const idx = new TxIndexer(new MemoryDb());
    const txs: TxToIndex[] = [];
    for (let h = 1n; h <= 10n; h++) {
      for (let i = 0; i < 3; i++) {
        const sender = ['alice', 'bob', 'carol'][i] as string;
        txs.push(
          txAt(h, i, `tx-${h}-${i}`, [
            ev('message', ['action', 'send'], ['sender', sender]),
            ev('transfer', ['recipient', 'dave'], ['amount', `${Number(h) * 10 + i}uhth`]),
            ev('fee', ['paid', String(Number(h) * 100 + i)]),
          ]),
        );
      }
    }
    await idx.index(txs);
    return idx;
  }

  it('searches height ranges, combined with event conditions', async () => {
    const idx = await chain();
    const pos = (r: { txs: { height: bigint; index: number }[] }) =>
      r.txs.map((t) => `${t.height}/${t.index}`);
    expect((await idx.search('tx.height = 4')).totalCount).toBe(3);
    expect((await idx.search('tx.height >= 3 AND tx.height < 5')).totalCount).toBe(6);
    expect(pos(await idx.search("tx.height > 8 AND message.sender = 'bob'"))).toEqual(['9/1', '10/1']);
    expect(pos(await idx.search("message.sender = 'carol' AND tx.height <= 2"))).toEqual(['1/2', '2/2']);
    expect(pos(await idx.search('fee.paid > 950 AND fee.paid <= 1001'))).toEqual(['10/0', '10/1']);
    expect(pos(await idx.search("transfer.amount CONTAINS '101'"))).toEqual(['10/1']);
    expect((await idx.search('tx.height > 10')).totalCount).toBe(0);
    expect((await idx.search('tx.height = 4.5')).totalCount).toBe(0);
    expect((await idx.search('tx.height < 1')).totalCount).toBe(0);
    expect((await idx.search("message.action = 'send'")).totalCount).toBe(30);
    expect((await idx.search("tm.event = 'Tx'")).totalCount).toBe(0);
  });

  it('paginates and orders like tx_search', async () => {
    const idx = await chain();
    const q = "message.action = 'send'";
    const all = await idx.search(q, { perPage: 100 });
    expect(all.txs.map((t) => t.height)).toEqual(
      [...all.txs.map((t) => t.height)].sort((a, b) => Number(a - b)),
    );
    const p2 = await idx.search(q, { page: 2, perPage: 7 });
    expect(p2.totalCount).toBe(30);
    expect(p2.txs.map((t) => `${t.height}/${t.index}`)).toEqual(
      all.txs.slice(7, 14).map((t) => `${t.height}/${t.index}`),
    );
    const last = await idx.search(q, { page: 5, perPage: 7 });
    expect(last.txs).toHaveLength(2);
    const desc = await idx.search(q, { orderBy: 'desc', perPage: 4 });
    expect(desc.txs.map((t) => `${t.height}/${t.index}`)).toEqual(['10/2', '10/1', '10/0', '9/2']);
    expect((await idx.search(q)).txs).toHaveLength(30);
    await expect(idx.search(q, { page: 6, perPage: 7 })).rejects.toThrow(
      'page should be within [1, 5] range, given 6',
    );
    await expect(idx.search(q, { page: 0 })).rejects.toThrow('page should be within [1, 1] range, given 0');
    await expect(idx.search("message.action = 'none'", { page: 2 })).rejects.toThrow(
      'page should be within [1, 1] range, given 2',
    );
    expect((await idx.search("message.action = 'none'", { page: 1 })).txs).toEqual([]);
    await expect(idx.search(q, { orderBy: 'up' })).rejects.toThrow(
      'expected order_by to be either `asc` or `desc` or empty',
    );
    await expect(idx.search('tx.height >')).rejects.toThrow(QuerySyntaxError);
    await expect(idx.search("tx.hash = 'XYZ'")).rejects.toThrow('tx.hash must be an even-length hex string');
  });

  it('applies the other conditions to a tx.hash lookup', async () => {
    const idx = await chain();
    const h = hex(txHash(enc.encode('tx-3-1')));
    expect((await idx.search(`tx.hash = '${h}' AND message.sender = 'bob'`)).totalCount).toBe(1);
    expect((await idx.search(`tx.hash = '${h}' AND message.sender = 'alice'`)).totalCount).toBe(0);
  });

  it('keeps a successful result when the same tx later fails, and lets a success replace a failure', async () => {
    const idx = new TxIndexer(new MemoryDb());
    await idx.index([txAt(2n, 0, 'same', [ev('m', ['k', 'ok'])])]);
    await idx.index([txAt(5n, 1, 'same', [ev('m', ['k', 'failed'])], 11)]);
    let got = await idx.get(txHash(enc.encode('same')));
    expect([got?.height, got?.result.code]).toEqual([2n, 0]);
    expect((await idx.search("m.k = 'failed'")).totalCount).toBe(0);
    await idx.index([txAt(6n, 0, 'other', [], 5)]);
    await idx.index([txAt(7n, 0, 'other', [ev('m', ['k', 'later'])])]);
    got = await idx.get(txHash(enc.encode('other')));
    expect([got?.height, got?.result.code]).toEqual([7n, 0]);
    expect((await idx.search('tx.height = 6')).totalCount).toBe(0);
    expect((await idx.search("m.k = 'later'")).totalCount).toBe(1);
  });

  it('does not index reserved or unindexed attributes', async () => {
    const idx = new TxIndexer(new MemoryDb());
    await idx.index([
      txAt(3n, 0, 'r', [
        ev('tx', ['height', '99'], ['hash', 'FF'], ['fee', '5uhth']),
        ev('x', ['y', 'z', false]),
      ]),
    ]);
    expect((await idx.search('tx.height = 99')).totalCount).toBe(0);
    expect((await idx.search('tx.height = 3 AND tx.fee EXISTS')).totalCount).toBe(1);
    expect((await idx.search('x.y EXISTS')).totalCount).toBe(0);
  });

  it('agrees with a brute-force scan for random txs and queries', async () => {
    const attr = fc.tuple(
      fc.constantFrom('k', 'n'),
      fc.constantFrom('1', '2', '10', 'a', '/x/'),
      fc.boolean(),
    );
    const event = fc.record({
      type: fc.constantFrom('a', 'b'),
      attributes: fc.array(attr, { maxLength: 3 }),
    });
    const tx = fc.record({
      height: fc.integer({ min: 1, max: 6 }),
      events: fc.array(event, { maxLength: 3 }),
    });
    const cond = fc.oneof(
      fc.tuple(
        fc.constantFrom('a.k', 'a.n', 'b.k', 'b.n'),
        fc.constantFrom("= '1'", '= 10', "CONTAINS 'x'", 'EXISTS', '> 1', '<= 2'),
      ),
      fc.tuple(fc.constant('tx.height'), fc.constantFrom('= 3', '> 2', '<= 4', '>= 6', 'EXISTS', '< 2.5')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(tx, { maxLength: 12 }),
        fc.array(cond, { minLength: 1, maxLength: 3 }),
        async (txs, conds) => {
          const idx = new TxIndexer(new MemoryDb());
          const indexed = txs.map((t, i) =>
            txAt(
              BigInt(t.height),
              i,
              `t${i}`,
              t.events.map((e) => ({
                type: e.type,
                attributes: e.attributes.map(([key, value, index]) => ({ key, value, index })),
              })),
            ),
          );
          await idx.index(indexed);
          const q = parseQuery(conds.map(([t, rest]) => `${t} ${rest}`).join(' AND '));
          const expected = indexed
            .filter((t) =>
              matchesIndexed(q, t.result.events, {
                'tx.height': t.height.toString(),
                'tx.hash': hex(txHash(t.tx)),
              }),
            )
            .map((t) => `${t.height}/${t.index}`)
            .sort();
          const res = await idx.search(q, { perPage: 100 });
          expect(res.txs.map((t) => `${t.height}/${t.index}`).sort()).toEqual(expected);
        },
      ),
      { numRuns: process.env.HEARTH_LONG ? 5000 : 150 },
    );
  });

  it('works over LevelDB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-txindex-'));
    try {
      let db = await openLevelDb(dir);
      await new TxIndexer(db).index([
        txAt(300n, 0, 'lvl', [ev('m', ['s', 'x'])]),
        txAt(2n, 0, 'lvl2', [ev('m', ['s', 'x'])]),
      ]);
      await db.close();
      db = await openLevelDb(dir);
      const res = await new TxIndexer(db).search("m.s = 'x' AND tx.height >= 2", { orderBy: 'desc' });
      expect(res.txs.map((t) => t.height)).toEqual([300n, 2n]);
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('BlockIndexer', () => {
  async function blocks(): Promise<BlockIndexer> {
    const idx = new BlockIndexer(new MemoryDb());
    for (let h = 1n; h <= 12n; h++) {
      const events = [ev('mint', ['amount', String(Number(h) * 5)], ['bonded_ratio', '0.5', false])];
      if (h % 4n === 0n) events.push(ev('slash', ['reason', 'missing_signature'], ['power', String(h)]));
      await idx.index(h, events);
    }
    return idx;
  }

  it('searches block.height and block events, newest first by default', async () => {
    const idx = await blocks();
    expect((await idx.search("slash.reason = 'missing_signature'")).heights).toEqual([12n, 8n, 4n]);
    expect((await idx.search("slash.reason = 'missing_signature'", { orderBy: 'asc' })).heights).toEqual([
      4n,
      8n,
      12n,
    ]);
    expect((await idx.search('block.height > 9')).heights).toEqual([12n, 11n, 10n]);
    expect((await idx.search('block.height = 5')).heights).toEqual([5n]);
    expect((await idx.search('mint.amount >= 50 AND block.height < 12')).heights).toEqual([11n, 10n]);
    expect((await idx.search("slash.reason = 'missing_signature' AND slash.power > 4")).heights).toEqual([
      12n,
      8n,
    ]);
    expect((await idx.search('mint.bonded_ratio EXISTS')).totalCount).toBe(0);
    const page = await idx.search('block.height >= 1', { page: 2, perPage: 5 });
    expect(page).toEqual({ heights: [7n, 6n, 5n, 4n, 3n], totalCount: 12 });
    await expect(idx.search('block.height >= 1', { page: 4, perPage: 5 })).rejects.toThrow(
      'page should be within [1, 3] range, given 4',
    );
    expect(await idx.has(3n)).toBe(true);
    expect(await idx.has(13n)).toBe(false);
    await expect(idx.index(0n, [])).rejects.toThrow('block height must be');
  });

  it('replaces a re-indexed height', async () => {
    const idx = await blocks();
    await idx.index(4n, [ev('mint', ['amount', '1'])]);
    expect((await idx.search("slash.reason = 'missing_signature'")).heights).toEqual([12n, 8n]);
  });
});

describe('indexFinalizedBlock', () => {
  it("indexes a block's txs and block events together", async () => {
    const txs = new TxIndexer(new MemoryDb());
    const blocks = new BlockIndexer(new MemoryDb());
    const body = [enc.encode('t0'), enc.encode('t1')];
    const res = {
      events: [ev('mint', ['amount', '5'])],
      txResults: [
        ExecTxResult.fromPartial({ events: [ev('m', ['s', 'a'])] }),
        ExecTxResult.fromPartial({ code: 3 }),
      ],
    };
    await indexFinalizedBlock({ txs, blocks }, 9n, body, res);
    expect((await txs.search('tx.height = 9')).txs.map((t) => [t.index, t.result.code])).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect((await blocks.search('mint.amount = 5')).heights).toEqual([9n]);
    await expect(indexFinalizedBlock({ txs }, 10n, body, { events: [], txResults: [] })).rejects.toThrow(
      'block 10 has 2 txs but 0 tx results',
    );
    await indexFinalizedBlock({}, 11n, body, res);
  });
});

describe('pagination', () => {
  it('follows CometBFT validatePerPage / validatePage', () => {
    expect(validatePerPage(undefined)).toBe(30);
    expect(validatePerPage(0)).toBe(30);
    expect(validatePerPage(-5)).toBe(30);
    expect(validatePerPage(101)).toBe(100);
    expect(validatePerPage(42)).toBe(42);
    expect(pageWindow(0)).toEqual({ page: 1, perPage: 30, skip: 0, count: 0 });
    expect(pageWindow(0, 1)).toEqual({ page: 1, perPage: 30, skip: 0, count: 0 });
    expect(pageWindow(61, 3)).toEqual({ page: 3, perPage: 30, skip: 60, count: 1 });
    expect(() => pageWindow(61, 4)).toThrow(PaginationError);
    expect(() => pageWindow(61, 1.5)).toThrow('page should be within [1, 3] range, given 1.5');
  });
});

describe('event keys', () => {
  it('eventKey is the prefix, the UTF-8 value and the suffix, for any value', () => {
    const suffix = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1);
    for (const value of ['', 'hearth1abc/5', 'é€😀', '100uhth,ü', 'x'.repeat(300)]) {
      for (const tag of ['transfer.amount', 'ünïcode.tag']) {
        const expected = concat(eventKeyPrefix(0x01, tag, value), suffix);
        expect(eventKey(0x01, tag, value, suffix)).toEqual(expected);
        // Twice: the second use of the tag goes through the memo.
        expect(eventKey(0x01, tag, value, suffix)).toEqual(expected);
      }
    }
    expect(eventKey(0x02, 'transfer.amount', 'v', suffix)[0]).toBe(0x02);
  });
});
