/**
 * The block store (CometBFT v0.38 store/store.go), over a key-value database.
 *
 * Per height it keeps the BlockMeta (block ID, size, header, tx count), the block's parts (the
 * block's protobuf bytes are the concatenation of its parts, so the whole block is not stored
 * twice), the commit for height-1 carried in the block as its LastCommit, and an index from
 * block hash to height. The "seen commit" (the +2/3 precommits this node saw for its latest
 * block, which the next block's LastCommit will be built from) and, when vote extensions are
 * on, the extended commit are kept for the latest height. Everything for one block is written
 * in one atomic batch, together with the store's {base, height}.
 *
 * Keys are a one-byte prefix followed by big-endian heights, so a range scan is height order:
 *   00                      -> BlockStoreState{base = 1, height = 2}
 *   01 H                    -> BlockMeta
 *   02 H idx(4)             -> Part
 *   03 H                    -> Commit for H (stored when block H+1 is saved)
 *   04 H                    -> seen Commit for H
 *   05 hash                 -> H (8 bytes)
 *   06 H                    -> ExtendedCommit for H
 */
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { BatchOp, StoreDb } from '../../store/db.js';
import {
  type Block,
  type BlockId,
  type BlockMeta,
  blockIdEquals,
  bytesToHex,
  type Commit,
  decodeBlock,
  decodeBlockMeta,
  decodeCommit,
  decodeExtendedCommit,
  decodePart,
  type ExtendedCommit,
  encodeBlockMeta,
  encodeCommit,
  encodeExtendedCommit,
  encodePart,
  extendedCommitToCommit,
  headerHash,
  type Part,
  PartSet,
  ProtoReader,
} from '../types/index.js';

export class BlockStoreError extends Error {
  override readonly name = 'BlockStoreError';
}

const P_STATE = 0x00;
const P_META = 0x01;
const P_PART = 0x02;
const P_COMMIT = 0x03;
const P_SEEN = 0x04;
const P_HASH = 0x05;
const P_EXT = 0x06;

function heightKey(prefix: number, height: bigint, extra?: number): Uint8Array {
  const k = new Uint8Array(extra === undefined ? 9 : 13);
  const v = new DataView(k.buffer);
  k[0] = prefix;
  v.setBigUint64(1, height);
  if (extra !== undefined) v.setUint32(9, extra);
  return k;
}

function hashKey(hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + hash.length);
  k[0] = P_HASH;
  k.set(hash, 1);
  return k;
}

const STATE_KEY = Uint8Array.of(P_STATE);

function encodeStoreState(base: bigint, height: bigint): Uint8Array {
  const w = new BinaryWriter();
  if (base !== 0n) w.tag(1, 0).int64(base);
  if (height !== 0n) w.tag(2, 0).int64(height);
  return w.finish();
}

function decodeStoreState(b: Uint8Array): { base: bigint; height: bigint } {
  const r = new ProtoReader(b, 'BlockStoreState');
  let base = 0n;
  let height = 0n;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f === 1) base = r.int64();
    else if (f === 2) height = r.int64();
    else r.skip();
  }
  return { base, height };
}

function u64(height: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, height);
  return b;
}

function checkHeight(height: bigint, what = 'height'): void {
  if (typeof height !== 'bigint' || height < 1n || height >= 1n << 63n) {
    throw new BlockStoreError(`${what} must be a positive int64, got ${String(height)}`);
  }
}

/** How many blocks one pruning batch removes at most (keeps batches bounded). */
const PRUNE_BATCH_BLOCKS = 1000;

