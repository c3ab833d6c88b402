/**
 * The block indexer (CometBFT v0.38 `state/indexer/block/kv`, searched as `block_search`
 * does): for each height, the FinalizeBlock (block-level) events with `index: true`
 * attributes, plus `block.height`. Results are heights, newest first unless `orderBy: 'asc'`
 * (block_search's default order is the opposite of tx_search's).
 *
 * Same search method and semantics as the tx indexer: scan one index range for candidate
 * heights, then check each height's stored events against the whole query (`matchesIndexed`).
 */
import { type Event as AbciEvent, ResponseFinalizeBlock } from 'cosmjs-types/tendermint/abci/types';
import { encodeProto } from '../../codec/protoWriter.js';
import type { BatchOp, StoreDb } from '../../store/db.js';
import { matchesIndexed, parseQuery, type Query } from '../events/query.js';
import {
  concat,
  eventKey,
  eventKeyMayMatch,
  eventKeyPrefix,
  heightBounds,
  MAX_HEIGHT,
  planScan,
  readU64be,
  scanKeys,
  u64be,
} from './keys.js';
import { pageWindow, validateOrderBy } from './pagination.js';
import { IndexerError } from './txIndexer.js';

export const BLOCK_HEIGHT_TAG = 'block.height';

const SPACE_BY_HEIGHT = 0x11;
const SPACE_EVENTS = 0x13;
/** height(8) */
const SUFFIX = 8;

export interface BlockSearchOptions {
  page?: number;
  perPage?: number;
  /** "desc" (default), "asc" or "". */
  orderBy?: string;
}

export interface BlockSearchResult {
  heights: bigint[];
  totalCount: number;
}

export class BlockIndexer {
  constructor(private readonly db: StoreDb) {}

  /** Indexes the block-level events of `height` (ResponseFinalizeBlock.events); re-indexing replaces the record. */
  async index(height: bigint, events: readonly AbciEvent[]): Promise<void> {
    if (typeof height !== 'bigint' || height < 1n || height > MAX_HEIGHT) {
      throw new IndexerError(`block height must be a bigint in [1, 2^63-1], got ${String(height)}`);
    }
    const h = u64be(height);
    const ops: BatchOp[] = [];
    const kept: AbciEvent[] = [];
    for (const e of events) {
      if (e.type === '') continue;
      const attributes = e.attributes.filter(
        (a) => a.key !== '' && a.index && `${e.type}.${a.key}` !== BLOCK_HEIGHT_TAG,
      );
      if (attributes.length === 0) continue;
      kept.push({ type: e.type, attributes });
      for (const a of attributes) {
        ops.push({
          type: 'put',
          key: eventKey(SPACE_EVENTS, `${e.type}.${a.key}`, a.value, h),
          value: new Uint8Array(),
        });
      }
    }
    // Only indexed attributes are kept: they are all a search may look at.
    const record = encodeProto(ResponseFinalizeBlock, ResponseFinalizeBlock.fromPartial({ events: kept }));
    ops.push({ type: 'put', key: concat(Uint8Array.of(SPACE_BY_HEIGHT), h), value: record });
    await this.db.batch(ops);
  }

  async has(height: bigint): Promise<boolean> {
    if (height < 0n || height > MAX_HEIGHT) return false;
    return (await this.db.get(concat(Uint8Array.of(SPACE_BY_HEIGHT), u64be(height)))) !== undefined;
  }

  /** `block_search`: matching heights, one page of them, and the total count. */
  async search(query: Query | string, opts: BlockSearchOptions = {}): Promise<BlockSearchResult> {
    const q = typeof query === 'string' ? parseQuery(query) : query;
    const orderBy = validateOrderBy(opts.orderBy, 'desc');
    const found = await this.matching(q);
    found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (orderBy === 'desc') found.reverse();
    const w = pageWindow(found.length, opts.page, opts.perPage);
    return { heights: found.slice(w.skip, w.skip + w.count), totalCount: found.length };
  }

  private async matching(q: Query): Promise<bigint[]> {
    const out: bigint[] = [];
    const bounds = heightBounds(q.conditions, BLOCK_HEIGHT_TAG);
    if (bounds.lo > bounds.hi) return out;
    const plan = planScan(q, [BLOCK_HEIGHT_TAG], BLOCK_HEIGHT_TAG, SPACE_EVENTS, SPACE_BY_HEIGHT, bounds);
    const seen = new Set<bigint>();
    for await (const [key] of scanKeys(this.db, plan)) {
      if (!eventKeyMayMatch(key, plan, SUFFIX, bounds)) continue;
      const height = readU64be(key, key.length - SUFFIX);
      if (seen.has(height)) continue;
      seen.add(height);
      const raw = await this.db.get(concat(Uint8Array.of(SPACE_BY_HEIGHT), u64be(height)));
      if (raw === undefined) continue;
      const { events } = ResponseFinalizeBlock.decode(raw);
      if (matchesIndexed(q, events, { [BLOCK_HEIGHT_TAG]: height.toString() })) out.push(height);
    }
    return out;
  }
}
