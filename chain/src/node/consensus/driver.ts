/**
 * The consensus driver: runs the round machine (Algorithm 1) for one height at a time, counting
 * votes in a VoteKeeper and keeping the proposals of the height, and tells its host what to do
 * through effects. It has no clock, socket or disk: the host executes the effects and feeds back
 * the results as inputs (`signed`, `proposedValue`, `proposalValidity`, `timeout`).
 *
 * Effects come out in the order the host must carry them out. In particular every accepted input
 * first yields a `persistWal` effect: the driver is deterministic, so replaying a height's WAL
 * entries into a fresh driver reproduces the same state and the same `sign` requests, and a host
 * that writes (and fsyncs) the WAL before executing a later `sign` effect never signs anything it
 * could not reproduce after a crash (NODE.md, "Safety rules that must hold even across crashes").
 *
 * Messages from past heights are ignored; those for the next height are buffered (bounded) and
 * replayed when it starts; those further ahead are dropped (block sync's job, not consensus').
 */
import {
  initialRoundState,
  type RoundContext,
  type RoundInput,
  type RoundOutput,
  type RoundState,
  step,
} from './roundMachine.js';
import {
  ConsensusInputError,
  type ConsensusMessage,
  DEFAULT_TIMEOUTS,
  type DuplicateVoteEvidence,
  type HeightValidators,
  isNonNegativeInteger,
  MAX_ROUND,
  type RoundStep,
  type SignedProposal,
  type SignedVote,
  type TimeoutConfig,
  type TimeoutStep,
  timeoutDuration,
  type UnsignedMessage,
  type ValueId,
} from './types.js';
import { VoteKeeper } from './voteKeeper.js';

export interface DriverConfig {
  /**
   * The validator set of `height`. Called when the height starts; the host must know it by then
   * (with ABCI, updates returned by FinalizeBlock(H) apply from H+2, so set(H+1) is known once
   * H-1 is committed).
   */
  readonly validators: (height: number) => HeightValidators;
  /** proposer(height, round): a validator index (CometBFT: proposer-priority rotation). */
  readonly proposer: (height: number, round: number) => number;
  /** Checks a peer message's signature against its validator. Must be pure. */
  readonly verify: (message: ConsensusMessage) => boolean;
  readonly timeouts?: Partial<TimeoutConfig>;
  /** Cap on messages buffered for the next height (default 10 000). */
  readonly maxBufferedMessages?: number;
}

export type DriverInput =
  /** Start consensus at `height` (once; later heights follow decisions automatically). */
  | { readonly type: 'start'; readonly height: number }
  | { readonly type: 'vote'; readonly vote: SignedVote }
  | { readonly type: 'proposal'; readonly proposal: SignedProposal }
  /** The answer to `requestProposal` (PrepareProposal produced the block with this id). */
  | {
      readonly type: 'proposedValue';
      readonly height: number;
      readonly round: number;
      readonly valueId: ValueId;
    }
  /** The answer to `validateProposal` (ProcessProposal accepted or rejected the block). */
  | {
      readonly type: 'proposalValidity';
      readonly height: number;
      readonly valueId: ValueId;
      readonly valid: boolean;
    }
  | { readonly type: 'timeout'; readonly height: number; readonly round: number; readonly step: TimeoutStep }
  /**
   * A decision certificate from a peer that is ahead (catch-up): the proposal and 2/3+ precommits
   * for its value in its round. Its votes count even where this node's bound on an equivocating
   * validator's votes would drop them, so a lagging node can always decide what others decided.
   */
  | {
      readonly type: 'commitCertificate';
      readonly proposal: SignedProposal;
      readonly precommits: readonly SignedVote[];
    }
  /** The answer to `sign`: the same message with the privval's signature. */
  | { readonly type: 'signed'; readonly message: ConsensusMessage };

export interface WalEntry {
  readonly height: number;
  readonly input: DriverInput;
}