export class BlockStore {
  private baseHeight: bigint;
  private topHeight: bigint;
  // Writes are serialized so that base/height always describe what is on disk.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: StoreDb,
    state: { base: bigint; height: bigint },
  ) {
    this.baseHeight = state.base;
    this.topHeight = state.height;
  }

  static async open(db: StoreDb): Promise<BlockStore> {
    const raw = await db.get(STATE_KEY);
    const state = raw === undefined ? { base: 0n, height: 0n } : decodeStoreState(raw);
    if (
      state.height < 0n ||
      state.base < 0n ||
      state.base > state.height ||
      (state.base === 0n) !== (state.height === 0n)
    ) {
      throw new BlockStoreError(`corrupt block store state: base ${state.base}, height ${state.height}`);
    }
    return new BlockStore(db, state);
  }

  /** The first height stored (0 if the store is empty). */
  base(): bigint {
    return this.baseHeight;
  }

  /** The last height stored (0 if the store is empty). */
  height(): bigint {
    return this.topHeight;
  }

  /** Number of blocks stored. */
  size(): bigint {
    return this.topHeight === 0n ? 0n : this.topHeight - this.baseHeight + 1n;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * SaveBlock: stores a complete block with its parts and the commit this node saw for it.
   * Blocks must be contiguous (the first one may be at any height, e.g. after state sync or
   * with an initial height above 1).
   */
  saveBlock(block: Block, parts: PartSet, seenCommit: Commit): Promise<void> {
    return this.serialize(() => this.save(block, parts, seenCommit, undefined));
  }

  /** SaveBlockWithExtendedCommit: as saveBlock, also keeping the vote extensions (needed to propose at H+1). */
  saveBlockWithExtendedCommit(block: Block, parts: PartSet, seenCommit: ExtendedCommit): Promise<void> {
    return this.serialize(() => this.save(block, parts, extendedCommitToCommit(seenCommit), seenCommit));
  }

  private async save(
    block: Block,
    parts: PartSet,
    seen: Commit,
    ext: ExtendedCommit | undefined,
  ): Promise<void> {
    const height = block?.header?.height;
    checkHeight(height, 'block height');
    if (this.topHeight !== 0n && height !== this.topHeight + 1n) {
      throw new BlockStoreError(
        `BlockStore can only save contiguous blocks. Wanted ${this.topHeight + 1n}, got ${height}`,
      );
    }
    if (!(parts instanceof PartSet) || !parts.isComplete) {
      throw new BlockStoreError('BlockStore can only save complete block part sets');
    }
    if (seen === undefined || seen.height !== height) {
      throw new BlockStoreError(
        `BlockStore cannot save seen commit of a different height (block: ${height}, commit: ${seen?.height})`,
      );
    }
    const blockId: BlockId = { hash: headerHash(block.header), partSetHeader: parts.header };
    if (!blockIdEquals(seen.blockId, blockId)) {
      throw new BlockStoreError(
        `seen commit is for block ${bytesToHex(seen.blockId.hash)}, not ${bytesToHex(blockId.hash)} (or its part set differs)`,
      );
    }
    const ops: BatchOp[] = [];
    let blockSize = 0;
    for (let i = 0; i < parts.total; i++) {
      const part = parts.getPart(i)!;
      blockSize += part.bytes.length;
      ops.push({ type: 'put', key: heightKey(P_PART, height, i), value: encodePart(part) });
    }
    const meta: BlockMeta = {
      blockId,
      blockSize: BigInt(blockSize),
      header: block.header,
      numTxs: BigInt(block.data.txs.length),
    };
    ops.push({ type: 'put', key: heightKey(P_META, height), value: encodeBlockMeta(meta) });
    ops.push({ type: 'put', key: hashKey(blockId.hash), value: u64(height) });
    if (block.lastCommit !== undefined && height > 1n) {
      ops.push({ type: 'put', key: heightKey(P_COMMIT, height - 1n), value: encodeCommit(block.lastCommit) });
    }
    ops.push({ type: 'put', key: heightKey(P_SEEN, height), value: encodeCommit(seen) });
    if (ext !== undefined)
      ops.push({ type: 'put', key: heightKey(P_EXT, height), value: encodeExtendedCommit(ext) });
    if (this.topHeight !== 0n) {
      // Only the latest seen/extended commit is needed; the block at H carries the commit for H-1.
      ops.push({ type: 'del', key: heightKey(P_SEEN, this.topHeight) });
      ops.push({ type: 'del', key: heightKey(P_EXT, this.topHeight) });
    }
    const base = this.baseHeight === 0n ? height : this.baseHeight;
    ops.push({ type: 'put', key: STATE_KEY, value: encodeStoreState(base, height) });
    await this.db.batch(ops);
    this.baseHeight = base;
    this.topHeight = height;
  }

  private inRange(height: bigint): boolean {
    return (
      typeof height === 'bigint' &&
      this.topHeight !== 0n &&
      height >= this.baseHeight &&
      height <= this.topHeight
    );
  }

  async loadBlockMeta(height: bigint): Promise<BlockMeta | undefined> {
    if (!this.inRange(height)) return undefined;
    const raw = await this.db.get(heightKey(P_META, height));
    if (raw === undefined)
      throw new BlockStoreError(`block meta for height ${height} is missing (corrupt store)`);
    return decodeBlockMeta(raw);
  }

  async loadBlockMetaByHash(hash: Uint8Array): Promise<BlockMeta | undefined> {
    const height = await this.heightByHash(hash);
    return height === undefined ? undefined : this.loadBlockMeta(height);
  }

  async loadBlockPart(height: bigint, index: number): Promise<Part | undefined> {
    if (!this.inRange(height) || !Number.isInteger(index) || index < 0 || index > 0xffffffff)
      return undefined;
    const raw = await this.db.get(heightKey(P_PART, height, index));
    return raw === undefined ? undefined : decodePart(raw);
  }

  /** The block at `height` (undefined outside [base, height]); reassembled from its parts. */
  async loadBlock(height: bigint): Promise<Block | undefined> {
    const meta = await this.loadBlockMeta(height);
    if (meta === undefined) return undefined;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < meta.blockId.partSetHeader.total; i++) {
      const part = await this.loadBlockPart(height, i);
      if (part === undefined)
        throw new BlockStoreError(`block ${height} part ${i} is missing (corrupt store)`);
      chunks.push(part.bytes);
    }
    return decodeBlock(Buffer.concat(chunks));
  }

  async loadBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const height = await this.heightByHash(hash);
    return height === undefined ? undefined : this.loadBlock(height);
  }

  private async heightByHash(hash: Uint8Array): Promise<bigint | undefined> {
    if (!(hash instanceof Uint8Array) || hash.length === 0) return undefined;
    const raw = await this.db.get(hashKey(hash));
    if (raw === undefined || raw.length !== 8) return undefined;
    const h = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0);
    return this.inRange(h) ? h : undefined;
  }

  /**
   * LoadBlockCommit: the commit for `height`, i.e. the LastCommit of block height+1; for the
   * latest height (no next block yet) the seen commit.
   */
  async loadBlockCommit(height: bigint): Promise<Commit | undefined> {
    if (!this.inRange(height)) return undefined;
    const raw = await this.db.get(heightKey(P_COMMIT, height));
    if (raw !== undefined) return decodeCommit(raw);
    return height === this.topHeight ? this.loadSeenCommit(height) : undefined;
  }

  /**
   * Replaces the latest block's seen commit with a fuller one (precommits that arrived after the
   * decision, during the commit timeout), as CometBFT's LastCommit keeps collecting them. It must
   * be for the same block.
   */
  replaceSeenCommit(seen: Commit): Promise<void> {
    return this.serialize(async () => {
      const height = this.topHeight;
      if (seen.height !== height) {
        throw new BlockStoreError(
          `can only replace the seen commit of the latest block ${height}, not ${seen.height}`,
        );
      }
      const meta = await this.loadBlockMeta(height);
      if (!meta || !blockIdEquals(seen.blockId, meta.blockId)) {
        throw new BlockStoreError(`seen commit for height ${height} is for another block`);
      }
      await this.db.batch([{ type: 'put', key: heightKey(P_SEEN, height), value: encodeCommit(seen) }]);
    });
  }

  /** LoadSeenCommit: the +2/3 precommits this node saw for its latest block. */
  async loadSeenCommit(height: bigint = this.topHeight): Promise<Commit | undefined> {
    if (!this.inRange(height)) return undefined;
    const raw = await this.db.get(heightKey(P_SEEN, height));
    return raw === undefined ? undefined : decodeCommit(raw);
  }

  /** LoadBlockExtendedCommit: the extended commit saved with the latest block, if extensions were on. */
  async loadBlockExtendedCommit(height: bigint = this.topHeight): Promise<ExtendedCommit | undefined> {
    if (!this.inRange(height)) return undefined;
    const raw = await this.db.get(heightKey(P_EXT, height));
    return raw === undefined ? undefined : decodeExtendedCommit(raw);
  }

  /**
   * PruneBlocks: removes all blocks below `retainHeight` and returns how many were removed.
   * The latest block can never be pruned.
   */
  pruneBlocks(retainHeight: bigint): Promise<bigint> {
    return this.serialize(async () => {
      checkHeight(retainHeight, 'retain height');
      if (retainHeight > this.topHeight) {
        throw new BlockStoreError(`cannot prune beyond the latest height ${this.topHeight}`);
      }
      if (retainHeight <= this.baseHeight) return 0n;
      let pruned = 0n;
      let h = this.baseHeight;
      while (h < retainHeight) {
        const ops: BatchOp[] = [];
        const stop =
          h + BigInt(PRUNE_BATCH_BLOCKS) < retainHeight ? h + BigInt(PRUNE_BATCH_BLOCKS) : retainHeight;
        for (; h < stop; h++) {
          const meta = await this.loadBlockMeta(h);
          if (meta !== undefined) {
            ops.push({ type: 'del', key: hashKey(meta.blockId.hash) });
            for (let i = 0; i < meta.blockId.partSetHeader.total; i++) {
              ops.push({ type: 'del', key: heightKey(P_PART, h, i) });
            }
          }
          for (const p of [P_META, P_COMMIT, P_SEEN, P_EXT]) ops.push({ type: 'del', key: heightKey(p, h) });
          pruned++;
        }
        ops.push({ type: 'put', key: STATE_KEY, value: encodeStoreState(h, this.topHeight) });
        await this.db.batch(ops);
        this.baseHeight = h;
      }
      return pruned;
    });
  }

  /**
   * DeleteLatestBlock (for rollback): removes the top block. The commit for the new top height
   * stays loadable: the removed block's LastCommit becomes its seen commit.
   */
  deleteLatestBlock(): Promise<void> {
    return this.serialize(async () => {
      const h = this.topHeight;
      if (h === 0n) throw new BlockStoreError('block store is empty');
      if (h === this.baseHeight) throw new BlockStoreError('cannot delete the only remaining block');
      const meta = await this.loadBlockMeta(h);
      const ops: BatchOp[] = [];
      if (meta !== undefined) {
        ops.push({ type: 'del', key: hashKey(meta.blockId.hash) });
        for (let i = 0; i < meta.blockId.partSetHeader.total; i++)
          ops.push({ type: 'del', key: heightKey(P_PART, h, i) });
      }
      const lastCommit = await this.db.get(heightKey(P_COMMIT, h - 1n));
      if (lastCommit !== undefined)
        ops.push({ type: 'put', key: heightKey(P_SEEN, h - 1n), value: lastCommit });
      for (const p of [P_SEEN, P_EXT, P_COMMIT, P_META]) ops.push({ type: 'del', key: heightKey(p, h) });
      ops.push({ type: 'put', key: STATE_KEY, value: encodeStoreState(this.baseHeight, h - 1n) });
      await this.db.batch(ops);
      this.topHeight = h - 1n;
    });
  }

  close(): Promise<void> {
    return this.serialize(() => this.db.close());
  }
}
