import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planReplay, ReplayError } from './replay.js';

const input = (
  appHeight: bigint,
  storeHeight: bigint,
  stateHeight: bigint,
  storeBase = 1n,
  initialHeight = 1n,
) => ({
  appHeight,
  storeBase: storeHeight === 0n ? 0n : storeBase,
  storeHeight,
  stateHeight,
  initialHeight,
});

describe('planReplay (consensus/replay.go ReplayBlocks cases)', () => {
  it('fresh chain: InitChain, nothing to replay', () => {
    expect(planReplay(input(0n, 0n, 0n))).toEqual({ initChain: true, checkAppHash: false });
  });
  it('all synced: only the app hash check', () => {
    expect(planReplay(input(7n, 7n, 7n))).toEqual({ initChain: false, checkAppHash: true });
  });
  it('store == state, app behind: app-only replay', () => {
    expect(planReplay(input(3n, 7n, 7n))).toEqual({
      initChain: false,
      appOnly: { from: 4n, to: 7n },
      checkAppHash: false,
    });
    // An app that lost everything starts again from InitChain and the initial height.
    expect(planReplay(input(0n, 7n, 7n, 1n, 1n))).toEqual({
      initChain: true,
      appOnly: { from: 1n, to: 7n },
      checkAppHash: false,
    });
  });
  it('store == state + 1: the last block updates the state', () => {
    expect(planReplay(input(6n, 7n, 6n))).toEqual({
      initChain: false,
      finalBlock: { height: 7n, source: 'app' },
      checkAppHash: false,
    });
    expect(planReplay(input(7n, 7n, 6n))).toEqual({
      initChain: false,
      finalBlock: { height: 7n, source: 'storedResponse' },
      checkAppHash: false,
    });
    expect(planReplay(input(2n, 7n, 6n))).toEqual({
      initChain: false,
      appOnly: { from: 3n, to: 6n },
      finalBlock: { height: 7n, source: 'app' },
      checkAppHash: false,
    });
  });
  it('initial height above 1', () => {
    expect(planReplay(input(0n, 1001n, 1000n, 1000n, 1000n))).toEqual({
      initChain: true,
      appOnly: { from: 1000n, to: 1000n },
      finalBlock: { height: 1001n, source: 'app' },
      checkAppHash: false,
    });
  });
  it.each([
    ['app ahead of store', input(8n, 7n, 7n), /higher than the block store/],
    ['state ahead of store', input(5n, 5n, 6n), /StateBlockHeight \(6\) > StoreBlockHeight \(5\)/],
    ['store two ahead of state', input(5n, 8n, 6n), /StoreBlockHeight \(8\) > StateBlockHeight \+ 1 \(7\)/],
    ['app below a pruned store', input(3n, 20n, 20n, 10n), /too low/],
    ['empty app, pruned store', input(0n, 20n, 20n, 10n), /cannot replay from genesis/],
    ['negative', input(-1n, 2n, 2n), /non-negative/],
  ])('refuses %s', (_name, i, message) => {
    expect(() => planReplay(i)).toThrow(ReplayError);
    expect(() => planReplay(i)).toThrow(message);
  });
  it('every accepted plan brings the app to the store height exactly once per block', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 30n), fc.bigInt(0n, 30n), fc.bigInt(0n, 1n), (app, state, ahead) => {
        const store = state + ahead;
        let plan: ReturnType<typeof planReplay>;
        try {
          plan = planReplay(input(app, store, state));
        } catch (e) {
          expect(e).toBeInstanceOf(ReplayError);
          expect(app > store || (store === 0n && state > 0n)).toBe(true);
          return;
        }
        const executed: bigint[] = [];
        if (plan.appOnly) for (let h = plan.appOnly.from; h <= plan.appOnly.to; h++) executed.push(h);
        if (plan.finalBlock?.source === 'app') executed.push(plan.finalBlock.height);
        const expected: bigint[] = [];
        for (let h = app + 1n; h <= store; h++) expected.push(h);
        expect(executed).toEqual(expected);
        // The state ends at the store height.
        expect(plan.finalBlock === undefined ? state : plan.finalBlock.height).toBe(store);
      }),
    );
  });
});