export type Effect =
  | { readonly type: 'persistWal'; readonly entry: WalEntry }
  /** Sign with the privval (after the WAL is on disk), then feed back a `signed` input. */
  | { readonly type: 'sign'; readonly message: UnsignedMessage }
  /** Gossip to peers (the driver has already taken its own message into account). */
  | { readonly type: 'broadcast'; readonly message: ConsensusMessage }
  | {
      readonly type: 'scheduleTimeout';
      readonly height: number;
      readonly round: number;
      readonly step: TimeoutStep;
      readonly durationMs: number;
    }
  /** Run PrepareProposal and feed back `proposedValue`. */
  | { readonly type: 'requestProposal'; readonly height: number; readonly round: number }
  /** Get the full block for `valueId` (block parts), run ProcessProposal, feed back `proposalValidity`. */
  | {
      readonly type: 'validateProposal';
      readonly height: number;
      readonly round: number;
      readonly valueId: ValueId;
    }
  /** `valueId` is decided at `height`: FinalizeBlock (with `commit` as the next block's last commit), Commit. */
  | {
      readonly type: 'decide';
      readonly height: number;
      readonly round: number;
      readonly valueId: ValueId;
      readonly proposal: SignedProposal;
      readonly commit: readonly SignedVote[];
    }
  /** Misbehavior for FinalizeBlock / the evidence pool. */
  | { readonly type: 'evidence'; readonly evidence: DuplicateVoteEvidence }
  | {
      readonly type: 'enterRound';
      readonly height: number;
      readonly round: number;
      readonly proposer: number;
    }
  /** A peer sent something malformed, unverifiable or from the wrong proposer (the host may penalise it). */
  | { readonly type: 'invalidMessage'; readonly reason: string; readonly message: ConsensusMessage };

/** Distinct proposals kept per round beyond those a quorum votes for (bounds a byzantine proposer). */
const MAX_PROPOSALS_PER_ROUND = 4;

function validateVoteShape(v: SignedVote): string | null {
  if (v === null || typeof v !== 'object') return 'vote is not an object';
  if (v.type !== 'prevote' && v.type !== 'precommit') return 'vote type must be prevote or precommit';
  if (!isNonNegativeInteger(v.height)) return 'vote height must be a non-negative integer';
  if (!isNonNegativeInteger(v.round, MAX_ROUND)) return 'vote round must be an integer in [0, 2^31)';
  if (!isNonNegativeInteger(v.validatorIndex)) return 'vote validatorIndex must be a non-negative integer';
  if (v.valueId !== null && typeof v.valueId !== 'string') return 'vote valueId must be a string or null';
  if (!(v.signature instanceof Uint8Array)) return 'vote signature must be bytes';
  return null;
}

function validateProposalShape(p: SignedProposal): string | null {
  if (p === null || typeof p !== 'object') return 'proposal is not an object';
  if (!isNonNegativeInteger(p.height)) return 'proposal height must be a non-negative integer';
  if (!isNonNegativeInteger(p.round, MAX_ROUND)) return 'proposal round must be an integer in [0, 2^31)';
  if (!Number.isInteger(p.polRound) || p.polRound < -1 || p.polRound >= p.round) {
    return 'proposal polRound must be -1 or in [0, round)';
  }
  if (!isNonNegativeInteger(p.proposerIndex)) return 'proposal proposerIndex must be a non-negative integer';
  if (typeof p.valueId !== 'string') return 'proposal valueId must be a string';
  if (!(p.signature instanceof Uint8Array)) return 'proposal signature must be bytes';
  return null;
}

function signKey(message: UnsignedMessage): string {
  return message.kind === 'vote'
    ? `${message.vote.round}/${message.vote.type}`
    : `${message.proposal.round}/proposal`;
}

function sameUnsigned(a: UnsignedMessage, b: ConsensusMessage): boolean {
  if (a.kind === 'vote' && b.kind === 'vote') {
    const x = a.vote;
    const y = b.vote;
    return (
      x.type === y.type &&
      x.height === y.height &&
      x.round === y.round &&
      x.valueId === y.valueId &&
      x.validatorIndex === y.validatorIndex
    );
  }
  if (a.kind === 'proposal' && b.kind === 'proposal') {
    const x = a.proposal;
    const y = b.proposal;
    return (
      x.height === y.height &&
      x.round === y.round &&
      x.valueId === y.valueId &&
      x.polRound === y.polRound &&
      x.proposerIndex === y.proposerIndex
    );
  }
  return false;
}

export class Driver {
  private readonly config: DriverConfig;
  private readonly timeouts: TimeoutConfig;
  private readonly maxBuffered: number;
  private readonly ctx: RoundContext;

  private started = false;
  private currentHeight = 0;
  private vals: HeightValidators = { powers: [], selfIndex: null };
  private rs: RoundState = initialRoundState(0);
  private keeper: VoteKeeper | null = null;
  /** Proposals by round, in arrival order (an equivocating proposer can have several). */
  private proposals = new Map<number, SignedProposal[]>();
  private validity = new Map<ValueId, boolean>();
  private validationRequested = new Set<ValueId>();
  /** Messages this node asked to sign at the current height, by `${round}/${kind}`. */
  private signRequests = new Map<string, UnsignedMessage>();
  private pendingSign = new Set<string>();
  private buffered: ConsensusMessage[] = [];
  private out: Effect[] = [];

