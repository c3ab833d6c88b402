/**
 * The tx indexer (CometBFT v0.38 `state/txindex/kv`, searched as `tx_search` does): stores each
 * executed tx's `TxResult` by hash and indexes `tx.height` and every event attribute marked
 * `index: true`.
 *
 * A search picks one index range to scan for candidates (see `planScan`), then checks every
 * candidate's stored result against the whole query with `matchesIndexed` — so the answer
 * never depends on which range was scanned. Semantics (see `matchesIndexed`): conditions on one
 * event type must hold in one event instance; `tx.height` and `tx.hash` are answered from the
 * tx itself; results are ordered by (height, index), ascending unless `orderBy: 'desc'`.
 *
 * Differences from CometBFT, on purpose: a `tx.hash` condition is combined with the others
 * (CometBFT returns the tx and ignores them); attributes whose composite key is `tx.hash` or
 * `tx.height` are not indexed (CometBFT fails the whole batch).
 */
import { type ExecTxResult, TxResult } from 'cosmjs-types/tendermint/abci/types';
import { encodeTxResult } from '../../codec/abciResults.js';
import type { StoreDb } from '../../store/db.js';
import { matchesIndexed, parseQuery, type Query } from '../events/query.js';
import { txHash } from '../types/index.js';
import {
  concat,
  eventKey,
  eventKeyMayMatch,
  heightBounds,
  MAX_HEIGHT,
  planScan,
  readU32be,
  readU64be,
  scanKeys,
} from './keys.js';
import { type OrderBy, pageWindow, validateOrderBy } from './pagination.js';

export const TX_HASH_TAG = 'tx.hash';
export const TX_HEIGHT_TAG = 'tx.height';

const SPACE_BY_HASH = 0x01;
const SPACE_BY_HEIGHT = 0x02;
const SPACE_EVENTS = 0x03;
/** height(8) + index(4) */
const SUFFIX = 12;
/** Event keys up to this size are built in one reused buffer (longer ones get their own). */
const KEY_SCRATCH = 4096;

export interface TxToIndex {
  height: bigint;
  /** Position of the tx in its block. */
  index: number;
  tx: Uint8Array;
  result: ExecTxResult;
}

export interface IndexedTx extends TxToIndex {
  hash: Uint8Array;
}

export interface TxSearchOptions {
  /** 1-based; out of range is an error ("page should be within [1, N] range, given P"). */
  page?: number;
  /** Default 30, at most 100. */
  perPage?: number;
  /** "asc" (default), "desc" or "". */
  orderBy?: string;
}

export interface TxSearchResult {
  txs: IndexedTx[];
  totalCount: number;
}

/** A failed index or search call; `message` is shown to RPC users. */
export class IndexerError extends Error {
  override readonly name = 'IndexerError';
}

function hexUpper(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
}

/** A map key for a hash (one char per byte). */
function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function checkPosition(height: bigint, index: number): void {
  if (typeof height !== 'bigint' || height < 0n || height > MAX_HEIGHT) {
    throw new IndexerError(`tx height must be a bigint in [0, 2^63-1], got ${String(height)}`);
  }
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) {
    throw new IndexerError(`tx index must be an integer in [0, 2^32-1], got ${String(index)}`);
  }
}

export class TxIndexer {
  constructor(private readonly db: StoreDb) {}

  /**
   * Indexes one block's (or any batch of) executed txs in one atomic write. A tx already
   * indexed with a successful result is not replaced by a later failed execution of the same
   * bytes (as CometBFT's `Index`); otherwise the latest execution wins.
   */
  async index(txs: readonly TxToIndex[]): Promise<void> {
    // Keys go to the writer as they are made (it copies them), all built in one buffer: a
    // block's keys never pile up to be copied by the young-generation collector.
    const w = this.db.writer();
    const scratch = new Uint8Array(KEY_SCRATCH);
    try {
      const okInBatch = new Set<string>();
      for (const t of txs) {
        checkPosition(t.height, t.index);
        if (!(t.tx instanceof Uint8Array)) throw new IndexerError('tx must be bytes');
        const hash = txHash(t.tx);
        const hashKey = latin1(hash);
        if (t.result.code !== 0) {
          if (okInBatch.has(hashKey)) continue;
          const old = await this.get(hash);
          if (old !== undefined && old.result.code === 0) continue;
        } else {
          okInBatch.add(hashKey);
        }
        const suffix = new Uint8Array(SUFFIX);
        const view = new DataView(suffix.buffer);
        view.setBigUint64(0, t.height);
        view.setUint32(8, t.index);
        for (const e of t.result.events) {
          if (e.type === '') continue;
          for (const a of e.attributes) {
            if (a.key === '' || !a.index) continue;
            const tag = `${e.type}.${a.key}`;
            if (tag === TX_HASH_TAG || tag === TX_HEIGHT_TAG) continue;
            w.put(eventKey(SPACE_EVENTS, tag, a.value, suffix, scratch), hash);
          }
        }
        w.put(concat(Uint8Array.of(SPACE_BY_HEIGHT), suffix), hash);
        const stored = encodeTxResult(t.height, t.index, t.tx, t.result);
        w.put(concat(Uint8Array.of(SPACE_BY_HASH), hash), stored);
      }
    } catch (e) {
      await w.discard();
      throw e;
    }
    if (w.length > 0) await w.write();
    else await w.discard();
  }

