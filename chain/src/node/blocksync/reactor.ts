/**
 * Block sync (after CometBFT v0.38 `blocksync/reactor.go`) on channel 0x40.
 *
 * Serving: a BlockRequest is answered from the block store (NoBlockResponse when the height
 * is not stored), a StatusRequest with our [base, height]; every new peer gets our status, and
 * every peer is asked for its status periodically.
 *
 * Syncing (when started with `sync: true`): blocks are fetched through a BlockPool. Block H is
 * applied once H+1 has arrived too: H+1's LastCommit must carry +2/3 of the power of
 * `chainState().validators` for H's BlockID (VerifyCommitLight over the ID computed from H's
 * own parts), and H's header must continue the state (height, chain id, last block ID,
 * validator, consensus, app and results hashes). Then `applyBlock(H, id, H+1.lastCommit)`.
 * A pair that fails is dropped and re-requested elsewhere, and the peer at fault is reported:
 * if H+1's commit is validly signed for some other block, H's sender lied; otherwise H+1's
 * sender did.
 *
 * The node switches to consensus (`onCaughtUp`) when its height is at least the highest peer
 * height - 1 and no block has been applied for `caughtUpIdleMs`, or, once `startWaitMs` has
 * passed, when no peer is ahead (or there are no peers at all).
 */
import type { Logger } from '../../logger.js';
import type { BlockStore } from '../blockstore/index.js';
import type { ChannelDescriptor, Peer, Reactor } from '../p2p/types.js';
import type { State } from '../state/index.js';
import {
  type Block,
  type BlockId,
  blockIdEquals,
  bytesEqual,
  type Commit,
  consensusParamsHash,
  encodeBlock,
  MAX_BLOCK_SIZE_BYTES,
  makeBlockParts,
  validateBlock,
} from '../types/index.js';
import { type BlockSyncMessage, decodeBlockSyncMessage, encodeBlockSyncMessage } from './messages.js';
import { BlockPool } from './pool.js';

export const BLOCKSYNC_CHANNEL = 0x40;

/** Room for the BlockResponse framing and an extended commit around the largest block. */
const RESPONSE_OVERHEAD = 1_048_576;

export class BlockSyncError extends Error {
  override readonly name = 'BlockSyncError';
}

export interface BlockSyncReactorOptions {
  blockStore: Pick<BlockStore, 'base' | 'height' | 'loadBlock'>;
  /** The node's state after its last applied block. */
  chainState: () => State;
  /** Saves and executes a verified block (wire to the node chain); `seenCommit` commits it. */
  applyBlock: (block: Block, blockId: BlockId, seenCommit: Commit) => Promise<void>;
  /** Block sync is done at `height`: start consensus. Called once. */
  onCaughtUp: (height: bigint) => void;
  /** Reports a peer that sent a block failing verification (wire to stopPeerForError). */
  onPeerError?: (peer: Peer, reason: string) => void;
  /** applyBlock failed: the node cannot continue (default: logged, syncing stops). */
  onFatal?: (err: Error) => void;
  logger?: Logger;
  /** Fetch blocks (true) or only serve them (false, default). */
  sync?: boolean;
  windowSize?: number;
  requestTimeoutMs?: number;
  /** Largest block accepted, in bytes (default CometBFT's 100 MiB cap). */
  maxBlockBytes?: number;
  /** How often peers are asked for their status, ms (default 10 s). */
  statusIntervalMs?: number;
  /** How often the sync loop runs without messages arriving, ms (default 100). */
  tickIntervalMs?: number;
  /** No block applied for this long (ms) while at the top: caught up (default 1 s). */
  caughtUpIdleMs?: number;
  /** Wait this long (ms) for peers' status before deciding nobody is ahead (default 3 s). */
  startWaitMs?: number;
  /** How often progress is logged, ms (default 10 s). */
  progressIntervalMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface BlockSyncMetrics {
  /** Blocks applied by block sync. */
  blocksSynced: number;
  /** Our last block height. */
  height: bigint;
  /** Highest height a peer reported. */
  maxPeerHeight: bigint;
  catchingUp: boolean;
  peers: number;
  /** Peers reported for bad blocks or unrequested responses. */
  badPeers: number;
}

interface PeerState {
  peer: Peer;
}

export class BlockSyncReactor implements Reactor {
  readonly name = 'blocksync';
  readonly channels: readonly ChannelDescriptor[];
  readonly metrics: BlockSyncMetrics;
  private readonly o: BlockSyncReactorOptions;
  private readonly now: () => number;
  private readonly maxMsgBytes: number;
  private readonly peers = new Map<string, PeerState>();
  private pool: BlockPool | undefined;
  private syncing = false;
  private busy = false;
  private again = false;
  private startedAt = 0;
  private lastAppliedAt = 0;
  private lastProgressAt = 0;
  private lastProgressBlocks = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(opts: BlockSyncReactorOptions) {
    this.o = opts;
    this.now = opts.now ?? Date.now;
    const maxBlock = opts.maxBlockBytes ?? MAX_BLOCK_SIZE_BYTES;
    this.maxMsgBytes = maxBlock + RESPONSE_OVERHEAD;
    this.channels = [
      { id: BLOCKSYNC_CHANNEL, priority: 5, sendQueueCapacity: 1000, recvMessageCapacity: this.maxMsgBytes },
    ];
    this.metrics = {
      blocksSynced: 0,
      height: opts.chainState().lastBlockHeight,
      maxPeerHeight: 0n,
      catchingUp: false,
      peers: 0,
      badPeers: 0,
    };
  }