  constructor(config: DriverConfig) {
    this.config = config;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    for (const [k, v] of Object.entries(this.timeouts)) {
      if (!isNonNegativeInteger(v))
        throw new ConsensusInputError(`timeout ${k} must be a non-negative integer`);
    }
    this.maxBuffered = config.maxBufferedMessages ?? 10_000;
    this.ctx = { isProposer: (round) => this.isProposer(round) };
  }

  get height(): number {
    return this.currentHeight;
  }
  get round(): number {
    return this.rs.round;
  }
  get step(): RoundStep {
    return this.rs.step;
  }
  get roundState(): RoundState {
    return this.rs;
  }
  get validatorSet(): HeightValidators {
    return this.vals;
  }

  /** Proposals and counted votes of the current height (what a host gossips to peers). */
  knownMessages(): ConsensusMessage[] {
    const out: ConsensusMessage[] = [];
    for (const r of [...this.proposals.keys()].sort((a, b) => a - b)) {
      for (const proposal of this.proposals.get(r)!) out.push({ kind: 'proposal', proposal });
    }
    for (const vote of this.keeper?.allVotes() ?? []) out.push({ kind: 'vote', vote });
    return out;
  }

  /** Feeds one input; returns the effects the host must carry out, in order. */
  handle(input: DriverInput): Effect[] {
    this.out = [];
    if (input === null || typeof input !== 'object')
      throw new ConsensusInputError('driver input must be an object');
    switch (input.type) {
      case 'start':
        if (this.started) throw new ConsensusInputError('driver already started');
        if (!isNonNegativeInteger(input.height))
          throw new ConsensusInputError('start height must be an integer');
        this.started = true;
        this.enterHeight(input.height, input);
        break;
      case 'vote':
        this.onMessage({ kind: 'vote', vote: input.vote }, input);
        break;
      case 'proposal':
        this.onMessage({ kind: 'proposal', proposal: input.proposal }, input);
        break;
      case 'proposedValue':
        this.onProposedValue(input);
        break;
      case 'proposalValidity':
        this.onValidity(input);
        break;
      case 'timeout':
        this.onTimeout(input);
        break;
      case 'signed':
        this.onSigned(input);
        break;
      case 'commitCertificate':
        this.onCertificate(input);
        break;
      default:
        throw new ConsensusInputError(`unknown driver input type ${(input as { type: unknown }).type}`);
    }
    const effects = this.out;
    this.out = [];
    return effects;
  }

  private isProposer(round: number): boolean {
    const self = this.vals.selfIndex;
    if (self === null || (this.vals.powers[self] ?? 0n) === 0n) return false;
    return this.config.proposer(this.currentHeight, round) === self;
  }

  private canSign(): boolean {
    const self = this.vals.selfIndex;
    return self !== null && (this.vals.powers[self] ?? 0n) > 0n;
  }

  private wal(input: DriverInput): void {
    this.out.push({ type: 'persistWal', entry: { height: this.currentHeight, input } });
  }

  private enterHeight(height: number, cause: DriverInput): void {
    const vals = this.config.validators(height);
    if (!Array.isArray(vals?.powers))
      throw new ConsensusInputError(`validators(${height}) returned no powers`);
    if (vals.selfIndex !== null && !isNonNegativeInteger(vals.selfIndex)) {
      throw new ConsensusInputError(`validators(${height}).selfIndex must be an index or null`);
    }
    this.currentHeight = height;
    this.vals = vals;
    this.keeper = new VoteKeeper(height, vals.powers);
    this.rs = initialRoundState(height);
    this.proposals = new Map();
    this.validity = new Map();
    this.validationRequested = new Set();
    this.signRequests = new Map();
    this.pendingSign = new Set();
    if (cause.type === 'start') this.wal(cause);
    this.feed({ kind: 'newRound', round: 0 }); // line 10
    const buffered = this.buffered;
    this.buffered = [];
    for (const m of buffered) {
      if (m.kind === 'vote') this.onMessage(m, { type: 'vote', vote: m.vote });
      else this.onMessage(m, { type: 'proposal', proposal: m.proposal });
    }
    this.evaluate();
  }

