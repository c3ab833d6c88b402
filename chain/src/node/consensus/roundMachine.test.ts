import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  initialRoundState,
  type RoundContext,
  type RoundInput,
  type RoundOutput,
  type RoundState,
  step,
} from './roundMachine.js';

const notProposer: RoundContext = { isProposer: () => false };
const alwaysProposer: RoundContext = { isProposer: () => true };

function run(inputs: RoundInput[], ctx: RoundContext = notProposer, from = initialRoundState(1)) {
  let state = from;
  const outputs = [];
  for (const input of inputs) {
    const t = step(state, input, ctx);
    state = t.state;
    outputs.push(...t.outputs);
  }
  return { state, outputs };
}

const proposal = (
  round: number,
  value: string,
  validRound = -1,
  valid = true,
  validRoundPolka = false,
): RoundInput => ({
  kind: 'proposal',
  round,
  value,
  validRound,
  valid,
  validRoundPolka,
});

/** Locks on `value` in `round` (lines 22 and 36). */
function lockedOn(value: string, round: number): RoundState {
  const { state } = run([
    { kind: 'newRound', round },
    proposal(round, value),
    { kind: 'polkaValue', round, value, valid: true },
  ]);
  expect(state.lockedValue).toBe(value);
  expect(state.lockedRound).toBe(round);
  return state;
}