  /** True while fetching blocks. */
  get isSyncing(): boolean {
    return this.syncing;
  }

  /**
   * Starts the timers (status requests, and the sync loop when `sync` is set) and, when
   * syncing, asks every peer for its status.
   */
  start(): void {
    if (this.o.sync === true) this.startSync();
    const status = setInterval(
      () => this.broadcast({ kind: 'statusRequest' }),
      this.o.statusIntervalMs ?? 10_000,
    );
    status.unref();
    this.timers.push(status);
    if (this.syncing) {
      const tick = setInterval(() => this.kick(), this.o.tickIntervalMs ?? 100);
      tick.unref();
      this.timers.push(tick);
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.syncing = false;
    this.metrics.catchingUp = false;
  }

  /** Begins fetching from the state's next height (start() calls this when `sync` is set). */
  startSync(): void {
    if (this.syncing) return;
    const state = this.o.chainState();
    const next = state.lastBlockHeight === 0n ? state.initialHeight : state.lastBlockHeight + 1n;
    this.pool = new BlockPool({
      startHeight: next,
      ...(this.o.windowSize === undefined ? {} : { windowSize: this.o.windowSize }),
      ...(this.o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: this.o.requestTimeoutMs }),
    });
    this.syncing = true;
    this.metrics.catchingUp = true;
    this.startedAt = this.now();
    this.lastAppliedAt = 0;
    this.lastProgressAt = this.startedAt;
    this.o.logger?.info('blocksync starting', { height: state.lastBlockHeight });
    this.broadcast({ kind: 'statusRequest' });
  }

  private send(peer: Peer, m: BlockSyncMessage): boolean {
    return peer.send(BLOCKSYNC_CHANNEL, encodeBlockSyncMessage(m));
  }

  private broadcast(m: BlockSyncMessage): void {
    const bytes = encodeBlockSyncMessage(m);
    for (const st of this.peers.values()) st.peer.send(BLOCKSYNC_CHANNEL, bytes);
  }

  private status(): BlockSyncMessage {
    return { kind: 'statusResponse', base: this.o.blockStore.base(), height: this.o.blockStore.height() };
  }

  addPeer(peer: Peer): void {
    this.peers.set(peer.id, { peer });
    this.metrics.peers = this.peers.size;
    this.send(peer, this.status());
    if (this.syncing) this.send(peer, { kind: 'statusRequest' });
  }

  removePeer(peer: Peer, _reason: string): void {
    this.peers.delete(peer.id);
    this.pool?.removePeer(peer.id);
    this.metrics.peers = this.peers.size;
  }

  private reportPeer(peerId: string, reason: string): void {
    this.metrics.badPeers++;
    this.o.logger?.warn('blocksync: bad peer', { peer: peerId, reason });
    this.pool?.removePeer(peerId);
    const st = this.peers.get(peerId);
    if (st !== undefined) this.o.onPeerError?.(st.peer, reason);
  }