  private onMessage(message: ConsensusMessage, input: DriverInput): void {
    const shapeError =
      message.kind === 'vote' ? validateVoteShape(message.vote) : validateProposalShape(message.proposal);
    if (shapeError !== null) {
      this.out.push({ type: 'invalidMessage', reason: shapeError, message });
      return;
    }
    if (!this.started) return;
    const height = message.kind === 'vote' ? message.vote.height : message.proposal.height;
    if (height < this.currentHeight || height > this.currentHeight + 1) return;
    if (height === this.currentHeight + 1) {
      if (this.buffered.length < this.maxBuffered) this.buffered.push(message);
      return;
    }
    const keeper = this.keeper!;
    if (message.kind === 'vote') {
      const vote = message.vote;
      if (keeper.powerOf(vote.validatorIndex) === 0n) {
        this.out.push({
          type: 'invalidMessage',
          reason: `vote from non-validator ${vote.validatorIndex}`,
          message,
        });
        return;
      }
      if (!this.config.verify(message)) {
        this.out.push({ type: 'invalidMessage', reason: 'bad vote signature', message });
        return;
      }
      this.acceptVote(vote, input);
    } else {
      const p = message.proposal;
      const expected = this.config.proposer(this.currentHeight, p.round);
      if (p.proposerIndex !== expected) {
        this.out.push({
          type: 'invalidMessage',
          reason: `proposal for round ${p.round} from ${p.proposerIndex}, proposer is ${expected}`,
          message,
        });
        return;
      }
      if (!this.config.verify(message)) {
        this.out.push({ type: 'invalidMessage', reason: 'bad proposal signature', message });
        return;
      }
      this.acceptProposal(p, input);
    }
  }

  private onCertificate(input: Extract<DriverInput, { type: 'commitCertificate' }>): void {
    const p = input.proposal;
    const problem = this.certificateProblem(input);
    if (problem === 'ignore') return;
    if (problem !== null) {
      this.out.push({
        type: 'invalidMessage',
        reason: `commit certificate: ${problem}`,
        message: { kind: 'proposal', proposal: p },
      });
      return;
    }
    const keeper = this.keeper!;
    this.wal(input);
    for (const v of input.precommits) {
      const result = keeper.addVote(v, true);
      if (result.status === 'equivocation') this.out.push({ type: 'evidence', evidence: result.evidence });
    }
    // The precommit quorum now exists, so the proposal is kept even past the per-round cap.
    this.acceptProposal(p, input);
    this.evaluate();
  }

  /** Why a certificate cannot be used: a reason, 'ignore' (not for this height), or null if sound. */
  private certificateProblem(input: Extract<DriverInput, { type: 'commitCertificate' }>): string | null {
    const p = input.proposal;
    const shapeError = validateProposalShape(p);
    if (shapeError !== null) return shapeError;
    if (!Array.isArray(input.precommits)) return 'precommits must be a list';
    if (!this.started || p.height !== this.currentHeight || this.rs.decision !== null) return 'ignore';
    const keeper = this.keeper!;
    if (p.proposerIndex !== this.config.proposer(p.height, p.round)) return 'proposal not from the proposer';
    if (!this.config.verify({ kind: 'proposal', proposal: p })) return 'bad proposal signature';
    const seen = new Set<number>();
    let power = 0n;
    for (const v of input.precommits) {
      const err = validateVoteShape(v);
      if (err !== null) return err;
      if (v.type !== 'precommit' || v.height !== p.height || v.round !== p.round || v.valueId !== p.valueId) {
        return 'a vote is not a precommit for the proposal';
      }
      if (seen.has(v.validatorIndex) || keeper.powerOf(v.validatorIndex) === 0n) {
        return `duplicate or powerless validator ${v.validatorIndex}`;
      }
      if (!this.config.verify({ kind: 'vote', vote: v })) return `bad signature of ${v.validatorIndex}`;
      seen.add(v.validatorIndex);
      power += keeper.powerOf(v.validatorIndex);
    }
    if (power * 3n <= keeper.totalPower * 2n) return 'precommits do not reach 2/3+ of the power';
    return null;
  }

  private acceptVote(vote: SignedVote, input: DriverInput): void {
    const result = this.keeper!.addVote(vote);
    if (result.status === 'equivocation') {
      this.out.push({ type: 'evidence', evidence: result.evidence });
      if (!result.counted) return;
    } else if (result.status !== 'added') {
      return;
    }
    this.wal(input);
    this.evaluate();
  }

