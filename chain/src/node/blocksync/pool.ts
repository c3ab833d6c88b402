/**
 * The block pool of block sync (after CometBFT v0.38 `blocksync/pool.go`), as plain
 * bookkeeping without I/O or timers: which peers hold which heights, which heights are
 * requested from whom and since when, and the blocks received but not yet applied.
 *
 * Heights `height .. height + window - 1` are requested, each from one peer whose [base,
 * height] covers it, preferring the peer with the fewest outstanding requests. A request that
 * times out, or that the peer answers with NoBlockResponse, is moved to another peer. The
 * reactor takes the blocks at `height` and `height + 1` (the second's LastCommit proves the
 * first), applies the first and calls `pop()`; if the pair fails verification it calls
 * `redo()` to drop and re-request both.
 */
import type { Block } from '../types/index.js';

export interface PoolPeer {
  id: string;
  base: bigint;
  height: bigint;
  /** Heights requested from this peer and not yet answered. */
  pending: number;
  /** Consecutive request timeouts. */
  timeouts: number;
}

interface Requester {
  height: bigint;
  peerId: string | undefined;
  sentAt: number;
  block: Block | undefined;
  /** The peer that sent `block`. */
  blockFrom: string | undefined;
  /** Peers already asked for this height (answered no block, timed out, or sent a bad block). */
  tried: Set<string>;
}

export interface BlockPoolOptions {
  /** The first height to fetch (our last block height + 1). */
  startHeight: bigint;
  /** Heights requested ahead at most (default 20). */
  windowSize?: number;
  /** A request unanswered this long (ms) goes to another peer (default 15 s). */
  requestTimeoutMs?: number;
  /** Outstanding requests per peer at most (default: the window size). */
  maxPendingPerPeer?: number;
}

export type AddBlockResult = 'added' | 'duplicate' | 'late' | 'unrequested';

export class BlockPool {
  /** The next height to apply. */
  height: bigint;
  readonly windowSize: number;
  readonly requestTimeoutMs: number;
  private readonly maxPendingPerPeer: number;
  private readonly peers = new Map<string, PoolPeer>();
  private readonly requesters = new Map<bigint, Requester>();

  constructor(opts: BlockPoolOptions) {
    this.height = opts.startHeight;
    this.windowSize = opts.windowSize ?? 20;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.maxPendingPerPeer = opts.maxPendingPerPeer ?? this.windowSize;
    if (!Number.isSafeInteger(this.windowSize) || this.windowSize < 2) {
      throw new RangeError(`block sync window must be an integer >= 2, got ${this.windowSize}`);
    }
  }

  // -- peers -------------------------------------------------------------------------------------

  /** A peer's StatusResponse. */
  setPeerRange(id: string, base: bigint, height: bigint): void {
    const p = this.peers.get(id);
    if (p === undefined) this.peers.set(id, { id, base, height, pending: 0, timeouts: 0 });
    else {
      p.base = base;
      p.height = height;
    }
  }

  hasPeer(id: string): boolean {
    return this.peers.has(id);
  }

  peerCount(): number {
    return this.peers.size;
  }

  /** Forgets a peer; its outstanding requests and unapplied blocks go back to be re-requested. */
  removePeer(id: string): void {
    if (!this.peers.delete(id)) return;
    for (const r of this.requesters.values()) {
      if (r.peerId === id) {
        r.peerId = undefined;
        if (r.blockFrom === id) {
          r.block = undefined;
          r.blockFrom = undefined;
        }
      }
    }
  }

  /** The highest height any peer reported (0 without peers). */
  maxPeerHeight(): bigint {
    let max = 0n;
    for (const p of this.peers.values()) if (p.height > max) max = p.height;
    return max;
  }

  // -- requests ----------------------------------------------------------------------------------

  /**
   * Assigns the heights of the window that have neither a block nor an outstanding request to
   * peers, and returns the requests to send now.
   */
  makeRequests(now: number): { peerId: string; height: bigint }[] {
    const out: { peerId: string; height: bigint }[] = [];
    const top = this.maxPeerHeight();
    for (let i = 0; i < this.windowSize; i++) {
      const h = this.height + BigInt(i);
      if (h > top) break;
      let r = this.requesters.get(h);
      if (r === undefined) {
        r = {
          height: h,
          peerId: undefined,
          sentAt: 0,
          block: undefined,
          blockFrom: undefined,
          tried: new Set(),
        };
        this.requesters.set(h, r);
      }
      if (r.block !== undefined || r.peerId !== undefined) continue;
      const peer = this.pickPeer(h, r.tried);
      if (peer === undefined) {
        // Everyone was tried: start over rather than stall (a peer may have caught up since).
        if (r.tried.size > 0) r.tried.clear();
        continue;
      }
      r.peerId = peer.id;
      r.sentAt = now;
      peer.pending++;
      out.push({ peerId: peer.id, height: h });
    }
    return out;
  }