  receive(channel: number, peer: Peer, msg: Uint8Array): void {
    if (channel !== BLOCKSYNC_CHANNEL) throw new BlockSyncError(`unexpected channel ${channel}`);
    const m = decodeBlockSyncMessage(msg, this.maxMsgBytes);
    switch (m.kind) {
      case 'blockRequest':
        this.serveBlock(peer, m.height);
        return;
      case 'statusRequest':
        this.send(peer, this.status());
        return;
      case 'statusResponse':
        if (this.pool !== undefined && this.syncing) {
          this.pool.setPeerRange(peer.id, m.base, m.height);
          this.metrics.maxPeerHeight = this.pool.maxPeerHeight();
          this.kick();
        }
        return;
      case 'noBlockResponse':
        if (this.pool !== undefined && this.syncing) {
          this.pool.noBlock(peer.id, m.height);
          this.kick();
        }
        return;
      case 'blockResponse': {
        if (this.pool === undefined || !this.syncing) return;
        const result = this.pool.addBlock(peer.id, m.block);
        if (result === 'unrequested') {
          throw new BlockSyncError(`peer sent block ${m.block.header.height} that was not requested from it`);
        }
        this.kick();
        return;
      }
    }
  }

  private serveBlock(peer: Peer, height: bigint): void {
    const store = this.o.blockStore;
    const missing = height < store.base() || height > store.height() || height < 1n;
    if (missing) {
      this.send(peer, { kind: 'noBlockResponse', height });
      return;
    }
    store.loadBlock(height).then(
      (block) => {
        this.send(
          peer,
          block === undefined ? { kind: 'noBlockResponse', height } : { kind: 'blockResponse', block },
        );
      },
      (e: unknown) => {
        this.o.logger?.error('blocksync: loading a block to serve failed', { height, err: e as Error });
        this.send(peer, { kind: 'noBlockResponse', height });
      },
    );
  }

  /** Runs the sync loop soon (coalescing calls while it runs). */
  kick(): void {
    if (!this.syncing) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.tick().catch((e: unknown) => {
      this.o.logger?.error('blocksync: sync loop failed', { err: e as Error });
    });
  }

  /**
   * One pass of the sync loop: request, time out, verify and apply, check whether caught up.
   * Exposed for tests that drive a fake clock.
   */
  async tick(): Promise<void> {
    if (!this.syncing || this.busy || this.pool === undefined) return;
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.step(this.pool);
      } while (this.again && this.syncing);
    } finally {
      this.busy = false;
    }
  }

  private async step(pool: BlockPool): Promise<void> {
    const now = this.now();
    // As CometBFT, a peer too slow to answer is dropped; its heights go to the others.
    const slow = new Set(pool.timedOut(now).map((t) => t.peerId));
    for (const peerId of slow) this.reportPeer(peerId, 'peer did not answer a block request in time');
    for (const r of pool.makeRequests(now)) {
      const st = this.peers.get(r.peerId);
      if (st === undefined || !this.send(st.peer, { kind: 'blockRequest', height: r.height })) {
        pool.noBlock(r.peerId, r.height);
      }
    }
    for (let pair = pool.peekTwoBlocks(); pair !== undefined && this.syncing; pair = pool.peekTwoBlocks()) {
      const state = this.o.chainState();
      const { first, firstFrom, second, secondFrom } = pair;
      const verdict = verifyPair(state, first, second, this.o.maxBlockBytes ?? MAX_BLOCK_SIZE_BYTES);
      if (!verdict.ok) {
        this.o.logger?.warn('blocksync: block failed verification', {
          height: first.header.height,
          reason: verdict.reason,
          blame: verdict.blame,
        });
        pool.redo(first.header.height);
        pool.redo(second.header.height);
        const blamed =
          verdict.blame === 'first'
            ? [firstFrom]
            : verdict.blame === 'second'
              ? [secondFrom]
              : [firstFrom, secondFrom];
        for (const p of new Set(blamed)) this.reportPeer(p, `block sync: ${verdict.reason}`);
        // Re-request the dropped heights at once.
        this.again = true;
        break;
      }
      try {
        await this.o.applyBlock(first, verdict.blockId, second.lastCommit as Commit);
      } catch (e) {
        this.syncing = false;
        this.metrics.catchingUp = false;
        const err = e instanceof Error ? e : new Error(String(e));
        this.o.logger?.error('blocksync: applying a block failed', { height: first.header.height, err });
        this.o.onFatal?.(err);
        return;
      }
      pool.pop();
      this.metrics.blocksSynced++;
      this.metrics.height = first.header.height;
      this.lastAppliedAt = this.now();
      this.logProgress();
      this.again = true;
    }
    this.metrics.maxPeerHeight = pool.maxPeerHeight();
    this.logProgress();
    this.checkCaughtUp(pool);
  }

  private logProgress(): void {
    const now = this.now();
    const every = this.o.progressIntervalMs ?? 10_000;
    if (now - this.lastProgressAt < every) return;
    const blocks = this.metrics.blocksSynced - this.lastProgressBlocks;
    const rate = ((blocks * 1000) / Math.max(1, now - this.lastProgressAt)).toFixed(2);
    this.o.logger?.info('blocksync progress', {
      height: this.o.chainState().lastBlockHeight,
      max_peer_height: this.metrics.maxPeerHeight,
      peers: this.peers.size,
      rate,
    });
    this.lastProgressAt = now;
    this.lastProgressBlocks = this.metrics.blocksSynced;
  }

  private checkCaughtUp(pool: BlockPool): void {
    const now = this.now();
    const height = this.o.chainState().lastBlockHeight;
    const maxPeer = pool.maxPeerHeight();
    const atTop = maxPeer === 0n || height >= maxPeer - 1n;
    if (!atTop) return;
    const waitedForPeers = now - this.startedAt >= (this.o.startWaitMs ?? 3_000);
    const idle =
      this.lastAppliedAt === 0
        ? waitedForPeers
        : now - this.lastAppliedAt >= (this.o.caughtUpIdleMs ?? 1_000);
    if (!idle) return;
    this.syncing = false;
    this.metrics.catchingUp = false;
    for (const t of this.timers.splice(1)) clearInterval(t);
    this.o.logger?.info('blocksync caught up, switching to consensus', {
      height,
      max_peer_height: maxPeer,
      blocks_synced: this.metrics.blocksSynced,
    });
    this.o.onCaughtUp(height);
  }
}