describe('round machine (Algorithm 1)', () => {
  it('StartRound for a non-proposer schedules the propose timeout (line 21)', () => {
    const { state, outputs } = run([{ kind: 'newRound', round: 0 }]);
    expect(state.step).toBe('propose');
    expect(outputs).toEqual([
      { kind: 'newRound', round: 0, isProposer: false },
      { kind: 'scheduleTimeout', step: 'propose', round: 0 },
    ]);
  });

  it('a proposer without a valid value asks for one, then proposes it once with validRound -1 (lines 18-19)', () => {
    const a = run([{ kind: 'newRound', round: 0 }], alwaysProposer);
    expect(a.outputs).toContainEqual({ kind: 'requestProposal', round: 0 });
    const b = run(
      [
        { kind: 'proposeValue', round: 0, value: 'A' },
        { kind: 'proposeValue', round: 0, value: 'B' },
      ],
      alwaysProposer,
      a.state,
    );
    expect(b.outputs).toEqual([{ kind: 'proposal', round: 0, value: 'A', validRound: -1 }]);
  });

  it('a proposer with a valid value re-proposes it with its valid round (lines 15-16, 19)', () => {
    const s = lockedOn('A', 0);
    const t = step(s, { kind: 'timeoutPrecommit', round: 0 }, alwaysProposer);
    expect(t.outputs).toContainEqual({ kind: 'proposal', round: 1, value: 'A', validRound: 0 });
    expect(t.outputs).not.toContainEqual({ kind: 'requestProposal', round: 1 });
  });

  it('prevotes a fresh valid proposal, nil for an invalid one (lines 22-27)', () => {
    const ok = run([{ kind: 'newRound', round: 0 }, proposal(0, 'A')]);
    expect(ok.outputs.at(-1)).toEqual({ kind: 'vote', type: 'prevote', round: 0, value: 'A' });
    expect(ok.state.step).toBe('prevote');
    const bad = run([{ kind: 'newRound', round: 0 }, proposal(0, 'A', -1, false)]);
    expect(bad.outputs.at(-1)).toEqual({ kind: 'vote', type: 'prevote', round: 0, value: null });
  });

  it('a locked process prevotes nil for another fresh value but its locked value again (line 23)', () => {
    const locked = lockedOn('A', 0);
    const r1 = run([{ kind: 'timeoutPrecommit', round: 0 }, proposal(1, 'B')], notProposer, locked);
    expect(r1.outputs.at(-1)).toEqual({ kind: 'vote', type: 'prevote', round: 1, value: null });
    const r1a = run([{ kind: 'timeoutPrecommit', round: 0 }, proposal(1, 'A')], notProposer, locked);
    expect(r1a.outputs.at(-1)).toEqual({ kind: 'vote', type: 'prevote', round: 1, value: 'A' });
  });

  it('a later polka unlocks (line 29: lockedRound <= vr), an earlier one does not', () => {
    const locked = lockedOn('A', 1);
    const later = run(
      [{ kind: 'skipRound', round: 3 }, proposal(3, 'B', 2, true, true)],
      notProposer,
      locked,
    );
    expect(later.outputs.at(-1)).toEqual({ kind: 'vote', type: 'prevote', round: 3, value: 'B' });
    const earlier = run(
      [{ kind: 'skipRound', round: 3 }, proposal(3, 'B', 0, true, true)],
      notProposer,
      locked,
    );
    expect(earlier.outputs.at(-1)).toEqual({ kind: 'vote', type: 'prevote', round: 3, value: null });
    // Without the polka at vr the rule does not fire at all (line 28's AND).
    const waiting = run(
      [{ kind: 'skipRound', round: 3 }, proposal(3, 'B', 2, true, false)],
      notProposer,
      locked,
    );
    expect(waiting.state.step).toBe('propose');
  });

  it('a polka seen after precommitting nil only updates the valid value (lines 36-43)', () => {
    const s = run([
      { kind: 'newRound', round: 0 },
      proposal(0, 'A'),
      { kind: 'timeoutPrevote', round: 0 },
      { kind: 'polkaValue', round: 0, value: 'A', valid: true },
    ]);
    expect(s.state.step).toBe('precommit');
    expect(s.state.lockedRound).toBe(-1);
    expect(s.state.validValue).toBe('A');
    expect(s.state.validRound).toBe(0);
    expect(s.outputs.filter((o) => o.kind === 'vote' && o.type === 'precommit')).toEqual([
      { kind: 'vote', type: 'precommit', round: 0, value: null },
    ]);
  });

  it('timeouts act only in their own round and step (lines 57-67)', () => {
    const s = run([
      { kind: 'newRound', round: 0 },
      { kind: 'timeoutPrevote', round: 0 },
      { kind: 'timeoutPropose', round: 1 },
    ]);
    expect(s.state.step).toBe('propose');
    const t = run(
      [
        { kind: 'timeoutPropose', round: 0 },
        { kind: 'timeoutPrevote', round: 0 },
      ],
      notProposer,
      s.state,
    );
    expect(t.outputs).toEqual([
      { kind: 'vote', type: 'prevote', round: 0, value: null },
      { kind: 'vote', type: 'precommit', round: 0, value: null },
    ]);
    const u = step(t.state, { kind: 'timeoutPrecommit', round: 0 }, notProposer);
    expect(u.state.round).toBe(1);
  });

  it('schedules the prevote and precommit timeouts only once per round (lines 34, 47)', () => {
    const s = run([
      { kind: 'newRound', round: 0 },
      { kind: 'timeoutPropose', round: 0 },
      { kind: 'polkaAny', round: 0 },
      { kind: 'polkaAny', round: 0 },
      { kind: 'precommitAny', round: 0 },
      { kind: 'precommitAny', round: 0 },
    ]);
    expect(
      s.outputs
        .filter((o) => o.kind === 'scheduleTimeout')
        .map((o) => o.kind === 'scheduleTimeout' && o.step),
    ).toEqual(['propose', 'prevote', 'precommit']);
  });

  it('decides a valid value from any round once, never an invalid one (lines 49-51)', () => {
    const s = run([
      { kind: 'newRound', round: 2 },
      { kind: 'precommitValue', round: 0, value: 'X', valid: false },
    ]);
    expect(s.state.decision).toBeNull();
    const d = run(
      [
        { kind: 'precommitValue', round: 1, value: 'A', valid: true },
        { kind: 'precommitValue', round: 2, value: 'B', valid: true },
        { kind: 'timeoutPrecommit', round: 2 },
      ],
      notProposer,
      s.state,
    );
    expect(d.state.decision).toEqual({ value: 'A', round: 1 });
    expect(d.state.step).toBe('commit');
    expect(d.outputs).toEqual([{ kind: 'decide', round: 1, value: 'A' }]);
  });

  it('skips only forward (lines 55-56)', () => {
    const s = run([
      { kind: 'newRound', round: 0 },
      { kind: 'skipRound', round: 4 },
      { kind: 'skipRound', round: 2 },
    ]);
    expect(s.state.round).toBe(4);
  });
});

