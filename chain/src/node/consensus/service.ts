/**
 * The consensus host: drives the pure `Driver` with real CometBFT v0.38 votes, proposals and
 * blocks. It owns the I/O the core leaves out — timers, the WAL, the privval, block parts — and
 * hands decided blocks to the chain (`ConsensusChain`) to execute and store.
 *
 * The core identifies a block by `ValueId` (the BlockID key) and a vote by
 * (height, round, type, validator index, signature); this host keeps the full messages in side
 * tables keyed the same way, so that signatures can be verified over CometBFT's canonical sign
 * bytes (which include each vote's timestamp) and commits can be built with real CommitSigs.
 */

import type { Logger } from '../../logger.js';
import {
  type Block,
  type BlockId,
  BlockIdFlag,
  blockIdKey,
  type Commit,
  type CommitSig,
  decodeBlock,
  decodeProposal,
  decodeVote,
  emptyBlockId,
  encodeBlock,
  encodeProposal,
  encodeVote,
  isZeroBlockId,
  makeBlockParts,
  type Part,
  PartSet,
  type Proposal,
  type PublicKey,
  SignedMsgType,
  type Timestamp,
  type ValidatorSet,
  type Vote,
  verifyProposalSignature,
  verifyVoteSignature,
  voteSignBytes,
} from '../types/index.js';
import { Driver, type DriverInput, type Effect } from './driver.js';
import {
  type ConsensusMessage,
  DEFAULT_TIMEOUTS,
  type DuplicateVoteEvidence,
  type SignedVote,
  type TimeoutConfig,
  type TimeoutStep,
  type UnsignedMessage,
  type ValueId,
} from './types.js';

/** What consensus needs from the chain (state, app, stores): implemented by the node. */
export interface ConsensusChain {
  readonly chainId: string;
  /** The validator set that signs blocks at `height` (known for the next two heights). */
  validatorsAt(height: bigint): ValidatorSet;
  /** Builds this node's proposal for `height` (PrepareProposal on the mempool's txs). */
  createProposalBlock(height: bigint, round: number, proposer: Uint8Array): Promise<Block>;
  /** Checks a proposed block against the state and runs ProcessProposal; false rejects it. */
  validateProposalBlock(block: Block): Promise<boolean>;
  /** FinalizeBlock + Commit + store the decided block with the commit that decided it. */
  commitBlock(
    block: Block,
    blockId: BlockId,
    seenCommit: Commit,
    evidence: DuplicateVoteEvidence[],
  ): Promise<void>;
  /** A fuller commit for the latest block (late precommits): the next block's LastCommit uses it. */
  updateSeenCommit?(commit: Commit): Promise<void>;
  /** Minimum time for votes of `height`: the last block's time + 1 ms (CometBFT's voteTime). */
  minVoteTime(height: bigint): Timestamp;
}

export interface ConsensusSigner {
  readonly address: Uint8Array;
  readonly pubKey: PublicKey;
  signVote(chainId: string, vote: Vote): Vote;
  signProposal(chainId: string, proposal: Proposal): Proposal;
}

export interface ConsensusWalSink {
  /** Append a driver input (buffered; `sync` makes everything appended durable). */
  append(height: bigint, record: Uint8Array): void;
  /** fsync: called before any signature leaves the process. */
  sync(): void;
  endHeight(height: bigint): void;
}

/** Messages this node sends to its peers (p2p gossip). */
export type Outbound =
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'blockPart'; height: bigint; round: number; part: Part }
  | { kind: 'vote'; vote: Vote };

export interface ConsensusServiceOptions {
  chain: ConsensusChain;
  signer?: ConsensusSigner;
  wal?: ConsensusWalSink;
  timeouts?: Partial<TimeoutConfig>;
  logger: Logger;
  /** Called for every message this node wants gossiped. */
  outbound?: (msg: Outbound) => void;
  now?: () => Timestamp;
  /** Called after each committed height (for metrics, tests). */
  onCommit?: (height: bigint) => void;
  /** Called when consensus must halt (a decided block could not be committed). */
  onFatal?: (err: Error) => void;
  /**
   * TEST ONLY — makes this validator byzantine: next to each prevote for a block it also signs a
   * prevote for nil with the raw key (bypassing the privval's protection) and gossips both, so
   * that the network's evidence handling can be exercised. Never set on a real validator.
   */
  unsafeEquivocate?: { signRaw(bytes: Uint8Array): Uint8Array };
  /** Called with the two full votes of an equivocation (for the evidence pool). */
  onEquivocation?: (voteA: Vote, voteB: Vote) => void;
  /** Called when this node enters a new round or height (the gossip reactor announces it). */
  onNewRound?: (height: bigint, round: number) => void;
}

