import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatchOp, MemoryDb, openLevelDb } from '../../store/db.js';
import * as arb from '../types/arbitraries.js';
import {
  type Block,
  BlockIdFlag,
  type Commit,
  type ExtendedCommit,
  emptyHeader,
  headerHash,
  makeBlockParts,
  PartSet,
  sha256,
} from '../types/index.js';
import { BlockStore, BlockStoreError } from './blockStore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const te = new TextEncoder();

function partSetOf(block: Block): { parts: PartSet; blockId: Commit['blockId'] } {
  const made = makeBlockParts(block);
  const parts = new PartSet(made.header);
  for (const p of made.parts) parts.addPart(p);
  return { parts, blockId: made.blockId };
}

function commitFor(height: bigint, blockId: Commit['blockId'], round = 0): Commit {
  return {
    height,
    round,
    blockId,
    signatures: [
      {
        blockIdFlag: BlockIdFlag.Commit,
        validatorAddress: sha256(te.encode('val')).subarray(0, 20),
        timestamp: { seconds: 1_700_000_000n + (height % 1000n), nanos: 1 },
        signature: new Uint8Array(64).fill(Number(height % 250n) + 1),
      },
      {
        blockIdFlag: BlockIdFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: { seconds: -62135596800n, nanos: 0 },
        signature: new Uint8Array(0),
      },
    ],
  };
}

/** A chain of `n` blocks starting at `first`, each carrying the previous one's commit. */
function makeChain(first: bigint, n: number, txBytes = 10) {
  const out: { block: Block; parts: PartSet; seen: Commit }[] = [];
  let prev: Commit | undefined;
  for (let i = 0; i < n; i++) {
    const height = first + BigInt(i);
    const block: Block = {
      header: {
        ...emptyHeader(),
        chainId: 'store-test',
        height,
        time: { seconds: 1_700_000_000n + BigInt(i), nanos: 0 },
        validatorsHash: sha256(te.encode('vals')),
        ...(prev === undefined ? {} : { lastBlockId: prev.blockId }),
      },
      data: { txs: [new Uint8Array(txBytes).fill(i + 1), te.encode(`tx-${height}`)] },
      evidence: [],
      ...(prev === undefined ? {} : { lastCommit: prev }),
    };
    const { parts, blockId } = partSetOf(block);
    const seen = commitFor(height, blockId);
    out.push({ block, parts, seen });
    prev = seen;
  }
  return out;
}

