/**
 * The mempool (after CometBFT v0.38 `mempool/clist_mempool.go`, with an ordering the app can
 * steer): txs enter through the app's CheckTx, wait for a proposer to reap them, and leave when
 * committed or when a recheck after a commit finds them invalid.
 *
 * Ordering. `txInfo` (optional) tells the mempool, from the tx and its CheckTx response, who
 * sent it, at which account sequence and with which priority. Reaping then keeps each sender's
 * txs in ascending sequence order and otherwise takes the highest priority first, earliest
 * arrival breaking ties — a merge of per-sender queues by their heads. Txs without info are
 * each their own queue with priority 0, so without `txInfo` the order is arrival order, as in
 * CometBFT.
 *
 * Concurrency. The consensus core holds `lock()` from FinalizeBlock until `update()` has
 * returned, so no CheckTx runs against a half-committed app state; CheckTx calls wait for the
 * lock and also run one at a time. Duplicate and size checks happen before waiting, so a
 * duplicate arriving while the first copy is still being checked is refused at once.
 */
import { CheckTxType, type ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import type { Application } from '../../abci/application.js';
import { lengthDelimitedSize } from '../../codec/exactWriter.js';
import { txHashOf } from '../../crypto/txHash.js';
import { TxCache } from './txCache.js';

/** What the app's CheckTx response says about a tx, for ordering. */
export interface TxInfo {
  sender: string;
  sequence: bigint;
  priority: bigint;
}

export interface MempoolOptions {
  app: Pick<Application, 'checkTx'>;
  /** Max txs held (CometBFT `size`, default 5000). */
  maxTxs?: number;
  /** Max total bytes of the txs held (CometBFT `max_txs_bytes`, default 1 GiB). */
  maxTxsBytes?: number;
  /** Max bytes of one tx (CometBFT `max_tx_bytes`, default 1 MiB). */
  maxTxBytes?: number;
  /** Hashes remembered to refuse duplicates (CometBFT `cache_size`, default 10000; 0 disables). */
  cacheSize?: number;
  /** Re-run CheckTx on the remaining txs after each commit (CometBFT `recheck`, default true). */
  recheck?: boolean;
  /** Sender, sequence and priority of an accepted tx; undefined when unknown. */
  txInfo?: (tx: Uint8Array, res: ResponseCheckTx) => TxInfo | undefined;
  /**
   * Work the app can do on a new tx before CheckTx and outside the app's lock (Hearth's app
   * verifies signatures on worker threads). It starts when the tx arrives, so txs waiting for
   * the lock are prepared in parallel; CheckTx still runs in arrival order.
   */
  preCheck?: (tx: Uint8Array) => Promise<void>;
}

/** A tx the mempool refused before or instead of CheckTx; `message` is CometBFT's wording. */
export class MempoolError extends Error {
  override readonly name: string = 'MempoolError';
}

export class TxTooLargeError extends MempoolError {
  override readonly name = 'TxTooLargeError';
  constructor(
    readonly max: number,
    readonly actual: number,
  ) {
    super(`Tx too large. Max size is ${max}, but got ${actual}`);
  }
}

export class MempoolFullError extends MempoolError {
  override readonly name = 'MempoolFullError';
  constructor(numTxs: number, maxTxs: number, txsBytes: number, maxTxsBytes: number) {
    super(
      `mempool is full: number of txs ${numTxs} (max: ${maxTxs}), total txs bytes ${txsBytes} (max: ${maxTxsBytes})`,
    );
  }
}

export class TxInCacheError extends MempoolError {
  override readonly name = 'TxInCacheError';
  constructor() {
    super('tx already exists in cache');
  }
}

/** A tx held by the mempool. */
export interface MempoolTx {
  readonly tx: Uint8Array;
  readonly hash: Uint8Array;
  /** Height of the last block committed when the tx entered. */
  readonly height: bigint;
  gasWanted: bigint;
  info: TxInfo | undefined;
  /** Arrival number, increasing. */
  readonly arrival: number;
}

/**
 * Running totals behind the node's mempool metrics, counted as CometBFT v0.38's CListMempool
 * counts its `cometbft_mempool_*` counters.
 */
export interface MempoolStats {
  /** New txs the app refused (CheckTx code ≠ 0): `failed_txs`. */
  failed: number;
  /** Txs refused because the mempool was full, on arrival or once CheckTx passed: `rejected_txs`. */
  rejected: number;
  /** CheckTx calls of type RECHECK, one per tx per recheck: `recheck_times`. */
  rechecked: number;
  /** Txs dropped because their recheck failed: `evicted_txs`. */
  evicted: number;
}

export interface UpdateResult {
  /** Committed txs that were in the mempool and left it. */
  removed: number;
  /** Txs dropped because their recheck failed. */
  evicted: number;
}

/** Bytes a tx adds to a block's `Data` protobuf (tag, length varint, bytes), as CometBFT counts. */
export function txProtoSize(len: number): number {
  return lengthDelimitedSize(len);
}

function keyOf(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('latin1');
}

/** One sender's txs by sequence (or a lone tx without info), with the position of the next to take. */
interface Queue {
  txs: MempoolTx[];
  next: number;
}

const headOf = (q: Queue): MempoolTx => q.txs[q.next] as MempoolTx;

/** Higher priority first, then earlier arrival. */
function before(a: MempoolTx, b: MempoolTx): boolean {
  const pa = a.info?.priority ?? 0n;
  const pb = b.info?.priority ?? 0n;
  return pa !== pb ? pa > pb : a.arrival < b.arrival;
}

export class Mempool {
  private readonly app: Pick<Application, 'checkTx'>;
  readonly maxTxs: number;
  readonly maxTxsBytes: number;
  readonly maxTxBytes: number;
  private readonly recheckEnabled: boolean;
  private readonly txInfo: MempoolOptions['txInfo'];
  private readonly preCheck: MempoolOptions['preCheck'];
  private readonly cache: TxCache;
  /** Held txs by hash key, in arrival order. */
  private readonly txs = new Map<string, MempoolTx>();
  private bytes = 0;
  private arrivals = 0;
  private height = 0n;
  private readonly listeners = new Set<(tx: MempoolTx) => void>();
  private locked = false;
  private readonly lockWaiters: (() => void)[] = [];
  /** Totals since start (read by the node's metrics). */
  readonly stats: MempoolStats = { failed: 0, rejected: 0, rechecked: 0, evicted: 0 };

  constructor(opts: MempoolOptions) {
    this.app = opts.app;
    this.maxTxs = opts.maxTxs ?? 5000;
    this.maxTxsBytes = opts.maxTxsBytes ?? 1024 * 1024 * 1024;
    this.maxTxBytes = opts.maxTxBytes ?? 1024 * 1024;
    this.recheckEnabled = opts.recheck ?? true;
    this.txInfo = opts.txInfo;
    this.preCheck = opts.preCheck;
    this.cache = new TxCache(opts.cacheSize ?? 10000);
    for (const [name, v] of [
      ['maxTxs', this.maxTxs],
      ['maxTxsBytes', this.maxTxsBytes],
      ['maxTxBytes', this.maxTxBytes],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new RangeError(`mempool ${name} must be a positive integer, got ${v}`);
    }
  }

  // -- lock ------------------------------------------------------------------------------------

  /** Waits until no one else holds the mempool, then holds it. Pair with `unlock()`. */
  lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.lockWaiters.push(resolve));
  }

  /** Releases the mempool to the next waiter. */
  unlock(): void {
    if (!this.locked) throw new Error('mempool unlock without lock');
    const next = this.lockWaiters.shift();
    if (next === undefined) this.locked = false;
    else next();
  }

  // -- entry -----------------------------------------------------------------------------------

  /**
   * Runs CheckTx on a new tx and keeps it if the app accepts it (code 0). Returns the app's
   * response whatever its code. Throws `TxTooLargeError`, `MempoolFullError` or
   * `TxInCacheError` without calling the app.
   */
  async checkTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    if (!(tx instanceof Uint8Array)) throw new MempoolError('tx must be bytes');
    if (tx.length === 0) throw new MempoolError('tx is empty');
    if (tx.length > this.maxTxBytes) throw new TxTooLargeError(this.maxTxBytes, tx.length);
    this.assertRoomFor(tx.length);
    const hash = txHashOf(tx);
    const key = keyOf(hash);
    if (this.txs.has(key) || !this.cache.push(key)) throw new TxInCacheError();

    // Started before waiting for the lock; its failure is CheckTx's to report.
    const prepared = this.preCheck?.(tx).catch(() => {});
    await this.lock();
    let res: ResponseCheckTx;
    try {
      try {
        await prepared;
        res = await this.app.checkTx({ tx, type: CheckTxType.NEW });
      } catch (e) {
        this.cache.remove(key);
        throw e;
      }
      if (res.code !== 0) {
        // A refused tx may become valid later (e.g. once its account is funded).
        this.cache.remove(key);
        this.stats.failed++;
        return res;
      }
      try {
        this.assertRoomFor(tx.length);
      } catch (e) {
        this.cache.remove(key);
        throw e;
      }
      const entry: MempoolTx = {
        tx,
        hash,
        height: this.height,
        gasWanted: res.gasWanted,
        info: this.infoOf(tx, res),
        arrival: this.arrivals++,
      };
      this.txs.set(key, entry);
      this.bytes += tx.length;
      for (const l of this.listeners) {
        try {
          l(entry);
        } catch {
          // A gossip listener's failure must not undo the admission.
        }
      }
      return res;
    } finally {
      this.unlock();
    }
  }

  /** The app-specific ordering info; a tx it cannot describe is ordered by arrival. */
  private infoOf(tx: Uint8Array, res: ResponseCheckTx): TxInfo | undefined {
    try {
      return this.txInfo?.(tx, res);
    } catch {
      return undefined;
    }
  }

  private assertRoomFor(len: number): void {
    if (this.txs.size >= this.maxTxs || this.bytes + len > this.maxTxsBytes) {
      this.stats.rejected++;
      throw new MempoolFullError(this.txs.size, this.maxTxs, this.bytes, this.maxTxsBytes);
    }
  }

  /** Calls `listener` for each newly admitted tx (for gossip); returns a function that stops it. */
  onNewTx(listener: (tx: MempoolTx) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -- reading ---------------------------------------------------------------------------------

  size(): number {
    return this.txs.size;
  }

  sizeBytes(): number {
    return this.bytes;
  }

  has(hash: Uint8Array): boolean {
    return this.txs.has(keyOf(hash));
  }

  /**
   * Whether `checkTx` would refuse this tx as a duplicate (held, or remembered by the cache):
   * gossip asks first, as every tx arrives from several peers and an error per copy is costly.
   */
  knows(hash: Uint8Array): boolean {
    const key = keyOf(hash);
    return this.txs.has(key) || this.cache.has(key);
  }

  get(hash: Uint8Array): MempoolTx | undefined {
    return this.txs.get(keyOf(hash));
  }

  /** All held txs in reap order. */
  ordered(): MempoolTx[] {
    const queues = new Map<string, MempoolTx[]>();
    const heads: MempoolTx[][] = [];
    for (const t of this.txs.values()) {
      if (t.info === undefined) {
        heads.push([t]);
        continue;
      }
      let q = queues.get(t.info.sender);
      if (q === undefined) {
        q = [];
        queues.set(t.info.sender, q);
        heads.push(q);
      }
      q.push(t);
    }
    for (const q of queues.values()) {
      q.sort((a, b) => {
        const sa = a.info?.sequence ?? 0n;
        const sb = b.info?.sequence ?? 0n;
        return sa !== sb ? (sa < sb ? -1 : 1) : a.arrival - b.arrival;
      });
    }
    // Merge the queues with a binary heap ordered by each queue's next tx.
    const heap: Queue[] = heads.map((txs) => ({ txs, next: 0 }));
    const at = (i: number) => heap[i] as Queue;
    const less = (a: number, b: number) => before(headOf(at(a)), headOf(at(b)));
    const down = (start: number) => {
      let i = start;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) return;
        const t = at(i);
        heap[i] = at(m);
        heap[m] = t;
        i = m;
      }
    };
    for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);
    const out: MempoolTx[] = [];
    while (heap.length > 0) {
      const top = at(0);
      out.push(headOf(top));
      top.next++;
      if (top.next >= top.txs.length) {
        const last = heap.pop() as Queue;
        if (heap.length > 0) heap[0] = last;
      }
      down(0);
    }
    return out;
  }

  /**
   * Txs for a proposal, in reap order, stopping at the first tx that would take the block's
   * `Data` over `maxBytes` or the total gas wanted over `maxGas` (-1: no limit), as CometBFT's
   * ReapMaxBytesMaxGas.
   */
  reap(maxBytes: number | bigint, maxGas: number | bigint): Uint8Array[] {
    const byteLimit = BigInt(maxBytes);
    const gasLimit = BigInt(maxGas);
    const out: Uint8Array[] = [];
    let bytes = 0n;
    let gas = 0n;
    for (const t of this.ordered()) {
      const nextBytes = bytes + BigInt(txProtoSize(t.tx.length));
      if (byteLimit > -1n && nextBytes > byteLimit) break;
      const nextGas = gas + t.gasWanted;
      if (gasLimit > -1n && nextGas > gasLimit) break;
      bytes = nextBytes;
      gas = nextGas;
      out.push(t.tx);
    }
    return out;
  }

  /** Up to `limit` txs in reap order (RPC `unconfirmed_txs`); a negative limit means all. */
  unconfirmed(limit = -1): Uint8Array[] {
    const all = this.ordered();
    return (limit < 0 ? all : all.slice(0, limit)).map((t) => t.tx);
  }

  // -- leaving ---------------------------------------------------------------------------------

  /** Drops one tx (and forgets its hash, so it may be submitted again). */
  removeTx(hash: Uint8Array): boolean {
    const key = keyOf(hash);
    const t = this.txs.get(key);
    if (t === undefined) return false;
    this.drop(key, t);
    this.cache.remove(key);
    return true;
  }

  /** Drops every tx and forgets every hash. */
  flush(): void {
    this.txs.clear();
    this.bytes = 0;
    this.cache.reset();
  }

  private drop(key: string, t: MempoolTx): void {
    this.txs.delete(key);
    this.bytes -= t.tx.length;
  }

  /**
   * After block `height` is committed (call while holding `lock()`): removes the block's txs,
   * remembering successful ones in the cache so they are refused if resubmitted, then rechecks
   * every remaining tx (CheckTx type RECHECK, in reap order so each sender's sequences come in
   * order) and drops those the app now refuses.
   */
  async update(
    height: bigint,
    committed: readonly Uint8Array[],
    results: readonly { code: number }[],
  ): Promise<UpdateResult> {
    if (!this.locked) throw new Error('mempool update requires the lock');
    if (committed.length !== results.length) {
      throw new Error(`mempool update: ${committed.length} txs but ${results.length} results`);
    }
    this.height = height;
    let removed = 0;
    committed.forEach((tx, i) => {
      const key = keyOf(txHashOf(tx));
      if ((results[i] as { code: number }).code === 0) this.cache.push(key);
      else this.cache.remove(key);
      const t = this.txs.get(key);
      if (t !== undefined) {
        this.drop(key, t);
        removed++;
      }
    });
    let evicted = 0;
    if (this.recheckEnabled) {
      for (const t of this.ordered()) {
        const key = keyOf(t.hash);
        const res = await this.app.checkTx({ tx: t.tx, type: CheckTxType.RECHECK });
        this.stats.rechecked++;
        if (res.code !== 0) {
          this.drop(key, t);
          this.cache.remove(key);
          evicted++;
          continue;
        }
        t.gasWanted = res.gasWanted;
        t.info = this.infoOf(t.tx, res) ?? t.info;
      }
    }
    this.stats.evicted += evicted;
    return { removed, evicted };
  }
}
