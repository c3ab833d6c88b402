/**
 * The Tendermint round state machine for one height, as a pure function.
 *
 * Follows Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic,
 * arXiv:1807.04938v3); comments cite its line numbers. The paper's `upon` rules mix message
 * counting with state changes; here the counting lives in the vote keeper and the driver, and
 * this machine only sees the *conditions* as inputs (e.g. `polkaValue` = "the proposal of this
 * round for v AND 2f+1 prevotes for id(v)"). It trusts those inputs: it never counts votes.
 *
 * `step(state, input, ctx)` returns the next state and the outputs. When an input does not
 * apply (wrong round, wrong step, already done "for the first time") it returns the *same* state
 * object and no outputs, so callers can detect "no change" by reference.
 *
 * Deviation from the paper, on purpose: StartRound schedules OnTimeoutPropose for the proposer
 * too (CometBFT does the same), because here getValue() is asynchronous (the host runs ABCI
 * PrepareProposal). Timeouts only ever lead to nil votes, so this cannot affect safety.
 */
import type { RoundStep, TimeoutStep, ValueId, VoteType } from './types.js';

export interface RoundState {
  readonly height: number;
  /** round_p; -1 before StartRound(0). */
  readonly round: number;
  readonly step: RoundStep;
  readonly lockedValue: ValueId | null;
  readonly lockedRound: number;
  readonly validValue: ValueId | null;
  readonly validRound: number;
  readonly decision: { readonly value: ValueId; readonly round: number } | null;
  /** Per-round "for the first time" flags (lines 34, 36, 47), reset by StartRound. */
  readonly prevoteTimeoutScheduled: boolean;
  readonly polkaValueHandled: boolean;
  readonly precommitTimeoutScheduled: boolean;
  /** Whether this node already broadcast its proposal in this round (it proposes at most once). */
  readonly proposed: boolean;
}

export type RoundInput =
  /** Line 10: upon start do StartRound(0); also usable to start any later round explicitly. */
  | { readonly kind: 'newRound'; readonly round: number }
  /** Line 18: getValue() returned (the host ran PrepareProposal). */
  | { readonly kind: 'proposeValue'; readonly round: number; readonly value: ValueId }
  /**
   * Lines 22 and 28: the proposal of `round` from proposer(h, round) is known and validated.
   * `validRoundPolka` says whether 2f+1 prevotes for id(value) in `validRound` are known (line 28).
   */
  | {
      readonly kind: 'proposal';
      readonly round: number;
      readonly value: ValueId;
      readonly validRound: number;
      readonly valid: boolean;
      readonly validRoundPolka: boolean;
    }
  /** Line 34: 2f+1 prevotes of any kind in `round`. */
  | { readonly kind: 'polkaAny'; readonly round: number }
  /** Line 36: the proposal of `round` for `value` AND 2f+1 prevotes for id(value) in `round`. */
  | { readonly kind: 'polkaValue'; readonly round: number; readonly value: ValueId; readonly valid: boolean }
  /** Line 44: 2f+1 prevotes for nil in `round`. */
  | { readonly kind: 'polkaNil'; readonly round: number }
  /** Line 47: 2f+1 precommits of any kind in `round`. */
  | { readonly kind: 'precommitAny'; readonly round: number }
  /** Line 49: the proposal of `round` for `value` AND 2f+1 precommits for id(value) in `round` (any round). */
  | {
      readonly kind: 'precommitValue';
      readonly round: number;
      readonly value: ValueId;
      readonly valid: boolean;
    }
  /** Line 55: f+1 messages of `round` > round_p. */
  | { readonly kind: 'skipRound'; readonly round: number }
  /** Lines 57, 61, 65. */
  | { readonly kind: 'timeoutPropose'; readonly round: number }
  | { readonly kind: 'timeoutPrevote'; readonly round: number }
  | { readonly kind: 'timeoutPrecommit'; readonly round: number };

export type RoundOutput =
  | { readonly kind: 'newRound'; readonly round: number; readonly isProposer: boolean }
  | {
      readonly kind: 'proposal';
      readonly round: number;
      readonly value: ValueId;
      readonly validRound: number;
    }
  | { readonly kind: 'vote'; readonly type: VoteType; readonly round: number; readonly value: ValueId | null }
  | {
      readonly kind: 'scheduleTimeout';
      readonly step: Exclude<TimeoutStep, 'commit'>;
      readonly round: number;
    }
  /** The host must call PrepareProposal and answer with a `proposeValue` input. */
  | { readonly kind: 'requestProposal'; readonly round: number }
  | { readonly kind: 'decide'; readonly round: number; readonly value: ValueId };

export interface RoundContext {
  /** proposer(h_p, round) = p ? */
  readonly isProposer: (round: number) => boolean;
}

export interface Transition {
  readonly state: RoundState;
  readonly outputs: readonly RoundOutput[];
}

/** Lines 1-9 (for one height): nothing locked, nothing valid, no round started. */
export function initialRoundState(height: number): RoundState {
  return {
    height,
    round: -1,
    step: 'unstarted',
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    decision: null,
    prevoteTimeoutScheduled: false,
    polkaValueHandled: false,
    precommitTimeoutScheduled: false,
    proposed: false,
  };
}

const NO_CHANGE = (state: RoundState): Transition => ({ state, outputs: [] });

