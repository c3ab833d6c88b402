/**
 * The validator set and its proposer rotation, exactly as CometBFT v0.38's types/validator_set.go:
 *
 * - order: voting power descending, then address ascending (ValidatorsByVotingPower);
 * - IncrementProposerPriority(times): rescale priorities so max-min <= 2*total power (dividing
 *   by ceil(diff / (2*total)), Go truncating division), subtract the floor average, then `times`
 *   rounds of "every priority += power; the largest priority (ties: smaller address) proposes and
 *   pays total power"; int64 arithmetic clips instead of wrapping;
 * - changes (UpdateWithChangeSet): power 0 removes, new validators enter at
 *   -(T + T>>3) with T the total power after updates and before removals, then rescale and
 *   centre; the total may never exceed MaxInt64/8;
 * - VerifyCommit / VerifyCommitLight / VerifyCommitLightTrusting (types/validation.go).
 */
import { addressFromPubKey, publicKeyProblem, verifySignature } from './crypto.js';
import { InvalidCommitError, NotEnoughVotingPowerError, ValidationError } from './errors.js';
import { validatorSetHash } from './hashes.js';
import { INT64_MAX, INT64_MIN } from './proto.js';
import { commitVoteSignBytes } from './signBytes.js';
import { isZeroTime } from './time.js';
import {
  ADDRESS_SIZE,
  type BlockId,
  BlockIdFlag,
  blockIdEquals,
  bytesEqual,
  type Commit,
  type CommitSig,
  compareBytes,
  MAX_SIGNATURE_SIZE,
  type PublicKey,
  type Validator,
  type ValidatorSetData,
} from './types.js';

/** MaxTotalVotingPower = MaxInt64 / 8. */
export const MAX_TOTAL_VOTING_POWER = INT64_MAX / 8n;
/** PriorityWindowSizeFactor. */
export const PRIORITY_WINDOW_SIZE_FACTOR = 2n;

function clip(v: bigint): bigint {
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}