  /** The indexed tx with this hash, or undefined. */
  async get(hash: Uint8Array): Promise<IndexedTx | undefined> {
    if (!(hash instanceof Uint8Array) || hash.length === 0)
      throw new IndexerError('tx hash must not be empty');
    const raw = await this.db.get(concat(Uint8Array.of(SPACE_BY_HASH), hash));
    if (raw === undefined) return undefined;
    const r = TxResult.decode(raw);
    return { hash: Uint8Array.from(hash), height: r.height, index: r.index, tx: r.tx, result: r.result };
  }

  /**
   * `tx_search`: the txs matching `query`, one page of them in (height, index) order, with
   * the total count. Throws `QuerySyntaxError`, `PaginationError` or `IndexerError` for bad
   * input, with messages meant for the RPC user.
   */
  async search(query: Query | string, opts: TxSearchOptions = {}): Promise<TxSearchResult> {
    const q = typeof query === 'string' ? parseQuery(query) : query;
    const orderBy = validateOrderBy(opts.orderBy, 'asc');
    const found = await this.matching(q);
    sortPositions(found, orderBy);
    const w = pageWindow(found.length, opts.page, opts.perPage);
    const txs: IndexedTx[] = [];
    for (const f of found.slice(w.skip, w.skip + w.count)) {
      const tx = await this.get(f.hash);
      if (tx !== undefined) txs.push(tx);
    }
    return { txs, totalCount: found.length };
  }

  /** Positions of all matching txs, unordered. */
  private async matching(q: Query): Promise<{ height: bigint; index: number; hash: Uint8Array }[]> {
    const out: { height: bigint; index: number; hash: Uint8Array }[] = [];
    const check = async (hash: Uint8Array): Promise<void> => {
      const tx = await this.get(hash);
      if (tx === undefined) return;
      const reserved = { [TX_HEIGHT_TAG]: tx.height.toString(), [TX_HASH_TAG]: hexUpper(hash) };
      if (matchesIndexed(q, tx.result.events, reserved))
        out.push({ height: tx.height, index: tx.index, hash });
    };

    const hashCond = q.conditions.find((c) => c.tag === TX_HASH_TAG && c.op === '=');
    if (hashCond?.operand !== undefined) {
      const text = hashCond.operand.text;
      if (!/^([0-9a-fA-F]{2})+$/.test(text)) {
        throw new IndexerError(`tx.hash must be an even-length hex string, got ${JSON.stringify(text)}`);
      }
      await check(Uint8Array.from(Buffer.from(text, 'hex')));
      return out;
    }

    const bounds = heightBounds(q.conditions, TX_HEIGHT_TAG);
    if (bounds.lo > bounds.hi) return out;
    const plan = planScan(
      q,
      [TX_HEIGHT_TAG, TX_HASH_TAG],
      TX_HEIGHT_TAG,
      SPACE_EVENTS,
      SPACE_BY_HEIGHT,
      bounds,
    );
    const seen = new Set<string>();
    for await (const [key, hash] of scanKeys(this.db, plan)) {
      if (!eventKeyMayMatch(key, plan, SUFFIX, bounds)) continue;
      const id = hexUpper(hash);
      if (seen.has(id)) continue;
      seen.add(id);
      await check(hash);
    }
    return out;
  }
}

function sortPositions(list: { height: bigint; index: number }[], orderBy: OrderBy): void {
  const sign = orderBy === 'asc' ? 1 : -1;
  list.sort((a, b) => sign * (a.height !== b.height ? (a.height < b.height ? -1 : 1) : a.index - b.index));
}

/** Decodes a height+index suffix (exported for tests and tools). */
export function decodePosition(key: Uint8Array): { height: bigint; index: number } {
  return { height: readU64be(key, key.length - SUFFIX), index: readU32be(key, key.length - 4) };
}
