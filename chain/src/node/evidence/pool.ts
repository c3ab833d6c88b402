/**
 * The evidence pool (after CometBFT v0.38 `evidence/pool.go`): duplicate-vote evidence that
 * consensus detected or peers sent, verified, waiting to be proposed in a block; and a record
 * of evidence already committed so it is never included twice.
 *
 * Consensus reports the two conflicting votes as soon as it sees them, but evidence carries
 * the time of the block at the votes' height, which may not be committed yet: such pairs wait
 * in a buffer and become evidence in `update()` once their height is committed (CometBFT's
 * consensus buffer).
 *
 * Persistence, in a StoreDb of its own (heights big-endian, so scans are in height order):
 *   00 H(8) hash(32) -> evidence time (Timestamp bytes)   committed
 *   01 H(8) hash(32) -> Evidence bytes                     pending
 * Both are pruned once expired.
 */
import type { Logger } from '../../logger.js';
import type { StoreDb } from '../../store/db.js';
import type { BlockStore } from '../blockstore/index.js';
import type { State, StateStore } from '../state/index.js';
import {
  DecodeError,
  decodeEvidence,
  decodeTimestamp,
  duplicateVoteEvidenceHash,
  type Evidence,
  encodeEvidence,
  encodeTimestamp,
  type Timestamp,
  timestampEquals,
  type Vote,
  validateDuplicateVoteEvidence,
} from '../types/index.js';
import {
  evidenceHeight,
  InvalidEvidenceError,
  isEvidenceExpired,
  newDuplicateVoteEvidence,
  UnusableEvidenceError,
  verifyDuplicateVote,
} from './verify.js';

const P_COMMITTED = 0x00;
const P_PENDING = 0x01;

function evKey(prefix: number, height: bigint, hash: Uint8Array): Uint8Array {
  const k = new Uint8Array(9 + hash.length);
  k[0] = prefix;
  new DataView(k.buffer).setBigUint64(1, BigInt.asUintN(64, height));
  k.set(hash, 9);
  return k;
}

function heightBound(prefix: number, height: bigint): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = prefix;
  new DataView(k.buffer).setBigUint64(1, height < 0n ? 0n : BigInt.asUintN(64, height));
  return k;
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Bytes `list` takes as a `tendermint.types.EvidenceList` (what a block's evidence costs). */
export function evidenceListSize(list: readonly Evidence[]): bigint {
  let n = 0n;
  for (const e of list) {
    const len = encodeEvidence(e).length;
    let varint = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 128)) varint++;
    n += BigInt(1 + varint + len);
  }
  return n;
}

interface PendingEntry {
  evidence: Evidence;
  height: bigint;
  time: Timestamp;
  hash: Uint8Array;
  /** Sort key: height then hash, as the store orders them. */
  key: string;
}

export interface EvidencePoolOptions {
  /** The pool's own database (a LevelDB of its own, or a MemoryDb in tests). */
  db: StoreDb;
  stateStore: Pick<StateStore, 'loadValidators'>;
  blockStore: Pick<BlockStore, 'loadBlockMeta'>;
  /** The node's current state (after the last committed block). */
  chainState: () => State;
  logger?: Logger;
}

/** An evidence hash as lower-case hex (pool and reactor bookkeeping). */
export function evidenceKey(e: Evidence): string {
  return hexOf(duplicateVoteEvidenceHash(e));
}

export class EvidencePool {
  private readonly db: StoreDb;
  private readonly stateStore: EvidencePoolOptions['stateStore'];
  private readonly blockStore: EvidencePoolOptions['blockStore'];
  private readonly chainState: () => State;
  private readonly logger: Logger | undefined;
  private readonly pending = new Map<string, PendingEntry>();
  /** Vote pairs from consensus whose height is not committed yet. */
  private buffer: { voteA: Vote; voteB: Vote }[] = [];
  private lastUpdateHeight: bigint;
  private readonly listeners = new Set<(e: Evidence) => void>();