function cloneValidator(v: Validator): Validator {
  return {
    address: v.address,
    pubKey: v.pubKey,
    votingPower: v.votingPower,
    proposerPriority: v.proposerPriority,
  };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** A validator with its address derived from its key and priority 0 (types.NewValidator). */
export function newValidator(pubKey: PublicKey, votingPower: bigint): Validator {
  return { address: addressFromPubKey(pubKey), pubKey, votingPower, proposerPriority: 0n };
}

/** Validator.ValidateBasic. Returns a reason or undefined. */
export function validatorProblem(v: Validator): string | undefined {
  if (v === undefined || v === null) return 'nil validator';
  const keyProblem = publicKeyProblem(v.pubKey);
  if (keyProblem !== undefined) return `validator does not have a valid public key: ${keyProblem}`;
  if (v.votingPower < 0n) return 'validator has negative voting power';
  const addr = addressFromPubKey(v.pubKey);
  if (!bytesEqual(v.address, addr)) {
    return `validator address is incorrectly derived from pubkey. Exp: ${hex(addr)}, got ${hex(v.address)}`;
  }
  return undefined;
}

/** CompareProposerPriority: the one with more priority, ties going to the smaller address. */
function moreProposerPriority(a: Validator | undefined, b: Validator): Validator {
  if (a === undefined) return b;
  if (a.proposerPriority > b.proposerPriority) return a;
  if (a.proposerPriority < b.proposerPriority) return b;
  const c = compareBytes(a.address, b.address);
  if (c < 0) return a;
  if (c > 0) return b;
  throw new ValidationError('cannot compare identical validators');
}

function byVotingPower(a: Validator, b: Validator): number {
  if (a.votingPower === b.votingPower) return compareBytes(a.address, b.address);
  return a.votingPower > b.votingPower ? -1 : 1;
}

function byAddress(a: Validator, b: Validator): number {
  return compareBytes(a.address, b.address);
}

/** A trust level such as 1/3 for light-client verification. */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

export class ValidatorSet {
  private vals: Validator[] = [];
  private proposer: Validator | undefined;
  private total = 0n;

  private constructor() {}

  /** NewValidatorSet: validates and orders the validators, then runs one proposer increment. */
  static create(validators: readonly Validator[]): ValidatorSet {
    const set = new ValidatorSet();
    set.applyChangeSet(validators, false);
    if (validators.length > 0) set.incrementProposerPriority(1);
    return set;
  }

  /**
   * ValidatorSetFromExistingValidators: rebuilds a set keeping the given priorities, the
   * proposer being the one that proposed last (lowest priority). Keys are not re-checked; call
   * validateBasic() on anything that came from outside.
   */
  static fromExisting(validators: readonly Validator[]): ValidatorSet {
    if (validators.length === 0) throw new ValidationError('validator set is empty');
    const set = new ValidatorSet();
    set.vals = validators.map(cloneValidator);
    let previous: Validator | undefined;
    for (const v of set.vals) {
      if (previous === undefined || moreProposerPriority(previous, v) === previous) previous = v;
    }
    set.proposer = previous;
    set.updateTotalVotingPower();
    set.vals.sort(byVotingPower);
    return set;
  }

  /** ValidatorSetFromProto: the stored/wire form, fully validated. */
  static fromData(data: ValidatorSetData): ValidatorSet {
    const set = new ValidatorSet();
    set.vals = data.validators.map(cloneValidator);
    if (data.proposer !== undefined) {
      const p = data.proposer;
      set.proposer = set.vals.find((v) => bytesEqual(v.address, p.address)) ?? cloneValidator(p);
    }
    set.updateTotalVotingPower();
    set.validateBasic();
    return set;
  }

  /** ValidatorSet.ToProto (total_voting_power is written as 0, as CometBFT does). */
  toData(): ValidatorSetData {
    if (this.vals.length === 0) return { validators: [], totalVotingPower: 0n };
    const proposer = this.getProposer();
    return {
      validators: this.vals.map(cloneValidator),
      ...(proposer === undefined ? {} : { proposer }),
      totalVotingPower: 0n,
    };
  }

  copy(): ValidatorSet {
    const set = new ValidatorSet();
    set.vals = this.vals.map(cloneValidator);
    if (this.proposer !== undefined) {
      const p = this.proposer;
      set.proposer = set.vals.find((v) => bytesEqual(v.address, p.address)) ?? cloneValidator(p);
    }
    set.total = this.total;
    return set;
  }

  /** The validators in set order (copies). */
  get validators(): Validator[] {
    return this.vals.map(cloneValidator);
  }

  get size(): number {
    return this.vals.length;
  }

  isEmpty(): boolean {
    return this.vals.length === 0;
  }

  totalVotingPower(): bigint {
    if (this.total === 0n) this.updateTotalVotingPower();
    return this.total;
  }

  private updateTotalVotingPower(): void {
    let sum = 0n;
    for (const v of this.vals) {
      sum = clip(sum + v.votingPower);
      if (sum > MAX_TOTAL_VOTING_POWER) {
        throw new ValidationError(`total voting power ${sum} exceeds maximum ${MAX_TOTAL_VOTING_POWER}`);
      }
    }
    this.total = sum;
  }

  /** GetProposer (a copy), computing it if no increment has run yet. */
  getProposer(): Validator | undefined {
    if (this.vals.length === 0) return undefined;
    if (this.proposer === undefined) {
      let p: Validator | undefined;
      for (const v of this.vals) {
        if (p === undefined || !bytesEqual(v.address, p.address)) p = moreProposerPriority(p, v);
      }
      this.proposer = p;
    }
    return this.proposer === undefined ? undefined : cloneValidator(this.proposer);
  }

  getByAddress(address: Uint8Array): { index: number; validator: Validator } | undefined {
    const index = this.vals.findIndex((v) => bytesEqual(v.address, address));
    return index < 0 ? undefined : { index, validator: cloneValidator(this.vals[index]!) };
  }

  getByIndex(index: number): Validator | undefined {
    const v = this.vals[index];
    return v === undefined ? undefined : cloneValidator(v);
  }

  hasAddress(address: Uint8Array): boolean {
    return this.vals.some((v) => bytesEqual(v.address, address));
  }

  /** ValidatorSet.Hash: the validators hash of a header. */
  hash(): Uint8Array {
    return validatorSetHash(this.vals);
  }

  /** ValidatorSet.ValidateBasic. Throws a ValidationError. */
  validateBasic(): void {
    if (this.vals.length === 0) throw new ValidationError('validator set is nil or empty');
    for (const [i, v] of this.vals.entries()) {
      const problem = validatorProblem(v);
      if (problem !== undefined) throw new ValidationError(`invalid validator #${i}: ${problem}`);
    }
    if (this.proposer === undefined)
      throw new ValidationError('proposer failed validate basic, error: nil validator');
    const problem = validatorProblem(this.proposer);
    if (problem !== undefined) throw new ValidationError(`proposer failed validate basic, error: ${problem}`);
    if (!this.hasAddress(this.proposer.address)) throw new ValidationError('proposer not in validator set');
  }

  // -------------------------------------------------------------------------------------------
  // Proposer priority

  /** IncrementProposerPriority: advances the rotation `times` rounds. */
  incrementProposerPriority(times: number): void {
    if (this.vals.length === 0) throw new ValidationError('empty validator set');
    if (!Number.isInteger(times) || times <= 0) {
      throw new ValidationError('cannot call IncrementProposerPriority with non-positive times');
    }
    this.rescalePriorities(PRIORITY_WINDOW_SIZE_FACTOR * this.totalVotingPower());
    this.shiftByAvgProposerPriority();
    let proposer: Validator | undefined;
    for (let i = 0; i < times; i++) proposer = this.incrementOnce();
    this.proposer = proposer;
  }

  /** CopyIncrementProposerPriority. */
  copyIncrementProposerPriority(times: number): ValidatorSet {
    const set = this.copy();
    set.incrementProposerPriority(times);
    return set;
  }

  /** RescalePriorities: divides all priorities so that max - min <= diffMax. */
  rescalePriorities(diffMax: bigint): void {
    if (this.vals.length === 0) throw new ValidationError('empty validator set');
    if (diffMax <= 0n) return;
    let max = INT64_MIN;
    let min = INT64_MAX;
    for (const v of this.vals) {
      if (v.proposerPriority < min) min = v.proposerPriority;
      if (v.proposerPriority > max) max = v.proposerPriority;
    }
    let diff = max - min;
    // Go computes max-min in int64; with priorities kept in range it never overflows.
    if (diff < 0n) diff = -diff;
    const ratio = (diff + diffMax - 1n) / diffMax;
    if (diff > diffMax) {
      for (const v of this.vals) v.proposerPriority /= ratio;
    }
  }

  private incrementOnce(): Validator {
    for (const v of this.vals) v.proposerPriority = clip(v.proposerPriority + v.votingPower);
    let most: Validator | undefined;
    for (const v of this.vals) most = moreProposerPriority(most, v);
    most!.proposerPriority = clip(most!.proposerPriority - this.totalVotingPower());
    return most!;
  }

  /** The average priority, rounded toward negative infinity (big.Int Div with n > 0). */
  computeAvgProposerPriority(): bigint {
    const n = BigInt(this.vals.length);
    let sum = 0n;
    for (const v of this.vals) sum += v.proposerPriority;
    let q = sum / n;
    if (sum % n !== 0n && sum < 0n) q -= 1n;
    return q;
  }

  private shiftByAvgProposerPriority(): void {
    const avg = this.computeAvgProposerPriority();
    for (const v of this.vals) v.proposerPriority = clip(v.proposerPriority - avg);
  }

  // -------------------------------------------------------------------------------------------
  // Changes

  /**
   * UpdateWithChangeSet: applies validator updates (power 0 removes). On error the set is
   * unchanged. Call incrementProposerPriority(1) afterwards to pick the next proposer, as
   * CometBFT's state execution does.
   */
  updateWithChangeSet(changes: readonly Validator[]): void {
    this.applyChangeSet(changes, true);
  }

  private applyChangeSet(changesIn: readonly Validator[], allowDeletes: boolean): void {
    if (changesIn.length === 0) return;
    const changes = changesIn.map(cloneValidator).sort(byAddress);
    const updates: Validator[] = [];
    const deletes: Validator[] = [];
    let prev: Uint8Array | undefined;
    for (const c of changes) {
      if (!(c.address instanceof Uint8Array) || typeof c.votingPower !== 'bigint') {
        throw new ValidationError('validator change needs an address and a bigint voting power');
      }
      if (prev !== undefined && bytesEqual(c.address, prev)) {
        throw new ValidationError(`duplicate entry ${hex(c.address)} in validator changes`);
      }
      if (c.votingPower < 0n) throw new ValidationError(`voting power can't be negative: ${c.votingPower}`);
      if (c.votingPower > MAX_TOTAL_VOTING_POWER) {
        throw new ValidationError(
          `to prevent clipping/overflow, voting power can't be higher than ${MAX_TOTAL_VOTING_POWER}, got ${c.votingPower}`,
        );
      }
      if (c.votingPower === 0n) deletes.push(c);
      else updates.push(c);
      prev = c.address;
    }
    if (!allowDeletes && deletes.length > 0) {
      throw new ValidationError(
        `cannot process validators with voting power 0: ${deletes.map((d) => hex(d.address))}`,
      );
    }
    const numNew = updates.filter((u) => !this.hasAddress(u.address)).length;
    if (numNew === 0 && this.vals.length === deletes.length) {
      throw new ValidationError('applying the validator changes would result in empty set');
    }
    // verifyRemovals
    let removedPower = 0n;
    for (const d of deletes) {
      const found = this.getByAddress(d.address);
      if (found === undefined)
        throw new ValidationError(`failed to find validator ${hex(d.address)} to remove`);
      removedPower += found.validator.votingPower;
    }
    // verifyUpdates: apply the deltas smallest first and never let the running total pass the cap.
    const delta = (u: Validator): bigint =>
      u.votingPower - (this.getByAddress(u.address)?.validator.votingPower ?? 0n);
    const sortedDeltas = updates.map(delta).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let tvp = this.totalVotingPower() - removedPower;
    for (const d of sortedDeltas) {
      tvp += d;
      if (tvp > MAX_TOTAL_VOTING_POWER) {
        throw new ValidationError(
          `total voting power of resulting valset exceeds max ${MAX_TOTAL_VOTING_POWER}`,
        );
      }
    }
    const tvpAfterUpdatesBeforeRemovals = tvp + removedPower;
    // computeNewPriorities
    for (const u of updates) {
      const existing = this.getByAddress(u.address);
      u.proposerPriority =
        existing === undefined
          ? -(tvpAfterUpdatesBeforeRemovals + (tvpAfterUpdatesBeforeRemovals >> 3n))
          : existing.validator.proposerPriority;
    }
    // applyUpdates (merge by address), then applyRemovals.
    const existing = [...this.vals].sort(byAddress);
    const merged: Validator[] = [];
    let i = 0;
    let j = 0;
    while (i < existing.length && j < updates.length) {
      const c = compareBytes(existing[i]!.address, updates[j]!.address);
      if (c < 0) merged.push(existing[i++]!);
      else {
        merged.push(updates[j]!);
        if (c === 0) i++;
        j++;
      }
    }
    while (i < existing.length) merged.push(existing[i++]!);
    while (j < updates.length) merged.push(updates[j++]!);
    const deleted = new Set(deletes.map((d) => hex(d.address)));
    this.vals = merged.filter((v) => !deleted.has(hex(v.address)));
    this.total = 0n;
    this.updateTotalVotingPower();
    this.rescalePriorities(PRIORITY_WINDOW_SIZE_FACTOR * this.totalVotingPower());
    this.shiftByAvgProposerPriority();
    this.vals.sort(byVotingPower);
  }

  // -------------------------------------------------------------------------------------------
  // Commit verification

  /**
   * VerifyCommit: +2/3 of this set's power signed `blockId` at `height`, and every non-absent
   * signature in the commit is valid. The commit must list one signature slot per validator, in
   * set order. Throws InvalidCommitError (or NotEnoughVotingPowerError).
   */
  verifyCommit(chainId: string, blockId: BlockId, height: bigint, commit: Commit): void {
    this.verifyBasics(blockId, height, commit);
    this.tally(chainId, commit, {
      needed: (this.totalVotingPower() * 2n) / 3n,
      ignore: (s) => s.blockIdFlag === BlockIdFlag.Absent,
      count: (s) => s.blockIdFlag === BlockIdFlag.Commit,
      countAll: true,
      byIndex: true,
    });
  }

  /** VerifyCommitLight: like verifyCommit, but checks only the for-block signatures it needs. */
  verifyCommitLight(
    chainId: string,
    blockId: BlockId,
    height: bigint,
    commit: Commit,
    countAll = false,
  ): void {
    this.verifyBasics(blockId, height, commit);
    this.tally(chainId, commit, {
      needed: (this.totalVotingPower() * 2n) / 3n,
      ignore: (s) => s.blockIdFlag !== BlockIdFlag.Commit,
      count: () => true,
      countAll,
      byIndex: true,
    });
  }

  /**
   * VerifyCommitLightTrusting: `trustLevel` of this set's power signed the commit, matching
   * signatures to validators by address (the set need not be the one that signed).
   */
  verifyCommitLightTrusting(chainId: string, commit: Commit, trustLevel: Fraction, countAll = false): void {
    if (trustLevel.denominator === 0n) throw new InvalidCommitError('trustLevel has zero Denominator');
    const product = this.totalVotingPower() * trustLevel.numerator;
    if (product > INT64_MAX || product < INT64_MIN) {
      throw new InvalidCommitError('int64 overflow while calculating voting power needed');
    }
    this.tally(chainId, commit, {
      needed: product / trustLevel.denominator,
      ignore: (s) => s.blockIdFlag !== BlockIdFlag.Commit,
      count: () => true,
      countAll,
      byIndex: false,
    });
  }

  private verifyBasics(blockId: BlockId, height: bigint, commit: Commit): void {
    if (commit === undefined || commit === null) throw new InvalidCommitError('nil commit');
    if (this.vals.length !== commit.signatures.length) {
      throw new InvalidCommitError(
        `invalid commit -- wrong set size: ${this.vals.length} vs ${commit.signatures.length}`,
      );
    }
    if (height !== commit.height) {
      throw new InvalidCommitError(`invalid commit -- wrong height: ${height} vs ${commit.height}`);
    }
    if (!blockIdEquals(blockId, commit.blockId)) {
      throw new InvalidCommitError(
        `invalid commit -- wrong block ID: want ${hex(blockId.hash)}, got ${hex(commit.blockId.hash)}`,
      );
    }
  }

  private tally(
    chainId: string,
    commit: Commit,
    o: {
      needed: bigint;
      ignore: (s: CommitSig) => boolean;
      count: (s: CommitSig) => boolean;
      countAll: boolean;
      byIndex: boolean;
    },
  ): void {
    let tallied = 0n;
    const seen = new Map<number, number>();
    for (const [idx, sig] of commit.signatures.entries()) {
      if (o.ignore(sig)) continue;
      const problem = commitSigProblem(sig);
      if (problem !== undefined)
        throw new InvalidCommitError(`invalid signature at index ${idx}: ${problem}`);
      let val: Validator | undefined;
      if (o.byIndex) val = this.vals[idx];
      else {
        const valIdx = this.vals.findIndex((v) => bytesEqual(v.address, sig.validatorAddress));
        if (valIdx < 0) continue;
        const first = seen.get(valIdx);
        if (first !== undefined) {
          throw new InvalidCommitError(`double vote from ${hex(sig.validatorAddress)} (${first} and ${idx})`);
        }
        seen.set(valIdx, idx);
        val = this.vals[valIdx];
      }
      if (val === undefined) throw new InvalidCommitError(`no validator at index ${idx}`);
      const signBytes = commitVoteSignBytes(chainId, commit, idx);
      if (!verifySignature(val.pubKey, signBytes, sig.signature)) {
        throw new InvalidCommitError(`wrong signature (#${idx}): ${hex(sig.signature)}`);
      }
      if (o.count(sig)) tallied += val.votingPower;
      if (!o.countAll && tallied > o.needed) return;
    }
    if (tallied <= o.needed) throw new NotEnoughVotingPowerError(tallied, o.needed);
  }
}

/** CommitSig.ValidateBasic. Returns a reason or undefined. */
export function commitSigProblem(s: CommitSig): string | undefined {
  switch (s.blockIdFlag) {
    case BlockIdFlag.Absent:
      if (s.validatorAddress.length !== 0) return 'validator address is present';
      if (!isZeroTime(s.timestamp)) return 'time is present';
      if (s.signature.length !== 0) return 'signature is present';
      return undefined;
    case BlockIdFlag.Commit:
    case BlockIdFlag.Nil:
      if (s.validatorAddress.length !== ADDRESS_SIZE) {
        return `expected ValidatorAddress size to be ${ADDRESS_SIZE} bytes, got ${s.validatorAddress.length} bytes`;
      }
      if (s.signature.length === 0) return 'signature is missing';
      if (s.signature.length > MAX_SIGNATURE_SIZE) return `signature is too big (max: ${MAX_SIGNATURE_SIZE})`;
      return undefined;
    default:
      return `unknown BlockIDFlag: ${s.blockIdFlag}`;
  }
}
