/**
 * Duplicate-vote evidence: construction and verification, after CometBFT v0.38
 * `types/evidence.go` (NewDuplicateVoteEvidence) and `evidence/verify.go` (VerifyDuplicateVote,
 * and the expiry rule of `Pool.isExpired`).
 */
import {
  blockIdEquals,
  blockIdKey,
  bytesEqual,
  type DuplicateVoteEvidence,
  type Evidence,
  type Timestamp,
  timestampToNanos,
  type ValidatorSet,
  type Vote,
  validateDuplicateVoteEvidence,
  verifySignature,
  voteSignBytes,
} from '../types/index.js';

/** Evidence that is wrong in itself: whoever sent it misbehaved. */
export class InvalidEvidenceError extends Error {
  override readonly name = 'InvalidEvidenceError';
}

/**
 * Evidence that cannot be used here and now, without anyone being at fault: expired, for a
 * height this node has no header for, already committed, or of an unsupported kind.
 */
export class UnusableEvidenceError extends Error {
  override readonly name = 'UnusableEvidenceError';
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

/**
 * NewDuplicateVoteEvidence: the two votes ordered by BlockID key (the smaller is vote A), the
 * set's total power and the validator's power, stamped with the time of the block at the votes'
 * height. Throws if the signer is not in `valSet`.
 */
export function newDuplicateVoteEvidence(
  vote1: Vote,
  vote2: Vote,
  blockTime: Timestamp,
  valSet: ValidatorSet,
): DuplicateVoteEvidence {
  if (vote1 === undefined || vote2 === undefined) throw new InvalidEvidenceError('missing vote');
  const found = valSet.getByAddress(vote1.validatorAddress);
  if (found === undefined) throw new InvalidEvidenceError('validator not in validator set');
  const [voteA, voteB] =
    blockIdKey(vote1.blockId) < blockIdKey(vote2.blockId) ? [vote1, vote2] : [vote2, vote1];
  return {
    voteA,
    voteB,
    totalVotingPower: valSet.totalVotingPower(),
    validatorPower: found.validator.votingPower,
    timestamp: { ...blockTime },
  };
}

/**
 * VerifyDuplicateVote: ValidateBasic, then same height/round/type, same validator, different
 * block IDs, the validator in `valSet` with the claimed power, the set's total power as
 * claimed, and both signatures valid over the canonical vote bytes of `chainId`.
 * Throws InvalidEvidenceError.
 */
export function verifyDuplicateVote(e: DuplicateVoteEvidence, chainId: string, valSet: ValidatorSet): void {
  try {
    validateDuplicateVoteEvidence(e);
  } catch (err) {
    throw new InvalidEvidenceError(`invalid duplicate vote evidence: ${(err as Error).message}`);
  }
  const a = e.voteA as Vote;
  const b = e.voteB as Vote;
  const found = valSet.getByAddress(a.validatorAddress);
  if (found === undefined) {
    throw new InvalidEvidenceError(
      `address ${hex(a.validatorAddress)} was not a validator at height ${a.height}`,
    );
  }
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
    throw new InvalidEvidenceError(
      `h/r/s does not match: ${a.height}/${a.round}/${a.type} vs ${b.height}/${b.round}/${b.type}`,
    );
  }
  if (!bytesEqual(a.validatorAddress, b.validatorAddress)) {
    throw new InvalidEvidenceError(
      `validator addresses do not match: ${hex(a.validatorAddress)} vs ${hex(b.validatorAddress)}`,
    );
  }
  if (blockIdEquals(a.blockId, b.blockId)) {
    throw new InvalidEvidenceError('block IDs are the same - not a real duplicate vote');
  }
  const val = found.validator;
  if (val.votingPower !== e.validatorPower) {
    throw new InvalidEvidenceError(
      `validator power from evidence and our validator set does not match (${e.validatorPower} != ${val.votingPower})`,
    );
  }
  const total = valSet.totalVotingPower();
  if (total !== e.totalVotingPower) {
    throw new InvalidEvidenceError(
      `total voting power from the evidence and our validator set does not match (${e.totalVotingPower} != ${total})`,
    );
  }
  if (!verifySignature(val.pubKey, voteSignBytes(chainId, a), a.signature)) {
    throw new InvalidEvidenceError('verifying VoteA: invalid signature');
  }
  if (!verifySignature(val.pubKey, voteSignBytes(chainId, b), b.signature)) {
    throw new InvalidEvidenceError('verifying VoteB: invalid signature');
  }
}

/** The height evidence is about (DuplicateVoteEvidence.Height = VoteA's height). */
export function evidenceHeight(e: Evidence): bigint {
  if (e.kind !== 'duplicateVote')
    throw new UnusableEvidenceError('light client attack evidence is not supported');
  const h = e.duplicateVote.voteA?.height;
  if (h === undefined) throw new InvalidEvidenceError('duplicate vote evidence without vote A');
  return h;
}

export interface EvidenceAgeParams {
  maxAgeNumBlocks: bigint;
  /** Nanoseconds. */
  maxAgeDuration: bigint;
}

/**
 * Pool.isExpired: evidence is too old only when it is older than max_age_num_blocks blocks
 * AND older than max_age_duration, relative to the last committed block (CometBFT's rule;
 * either bound alone keeps it valid).
 */
export function isEvidenceExpired(
  params: EvidenceAgeParams,
  lastBlockHeight: bigint,
  lastBlockTime: Timestamp,
  evHeight: bigint,
  evTime: Timestamp,
): boolean {
  const ageBlocks = lastBlockHeight - evHeight;
  const ageNanos = timestampToNanos(lastBlockTime) - timestampToNanos(evTime);
  return ageBlocks > params.maxAgeNumBlocks && ageNanos > params.maxAgeDuration;
}