const voteKindOf = (type: number): 'prevote' | 'precommit' =>
  type === SignedMsgType.Prevote ? 'prevote' : 'precommit';
const msgTypeOf = (kind: 'prevote' | 'precommit') =>
  kind === 'prevote' ? SignedMsgType.Prevote : SignedMsgType.Precommit;

function sigKey(
  height: bigint | number,
  round: number,
  type: string,
  index: number,
  sig: Uint8Array,
): string {
  return `${height}/${round}/${type}/${index}/${Buffer.from(sig).toString('hex')}`;
}

function nowTimestamp(): Timestamp {
  const ms = Date.now();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function tsLess(a: Timestamp, b: Timestamp): boolean {
  return a.seconds < b.seconds || (a.seconds === b.seconds && a.nanos < b.nanos);
}

interface PendingBlock {
  partSet: PartSet;
  block?: Block;
  blockId?: BlockId;
}

/** Runs consensus for one node. Inputs are serialized through a promise chain. */
export class ConsensusService {
  private readonly chain: ConsensusChain;
  private readonly signer: ConsensusSigner | undefined;
  private readonly logger: Logger;
  private readonly driver: Driver;
  private readonly timers = new Set<NodeJS.Timeout>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private height = 0n;
  /** Full votes and proposals by the key the core knows them by. */
  private votes = new Map<string, Vote>();
  private proposals = new Map<string, Proposal>();
  /** Blocks of the current height by ValueId, complete or being assembled from parts. */
  private blocks = new Map<ValueId, PendingBlock>();
  private blockIds = new Map<ValueId, BlockId>();
  /** validateProposal requests waiting for their block's parts. */
  private awaitingParts = new Map<ValueId, number>();
  private evidence: DuplicateVoteEvidence[] = [];
  private round = 0;
  /** The last decided height's proposal, block parts and precommits: what a peer one height behind needs. */
  private decision: { height: bigint; proposal: Proposal; parts: PartSet; precommits: Vote[] } | undefined;
  /** The proposals of recently decided heights: with the stored block and commit, a lagging peer's catch-up. */
  private readonly decidedProposals = new Map<bigint, Proposal>();
  /** The decided height's round and value: late precommits for it still go into its commit. */
  private lastDecided: { height: number; round: number; valueId: ValueId; signatures: number } | undefined;
  /**
   * When the last decision was taken (performance.now()): the commit timeout runs from there, as
   * CometBFT's StartTime = CommitTime + timeout_commit, so executing the block uses up the wait
   * instead of adding to it.
   */
  private decidedAtMs: number | undefined;
  private readonly now: () => Timestamp;

  constructor(private readonly opts: ConsensusServiceOptions) {
    this.chain = opts.chain;
    this.signer = opts.signer;
    this.logger = opts.logger;
    this.now = opts.now ?? nowTimestamp;
    this.driver = new Driver({
      validators: (h) => {
        const set = this.chain.validatorsAt(BigInt(h));
        const self = this.signer ? set.getByAddress(this.signer.address) : undefined;
        return { powers: set.validators.map((v) => v.votingPower), selfIndex: self ? self.index : null };
      },
      proposer: (h, r) => this.proposerIndex(BigInt(h), r),
      verify: (m) => this.verify(m),
      timeouts: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
    });
  }

  /** CometBFT's proposer for (height, round): the set's proposer after `round` priority increments. */
  private proposerIndex(height: bigint, round: number): number {
    const set = this.chain.validatorsAt(height);
    const rotated = round > 0 ? set.copyIncrementProposerPriority(round) : set;
    const p = rotated.getProposer();
    if (!p) throw new Error(`no proposer at height ${height}`);
    return set.getByAddress(p.address)!.index;
  }

  /**
   * Starts consensus at `height` (the height after the last committed block). `walRecords` are
   * the WAL's records since the last committed height: replaying them rebuilds the round
   * state — locks included — that this node had before it stopped, and answers the driver's
   * requests with the very signatures and blocks it used then (NODE.md, crash safety).
   */
  start(height: bigint, walRecords: readonly WalRecordData[] = []): Promise<void> {
    this.height = height;
    const start: DriverInput = { type: 'start', height: Number(height) };
    return this.serial(async () => {
      if (walRecords.length === 0) await this.run(start);
      // The start input's own requests (e.g. "propose") may have been answered before the stop:
      // they go through the replay so that the recorded answers are used.
      else await this.replay([{ input: start, side: {} }, ...walRecords]);
    });
  }

  private replaying = false;

  private async replay(records: readonly WalRecordData[]): Promise<void> {
    const pending = new Map<string, Effect>();
    const effectKey = (e: Effect): string | undefined => {
      if (e.type === 'sign') {
        const m = e.message;
        return m.kind === 'vote'
          ? `sign/${m.vote.height}/${m.vote.round}/${m.vote.type}`
          : `sign/${m.proposal.height}/${m.proposal.round}/proposal`;
      }
      if (e.type === 'requestProposal') return `req/${e.height}/${e.round}`;
      if (e.type === 'validateProposal') return `val/${e.height}/${e.valueId}`;
      return undefined;
    };
    const answerKey = (i: DriverInput): string | undefined => {
      if (i.type === 'signed') {
        const m = i.message;
        return m.kind === 'vote'
          ? `sign/${m.vote.height}/${m.vote.round}/${m.vote.type}`
          : `sign/${m.proposal.height}/${m.proposal.round}/proposal`;
      }
      if (i.type === 'proposedValue') return `req/${i.height}/${i.round}`;
      if (i.type === 'proposalValidity') return `val/${i.height}/${i.valueId}`;
      return undefined;
    };
    this.replaying = true;
    let replayed = 0;
    try {
      let started = false;
      for (const rec of records) {
        if (rec.input.type === 'start') {
          if (started) continue;
          started = true;
        }
        if (
          'height' in rec.input &&
          typeof rec.input.height === 'number' &&
          BigInt(rec.input.height) < this.height
        )
          continue;
        this.restoreSideData(rec.input, rec.side);
        const answered = answerKey(rec.input);
        if (answered) pending.delete(answered);
        let effects: Effect[];
        try {
          effects = this.driver.handle(rec.input);
        } catch (e) {
          this.logger.warn('WAL record not replayable; stopping replay', { err: e as Error });
          break;
        }
        replayed++;
        for (const e of effects) {
          const k = effectKey(e);
          if (k) pending.set(k, e);
          else if (e.type !== 'persistWal' && e.type !== 'broadcast') await this.execute(e);
        }
      }
    } finally {
      this.replaying = false;
    }
    this.logger.info('replayed the consensus WAL', {
      height: this.height,
      records: replayed,
      unanswered: pending.size,
    });
    // Requests the node made but had not answered when it stopped: answer them now.
    for (const e of pending.values()) {
      const fed = await this.execute(e);
      if (fed) await this.run(fed);
    }
  }

  /** The full messages and block a driver input refers to, for its WAL record. */
  private sideData(input: DriverInput): WalSideData {
    switch (input.type) {
      case 'vote': {
        const v = input.vote;
        return { vote: this.votes.get(sigKey(v.height, v.round, v.type, v.validatorIndex, v.signature)) };
      }
      case 'proposal': {
        const p = input.proposal;
        return {
          proposal: this.proposals.get(sigKey(p.height, p.round, 'proposal', p.proposerIndex, p.signature)),
        };
      }
      case 'signed': {
        const m = input.message;
        if (m.kind === 'vote') {
          const v = m.vote;
          return { vote: this.votes.get(sigKey(v.height, v.round, v.type, v.validatorIndex, v.signature)) };
        }
        const p = m.proposal;
        return {
          proposal: this.proposals.get(sigKey(p.height, p.round, 'proposal', p.proposerIndex, p.signature)),
        };
      }
      case 'proposedValue':
      case 'proposalValidity':
        return { block: this.blocks.get(input.valueId)?.block };
      default:
        return {};
    }
  }

  private restoreSideData(input: DriverInput, side: WalSideData): void {
    if (side.vote) {
      const v = side.vote;
      this.votes.set(sigKey(v.height, v.round, voteKindOf(v.type), v.validatorIndex, v.signature), v);
      if (!isZeroBlockId(v.blockId)) this.noteBlockId(v.blockId);
    }
    if (side.proposal) {
      const p = side.proposal;
      const index = this.proposerIndex(p.height, p.round);
      this.proposals.set(sigKey(p.height, p.round, 'proposal', index, p.signature), p);
      this.noteBlockId(p.blockId);
    }
    if (side.block && (input.type === 'proposedValue' || input.type === 'proposalValidity')) {
      const { parts, header, blockId } = makeBlockParts(side.block);
      const partSet = new PartSet(header);
      for (const part of parts) partSet.addPart(part);
      this.noteBlockId(blockId);
      this.blocks.set(input.valueId, { partSet, block: side.block, blockId });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.queue.catch(() => {});
  }

  get currentHeight(): bigint {
    return this.height;
  }

  get currentRound(): number {
    return this.round;
  }

  /**
   * What this node knows of the current height — proposals, the parts of their blocks and the
   * votes — for gossip to peers that lack them. Only messages that passed verification are here:
   * the reactor verifies before it hands anything in.
   */
  knownMessages(): {
    proposals: Proposal[];
    parts: { height: bigint; round: number; part: Part }[];
    votes: Vote[];
  } {
    const proposals = [...this.proposals.values()].filter((p) => p.height === this.height);
    const parts: { height: bigint; round: number; part: Part }[] = [];
    for (const p of proposals) {
      const pending = this.blocks.get(blockIdKey(p.blockId));
      if (!pending) continue;
      for (let i = 0; i < pending.partSet.total; i++) {
        const part = pending.partSet.getPart(i);
        if (part) parts.push({ height: p.height, round: p.round, part });
      }
    }
    const votes = [...this.votes.values()].filter((v) => v.height === this.height);
    return { proposals, parts, votes };
  }

  /** The proposal that was decided at `height`, if this node saw it (recent heights only). */
  decidedProposal(height: bigint): Proposal | undefined {
    return this.decidedProposals.get(height);
  }

  /** The last decision (proposal, block parts, precommits), for a peer still at that height. */
  lastDecision(): { height: bigint; proposal: Proposal; parts: Part[]; precommits: Vote[] } | undefined {
    const d = this.decision;
    if (!d) return undefined;
    const parts: Part[] = [];
    for (let i = 0; i < d.parts.total; i++) {
      const part = d.parts.getPart(i);
      if (part) parts.push(part);
    }
    return { height: d.height, proposal: d.proposal, parts, precommits: d.precommits };
  }

  // --- inputs from peers -------------------------------------------------------------------

  receiveVote(vote: Vote): Promise<void> {
    if (vote.type !== SignedMsgType.Prevote && vote.type !== SignedMsgType.Precommit)
      return Promise.resolve();
    const kind = voteKindOf(vote.type);
    this.votes.set(sigKey(vote.height, vote.round, kind, vote.validatorIndex, vote.signature), vote);
    const valueId = isZeroBlockId(vote.blockId) ? null : this.noteBlockId(vote.blockId);
    return this.enqueue({
      type: 'vote',
      vote: {
        type: kind,
        height: Number(vote.height),
        round: vote.round,
        valueId,
        validatorIndex: vote.validatorIndex,
        signature: vote.signature,
      },
    });
  }

  receiveProposal(proposal: Proposal): Promise<void> {
    let index: number;
    try {
      index = this.proposerIndex(proposal.height, proposal.round);
    } catch {
      return Promise.resolve(); // not a height we can judge (too old or too far ahead)
    }
    this.proposals.set(
      sigKey(proposal.height, proposal.round, 'proposal', index, proposal.signature),
      proposal,
    );
    const valueId = this.noteBlockId(proposal.blockId);
    if (!this.blocks.has(valueId) && proposal.height === this.height) {
      this.blocks.set(valueId, { partSet: new PartSet(proposal.blockId.partSetHeader) });
    }
    return this.enqueue({
      type: 'proposal',
      proposal: {
        height: Number(proposal.height),
        round: proposal.round,
        valueId,
        polRound: proposal.polRound,
        proposerIndex: index,
        signature: proposal.signature,
      },
    });
  }

  receiveBlockPart(height: bigint, _round: number, part: Part): Promise<void> {
    return this.serial(async () => {
      if (height !== this.height) return;
      for (const [valueId, pending] of this.blocks) {
        if (pending.block || part.index >= pending.partSet.total) continue;
        try {
          if (!pending.partSet.addPart(part)) continue;
        } catch {
          continue; // a part for another block of this height, or a bad proof
        }
        if (pending.partSet.isComplete) await this.completeBlock(valueId, pending);
        return;
      }
    });
  }

  // --- core plumbing -------------------------------------------------------------------------

  private serial(f: () => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      if (!this.stopped) await f();
    });
    this.queue = next.catch((e) => this.logger.error('consensus step failed', { err: e as Error }));
    return this.queue;
  }

  private enqueue(input: DriverInput): Promise<void> {
    return this.serial(() => this.run(input));
  }

  private async run(input: DriverInput): Promise<void> {
    const pending: DriverInput[] = [input];
    while (pending.length > 0 && !this.stopped) {
      const next = pending.shift()!;
      const effects = this.driver.handle(next);
      for (const e of effects) {
        // One failed effect (a refused signature, a failing app call) must not drop the ones
        // after it: a lost scheduleTimeout would stall the height forever.
        try {
          const fed = await this.execute(e);
          if (fed) pending.push(fed);
        } catch (err) {
          if (e.type === 'decide') {
            // A decided block that cannot be executed or stored: continuing would fork or corrupt.
            this.stopped = true;
            this.logger.error('cannot commit the decided block; consensus halted', {
              height: e.height,
              err: err as Error,
            });
            this.opts.onFatal?.(err as Error);
            return;
          }
          this.logger.error('consensus effect failed', { effect: e.type, err: err as Error });
        }
      }
    }
  }

  private noteBlockId(id: BlockId): ValueId {
    const key = blockIdKey(id);
    this.blockIds.set(key, id);
    return key;
  }

  private verify(m: ConsensusMessage): boolean {
    try {
      if (m.kind === 'vote') {
        const v = m.vote;
        const full = this.votes.get(sigKey(v.height, v.round, v.type, v.validatorIndex, v.signature));
        if (!full) return false;
        const val = this.chain.validatorsAt(BigInt(v.height)).getByIndex(v.validatorIndex);
        if (!val || !Buffer.from(val.address).equals(Buffer.from(full.validatorAddress))) return false;
        verifyVoteSignature(this.chain.chainId, full, val.pubKey);
        return true;
      }
      const p = m.proposal;
      const full = this.proposals.get(sigKey(p.height, p.round, 'proposal', p.proposerIndex, p.signature));
      if (!full) return false;
      const val = this.chain.validatorsAt(BigInt(p.height)).getByIndex(p.proposerIndex);
      if (!val) return false;
      verifyProposalSignature(this.chain.chainId, full, val.pubKey);
      return true;
    } catch {
      return false;
    }
  }

  private voteTime(height: bigint): Timestamp {
    const now = this.now();
    const min = this.chain.minVoteTime(height);
    return tsLess(now, min) ? min : now;
  }

  /** Carries out one effect; returns an input to feed back, if any. */
  private async execute(e: Effect): Promise<DriverInput | undefined> {
    switch (e.type) {
      case 'persistWal':
        if (!this.replaying)
          this.opts.wal?.append(
            BigInt(e.entry.height),
            encodeWalRecord(e.entry.input, this.sideData(e.entry.input)),
          );
        return undefined;
      case 'sign':
        // NODE.md: sign only after the WAL is on disk (the privval persists its own state).
        this.opts.wal?.sync();
        return this.sign(e.message);
      case 'broadcast':
        this.broadcast(e.message);
        return undefined;
      case 'scheduleTimeout':
        this.schedule(e.height, e.round, e.step, this.timeoutLeft(e.step, e.durationMs));
        return undefined;
      case 'requestProposal': {
        const block = await this.chain.createProposalBlock(BigInt(e.height), e.round, this.signer!.address);
        const { parts, header, blockId } = makeBlockParts(block);
        const partSet = new PartSet(header);
        for (const p of parts) partSet.addPart(p);
        const valueId = this.noteBlockId(blockId);
        this.blocks.set(valueId, { partSet, block, blockId });
        return { type: 'proposedValue', height: e.height, round: e.round, valueId };
      }
      case 'validateProposal': {
        const pending = this.blocks.get(e.valueId);
        if (!pending?.block) {
          // Wait for the parts; completeBlock feeds the answer.
          this.awaitingParts.set(e.valueId, e.height);
          return undefined;
        }
        const valid = await this.chain.validateProposalBlock(pending.block);
        return { type: 'proposalValidity', height: e.height, valueId: e.valueId, valid };
      }
      case 'decide':
        this.decidedAtMs = performance.now();
        await this.decide(e.height, e.round, e.valueId, e.commit);
        return undefined;
      case 'evidence':
        this.logger.warn('equivocation detected', {
          height: e.evidence.height,
          validator: e.evidence.validatorIndex,
        });
        this.evidence.push(e.evidence);
        {
          const full = (v: SignedVote) =>
            this.votes.get(sigKey(v.height, v.round, v.type, v.validatorIndex, v.signature));
          const a = full(e.evidence.voteA);
          const b = full(e.evidence.voteB);
          if (a && b) this.opts.onEquivocation?.(a, b);
        }
        return undefined;
      case 'enterRound':
        if (e.round > 0) this.logger.info('entering round', { height: e.height, round: e.round });
        if (e.height !== Number(this.height)) {
          await this.extendLastCommit();
          this.startHeight(BigInt(e.height));
        }
        this.round = e.round;
        this.opts.onNewRound?.(BigInt(e.height), e.round);
        return undefined;
      case 'invalidMessage':
        this.logger.debug('dropped invalid consensus message', { reason: e.reason });
        return undefined;
    }
  }

  /**
   * Precommits for the decided block that arrived after the decision (during the commit
   * timeout) are added to its seen commit before the next proposal is built, as CometBFT's
   * LastCommit keeps collecting them: validators whose votes were merely late are not
   * recorded as absent (which would cost them rewards and, repeatedly, a downtime jail).
   */
  private async extendLastCommit(): Promise<void> {
    const d = this.lastDecided;
    if (!d || !this.chain.updateSeenCommit) return;
    const precommits: SignedVote[] = [];
    for (const v of this.votes.values()) {
      if (v.height !== BigInt(d.height) || v.round !== d.round || v.type !== SignedMsgType.Precommit)
        continue;
      if (isZeroBlockId(v.blockId) || blockIdKey(v.blockId) !== d.valueId) continue;
      precommits.push({
        type: 'precommit',
        height: d.height,
        round: d.round,
        valueId: d.valueId,
        validatorIndex: v.validatorIndex,
        signature: v.signature,
      });
    }
    const commit = this.buildCommit(d.height, d.round, d.valueId, precommits);
    const count = commit.signatures.filter((s) => s.blockIdFlag === BlockIdFlag.Commit).length;
    if (count <= d.signatures) return;
    try {
      await this.chain.updateSeenCommit(commit);
      d.signatures = count;
    } catch (e) {
      this.logger.warn('could not extend the last commit', { height: d.height, err: e as Error });
    }
  }

  private startHeight(height: bigint): void {
    this.height = height;
    // Side tables only ever need the current height (and the last commit, built at decide).
    const keep = (k: string) => k.startsWith(`${height}/`);
    for (const k of [...this.votes.keys()]) if (!keep(k)) this.votes.delete(k);
    for (const k of [...this.proposals.keys()]) if (!keep(k)) this.proposals.delete(k);
    this.blocks.clear();
    this.awaitingParts.clear();
  }

  private async completeBlock(valueId: ValueId, pending: PendingBlock): Promise<void> {
    try {
      pending.block = decodeBlock(pending.partSet.assemble());
      pending.blockId = this.blockIds.get(valueId);
    } catch (e) {
      this.logger.warn('proposal block does not decode', { err: e as Error });
      this.blocks.delete(valueId);
      return;
    }
    const h = this.awaitingParts.get(valueId);
    if (h !== undefined) {
      this.awaitingParts.delete(valueId);
      const valid = await this.chain.validateProposalBlock(pending.block);
      await this.run({ type: 'proposalValidity', height: h, valueId, valid });
    }
  }

  private sign(message: UnsignedMessage): DriverInput | undefined {
    const signer = this.signer;
    if (!signer) return undefined;
    if (message.kind === 'vote') {
      const v = message.vote;
      const height = BigInt(v.height);
      const blockId = v.valueId === null ? emptyBlockId() : this.blockIds.get(v.valueId);
      if (!blockId) throw new Error(`sign: unknown block ${v.valueId}`);
      const signed = signer.signVote(this.chain.chainId, {
        type: msgTypeOf(v.type),
        height,
        round: v.round,
        blockId,
        timestamp: this.voteTime(height),
        validatorAddress: signer.address,
        validatorIndex: v.validatorIndex,
        signature: new Uint8Array(),
        extension: new Uint8Array(),
        extensionSignature: new Uint8Array(),
      });
      this.votes.set(sigKey(v.height, v.round, v.type, v.validatorIndex, signed.signature), signed);
      const byz = this.opts.unsafeEquivocate;
      if (byz && v.type === 'prevote' && v.valueId !== null) {
        const conflicting: Vote = { ...signed, blockId: emptyBlockId(), signature: new Uint8Array() };
        conflicting.signature = byz.signRaw(voteSignBytes(this.chain.chainId, conflicting));
        this.votes.set(
          sigKey(v.height, v.round, v.type, v.validatorIndex, conflicting.signature),
          conflicting,
        );
        this.logger.warn('TEST: signed a conflicting prevote (unsafe-test-equivocate)', {
          height: v.height,
          round: v.round,
        });
      }
      return { type: 'signed', message: { kind: 'vote', vote: { ...v, signature: signed.signature } } };
    }
    const p = message.proposal;
    const blockId = this.blockIds.get(p.valueId);
    if (!blockId) throw new Error(`sign: unknown proposal block ${p.valueId}`);
    const signed = signer.signProposal(this.chain.chainId, {
      type: SignedMsgType.Proposal,
      height: BigInt(p.height),
      round: p.round,
      polRound: p.polRound,
      blockId,
      timestamp: this.now(),
      signature: new Uint8Array(),
    });
    this.proposals.set(sigKey(p.height, p.round, 'proposal', p.proposerIndex, signed.signature), signed);
    return { type: 'signed', message: { kind: 'proposal', proposal: { ...p, signature: signed.signature } } };
  }

  private broadcast(m: ConsensusMessage): void {
    const out = this.opts.outbound;
    if (!out) return;
    if (m.kind === 'vote') {
      const v = m.vote;
      const full = this.votes.get(sigKey(v.height, v.round, v.type, v.validatorIndex, v.signature));
      if (full) out({ kind: 'vote', vote: full });
      return;
    }
    const p = m.proposal;
    const full = this.proposals.get(sigKey(p.height, p.round, 'proposal', p.proposerIndex, p.signature));
    if (!full) return;
    out({ kind: 'proposal', proposal: full });
    const pending = this.blocks.get(p.valueId);
    if (pending) {
      for (let i = 0; i < pending.partSet.total; i++) {
        const part = pending.partSet.getPart(i);
        if (part) out({ kind: 'blockPart', height: BigInt(p.height), round: p.round, part });
      }
    }
  }

  /** The commit timeout counts from the decision (block execution included); the others from now. */
  private timeoutLeft(step: TimeoutStep, durationMs: number): number {
    if (step !== 'commit' || this.decidedAtMs === undefined) return durationMs;
    // performance.now() is monotonic: what is left never exceeds the full timeout.
    return Math.max(0, durationMs - (performance.now() - this.decidedAtMs));
  }

  private schedule(height: number, round: number, step: TimeoutStep, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.enqueue({ type: 'timeout', height, round, step });
    }, ms);
    this.timers.add(t);
  }

  /** Go's zero time.Time, what CometBFT puts in an absent CommitSig. */
  private static readonly ZERO_TIME: Timestamp = { seconds: -62135596800n, nanos: 0 };

  /** Builds the Commit for `valueId` from the precommits the core decided with. */
  private buildCommit(
    height: number,
    round: number,
    valueId: ValueId,
    precommits: readonly SignedVote[],
  ): Commit {
    const set = this.chain.validatorsAt(BigInt(height));
    const blockId = this.blockIds.get(valueId)!;
    const absent = (): CommitSig => ({
      blockIdFlag: BlockIdFlag.Absent,
      validatorAddress: new Uint8Array(),
      timestamp: ConsensusService.ZERO_TIME,
      signature: new Uint8Array(),
    });
    const byIndex = new Map<number, Vote>();
    for (const pc of precommits) {
      if (pc.round !== round) continue;
      const full = this.votes.get(sigKey(pc.height, pc.round, pc.type, pc.validatorIndex, pc.signature));
      if (full) byIndex.set(pc.validatorIndex, full);
    }
    const signatures: CommitSig[] = set.validators.map((val, i) => {
      const v = byIndex.get(i);
      if (!v) return absent();
      const nil = isZeroBlockId(v.blockId);
      // As VoteSet.MakeExtendedCommit: a precommit for another block counts as absent.
      if (!nil && blockIdKey(v.blockId) !== valueId) return absent();
      return {
        blockIdFlag: nil ? BlockIdFlag.Nil : BlockIdFlag.Commit,
        validatorAddress: val.address,
        timestamp: v.timestamp,
        signature: v.signature,
      };
    });
    return { height: BigInt(height), round, blockId, signatures };
  }

  private async decide(
    height: number,
    round: number,
    valueId: ValueId,
    precommits: readonly SignedVote[],
  ): Promise<void> {
    const pending = this.blocks.get(valueId);
    if (!pending?.block) throw new Error(`decided block ${valueId} at height ${height} is not available`);
    const commit = this.buildCommit(height, round, valueId, precommits);
    const proposal = [...this.proposals.values()].find(
      (p) => p.height === BigInt(height) && p.round === round && blockIdKey(p.blockId) === valueId,
    );
    if (proposal) {
      const full = precommits
        .map((pc) => this.votes.get(sigKey(pc.height, pc.round, pc.type, pc.validatorIndex, pc.signature)))
        .filter((v): v is Vote => v !== undefined);
      this.decision = { height: BigInt(height), proposal, parts: pending.partSet, precommits: full };
      this.decidedProposals.set(BigInt(height), proposal);
      if (this.decidedProposals.size > 1000)
        this.decidedProposals.delete(this.decidedProposals.keys().next().value!);
    }
    const evidence = this.evidence;
    this.evidence = [];
    await this.chain.commitBlock(pending.block, this.blockIds.get(valueId)!, commit, evidence);
    this.lastDecided = {
      height,
      round,
      valueId,
      signatures: commit.signatures.filter((s) => s.blockIdFlag === BlockIdFlag.Commit).length,
    };
    this.opts.wal?.endHeight(BigInt(height));
    this.logger.info('committed block', {
      height,
      round,
      txs: pending.block.data.txs.length,
      hash: valueId.slice(0, 16),
    });
    this.opts.onCommit?.(BigInt(height));
  }
}