describe('BlockStore', () => {
  it('is empty at first', async () => {
    const store = await BlockStore.open(new MemoryDb());
    expect([store.base(), store.height(), store.size()]).toEqual([0n, 0n, 0n]);
    expect(await store.loadBlock(1n)).toBeUndefined();
    expect(await store.loadBlockCommit(1n)).toBeUndefined();
    expect(await store.loadSeenCommit()).toBeUndefined();
  });

  it('saves and loads blocks, metas, parts, commits and the hash index', async () => {
    const store = await BlockStore.open(new MemoryDb());
    const chain = makeChain(1n, 5);
    for (const c of chain) await store.saveBlock(c.block, c.parts, c.seen);
    expect([store.base(), store.height(), store.size()]).toEqual([1n, 5n, 5n]);
    for (const [i, c] of chain.entries()) {
      const h = BigInt(i + 1);
      expect(await store.loadBlock(h)).toEqual(c.block);
      const meta = (await store.loadBlockMeta(h))!;
      expect(meta.header).toEqual(c.block.header);
      expect(meta.blockId).toEqual(c.seen.blockId);
      expect(meta.numTxs).toBe(2n);
      expect(meta.blockSize).toBe(BigInt(makeBlockParts(c.block).bytes.length));
      expect(await store.loadBlockByHash(headerHash(c.block.header))).toEqual(c.block);
      expect((await store.loadBlockMetaByHash(c.seen.blockId.hash))?.header.height).toBe(h);
      expect(await store.loadBlockPart(h, 0)).toEqual(c.parts.getPart(0));
      // The commit for h: the LastCommit of h+1, or the seen commit at the top.
      expect(await store.loadBlockCommit(h)).toEqual(i < 4 ? chain[i + 1]!.block.lastCommit : c.seen);
    }
    expect(await store.loadSeenCommit()).toEqual(chain[4]!.seen);
    expect(await store.loadSeenCommit(4n)).toBeUndefined();
    expect(await store.loadBlock(6n)).toBeUndefined();
    expect(await store.loadBlock(0n)).toBeUndefined();
    expect(await store.loadBlockPart(1n, 1)).toBeUndefined();
    expect(await store.loadBlockByHash(new Uint8Array(32))).toBeUndefined();
    expect(await store.loadBlockByHash(new Uint8Array(0))).toBeUndefined();
  });

  it('stores a multi-part block and reassembles it', async () => {
    const store = await BlockStore.open(new MemoryDb());
    const [c] = makeChain(1n, 1, 150_000);
    expect(c!.parts.total).toBe(3);
    await store.saveBlock(c!.block, c!.parts, c!.seen);
    expect(await store.loadBlock(1n)).toEqual(c!.block);
    expect((await store.loadBlockPart(1n, 2))?.index).toBe(2);
  });

  it('keeps the extended commit of the latest block', async () => {
    const store = await BlockStore.open(new MemoryDb());
    const chain = makeChain(1n, 2);
    const ext = (c: Commit): ExtendedCommit => ({
      height: c.height,
      round: c.round,
      blockId: c.blockId,
      extendedSignatures: c.signatures.map((s) => ({
        ...s,
        extension: te.encode('x'),
        extensionSignature: new Uint8Array(64).fill(9),
      })),
    });
    await store.saveBlockWithExtendedCommit(chain[0]!.block, chain[0]!.parts, ext(chain[0]!.seen));
    expect(await store.loadBlockExtendedCommit(1n)).toEqual(ext(chain[0]!.seen));
    expect(await store.loadSeenCommit(1n)).toEqual(chain[0]!.seen);
    await store.saveBlockWithExtendedCommit(chain[1]!.block, chain[1]!.parts, ext(chain[1]!.seen));
    expect(await store.loadBlockExtendedCommit(1n)).toBeUndefined();
    expect(await store.loadBlockExtendedCommit()).toEqual(ext(chain[1]!.seen));
  });

  it('refuses gaps, incomplete part sets and mismatched seen commits, changing nothing', async () => {
    const db = new MemoryDb();
    const store = await BlockStore.open(db);
    const chain = makeChain(1n, 3);
    await store.saveBlock(chain[0]!.block, chain[0]!.parts, chain[0]!.seen);
    const before = new Map(db.data);
    await expect(store.saveBlock(chain[2]!.block, chain[2]!.parts, chain[2]!.seen)).rejects.toThrow(
      'BlockStore can only save contiguous blocks. Wanted 2, got 3',
    );
    await expect(store.saveBlock(chain[0]!.block, chain[0]!.parts, chain[0]!.seen)).rejects.toThrow(
      /Wanted 2, got 1/,
    );
    const c = chain[1]!;
    await expect(store.saveBlock(c.block, new PartSet(c.parts.header), c.seen)).rejects.toThrow(
      /complete block part sets/,
    );
    await expect(store.saveBlock(c.block, c.parts, chain[0]!.seen)).rejects.toThrow(/different height/);
    await expect(
      store.saveBlock(c.block, c.parts, { ...c.seen, blockId: chain[0]!.seen.blockId }),
    ).rejects.toThrow(BlockStoreError);
    await expect(
      store.saveBlock({ ...c.block, header: { ...c.block.header, height: 0n } }, c.parts, c.seen),
    ).rejects.toThrow(/positive int64/);
    expect(db.data).toEqual(before);
    expect(store.height()).toBe(1n);
    await store.saveBlock(c.block, c.parts, c.seen); // the queue still works after failures
    expect(store.height()).toBe(2n);
  });

  it('a failed batch (crash while saving) leaves the previous block as the top', async () => {
    const db = new MemoryDb();
    let failNext = false;
    const flaky = Object.assign(Object.create(db) as MemoryDb, {
      batch: async (ops: BatchOp[]) => {
        if (failNext) throw new Error('disk full');
        return db.batch(ops);
      },
    });
    const store = await BlockStore.open(flaky);
    const chain = makeChain(1n, 2);
    await store.saveBlock(chain[0]!.block, chain[0]!.parts, chain[0]!.seen);
    failNext = true;
    await expect(store.saveBlock(chain[1]!.block, chain[1]!.parts, chain[1]!.seen)).rejects.toThrow(
      'disk full',
    );
    expect(store.height()).toBe(1n);
    const reopened = await BlockStore.open(db);
    expect(reopened.height()).toBe(1n);
    expect(await reopened.loadBlock(2n)).toBeUndefined();
    expect(await reopened.loadSeenCommit()).toEqual(chain[0]!.seen);
  });

  it('starts at any initial height (2^40) and persists in LevelDB across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-bs-'));
    dirs.push(dir);
    const chain = makeChain(2n ** 40n, 3);
    let store = await BlockStore.open(await openLevelDb(dir));
    for (const c of chain) await store.saveBlock(c.block, c.parts, c.seen);
    await store.close();
    store = await BlockStore.open(await openLevelDb(dir));
    expect([store.base(), store.height()]).toEqual([2n ** 40n, 2n ** 40n + 2n]);
    expect(await store.loadBlock(2n ** 40n + 1n)).toEqual(chain[1]!.block);
    expect(await store.loadBlockCommit(2n ** 40n)).toEqual(chain[0]!.seen);
    await store.close();
  });

  it('prunes below the retain height, everywhere, and persists the new base', async () => {
    const db = new MemoryDb();
    const store = await BlockStore.open(db);
    const chain = makeChain(1n, 6);
    for (const c of chain) await store.saveBlock(c.block, c.parts, c.seen);
    expect(await store.pruneBlocks(4n)).toBe(3n);
    expect([store.base(), store.height(), store.size()]).toEqual([4n, 6n, 3n]);
    for (let h = 1n; h <= 3n; h++) {
      expect(await store.loadBlock(h)).toBeUndefined();
      expect(await store.loadBlockByHash(chain[Number(h) - 1]!.seen.blockId.hash)).toBeUndefined();
    }
    expect(await store.loadBlock(4n)).toEqual(chain[3]!.block);
    // Nothing of the pruned heights is left in the database: meta, parts, commits and 3 hash keys gone.
    const heightsLeft = [...db.data.keys()].filter((k) => k.length > 2);
    expect(heightsLeft.length).toBe(
      3 /* metas */ + 3 /* parts */ + 2 /* commits 4,5 */ + 1 /* seen */ + 3 /* hashes */ + 0,
    );
    expect(await store.pruneBlocks(2n)).toBe(0n);
    await expect(store.pruneBlocks(7n)).rejects.toThrow(/beyond the latest height 6/);
    await expect(store.pruneBlocks(0n)).rejects.toThrow(/positive int64/);
    expect(await store.pruneBlocks(6n)).toBe(2n);
    const reopened = await BlockStore.open(db);
    expect([reopened.base(), reopened.height()]).toEqual([6n, 6n]);
    expect(await reopened.loadBlock(6n)).toEqual(chain[5]!.block);
  });

  it('deletes the latest block for rollback and can save a replacement', async () => {
    const db = new MemoryDb();
    const store = await BlockStore.open(db);
    const chain = makeChain(1n, 3);
    for (const c of chain) await store.saveBlock(c.block, c.parts, c.seen);
    await store.deleteLatestBlock();
    expect(store.height()).toBe(2n);
    expect(await store.loadBlock(3n)).toBeUndefined();
    expect(await store.loadBlockByHash(chain[2]!.seen.blockId.hash)).toBeUndefined();
    expect(await store.loadBlockPart(3n, 0)).toBeUndefined();
    // The commit for 2 came with block 3 and is now the seen commit.
    expect(await store.loadSeenCommit()).toEqual(chain[2]!.block.lastCommit);
    expect(await store.loadBlockCommit(2n)).toEqual(chain[2]!.block.lastCommit);
    expect((await BlockStore.open(db)).height()).toBe(2n);
    await store.saveBlock(chain[2]!.block, chain[2]!.parts, chain[2]!.seen);
    expect(await store.loadBlock(3n)).toEqual(chain[2]!.block);
    await store.deleteLatestBlock();
    await store.deleteLatestBlock();
    await expect(store.deleteLatestBlock()).rejects.toThrow(/only remaining block/);
    await expect((await BlockStore.open(new MemoryDb())).deleteLatestBlock()).rejects.toThrow(/empty/);
  });

  it('round-trips random blocks with 64-bit extremes', async () => {
    await fc.assert(
      fc.asyncProperty(
        arb.block(),
        arb.commit(),
        fc.bigInt(1n, 2n ** 63n - 1n),
        async (block0, commit0, height) => {
          const block: Block = {
            ...block0,
            header: { ...block0.header, height, validatorsHash: sha256(te.encode('v')) },
          };
          const { parts, blockId } = partSetOf(block);
          const seen = { ...commit0, height, blockId };
          const store = await BlockStore.open(new MemoryDb());
          await store.saveBlock(block, parts, seen);
          expect(await store.loadBlock(height)).toEqual(block);
          expect(await store.loadBlockCommit(height)).toEqual(seen);
          expect((await store.loadBlockMeta(height))?.header).toEqual(block.header);
        },
      ),
      { numRuns: 100 },
    );
  });
});
