import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Driver, type DriverConfig, type DriverInput, type Effect } from './driver.js';
import { ConsensusInputError, type ConsensusMessage, type SignedVote, type VoteType } from './types.js';

// A fake signature is the signer's index; verify checks exactly that.
const verify = (m: ConsensusMessage): boolean =>
  m.kind === 'vote'
    ? m.vote.signature[0] === m.vote.validatorIndex
    : m.proposal.signature[0] === m.proposal.proposerIndex;

const proposer = (h: number, r: number): number => (h + r) % 4;

function makeDriver(selfIndex: number | null, overrides: Partial<DriverConfig> = {}) {
  const asked: number[] = [];
  const driver = new Driver({
    validators: (height) => {
      asked.push(height);
      return { powers: [1n, 1n, 1n, 1n], selfIndex };
    },
    proposer,
    verify,
    ...overrides,
  });
  return { driver, asked };
}

const vote = (i: number, type: VoteType, round: number, valueId: string | null, height = 1): DriverInput => ({
  type: 'vote',
  vote: { type, height, round, valueId, validatorIndex: i, signature: new Uint8Array([i]) },
});

const proposal = (round: number, valueId: string, height = 1, polRound = -1): DriverInput => ({
  type: 'proposal',
  proposal: {
    height,
    round,
    valueId,
    polRound,
    proposerIndex: proposer(height, round),
    signature: new Uint8Array([proposer(height, round)]),
  },
});

/** Plays the host for `sign` effects (signing with the index) and collects all effects. */
function feed(driver: Driver, input: DriverInput): Effect[] {
  const all: Effect[] = [];
  const queue = driver.handle(input);
  while (queue.length > 0) {
    const e = queue.shift()!;
    all.push(e);
    if (e.type === 'sign') {
      const m = e.message;
      const signed: ConsensusMessage =
        m.kind === 'vote'
          ? { kind: 'vote', vote: { ...m.vote, signature: new Uint8Array([m.vote.validatorIndex]) } }
          : {
              kind: 'proposal',
              proposal: { ...m.proposal, signature: new Uint8Array([m.proposal.proposerIndex]) },
            };
      queue.unshift(...driver.handle({ type: 'signed', message: signed }));
    }
  }
  return all;
}

const ofType = <T extends Effect['type']>(effects: Effect[], type: T) =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

const signedVotes = (effects: Effect[]) =>
  ofType(effects, 'sign').flatMap((e) => (e.message.kind === 'vote' ? [e.message.vote] : []));