/** Lines 11-21: StartRound(round). */
function startRound(state: RoundState, round: number, ctx: RoundContext): Transition {
  const isProposer = ctx.isProposer(round);
  let next: RoundState = {
    ...state,
    round, // line 12
    step: 'propose', // line 13
    prevoteTimeoutScheduled: false,
    polkaValueHandled: false,
    precommitTimeoutScheduled: false,
    proposed: false,
  };
  const outputs: RoundOutput[] = [{ kind: 'newRound', round, isProposer }];
  if (isProposer) {
    // line 14
    if (state.validValue !== null) {
      // lines 15-16, 19: re-propose the valid value with its round as proof-of-lock.
      outputs.push({ kind: 'proposal', round, value: state.validValue, validRound: state.validRound });
      next = { ...next, proposed: true };
    } else {
      // line 18: getValue() is asynchronous here; line 19 happens on `proposeValue`.
      outputs.push({ kind: 'requestProposal', round });
    }
  }
  // line 21 (and, see header, also for the proposer).
  outputs.push({ kind: 'scheduleTimeout', step: 'propose', round });
  return { state: next, outputs };
}

function prevote(state: RoundState, value: ValueId | null): Transition {
  return {
    state: { ...state, step: 'prevote' },
    outputs: [{ kind: 'vote', type: 'prevote', round: state.round, value }],
  };
}

function precommit(state: RoundState, value: ValueId | null): Transition {
  return {
    state: { ...state, step: 'precommit' },
    outputs: [{ kind: 'vote', type: 'precommit', round: state.round, value }],
  };
}

/** One transition of the round state machine. Pure: `state` is never mutated. */
export function step(state: RoundState, input: RoundInput, ctx: RoundContext): Transition {
  // Once decided, this height's machine is finished (line 49 moves the paper to h_p + 1; here the
  // driver builds a fresh machine for the next height).
  if (state.decision !== null) return NO_CHANGE(state);

  switch (input.kind) {
    case 'newRound':
      // Line 10 / 11: rounds only move forward.
      if (input.round <= state.round) return NO_CHANGE(state);
      return startRound(state, input.round, ctx);

    case 'proposeValue':
      // Line 19 after getValue() (line 18). Only in the round we asked for, once.
      if (input.round !== state.round || state.step !== 'propose' || state.proposed) return NO_CHANGE(state);
      if (!ctx.isProposer(state.round)) return NO_CHANGE(state);
      return {
        state: { ...state, proposed: true },
        outputs: [{ kind: 'proposal', round: state.round, value: input.value, validRound: state.validRound }],
      };

    case 'proposal': {
      if (input.round !== state.round || state.step !== 'propose') return NO_CHANGE(state);
      const v = input.value;
      if (input.validRound === -1) {
        // Line 22-27.
        const ok = input.valid && (state.lockedRound === -1 || state.lockedValue === v); // line 23
        return prevote(state, ok ? v : null); // lines 24 / 26, 27
      }
      // Line 28: needs 2f+1 prevotes for id(v) in vr, with 0 <= vr < round_p.
      if (!input.validRoundPolka || input.validRound < 0 || input.validRound >= state.round) {
        return NO_CHANGE(state);
      }
      const ok = input.valid && (state.lockedRound <= input.validRound || state.lockedValue === v); // line 29
      return prevote(state, ok ? v : null); // lines 30 / 32, 33
    }

    case 'polkaAny':
      // Lines 34-35.
      if (input.round !== state.round || state.step !== 'prevote' || state.prevoteTimeoutScheduled) {
        return NO_CHANGE(state);
      }
      return {
        state: { ...state, prevoteTimeoutScheduled: true },
        outputs: [{ kind: 'scheduleTimeout', step: 'prevote', round: state.round }],
      };

    case 'polkaValue': {
      // Line 36: valid(v) AND step_p >= prevote, for the first time.
      if (input.round !== state.round || !input.valid || state.polkaValueHandled) return NO_CHANGE(state);
      if (state.step !== 'prevote' && state.step !== 'precommit') return NO_CHANGE(state);
      const v = input.value;
      let next: RoundState = { ...state, polkaValueHandled: true };
      const outputs: RoundOutput[] = [];
      if (state.step === 'prevote') {
        // Lines 37-41: lock on v and precommit it.
        next = { ...next, lockedValue: v, lockedRound: state.round, step: 'precommit' };
        outputs.push({ kind: 'vote', type: 'precommit', round: state.round, value: v });
      }
      // Lines 42-43.
      next = { ...next, validValue: v, validRound: state.round };
      return { state: next, outputs };
    }

    case 'polkaNil':
      // Lines 44-46.
      if (input.round !== state.round || state.step !== 'prevote') return NO_CHANGE(state);
      return precommit(state, null);

    case 'precommitAny':
      // Lines 47-48 (in any step), for the first time in this round.
      if (input.round !== state.round || state.precommitTimeoutScheduled || state.step === 'unstarted') {
        return NO_CHANGE(state);
      }
      return {
        state: { ...state, precommitTimeoutScheduled: true },
        outputs: [{ kind: 'scheduleTimeout', step: 'precommit', round: state.round }],
      };

    case 'precommitValue':
      // Lines 49-51, for any round r; line 50: only a valid value is decided.
      if (!input.valid) return NO_CHANGE(state);
      return {
        state: { ...state, step: 'commit', decision: { value: input.value, round: input.round } },
        outputs: [{ kind: 'decide', round: input.round, value: input.value }],
      };

    case 'skipRound':
      // Lines 55-56.
      if (input.round <= state.round) return NO_CHANGE(state);
      return startRound(state, input.round, ctx);

    case 'timeoutPropose':
      // Lines 57-60.
      if (input.round !== state.round || state.step !== 'propose') return NO_CHANGE(state);
      return prevote(state, null);

    case 'timeoutPrevote':
      // Lines 61-64.
      if (input.round !== state.round || state.step !== 'prevote') return NO_CHANGE(state);
      return precommit(state, null);

    case 'timeoutPrecommit':
      // Lines 65-67.
      if (input.round !== state.round || state.step === 'unstarted') return NO_CHANGE(state);
      return startRound(state, state.round + 1, ctx);
  }
}