// --- Properties: random input sequences against the paper's invariants. ---

/**
 * Inputs are generated relative to the machine's current round (mostly the current one, sometimes
 * a past or a later one), so that random sequences actually reach locks, relocks and decisions.
 */
interface AbstractInput {
  readonly kind: RoundInput['kind'];
  readonly dRound: number;
  readonly value: string;
  /** -1, or how many rounds before the input's round the proposal's validRound lies. */
  readonly vrBack: number;
  readonly valid: boolean;
  readonly polka: boolean;
}

const arbAbstract: fc.Arbitrary<AbstractInput> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<RoundInput['kind']>('proposal'), weight: 6 },
    { arbitrary: fc.constant<RoundInput['kind']>('polkaValue'), weight: 4 },
    { arbitrary: fc.constant<RoundInput['kind']>('timeoutPrecommit'), weight: 3 },
    {
      arbitrary: fc.constantFrom<RoundInput['kind']>(
        'newRound',
        'proposeValue',
        'polkaAny',
        'polkaNil',
        'precommitAny',
        'skipRound',
        'timeoutPropose',
        'timeoutPrevote',
      ),
      weight: 8,
    },
    // Rare, since a decision ends the interesting part of a run.
    { arbitrary: fc.constant<RoundInput['kind']>('precommitValue'), weight: 1 },
  ),
  dRound: fc.constantFrom(-1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2),
  value: fc.constantFrom('A', 'B', 'C'),
  vrBack: fc.constantFrom(-1, -1, 1, 1, 2, 3),
  valid: fc.boolean(),
  polka: fc.boolean(),
});

function concretize(a: AbstractInput, state: RoundState): RoundInput {
  const round = Math.max(0, state.round + a.dRound);
  switch (a.kind) {
    case 'proposeValue':
      return { kind: 'proposeValue', round, value: a.value };
    case 'proposal':
      return {
        kind: 'proposal',
        round,
        value: a.value,
        validRound: a.vrBack === -1 ? -1 : Math.max(-1, round - a.vrBack),
        valid: a.valid,
        validRoundPolka: a.polka,
      };
    case 'polkaValue':
    case 'precommitValue':
      return { kind: a.kind, round, value: a.value, valid: a.valid };
    default:
      return { kind: a.kind, round } as RoundInput;
  }
}

function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** The per-transition invariants; returns the vote outputs so callers can check them across steps. */
function checkTransition(
  before: RoundState,
  input: RoundInput,
  state: RoundState,
  outputs: readonly RoundOutput[],
  ctx: RoundContext,
) {
  if (before.decision !== null) expect(outputs).toEqual([]);
  expect(state.round).toBeGreaterThanOrEqual(before.round);
  expect(state.lockedRound).toBeGreaterThanOrEqual(before.lockedRound);
  expect(state.validRound).toBeGreaterThanOrEqual(before.validRound);
  expect(state.validRound).toBeGreaterThanOrEqual(state.lockedRound);
  expect(state.lockedRound).toBeLessThanOrEqual(state.round);
  for (const o of outputs) {
    if (o.kind === 'vote') {
      expect(o.round).toBe(state.round);
      if (o.type === 'prevote' && o.value !== null) {
        // Only a valid proposal of this round for that value leads to a prevote for it.
        expect(input.kind).toBe('proposal');
        if (input.kind !== 'proposal') return;
        expect(input.value).toBe(o.value);
        expect(input.valid).toBe(true);
        if (before.lockedRound !== -1 && before.lockedValue !== o.value) {
          // Line 29: voting against the lock needs a polka in a round >= lockedRound (and < round).
          expect(input.validRoundPolka).toBe(true);
          expect(input.validRound).toBeGreaterThanOrEqual(before.lockedRound);
          expect(input.validRound).toBeLessThan(o.round);
        }
      }
      if (o.type === 'precommit' && o.value !== null) {
        // Line 36: precommit a value only on a polka for it in this round, and lock on it.
        expect(input).toEqual({ kind: 'polkaValue', round: o.round, value: o.value, valid: true });
        expect(state.lockedValue).toBe(o.value);
        expect(state.lockedRound).toBe(o.round);
      }
    }
    if (o.kind === 'proposal') expect(ctx.isProposer(o.round)).toBe(true);
    if (o.kind === 'decide')
      expect(input).toMatchObject({ kind: 'precommitValue', valid: true, value: o.value });
  }
}