describe('Driver', () => {
  it('starts a height: WAL first, then the round and its propose timeout', () => {
    const { driver } = makeDriver(0); // proposer(1, 0) = 1
    const effects = driver.handle({ type: 'start', height: 1 });
    expect(effects).toEqual([
      { type: 'persistWal', entry: { height: 1, input: { type: 'start', height: 1 } } },
      { type: 'enterRound', height: 1, round: 0, proposer: 1 },
      { type: 'scheduleTimeout', height: 1, round: 0, step: 'propose', durationMs: 1000 },
    ]);
  });

  it('as proposer: asks for a value, signs the proposal, then prevotes it; WAL entries precede each sign', () => {
    const { driver } = makeDriver(1);
    expect(ofType(feed(driver, { type: 'start', height: 1 }), 'requestProposal')).toEqual([
      { type: 'requestProposal', height: 1, round: 0 },
    ]);
    const effects = feed(driver, { type: 'proposedValue', height: 1, round: 0, valueId: 'A' });
    const kinds = effects.map((e) =>
      e.type === 'sign' || e.type === 'broadcast' ? `${e.type}:${e.message.kind}` : e.type,
    );
    expect(kinds).toEqual([
      'persistWal', // proposedValue
      'sign:proposal',
      'broadcast:proposal',
      'persistWal', // our own signed proposal
      'sign:vote',
      'broadcast:vote',
      'persistWal', // our own signed prevote
    ]);
    expect(signedVotes(effects)).toMatchObject([
      { type: 'prevote', round: 0, valueId: 'A', validatorIndex: 1 },
    ]);
    expect(ofType(effects, 'validateProposal')).toEqual([]); // no ProcessProposal for one's own block
  });

  it('decides after ProcessProposal, a polka and 2/3+ precommits, then starts the next height after the commit timeout', () => {
    const { driver, asked } = makeDriver(0);
    feed(driver, { type: 'start', height: 1 });
    const p = feed(driver, proposal(0, 'A'));
    expect(ofType(p, 'validateProposal')).toEqual([
      { type: 'validateProposal', height: 1, round: 0, valueId: 'A' },
    ]);
    expect(signedVotes(p)).toEqual([]); // waits for ProcessProposal
    const v = feed(driver, { type: 'proposalValidity', height: 1, valueId: 'A', valid: true });
    expect(signedVotes(v)).toMatchObject([{ type: 'prevote', valueId: 'A' }]);
    feed(driver, vote(1, 'prevote', 0, 'A'));
    const pc = feed(driver, vote(2, 'prevote', 0, 'A'));
    expect(signedVotes(pc)).toMatchObject([{ type: 'precommit', round: 0, valueId: 'A' }]);
    expect(driver.roundState.lockedValue).toBe('A');
    feed(driver, vote(1, 'precommit', 0, 'A'));
    const d = feed(driver, vote(3, 'precommit', 0, 'A'));
    const decide = ofType(d, 'decide');
    expect(decide).toHaveLength(1);
    expect(decide[0]).toMatchObject({ height: 1, round: 0, valueId: 'A' });
    expect(decide[0]!.commit.map((c) => c.validatorIndex)).toEqual([0, 1, 3]);
    expect(ofType(d, 'scheduleTimeout')).toContainEqual({
      type: 'scheduleTimeout',
      height: 1,
      round: 0,
      step: 'commit',
      durationMs: 1000,
    });
    // A late precommit during the commit wait changes nothing.
    expect(ofType(feed(driver, vote(2, 'precommit', 0, 'A')), 'decide')).toEqual([]);
    const next = feed(driver, { type: 'timeout', height: 1, round: 0, step: 'commit' });
    expect(driver.height).toBe(2);
    expect(asked).toEqual([1, 2]);
    expect(ofType(next, 'enterRound')).toEqual([{ type: 'enterRound', height: 2, round: 0, proposer: 2 }]);
    expect(driver.roundState.lockedRound).toBe(-1);
  });

  it('prevotes nil for a proposal ProcessProposal rejects', () => {
    const { driver } = makeDriver(0);
    feed(driver, { type: 'start', height: 1 });
    feed(driver, proposal(0, 'A'));
    const v = feed(driver, { type: 'proposalValidity', height: 1, valueId: 'A', valid: false });
    expect(signedVotes(v)).toMatchObject([{ type: 'prevote', valueId: null }]);
  });

  it('grows each timeout with the round and moves rounds on the precommit timeout', () => {
    const { driver } = makeDriver(0, {
      timeouts: { propose: 100, proposeDelta: 10, prevote: 50, prevoteDelta: 5 },
    });
    feed(driver, { type: 'start', height: 1 });
    const durations: string[] = [];
    for (let round = 0; round < 3; round++) {
      const effects = [
        ...feed(driver, { type: 'timeout', height: 1, round, step: 'propose' }),
        ...feed(driver, vote(1, 'prevote', round, 'X')),
        ...feed(driver, vote(2, 'prevote', round, null)),
        ...feed(driver, { type: 'timeout', height: 1, round, step: 'prevote' }),
        ...feed(driver, vote(1, 'precommit', round, null)),
        ...feed(driver, vote(2, 'precommit', round, null)),
        ...feed(driver, { type: 'timeout', height: 1, round, step: 'precommit' }),
      ];
      for (const t of ofType(effects, 'scheduleTimeout'))
        durations.push(`${t.step}@${t.round}=${t.durationMs}`);
    }
    expect(durations).toEqual([
      'prevote@0=50',
      'precommit@0=500',
      'propose@1=110',
      'prevote@1=55',
      'precommit@1=1000',
      'propose@2=120',
      'prevote@2=60',
      'precommit@2=1500',
      'propose@3=130',
    ]);
    expect(driver.round).toBe(3);
  });

  it('skips to a higher round on 1/3+ of the power from it (line 55)', () => {
    const { driver } = makeDriver(0);
    feed(driver, { type: 'start', height: 1 });
    feed(driver, vote(1, 'prevote', 5, null));
    expect(driver.round).toBe(0);
    const e = feed(driver, vote(2, 'precommit', 5, null));
    expect(ofType(e, 'enterRound')).toMatchObject([{ round: 5 }]);
  });

  it('ignores past heights, buffers the next one and replays it when it starts', () => {
    const { driver } = makeDriver(0);
    feed(driver, { type: 'start', height: 2 });
    expect(feed(driver, vote(1, 'prevote', 0, 'A', 1))).toEqual([]);
    expect(feed(driver, vote(1, 'precommit', 0, null, 3))).toEqual([]);
    expect(feed(driver, vote(2, 'precommit', 0, null, 3))).toEqual([]);
    expect(feed(driver, vote(3, 'precommit', 0, null, 3))).toEqual([]);
    expect(feed(driver, vote(3, 'precommit', 0, null, 9))).toEqual([]); // too far ahead: dropped
    // Decide height 2 in round 0 (proposer(2, 0) = 2).
    feed(driver, proposal(0, 'B', 2));
    feed(driver, { type: 'proposalValidity', height: 2, valueId: 'B', valid: true });
    for (const i of [1, 2]) feed(driver, vote(i, 'prevote', 0, 'B', 2));
    for (const i of [1, 2]) feed(driver, vote(i, 'precommit', 0, 'B', 2));
    expect(driver.step).toBe('commit');
    const next = feed(driver, { type: 'timeout', height: 2, round: 0, step: 'commit' });
    // The buffered height-3 precommits count at once: 2/3+ precommits -> the precommit timeout.
    expect(ofType(next, 'scheduleTimeout').map((t) => `${t.height}/${t.step}`)).toEqual([
      '3/propose',
      '3/precommit',
    ]);
  });

  it('reports malformed, unsigned, foreign and wrong-proposer messages without throwing', () => {
    const { driver } = makeDriver(0);
    feed(driver, { type: 'start', height: 1 });
    const bad: DriverInput[] = [
      { type: 'vote', vote: { ...(vote(1, 'prevote', 0, 'A') as { vote: SignedVote }).vote, round: -1 } },
      {
        type: 'vote',
        vote: {
          ...(vote(1, 'prevote', 0, 'A') as { vote: SignedVote }).vote,
          signature: new Uint8Array([2]),
        },
      },
      vote(7, 'prevote', 0, 'A'),
      {
        type: 'vote',
        vote: {
          type: 'maybe',
          height: 1,
          round: 0,
          valueId: 'A',
          validatorIndex: 1,
          signature: new Uint8Array([1]),
        } as never,
      },
      {
        type: 'proposal',
        proposal: {
          height: 1,
          round: 0,
          valueId: 'A',
          polRound: -1,
          proposerIndex: 3,
          signature: new Uint8Array([3]),
        },
      },
      {
        type: 'proposal',
        proposal: {
          height: 1,
          round: 2,
          valueId: 'A',
          polRound: 2,
          proposerIndex: 3,
          signature: new Uint8Array([3]),
        },
      },
    ];
    for (const input of bad) {
      const effects = driver.handle(input);
      expect(effects).toHaveLength(1);
      expect(effects[0]!.type).toBe('invalidMessage');
    }
    expect(driver.knownMessages()).toEqual([]);
  });

  it('reports a validator voting twice in one round as evidence', () => {
    const { driver } = makeDriver(0);
    feed(driver, { type: 'start', height: 1 });
    feed(driver, vote(2, 'prevote', 0, 'A'));
    const e = ofType(feed(driver, vote(2, 'prevote', 0, null)), 'evidence');
    expect(e).toHaveLength(1);
    expect(e[0]!.evidence).toMatchObject({ height: 1, round: 0, type: 'prevote', validatorIndex: 2 });
    expect([e[0]!.evidence.voteA.valueId, e[0]!.evidence.voteB.valueId]).toEqual([null, 'A']);
  });

  it('a non-validator follows consensus without signing', () => {
    const { driver } = makeDriver(null);
    const effects = [
      ...feed(driver, { type: 'start', height: 1 }),
      ...feed(driver, proposal(0, 'A')),
      ...feed(driver, { type: 'proposalValidity', height: 1, valueId: 'A', valid: true }),
      ...[0, 1, 2].flatMap((i) => feed(driver, vote(i, 'prevote', 0, 'A'))),
      ...[0, 1, 2].flatMap((i) => feed(driver, vote(i, 'precommit', 0, 'A'))),
    ];
    expect(ofType(effects, 'sign')).toEqual([]);
    expect(ofType(effects, 'decide')).toHaveLength(1);
  });

  it('rejects host mistakes with ConsensusInputError', () => {
    const { driver } = makeDriver(0);
    feed(driver, { type: 'start', height: 1 });
    expect(() => driver.handle({ type: 'start', height: 1 })).toThrow(ConsensusInputError);
    const forged: ConsensusMessage = {
      kind: 'vote',
      vote: {
        type: 'precommit',
        height: 1,
        round: 0,
        valueId: 'Z',
        validatorIndex: 0,
        signature: new Uint8Array([0]),
      },
    };
    expect(() => driver.handle({ type: 'signed', message: forged })).toThrow(/not requested/);
    expect(() => driver.handle({ type: 'nonsense' } as never)).toThrow(ConsensusInputError);
    expect(
      () =>
        new Driver({
          validators: () => ({ powers: [1n], selfIndex: 0 }),
          proposer,
          verify,
          timeouts: { commit: -5 },
        }),
    ).toThrow(ConsensusInputError);
  });

  it('replaying the WAL into a fresh driver reproduces the state and the same sign requests', () => {
    const { driver } = makeDriver(1);
    const wal: DriverInput[] = [];
    const signs: unknown[] = [];
    const script: DriverInput[] = [
      { type: 'start', height: 1 },
      { type: 'proposedValue', height: 1, round: 0, valueId: 'A' },
      vote(0, 'prevote', 0, null),
      vote(2, 'prevote', 0, 'A'),
      { type: 'timeout', height: 1, round: 0, step: 'prevote' },
      vote(3, 'prevote', 0, 'A'),
      vote(0, 'precommit', 0, null),
      vote(2, 'precommit', 0, 'A'),
      { type: 'timeout', height: 1, round: 0, step: 'precommit' },
      proposal(1, 'B'),
      { type: 'proposalValidity', height: 1, valueId: 'B', valid: true },
    ];
    for (const input of script) {
      for (const e of feed(driver, input)) {
        if (e.type === 'persistWal') wal.push(e.entry.input);
        if (e.type === 'sign') signs.push(e.message);
      }
    }
    expect(signs.length).toBeGreaterThanOrEqual(4);
    const { driver: replayed } = makeDriver(1);
    const replayedSigns: unknown[] = [];
    for (const input of wal) {
      for (const e of replayed.handle(input)) if (e.type === 'sign') replayedSigns.push(e.message);
    }
    expect(replayedSigns).toEqual(signs);
    expect(replayed.roundState).toEqual(driver.roundState);
    expect(replayed.knownMessages()).toEqual(driver.knownMessages());
  });

  describe('commit certificates (catch-up)', () => {
    const precommit = (i: number, valueId: string, round = 1): SignedVote =>
      (vote(i, 'precommit', round, valueId) as { vote: SignedVote }).vote;
    const prop = (proposal(1, 'C') as { proposal: import('./types.js').SignedProposal }).proposal;

    it('decides from a proposal and 2/3+ precommits, counting votes past the equivocation bound', () => {
      const { driver } = makeDriver(0);
      feed(driver, { type: 'start', height: 1 });
      // Validator 2 already used up its values in round 1 (an equivocator seen before).
      for (const v of ['X', 'Y', 'Z']) feed(driver, vote(2, 'precommit', 1, v));
      const e = feed(driver, {
        type: 'commitCertificate',
        proposal: prop,
        precommits: [precommit(1, 'C'), precommit(2, 'C'), precommit(3, 'C')],
      });
      expect(ofType(e, 'validateProposal')).toMatchObject([{ valueId: 'C' }]);
      const d = feed(driver, { type: 'proposalValidity', height: 1, valueId: 'C', valid: true });
      expect(ofType(d, 'decide')).toMatchObject([{ height: 1, round: 1, valueId: 'C' }]);
    });

    it('rejects certificates without 2/3+, with foreign votes or a wrong proposer', () => {
      const { driver } = makeDriver(0);
      feed(driver, { type: 'start', height: 1 });
      const cases: DriverInput[] = [
        { type: 'commitCertificate', proposal: prop, precommits: [precommit(1, 'C'), precommit(2, 'C')] },
        {
          type: 'commitCertificate',
          proposal: prop,
          precommits: [precommit(1, 'C'), precommit(1, 'C'), precommit(2, 'C')],
        },
        {
          type: 'commitCertificate',
          proposal: prop,
          precommits: [precommit(1, 'C'), precommit(2, 'D'), precommit(3, 'C')],
        },
        {
          type: 'commitCertificate',
          proposal: prop,
          precommits: [precommit(1, 'C', 0), precommit(2, 'C'), precommit(3, 'C')],
        },
        {
          type: 'commitCertificate',
          proposal: { ...prop, proposerIndex: 0, signature: new Uint8Array([0]) },
          precommits: [precommit(1, 'C'), precommit(2, 'C'), precommit(3, 'C')],
        },
        { type: 'commitCertificate', proposal: prop, precommits: 'nope' as never },
      ];
      for (const c of cases) {
        const effects = driver.handle(c);
        expect(effects.map((x) => x.type)).toEqual(['invalidMessage']);
      }
      expect(driver.step).toBe('propose');
    });
  });

  it('never throws on arbitrary peer messages (fast-check)', () => {
    const anything = fc.oneof(
      fc.integer({ min: -3, max: 8 }),
      fc.constantFrom(null, undefined, 'A', 'B', '', 1.5, Number.NaN, 2 ** 40, -1),
      fc.constant(new Uint8Array([1])),
    );
    const arbVote = fc.record({
      type: fc.constantFrom('prevote', 'precommit', 'other', 3),
      height: fc.oneof(fc.constantFrom(1, 2, 0), anything),
      round: fc.oneof(fc.integer({ min: 0, max: 3 }), anything),
      valueId: fc.oneof(fc.constantFrom('A', 'B', null), anything),
      validatorIndex: fc.oneof(fc.integer({ min: 0, max: 4 }), anything),
      signature: fc.oneof(
        fc.integer({ min: 0, max: 4 }).map((i) => new Uint8Array([i])),
        anything,
      ),
    });
    const arbProposal = fc.record({
      height: fc.oneof(fc.constantFrom(1, 2), anything),
      round: fc.oneof(fc.integer({ min: 0, max: 3 }), anything),
      valueId: fc.oneof(fc.constantFrom('A', 'B'), anything),
      polRound: fc.oneof(fc.integer({ min: -1, max: 3 }), anything),
      proposerIndex: fc.oneof(fc.integer({ min: 0, max: 4 }), anything),
      signature: fc.oneof(
        fc.integer({ min: 0, max: 4 }).map((i) => new Uint8Array([i])),
        anything,
      ),
    });
    const arbInput = fc.oneof(
      arbVote.map((vote) => ({ type: 'vote', vote }) as DriverInput),
      arbProposal.map((proposal) => ({ type: 'proposal', proposal }) as DriverInput),
      fc
        .tuple(arbProposal, fc.array(arbVote, { maxLength: 5 }))
        .map(
          ([proposal, precommits]) => ({ type: 'commitCertificate', proposal, precommits }) as DriverInput,
        ),
      fc.constantFrom<DriverInput>(
        { type: 'timeout', height: 1, round: 0, step: 'propose' },
        { type: 'timeout', height: 1, round: 0, step: 'prevote' },
        { type: 'timeout', height: 1, round: 0, step: 'precommit' },
        { type: 'timeout', height: 1, round: 0, step: 'commit' },
        { type: 'proposalValidity', height: 1, valueId: 'A', valid: true },
        { type: 'proposalValidity', height: 1, valueId: 'B', valid: false },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(arbInput, { maxLength: 40 }), (self, inputs) => {
        const { driver } = makeDriver(self);
        feed(driver, { type: 'start', height: 1 });
        for (const input of inputs) feed(driver, input);
      }),
      { numRuns: 1500 },
    );
  });
});