  private acceptProposal(p: SignedProposal, input: DriverInput): void {
    const list = this.proposals.get(p.round) ?? [];
    if (list.some((q) => q.valueId === p.valueId && q.polRound === p.polRound)) return; // duplicate
    if (list.length > 0) {
      // An equivocating proposer. The paper keeps every message; a node must keep at least the
      // proposal for the value a quorum votes for, or it could never decide (CometBFT switches to
      // the committed block's parts for the same reason). Others are kept up to a small cap.
      this.out.push({
        type: 'invalidMessage',
        reason: `conflicting proposal for round ${p.round} from proposer ${p.proposerIndex}`,
        message: { kind: 'proposal', proposal: p },
      });
      const keeper = this.keeper!;
      const quorumValue =
        keeper.quorumValue(p.round, 'precommit') === p.valueId ||
        keeper.quorumValue(p.round, 'prevote') === p.valueId;
      if (list.length >= MAX_PROPOSALS_PER_ROUND && !quorumValue) return;
    }
    this.wal(input);
    list.push(p);
    this.proposals.set(p.round, list);
    this.keeper!.notePresence(p.round, p.proposerIndex);
    this.requestValidation(p.round, p.valueId);
    this.evaluate();
  }

  private proposalFor(round: number, valueId: ValueId): SignedProposal | undefined {
    return this.proposals.get(round)?.find((p) => p.valueId === valueId);
  }

  private requestValidation(round: number, valueId: ValueId): void {
    if (this.validity.has(valueId) || this.validationRequested.has(valueId)) return;
    this.validationRequested.add(valueId);
    this.out.push({ type: 'validateProposal', height: this.currentHeight, round, valueId });
  }

  private onProposedValue(input: Extract<DriverInput, { type: 'proposedValue' }>): void {
    if (typeof input.valueId !== 'string')
      throw new ConsensusInputError('proposedValue.valueId must be a string');
    if (!this.started || input.height !== this.currentHeight) return;
    this.wal(input);
    // The proposer does not run ProcessProposal on its own block (CometBFT may skip it too).
    if (!this.validity.has(input.valueId)) this.validity.set(input.valueId, true);
    this.feed({ kind: 'proposeValue', round: input.round, value: input.valueId });
    this.evaluate();
  }

  private onValidity(input: Extract<DriverInput, { type: 'proposalValidity' }>): void {
    if (typeof input.valueId !== 'string' || typeof input.valid !== 'boolean') {
      throw new ConsensusInputError('proposalValidity needs a string valueId and a boolean valid');
    }
    if (!this.started || input.height !== this.currentHeight || this.validity.has(input.valueId)) return;
    this.wal(input);
    this.validity.set(input.valueId, input.valid);
    this.evaluate();
  }

  private onTimeout(input: Extract<DriverInput, { type: 'timeout' }>): void {
    if (!this.started || input.height !== this.currentHeight) return;
    if (input.step === 'commit') {
      if (this.rs.decision === null) return;
      this.wal(input);
      this.enterHeight(this.currentHeight + 1, input);
      return;
    }
    this.wal(input);
    const kind =
      input.step === 'propose'
        ? 'timeoutPropose'
        : input.step === 'prevote'
          ? 'timeoutPrevote'
          : 'timeoutPrecommit';
    this.feed({ kind, round: input.round });
    this.evaluate();
  }

  private onSigned(input: Extract<DriverInput, { type: 'signed' }>): void {
    const m = input.message;
    if (m === null || typeof m !== 'object' || (m.kind !== 'vote' && m.kind !== 'proposal')) {
      throw new ConsensusInputError('signed.message must be a vote or a proposal');
    }
    const height = m.kind === 'vote' ? m.vote.height : m.proposal.height;
    if (!this.started || height !== this.currentHeight) return;
    const unsigned: UnsignedMessage =
      m.kind === 'vote' ? { kind: 'vote', vote: m.vote } : { kind: 'proposal', proposal: m.proposal };
    const key = signKey(unsigned);
    const requested = this.signRequests.get(key);
    if (requested === undefined || !sameUnsigned(requested, m)) {
      throw new ConsensusInputError(
        `signed message ${key} at height ${height} was not requested by the driver`,
      );
    }
    if (!this.pendingSign.delete(key)) return; // a repeated answer
    this.out.push({ type: 'broadcast', message: m });
    if (m.kind === 'vote') this.acceptVote(m.vote, input);
    else this.acceptProposal(m.proposal, input);
  }

  /** Feeds the round machine; returns whether its state changed. */
  private feed(input: RoundInput): boolean {
    const t = step(this.rs, input, this.ctx);
    if (t.state === this.rs) return false;
    this.rs = t.state;
    for (const o of t.outputs) this.onOutput(o);
    return true;
  }