describe('round machine invariants (fast-check)', () => {
  it('over random runs: one vote per (round, type), one proposal per round, locks respected, one decision', () => {
    fc.assert(
      fc.property(fc.array(arbAbstract, { maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (abstract, k) => {
        const ctx: RoundContext = { isProposer: (r) => r % k === 0 };
        let state = deepFreeze(step(initialRoundState(1), { kind: 'newRound', round: 0 }, ctx).state);
        const signed = new Map<string, string | null>();
        const proposedRounds = new Set<number>();
        let decisions = 0;
        for (const a of abstract) {
          const before = state;
          const input = deepFreeze(concretize(a, before));
          const t = step(before, input, ctx); // frozen: any mutation of the old state would throw
          state = deepFreeze(t.state);
          checkTransition(before, input, state, t.outputs, ctx);
          for (const o of t.outputs) {
            if (o.kind === 'vote') {
              const key = `${o.round}/${o.type}`;
              expect(signed.has(key), `second ${key}`).toBe(false);
              signed.set(key, o.value);
            }
            if (o.kind === 'proposal') {
              expect(proposedRounds.has(o.round)).toBe(false);
              proposedRounds.add(o.round);
            }
            if (o.kind === 'decide') decisions++;
          }
        }
        expect(decisions).toBeLessThanOrEqual(1);
      }),
      { numRuns: 3000 },
    );
  });

  it('from any consistent locked state, one input never prevotes against the lock without a later polka', () => {
    const arbState = fc
      .record({
        round: fc.integer({ min: 0, max: 6 }),
        lockBack: fc.integer({ min: -1, max: 6 }),
        validAhead: fc.integer({ min: 0, max: 6 }),
        lockedValue: fc.constantFrom('A', 'B', 'C'),
        validValue: fc.constantFrom('A', 'B', 'C'),
        step: fc.constantFrom<RoundState['step']>('propose', 'prevote', 'precommit'),
        flags: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      })
      .map((g): RoundState => {
        const lockedRound = g.lockBack === -1 ? -1 : Math.max(0, g.round - g.lockBack);
        const validRound =
          lockedRound === -1 && g.validAhead === 0
            ? -1
            : Math.min(g.round, Math.max(lockedRound, 0) + g.validAhead);
        return {
          ...initialRoundState(7),
          round: g.round,
          step: g.step,
          lockedRound,
          lockedValue: lockedRound === -1 ? null : g.lockedValue,
          validRound,
          validValue: validRound === -1 ? null : validRound === lockedRound ? g.lockedValue : g.validValue,
          prevoteTimeoutScheduled: g.flags[0]!,
          polkaValueHandled: g.flags[1]!,
          precommitTimeoutScheduled: g.flags[2]!,
          proposed: g.flags[3]!,
        };
      });
    fc.assert(
      fc.property(arbState, arbAbstract, fc.integer({ min: 1, max: 3 }), (state, a, k) => {
        const ctx: RoundContext = { isProposer: (r) => r % k === 0 };
        const before = deepFreeze(state);
        const input = deepFreeze(concretize(a, before));
        const t = step(before, input, ctx);
        checkTransition(before, input, t.state, t.outputs, ctx);
        expect(t.outputs.filter((o) => o.kind === 'vote').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 5000 },
    );
  });
});
