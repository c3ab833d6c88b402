import { describe, expect, it } from 'vitest';
import type { SignedVote, VoteType } from './types.js';
import { MAX_VALUES_PER_VALIDATOR, VoteKeeper } from './voteKeeper.js';

const sig = new Uint8Array([1]);
const vote = (
  validatorIndex: number,
  round: number,
  valueId: string | null,
  type: VoteType = 'prevote',
): SignedVote => ({
  type,
  height: 5,
  round,
  valueId,
  validatorIndex,
  signature: sig,
});

describe('VoteKeeper', () => {
  it('needs strictly more than 2/3 of the power, weighted (CometBFT +2/3)', () => {
    // total 9: 6 is exactly 2/3 (not enough), 7 is more.
    const k = new VoteKeeper(5, [3n, 3n, 2n, 1n]);
    k.addVote(vote(0, 0, 'A'));
    k.addVote(vote(1, 0, 'A'));
    expect(k.hasQuorumFor(0, 'prevote', 'A')).toBe(false);
    expect(k.quorumValue(0, 'prevote')).toBeUndefined();
    k.addVote(vote(3, 0, 'A'));
    expect(k.hasQuorumFor(0, 'prevote', 'A')).toBe(true);
    expect(k.quorumValue(0, 'prevote')).toBe('A');
    expect(k.hasQuorumFor(0, 'precommit', 'A')).toBe(false);
  });

  it('counts 2/3+ of any kind and 2/3+ for nil separately from values', () => {
    const k = new VoteKeeper(5, [1n, 1n, 1n, 1n]);
    k.addVote(vote(0, 1, 'A', 'precommit'));
    k.addVote(vote(1, 1, null, 'precommit'));
    k.addVote(vote(2, 1, 'B', 'precommit'));
    expect(k.hasQuorumAny(1, 'precommit')).toBe(true);
    expect(k.quorumValue(1, 'precommit')).toBeUndefined();
    k.addVote(vote(3, 1, null, 'precommit'));
    expect(k.hasQuorumFor(1, 'precommit', null)).toBe(false);
    const n = new VoteKeeper(5, [1n, 1n, 1n, 1n]);
    for (const i of [0, 1, 2]) n.addVote(vote(i, 0, null));
    expect(n.quorumValue(0, 'prevote')).toBeNull();
  });

  it('ignores duplicates and reports equivocation with both votes, nil first', () => {
    const k = new VoteKeeper(5, [1n, 1n, 1n, 1n]);
    expect(k.addVote(vote(2, 0, 'B'))).toEqual({ status: 'added' });
    expect(k.addVote(vote(2, 0, 'B'))).toEqual({ status: 'duplicate' });
    const r = k.addVote(vote(2, 0, null));
    expect(r.status).toBe('equivocation');
    if (r.status !== 'equivocation') return;
    expect(r.evidence.validatorIndex).toBe(2);
    expect(r.evidence.voteA.valueId).toBeNull();
    expect(r.evidence.voteB.valueId).toBe('B');
    expect(r.counted).toBe(true);
    // Equivocation counts once toward "any"...
    k.addVote(vote(0, 0, 'A'));
    expect(k.hasQuorumAny(0, 'prevote')).toBe(false);
    // ...but toward each value voted for, as in the paper's message log.
    k.addVote(vote(1, 0, 'B'));
    k.addVote(vote(3, 0, 'B'));
    expect(k.votesFor(0, 'prevote', 'B').map((v) => v.validatorIndex)).toEqual([1, 2, 3]);
    expect(k.votesFor(0, 'prevote', null).map((v) => v.validatorIndex)).toEqual([2]);
  });

  it('bounds how many values one equivocating validator counts toward', () => {
    const k = new VoteKeeper(5, [1n, 1n, 1n, 1n]);
    const results = ['A', 'B', 'C', 'D', 'E'].map((v) => k.addVote(vote(0, 0, v)));
    const counted = results.filter((r) => r.status === 'added' || (r.status === 'equivocation' && r.counted));
    expect(counted).toHaveLength(MAX_VALUES_PER_VALIDATOR);
    expect(results.at(-1)).toMatchObject({ status: 'equivocation', counted: false });
  });

  it('finds the highest round above the current one with 1/3+ of the power (line 55)', () => {
    const k = new VoteKeeper(5, [2n, 1n, 1n, 1n, 1n]); // total 6: 1/3+ needs > 2
    k.addVote(vote(1, 3, null));
    k.addVote(vote(2, 3, 'A', 'precommit'));
    expect(k.highestRoundWithOneThirdAbove(0)).toBeNull(); // 2 of 6 is exactly 1/3
    k.notePresence(3, 3); // e.g. the proposer of round 3
    expect(k.highestRoundWithOneThirdAbove(0)).toBe(3);
    expect(k.highestRoundWithOneThirdAbove(3)).toBeNull();
    k.addVote(vote(0, 7, null));
    k.addVote(vote(0, 7, null, 'precommit'));
    expect(k.highestRoundWithOneThirdAbove(0)).toBe(3); // validator 0 counts once in round 7: 2 of 6
    k.addVote(vote(4, 7, null));
    expect(k.highestRoundWithOneThirdAbove(0)).toBe(7);
  });

  it('rejects votes from validators without power and for other heights', () => {
    const k = new VoteKeeper(5, [1n, 0n]);
    expect(k.addVote(vote(1, 0, 'A')).status).toBe('rejected');
    expect(k.addVote(vote(9, 0, 'A')).status).toBe('rejected');
    expect(k.addVote({ ...vote(0, 0, 'A'), height: 6 }).status).toBe('rejected');
    expect(() => new VoteKeeper(1, [0n, 0n])).toThrow(/no voting power/);
    expect(() => new VoteKeeper(1, [-1n, 5n])).toThrow(/non-negative/);
  });

  it('uses bigint power without overflow near int64 limits', () => {
    const big = (1n << 62n) - 1n;
    // Exactly 2/3 is not enough...
    const k = new VoteKeeper(5, [big, big, big]);
    k.addVote(vote(0, 0, 'A'));
    k.addVote(vote(1, 0, 'A'));
    expect(k.hasQuorumFor(0, 'prevote', 'A')).toBe(false);
    // ...one unit of power more is.
    const j = new VoteKeeper(5, [big, big, big, 1n]);
    j.addVote(vote(0, 0, 'A'));
    j.addVote(vote(1, 0, 'A'));
    expect(j.hasQuorumFor(0, 'prevote', 'A')).toBe(false);
    j.addVote(vote(3, 0, 'A'));
    expect(j.hasQuorumFor(0, 'prevote', 'A')).toBe(true);
  });
});
