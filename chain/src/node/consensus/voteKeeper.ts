/**
 * Votes of one height, counted by round and type with voting power.
 *
 * Thresholds are CometBFT's: "2/3+" is power * 3 > total * 2 (the paper's 2f + 1), "1/3+" is
 * power * 3 > total (the paper's f + 1).
 *
 * Counting follows the paper's message log: "2f+1 <PRECOMMIT, h, r, id(v)>" counts distinct
 * senders of that message, so a validator that equivocates counts toward *each* value it voted
 * for, but only once toward "any". This matters for liveness: if a decision at other nodes used a
 * byzantine precommit for v, a node that first saw the same validator's nil precommit must still
 * be able to count the one for v (CometBFT reaches the same end through peers' maj23 claims).
 * With byzantine power < 1/3 two values still cannot both reach 2/3+. A second, different vote
 * is reported as evidence (both votes); to bound memory a validator counts toward at most
 * MAX_VALUES_PER_VALIDATOR values per (round, type).
 *
 * The keeper does not check signatures or heights; the driver does that before adding.
 */
import type { DuplicateVoteEvidence, SignedVote, ValueId, VoteType } from './types.js';

export type AddVoteResult =
  | { readonly status: 'added' }
  | { readonly status: 'duplicate' }
  /** `counted`: the conflicting vote was still counted toward its value (see the header). */
  | { readonly status: 'equivocation'; readonly evidence: DuplicateVoteEvidence; readonly counted: boolean }
  | { readonly status: 'rejected'; readonly reason: string };

/** Distinct values one validator may count toward in one (round, type). */
export const MAX_VALUES_PER_VALIDATOR = 3;

class ValueVotes {
  readonly byValidator = new Map<number, SignedVote>();
  power = 0n;
}

class VoteSet {
  /** The first vote of each validator: what counts toward "any". */
  readonly firstByValidator = new Map<number, SignedVote>();
  readonly byValue = new Map<ValueId | null, ValueVotes>();
  readonly valuesPerValidator = new Map<number, number>();
  anyPower = 0n;

  count(vote: SignedVote, power: bigint): void {
    let vv = this.byValue.get(vote.valueId);
    if (vv === undefined) {
      vv = new ValueVotes();
      this.byValue.set(vote.valueId, vv);
    }
    vv.byValidator.set(vote.validatorIndex, vote);
    vv.power += power;
    this.valuesPerValidator.set(
      vote.validatorIndex,
      (this.valuesPerValidator.get(vote.validatorIndex) ?? 0) + 1,
    );
  }
}

class RoundVotes {
  readonly prevotes = new VoteSet();
  readonly precommits = new VoteSet();
  /** Validators heard from in this round (votes or proposal), for line 55's f+1 rule. */
  readonly present = new Set<number>();
  presentPower = 0n;
}

export class VoteKeeper {
  readonly height: number;
  readonly totalPower: bigint;
  private readonly powers: readonly bigint[];
  private readonly rounds = new Map<number, RoundVotes>();

  constructor(height: number, powers: readonly bigint[]) {
    let total = 0n;
    for (const p of powers) {
      if (typeof p !== 'bigint' || p < 0n) throw new RangeError('voting powers must be non-negative bigints');
      total += p;
    }
    if (total === 0n) throw new RangeError(`validator set of height ${height} has no voting power`);
    this.height = height;
    this.powers = powers;
    this.totalPower = total;
  }

  /** Power of a validator at this height; 0n for unknown indices. */
  powerOf(validatorIndex: number): bigint {
    return this.powers[validatorIndex] ?? 0n;
  }

  private roundVotes(round: number): RoundVotes {
    let rv = this.rounds.get(round);
    if (rv === undefined) {
      rv = new RoundVotes();
      this.rounds.set(round, rv);
    }
    return rv;
  }

  private set(round: number, type: VoteType): VoteSet | undefined {
    const rv = this.rounds.get(round);
    if (rv === undefined) return undefined;
    return type === 'prevote' ? rv.prevotes : rv.precommits;
  }

  /** Records that `validatorIndex` sent something in `round` (counts toward the 1/3+ skip rule). */
  notePresence(round: number, validatorIndex: number): void {
    const power = this.powerOf(validatorIndex);
    if (power === 0n) return;
    const rv = this.roundVotes(round);
    if (!rv.present.has(validatorIndex)) {
      rv.present.add(validatorIndex);
      rv.presentPower += power;
    }
  }