  private constructor(opts: EvidencePoolOptions) {
    this.db = opts.db;
    this.stateStore = opts.stateStore;
    this.blockStore = opts.blockStore;
    this.chainState = opts.chainState;
    this.logger = opts.logger;
    this.lastUpdateHeight = opts.chainState().lastBlockHeight;
  }

  /** Opens the pool and loads the pending evidence saved before a restart. */
  static async open(opts: EvidencePoolOptions): Promise<EvidencePool> {
    const pool = new EvidencePool(opts);
    for await (const [key, value] of opts.db.entries(
      Uint8Array.of(P_PENDING),
      Uint8Array.of(P_PENDING + 1),
    )) {
      let ev: Evidence;
      try {
        ev = decodeEvidence(value);
      } catch (e) {
        throw new DecodeError(`evidence store: pending entry ${hexOf(key)}: ${(e as Error).message}`);
      }
      pool.remember(ev);
    }
    return pool;
  }

  /** Calls `listener` for each evidence that becomes pending (for gossip). */
  onNewEvidence(listener: (e: Evidence) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of pending pieces of evidence. */
  size(): number {
    return this.pending.size;
  }

  isPending(e: Evidence): boolean {
    return e.kind === 'duplicateVote' && this.pending.has(evidenceKey(e));
  }

  async isCommitted(e: Evidence): Promise<boolean> {
    if (e.kind !== 'duplicateVote') return false;
    const h = e.duplicateVote.voteA?.height;
    if (h === undefined || h < 0n) return false;
    return (await this.db.get(evKey(P_COMMITTED, h, duplicateVoteEvidenceHash(e)))) !== undefined;
  }

  // -- entry -------------------------------------------------------------------------------------

  /**
   * Two conflicting votes from consensus (full votes with signatures). Becomes evidence now if
   * the votes' height is committed, else when `update()` commits it.
   */
  async addFromConsensus(voteA: Vote, voteB: Vote): Promise<void> {
    this.buffer.push({ voteA, voteB });
    await this.processBuffer(this.chainState());
  }

  private async processBuffer(state: State): Promise<void> {
    const keep: { voteA: Vote; voteB: Vote }[] = [];
    const ready = this.buffer.filter((p) => {
      if (p.voteA.height <= state.lastBlockHeight) return true;
      keep.push(p);
      return false;
    });
    this.buffer = keep;
    for (const { voteA, voteB } of ready) {
      const h = voteA.height;
      try {
        let time: Timestamp;
        if (h === state.lastBlockHeight) time = state.lastBlockTime;
        else {
          const meta = await this.blockStore.loadBlockMeta(h);
          if (meta === undefined) throw new UnusableEvidenceError(`don't have header #${h}`);
          time = meta.header.time;
        }
        const vals = await this.stateStore.loadValidators(h);
        if (vals === undefined) throw new UnusableEvidenceError(`no validator set for height ${h}`);
        const dve = newDuplicateVoteEvidence(voteA, voteB, time, vals);
        verifyDuplicateVote(dve, state.chainId, vals);
        const ev: Evidence = { kind: 'duplicateVote', duplicateVote: dve };
        if (this.isPending(ev) || (await this.isCommitted(ev))) continue;
        await this.addPending(ev);
        this.logger?.info('verified new evidence of byzantine behavior', {
          height: h,
          validator: voteA.validatorAddress,
        });
      } catch (e) {
        this.logger?.error('failed to turn conflicting votes into evidence', { height: h, err: e as Error });
      }
    }
  }

  /**
   * Evidence from a peer (AddEvidence). Returns true if it is new and now pending, false if it
   * was already pending or committed. Throws InvalidEvidenceError for evidence that is wrong
   * (the sender misbehaved) and UnusableEvidenceError for evidence this node cannot use now
   * (expired, or a height it has no header for).
   */
  async addEvidence(ev: Evidence): Promise<boolean> {
    if (ev.kind !== 'duplicateVote')
      throw new UnusableEvidenceError('light client attack evidence is not supported');
    if (this.isPending(ev)) return false;
    if (await this.isCommitted(ev)) return false;
    await this.verify(ev, this.chainState());
    if (this.isPending(ev)) return false;
    await this.addPending(ev);
    this.logger?.info('verified new evidence of byzantine behavior', { height: evidenceHeight(ev) });
    return true;
  }

  /** Pool.verify: time matches the block at its height, not expired, then VerifyDuplicateVote. */
  private async verify(ev: Evidence, state: State): Promise<void> {
    if (ev.kind !== 'duplicateVote')
      throw new UnusableEvidenceError('light client attack evidence is not supported');
    const dve = ev.duplicateVote;
    try {
      validateDuplicateVoteEvidence(dve);
    } catch (e) {
      throw new InvalidEvidenceError(`invalid duplicate vote evidence: ${(e as Error).message}`);
    }
    const height = evidenceHeight(ev);
    if (height <= 0n) throw new InvalidEvidenceError(`evidence height ${height} is not positive`);
    if (height > state.lastBlockHeight) {
      throw new UnusableEvidenceError(
        `evidence from height ${height} is ahead of our height ${state.lastBlockHeight}`,
      );
    }
    const meta = await this.blockStore.loadBlockMeta(height);
    if (meta === undefined) throw new UnusableEvidenceError(`don't have header #${height}`);
    if (!timestampEquals(dve.timestamp, meta.header.time)) {
      throw new InvalidEvidenceError(
        `evidence has a different time to the block it is associated with (${dve.timestamp.seconds}.${dve.timestamp.nanos} != ${meta.header.time.seconds}.${meta.header.time.nanos})`,
      );
    }
    if (
      isEvidenceExpired(
        state.consensusParams.evidence,
        state.lastBlockHeight,
        state.lastBlockTime,
        height,
        meta.header.time,
      )
    ) {
      throw new UnusableEvidenceError(
        `evidence from height ${height} is too old; min height is ${state.lastBlockHeight - state.consensusParams.evidence.maxAgeNumBlocks}`,
      );
    }
    const vals = await this.stateStore.loadValidators(height);
    if (vals === undefined) throw new UnusableEvidenceError(`no validator set for height ${height}`);
    verifyDuplicateVote(dve, state.chainId, vals);
  }

  private remember(ev: Evidence): PendingEntry {
    const height = evidenceHeight(ev);
    const hash = duplicateVoteEvidenceHash(ev);
    const entry: PendingEntry = {
      evidence: ev,
      height,
      time: ev.kind === 'duplicateVote' ? ev.duplicateVote.timestamp : { seconds: 0n, nanos: 0 },
      hash,
      key: hexOf(evKey(P_PENDING, height, hash)),
    };
    this.pending.set(hexOf(hash), entry);
    return entry;
  }

  private async addPending(ev: Evidence): Promise<void> {
    const entry = this.remember(ev);
    await this.db.put(evKey(P_PENDING, entry.height, entry.hash), encodeEvidence(ev));
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        // A gossip listener's failure must not undo the admission.
      }
    }
  }

  // -- proposing and checking blocks -----------------------------------------------------------

  private sortedPending(): PendingEntry[] {
    return [...this.pending.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * PendingEvidence: pending evidence in height order, as much as fits in `maxBytes` of
   * EvidenceList (-1: no limit). Count the result's `evidenceListSize` in MaxDataBytes.
   */
  pendingEvidence(maxBytes: bigint | number): Evidence[] {
    const limit = BigInt(maxBytes);
    const out: Evidence[] = [];
    let size = 0n;
    for (const e of this.sortedPending()) {
      const next = size + evidenceListSize([e.evidence]);
      if (limit !== -1n && next > limit) break;
      size = next;
      out.push(e.evidence);
    }
    return out;
  }

  /** All pending evidence in height order (gossip). */
  allPending(): Evidence[] {
    return this.sortedPending().map((e) => e.evidence);
  }

  /**
   * CheckEvidence: a proposed block's evidence must fit in evidence.max_bytes, hold no duplicate,
   * nothing already committed, and every piece not already pending must verify (it is then
   * added to the pending set). Throws with the reason.
   */
  async checkEvidence(list: readonly Evidence[]): Promise<void> {
    const state = this.chainState();
    const size = evidenceListSize(list);
    if (size > state.consensusParams.evidence.maxBytes) {
      throw new InvalidEvidenceError(
        `evidence of ${size} bytes exceeds evidence.max_bytes ${state.consensusParams.evidence.maxBytes}`,
      );
    }
    const seen = new Set<string>();
    for (const [i, ev] of list.entries()) {
      if (ev.kind !== 'duplicateVote') {
        throw new InvalidEvidenceError(`evidence #${i}: light client attack evidence is not supported`);
      }
      const key = evidenceKey(ev);
      if (seen.has(key)) throw new InvalidEvidenceError(`evidence #${i}: duplicate evidence in the block`);
      seen.add(key);
      if (this.pending.has(key)) continue;
      if (await this.isCommitted(ev))
        throw new InvalidEvidenceError(`evidence #${i}: evidence was already committed`);
      try {
        await this.verify(ev, state);
      } catch (e) {
        const err = new InvalidEvidenceError(`evidence #${i}: ${(e as Error).message}`);
        err.cause = e;
        throw err;
      }
      await this.addPending(ev);
    }
  }

  // -- after a block -----------------------------------------------------------------------------

  /**
   * Update: after the block at `state.lastBlockHeight` is committed with `committed` evidence.
   * Turns buffered consensus votes into evidence, marks the block's evidence committed, and
   * prunes expired pending and committed entries.
   */
  async update(state: State, committed: readonly Evidence[]): Promise<void> {
    if (state.lastBlockHeight <= this.lastUpdateHeight) {
      throw new Error(
        `evidence pool update: new state height ${state.lastBlockHeight} is not above the previous ${this.lastUpdateHeight}`,
      );
    }
    this.lastUpdateHeight = state.lastBlockHeight;
    await this.processBuffer(state);
    const ops: { type: 'put' | 'del'; key: Uint8Array; value?: Uint8Array }[] = [];
    for (const ev of committed) {
      if (ev.kind !== 'duplicateVote') continue;
      const height = evidenceHeight(ev);
      const hash = duplicateVoteEvidenceHash(ev);
      ops.push({
        type: 'put',
        key: evKey(P_COMMITTED, height, hash),
        value: encodeTimestamp(ev.duplicateVote.timestamp),
      });
      ops.push({ type: 'del', key: evKey(P_PENDING, height, hash) });
      this.pending.delete(hexOf(hash));
    }
    const params = state.consensusParams.evidence;
    const expired = (height: bigint, time: Timestamp) =>
      isEvidenceExpired(params, state.lastBlockHeight, state.lastBlockTime, height, time);
    for (const [k, e] of this.pending) {
      if (expired(e.height, e.time)) {
        ops.push({ type: 'del', key: evKey(P_PENDING, e.height, e.hash) });
        this.pending.delete(k);
      }
    }
    // Only heights more than max_age_num_blocks back can be expired.
    const cutoff = state.lastBlockHeight - params.maxAgeNumBlocks;
    if (cutoff > 0n) {
      for await (const [key, value] of this.db.entries(
        heightBound(P_COMMITTED, 0n),
        heightBound(P_COMMITTED, cutoff),
      )) {
        const height = new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(1);
        let time: Timestamp;
        try {
          time = decodeTimestamp(value);
        } catch {
          time = { seconds: 0n, nanos: 0 };
        }
        if (expired(height, time)) ops.push({ type: 'del', key });
      }
    }
    if (ops.length > 0) {
      await this.db.batch(
        ops.map((o) =>
          o.type === 'put'
            ? { type: 'put', key: o.key, value: o.value as Uint8Array }
            : { type: 'del', key: o.key },
        ),
      );
    }
  }
}