  private requestSign(message: UnsignedMessage): void {
    if (!this.canSign()) return; // a full node follows consensus without voting
    const key = signKey(message);
    const previous = this.signRequests.get(key);
    if (previous !== undefined) {
      // The round machine never asks twice for one (round, type); this guards the privval rule anyway.
      throw new Error(`consensus bug: second signature requested for ${key} at height ${this.currentHeight}`);
    }
    this.signRequests.set(key, message);
    this.pendingSign.add(key);
    this.out.push({ type: 'sign', message });
  }

  private onOutput(o: RoundOutput): void {
    const h = this.currentHeight;
    switch (o.kind) {
      case 'newRound':
        this.out.push({
          type: 'enterRound',
          height: h,
          round: o.round,
          proposer: this.config.proposer(h, o.round),
        });
        return;
      case 'proposal':
        this.validity.set(o.value, true);
        this.requestSign({
          kind: 'proposal',
          proposal: {
            height: h,
            round: o.round,
            valueId: o.value,
            polRound: o.validRound,
            proposerIndex: this.vals.selfIndex!,
          },
        });
        return;
      case 'vote':
        this.requestSign({
          kind: 'vote',
          vote: {
            type: o.type,
            height: h,
            round: o.round,
            valueId: o.value,
            validatorIndex: this.vals.selfIndex!,
          },
        });
        return;
      case 'scheduleTimeout':
        this.out.push({
          type: 'scheduleTimeout',
          height: h,
          round: o.round,
          step: o.step,
          durationMs: timeoutDuration(this.timeouts, o.step, o.round),
        });
        return;
      case 'requestProposal':
        this.out.push({ type: 'requestProposal', height: h, round: o.round });
        return;
      case 'decide': {
        const proposal = this.proposalFor(o.round, o.value)!;
        this.out.push({
          type: 'decide',
          height: h,
          round: o.round,
          valueId: o.value,
          proposal,
          commit: this.keeper!.votesFor(o.round, 'precommit', o.value),
        });
        this.out.push({
          type: 'scheduleTimeout',
          height: h,
          round: o.round,
          step: 'commit',
          durationMs: this.timeouts.commit,
        });
        return;
      }
    }
  }

  /** Feeds every condition that currently holds until the round machine stops changing. */
  private evaluate(): void {
    for (let i = 0; i < 100_000; i++) {
      if (this.rs.decision !== null) return;
      let changed = false;
      for (const input of this.conditions()) {
        if (this.feed(input)) {
          changed = true;
          break;
        }
      }
      if (!changed) return;
    }
    throw new Error('consensus bug: round machine did not settle');
  }

  /** The round-machine inputs whose conditions hold now, decisions first. */
  private *conditions(): Generator<RoundInput> {
    const keeper = this.keeper!;
    // Line 49, any round.
    for (const r of keeper.roundsWithVotes()) {
      const v = keeper.quorumValue(r, 'precommit');
      if (typeof v !== 'string' || this.proposalFor(r, v) === undefined) continue;
      const valid = this.validity.get(v);
      if (valid === undefined) this.requestValidation(r, v);
      else yield { kind: 'precommitValue', round: r, value: v, valid };
    }
    // Line 55.
    const skip = keeper.highestRoundWithOneThirdAbove(this.rs.round);
    if (skip !== null) yield { kind: 'skipRound', round: skip };

    const r = this.rs.round;
    for (const p of this.proposals.get(r) ?? []) {
      const valid = this.validity.get(p.valueId);
      if (valid === undefined) continue;
      // Lines 22 and 28.
      const validRoundPolka = p.polRound >= 0 && keeper.hasQuorumFor(p.polRound, 'prevote', p.valueId);
      yield { kind: 'proposal', round: r, value: p.valueId, validRound: p.polRound, valid, validRoundPolka };
      // Line 36.
      if (keeper.hasQuorumFor(r, 'prevote', p.valueId))
        yield { kind: 'polkaValue', round: r, value: p.valueId, valid };
    }
    if (keeper.hasQuorumFor(r, 'prevote', null)) yield { kind: 'polkaNil', round: r }; // line 44
    if (keeper.hasQuorumAny(r, 'prevote')) yield { kind: 'polkaAny', round: r }; // line 34
    if (keeper.hasQuorumAny(r, 'precommit')) yield { kind: 'precommitAny', round: r }; // line 47
  }
}