  /**
   * Adds a vote. `force` counts a conflicting vote even past MAX_VALUES_PER_VALIDATOR: only for
   * votes that arrive inside a verified 2/3+ commit certificate (which a byzantine minority cannot
   * forge for arbitrary values, so memory stays bounded).
   */
  addVote(vote: SignedVote, force = false): AddVoteResult {
    if (vote.height !== this.height) {
      return { status: 'rejected', reason: `vote for height ${vote.height} in keeper of ${this.height}` };
    }
    const power = this.powerOf(vote.validatorIndex);
    if (power === 0n) {
      return {
        status: 'rejected',
        reason: `validator ${vote.validatorIndex} has no power at ${this.height}`,
      };
    }
    const rv = this.roundVotes(vote.round);
    const vs = vote.type === 'prevote' ? rv.prevotes : rv.precommits;
    const previous = vs.firstByValidator.get(vote.validatorIndex);
    if (previous === undefined) {
      vs.firstByValidator.set(vote.validatorIndex, vote);
      vs.count(vote, power);
      vs.anyPower += power;
      this.notePresence(vote.round, vote.validatorIndex);
      return { status: 'added' };
    }
    if (vs.byValue.get(vote.valueId)?.byValidator.has(vote.validatorIndex)) return { status: 'duplicate' };
    const aFirst = previous.valueId === null || (vote.valueId !== null && previous.valueId < vote.valueId);
    const [voteA, voteB] = aFirst ? [previous, vote] : [vote, previous];
    const counted = force || (vs.valuesPerValidator.get(vote.validatorIndex) ?? 0) < MAX_VALUES_PER_VALIDATOR;
    if (counted) vs.count(vote, power);
    return {
      status: 'equivocation',
      evidence: {
        height: this.height,
        round: vote.round,
        type: vote.type,
        validatorIndex: vote.validatorIndex,
        voteA,
        voteB,
      },
      counted,
    };
  }

  private isTwoThirds(power: bigint): boolean {
    return power * 3n > this.totalPower * 2n;
  }

  /** 2/3+ of the power voted `type` in `round` for `valueId` (null = nil). */
  hasQuorumFor(round: number, type: VoteType, valueId: ValueId | null): boolean {
    const vs = this.set(round, type);
    return vs !== undefined && this.isTwoThirds(vs.byValue.get(valueId)?.power ?? 0n);
  }

  /** 2/3+ of the power voted `type` in `round`, for anything. */
  hasQuorumAny(round: number, type: VoteType): boolean {
    const vs = this.set(round, type);
    return vs !== undefined && this.isTwoThirds(vs.anyPower);
  }

  /**
   * The value (or nil, as `null`) that has 2/3+ of `type` votes in `round`, or `undefined`.
   * With byzantine power < 1/3 at most one can; otherwise the first to get there is returned.
   */
  quorumValue(round: number, type: VoteType): ValueId | null | undefined {
    const vs = this.set(round, type);
    if (vs === undefined || !this.isTwoThirds(vs.anyPower)) return undefined;
    for (const [value, vv] of vs.byValue) if (this.isTwoThirds(vv.power)) return value;
    return undefined;
  }

  /** The highest round above `round` from which 1/3+ of the power has sent messages, or null. */
  highestRoundWithOneThirdAbove(round: number): number | null {
    let best: number | null = null;
    for (const [r, rv] of this.rounds) {
      if (r > round && (best === null || r > best) && rv.presentPower * 3n > this.totalPower) best = r;
    }
    return best;
  }

  /** Rounds that have any votes, ascending. */
  roundsWithVotes(): number[] {
    return [...this.rounds.keys()].sort((a, b) => a - b);
  }

  /** The counted votes of `type` in `round` for `valueId`, by validator index. */
  votesFor(round: number, type: VoteType, valueId: ValueId | null): SignedVote[] {
    const vv = this.set(round, type)?.byValue.get(valueId);
    if (vv === undefined) return [];
    return [...vv.byValidator.values()].sort((a, b) => a.validatorIndex - b.validatorIndex);
  }

  /** Every counted vote, ordered by round, type (prevote first), value (arrival order) and validator. */
  allVotes(): SignedVote[] {
    const out: SignedVote[] = [];
    for (const r of this.roundsWithVotes()) {
      const rv = this.rounds.get(r)!;
      for (const vs of [rv.prevotes, rv.precommits]) {
        for (const vv of vs.byValue.values()) {
          out.push(...[...vv.byValidator.values()].sort((a, b) => a.validatorIndex - b.validatorIndex));
        }
      }
    }
    return out;
  }
}