/** What a WAL record carries besides the driver input: the full messages and block it refers to. */
export interface WalSideData {
  vote?: Vote;
  proposal?: Proposal;
  block?: Block;
}

export interface WalRecordData {
  input: DriverInput;
  side: WalSideData;
}

/**
 * A WAL record: a 4-byte big-endian length, then the driver input with the vote or proposal it
 * refers to as JSON (bigints and bytes tagged so replay restores them exactly), then the raw
 * protobuf bytes of the block it refers to, if any. The block goes in raw, not in the JSON, so a
 * record is only a little larger than the block itself (the node sizes the WAL's record limit to
 * the largest block).
 */
export function encodeWalRecord(input: DriverInput, side: WalSideData): Uint8Array {
  const json = new TextEncoder().encode(
    JSON.stringify(
      {
        input,
        vote: side.vote && encodeVote(side.vote),
        proposal: side.proposal && encodeProposal(side.proposal),
      },
      (_, v) =>
        typeof v === 'bigint'
          ? { $big: v.toString() }
          : v instanceof Uint8Array
            ? { $b64: Buffer.from(v).toString('base64') }
            : v,
    ),
  );
  const block = side.block ? encodeBlock(side.block) : new Uint8Array();
  const out = new Uint8Array(4 + json.length + block.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  out.set(block, 4 + json.length);
  return out;
}

export function decodeWalRecord(bytes: Uint8Array): WalRecordData {
  if (bytes.length < 4) throw new Error('WAL record too short');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + jsonLength > bytes.length) throw new Error('WAL record truncated');
  const raw = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + jsonLength)), (_, v) => {
    if (v && typeof v === 'object' && '$big' in v) return BigInt(v.$big);
    if (v && typeof v === 'object' && '$b64' in v) return new Uint8Array(Buffer.from(v.$b64, 'base64'));
    return v;
  }) as { input: DriverInput; vote?: Uint8Array; proposal?: Uint8Array };
  const block = bytes.subarray(4 + jsonLength);
  return {
    input: raw.input,
    side: {
      vote: raw.vote && decodeVote(raw.vote),
      proposal: raw.proposal && decodeProposal(raw.proposal),
      block: block.length > 0 ? decodeBlock(block) : undefined,
    },
  };
}
