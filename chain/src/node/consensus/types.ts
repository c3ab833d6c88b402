/**
 * Plain data shared by the consensus core (round machine, vote keeper, driver) and its hosts.
 *
 * The core is generic over what is being agreed on: a value is identified by an opaque
 * `ValueId` (in the real node the hex key of a CometBFT BlockID: block hash + part-set header),
 * and validators by their index in the validator set of the height. Signatures are opaque bytes
 * produced by the host (privval) and checked by a pure `verify` function the host injects, so
 * `chain/src/node/types/` can provide the CometBFT v0.38 sign bytes without this folder knowing
 * the encoding.
 *
 * Heights and rounds are JS numbers: CometBFT's int64 heights stay far below 2^53 for any real
 * chain, and rounds are int32. The host converts at its boundary; voting power is bigint.
 */

/** Opaque identifier of a proposed value (a block). Two values are the same iff their ids are equal. */
export type ValueId = string;

export type VoteType = 'prevote' | 'precommit';

/** The steps of Algorithm 1 plus `commit` (decided, waiting for the commit timeout). */
export type RoundStep = 'unstarted' | 'propose' | 'prevote' | 'precommit' | 'commit';

export type TimeoutStep = 'propose' | 'prevote' | 'precommit' | 'commit';

export interface UnsignedVote {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  /** `null` is a vote for nil. */
  readonly valueId: ValueId | null;
  readonly validatorIndex: number;
}

export interface SignedVote extends UnsignedVote {
  readonly signature: Uint8Array;
}

export interface UnsignedProposal {
  readonly height: number;
  readonly round: number;
  readonly valueId: ValueId;
  /** The paper's `validRound` (CometBFT's POLRound): -1, or the round of a polka for `valueId`. */
  readonly polRound: number;
  readonly proposerIndex: number;
}

export interface SignedProposal extends UnsignedProposal {
  readonly signature: Uint8Array;
}

export type ConsensusMessage =
  | { readonly kind: 'vote'; readonly vote: SignedVote }
  | { readonly kind: 'proposal'; readonly proposal: SignedProposal };

export type UnsignedMessage =
  | { readonly kind: 'vote'; readonly vote: UnsignedVote }
  | { readonly kind: 'proposal'; readonly proposal: UnsignedProposal };

/** Two different signed votes by one validator for one (height, round, type): CometBFT's DuplicateVoteEvidence. */
export interface DuplicateVoteEvidence {
  readonly height: number;
  readonly round: number;
  readonly type: VoteType;
  readonly validatorIndex: number;
  /** Ordered by value id (nil first) so every node reports the same pair the same way. */
  readonly voteA: SignedVote;
  readonly voteB: SignedVote;
}

/** The validator set the host gives the driver for one height. */
export interface HeightValidators {
  /** Voting power by validator index; 0 means "not a validator at this height". */
  readonly powers: readonly bigint[];
  /** This node's index in `powers`, or null if it does not validate at this height. */
  readonly selfIndex: number | null;
}

/**
 * Timeouts in milliseconds. Each step's timeout grows linearly with the round, as CometBFT's
 * `timeout_X + round * timeout_X_delta`, so that after GST the timeouts eventually exceed the
 * real message delay (the paper's liveness argument needs exactly this).
 */
export interface TimeoutConfig {
  readonly propose: number;
  readonly proposeDelta: number;
  readonly prevote: number;
  readonly prevoteDelta: number;
  readonly precommit: number;
  readonly precommitDelta: number;
  /** Wait after a decision before starting the next height (collects late precommits, paces blocks). */
  readonly commit: number;
}

/**
 * Defaults for ~1 s blocks on a localnet. CometBFT ships 3 s / 1 s / 1 s (+0.5 s per round) and
 * commit 1 s, sized for WAN gossip of large blocks. On a localnet a proposal and its votes arrive
 * within tens of milliseconds, so a 1 s propose timeout is still >10x the expected delay, and
 * 0.5 s prevote/precommit timeouts (only started once 2/3+ of the power has voted) are plenty.
 * The block interval is then dominated by the 1 s commit timeout. Deltas stay at CometBFT's
 * 0.5 s so that a slow or partitioned network still catches up within a few rounds.
 */
export const DEFAULT_TIMEOUTS: TimeoutConfig = Object.freeze({
  propose: 1000,
  proposeDelta: 500,
  prevote: 500,
  prevoteDelta: 500,
  precommit: 500,
  precommitDelta: 500,
  commit: 1000,
});

/** Duration of the timeout for `step` in `round` (the paper's timeoutPropose(round), etc.). */
export function timeoutDuration(config: TimeoutConfig, step: TimeoutStep, round: number): number {
  switch (step) {
    case 'propose':
      return config.propose + round * config.proposeDelta;
    case 'prevote':
      return config.prevote + round * config.prevoteDelta;
    case 'precommit':
      return config.precommit + round * config.precommitDelta;
    case 'commit':
      return config.commit;
  }
}

/** Thrown when the host (not a peer) hands the core something malformed: a bug in the host. */
export class ConsensusInputError extends Error {
  override readonly name = 'ConsensusInputError';
}

/** Largest round accepted from the network (CometBFT rounds are int32). */
export const MAX_ROUND = 0x7fffffff;

export function isNonNegativeInteger(x: unknown, max = Number.MAX_SAFE_INTEGER): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
}