  private pickPeer(height: bigint, exclude: Set<string>): PoolPeer | undefined {
    let best: PoolPeer | undefined;
    for (const p of [...this.peers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      if (exclude.has(p.id) || height < p.base || height > p.height) continue;
      if (p.pending >= this.maxPendingPerPeer) continue;
      if (best === undefined || p.pending < best.pending) best = p;
    }
    return best;
  }

  /**
   * Requests outstanding longer than the timeout: they are unassigned (to go to another peer)
   * and returned with the peer that failed to answer.
   */
  timedOut(now: number): { peerId: string; height: bigint }[] {
    const out: { peerId: string; height: bigint }[] = [];
    for (const r of this.requesters.values()) {
      if (r.peerId === undefined || r.block !== undefined) continue;
      if (now - r.sentAt < this.requestTimeoutMs) continue;
      const p = this.peers.get(r.peerId);
      if (p !== undefined) {
        p.pending = Math.max(0, p.pending - 1);
        p.timeouts++;
      }
      out.push({ peerId: r.peerId, height: r.height });
      r.tried.add(r.peerId);
      r.peerId = undefined;
    }
    return out;
  }

  /**
   * A block arrived from `peerId`. 'unrequested' means the peer sent a height nobody asked it
   * for (misbehaviour); 'late' is an answer to a request that has since moved elsewhere.
   */
  addBlock(peerId: string, block: Block): AddBlockResult {
    const r = this.requesters.get(block.header.height);
    if (r === undefined) return this.wasAsked(peerId, block.header.height) ? 'late' : 'unrequested';
    if (r.peerId !== peerId) return r.tried.has(peerId) ? 'late' : 'unrequested';
    if (r.block !== undefined) return 'duplicate';
    r.block = block;
    r.blockFrom = peerId;
    const p = this.peers.get(peerId);
    if (p !== undefined) {
      p.pending = Math.max(0, p.pending - 1);
      p.timeouts = 0;
    }
    return 'added';
  }

  private wasAsked(_peerId: string, height: bigint): boolean {
    // Heights below the pool's height were requested and applied already.
    return height < this.height;
  }

  /** The peer has no block at `height`: ask someone else. */
  noBlock(peerId: string, height: bigint): void {
    const r = this.requesters.get(height);
    if (r === undefined || r.peerId !== peerId || r.block !== undefined) return;
    const p = this.peers.get(peerId);
    if (p !== undefined) p.pending = Math.max(0, p.pending - 1);
    r.tried.add(peerId);
    r.peerId = undefined;
  }

  // -- applying ----------------------------------------------------------------------------------

  /** The blocks at `height` and `height + 1` with their senders, once both have arrived. */
  peekTwoBlocks(): { first: Block; firstFrom: string; second: Block; secondFrom: string } | undefined {
    const a = this.requesters.get(this.height);
    const b = this.requesters.get(this.height + 1n);
    if (a?.block === undefined || b?.block === undefined) return undefined;
    return {
      first: a.block,
      firstFrom: a.blockFrom as string,
      second: b.block,
      secondFrom: b.blockFrom as string,
    };
  }

  /** The block at `height` was applied: move on. */
  pop(): void {
    this.requesters.delete(this.height);
    this.height++;
  }

  /**
   * Drops the block at `height` (and at `height + 1` when `both`) so they are fetched again,
   * from a different peer than the one that sent them.
   */
  redo(height: bigint): void {
    const r = this.requesters.get(height);
    if (r === undefined) return;
    if (r.blockFrom !== undefined) r.tried.add(r.blockFrom);
    r.block = undefined;
    r.blockFrom = undefined;
    r.peerId = undefined;
  }

  /** Outstanding requests (metrics, tests). */
  outstanding(): number {
    let n = 0;
    for (const r of this.requesters.values()) if (r.peerId !== undefined && r.block === undefined) n++;
    return n;
  }
}