type Verdict =
  | { ok: true; blockId: BlockId }
  | { ok: false; reason: string; blame: 'first' | 'second' | 'both' };

/**
 * Checks block `first` against the state and `second.lastCommit`; on failure says whose block
 * is at fault when that can be told.
 */
export function verifyPair(state: State, first: Block, second: Block, maxBlockBytes: number): Verdict {
  const h = first.header;
  const expected = state.lastBlockHeight === 0n ? state.initialHeight : state.lastBlockHeight + 1n;
  const bad = (reason: string, blame: 'first' | 'second' | 'both' = 'first'): Verdict => ({
    ok: false,
    reason,
    blame,
  });
  if (h.height !== expected) return bad(`block height ${h.height}, expected ${expected}`);
  if (second.header.height !== expected + 1n)
    return bad(`block height ${second.header.height}, expected ${expected + 1n}`, 'second');
  let parts: ReturnType<typeof makeBlockParts>;
  try {
    validateBlock(first);
    parts = makeBlockParts(first);
  } catch (e) {
    return bad(`invalid block ${h.height}: ${(e as Error).message}`);
  }
  const limit =
    state.consensusParams.block.maxBytes > 0n ? Number(state.consensusParams.block.maxBytes) : maxBlockBytes;
  if (parts.bytes.length > Math.min(limit, maxBlockBytes))
    return bad(`block ${h.height} of ${parts.bytes.length} bytes is too big`);
  if (h.chainId !== state.chainId) return bad(`block ${h.height} is for chain ${JSON.stringify(h.chainId)}`);
  if (!blockIdEquals(h.lastBlockId, state.lastBlockId))
    return bad(`block ${h.height} has the wrong last block ID`);
  if (!bytesEqual(h.validatorsHash, state.validators.hash()))
    return bad(`block ${h.height} has the wrong validators hash`);
  if (!bytesEqual(h.nextValidatorsHash, state.nextValidators.hash()))
    return bad(`block ${h.height} has the wrong next validators hash`);
  if (!bytesEqual(h.consensusHash, consensusParamsHash(state.consensusParams)))
    return bad(`block ${h.height} has the wrong consensus hash`);
  if (!bytesEqual(h.appHash, state.appHash)) return bad(`block ${h.height} has the wrong app hash`);
  if (!bytesEqual(h.lastResultsHash, state.lastResultsHash))
    return bad(`block ${h.height} has the wrong last results hash`);
  const commit = second.lastCommit;
  if (commit === undefined) return bad(`block ${second.header.height} has no last commit`, 'second');
  try {
    state.validators.verifyCommitLight(state.chainId, parts.blockId, h.height, commit);
  } catch (e) {
    const reason = `commit for block ${h.height} does not verify: ${(e as Error).message}`;
    // A commit validly signed by +2/3 for another block proves the first block is the fake.
    try {
      state.validators.verifyCommitLight(state.chainId, commit.blockId, h.height, commit);
      return bad(reason, 'first');
    } catch {
      return bad(reason, 'second');
    }
  }
  return { ok: true, blockId: parts.blockId };
}

/** The protobuf size of a block (for callers sizing messages). */
export function blockByteSize(block: Block): number {
  return encodeBlock(block).length;
}
