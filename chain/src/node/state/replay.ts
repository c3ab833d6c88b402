/**
 * What the start-up handshake must replay (CometBFT v0.38 consensus/replay.go
 * ReplayBlocksWithContext), as a pure decision over four heights: where the app is (from
 * Info), the block store's base and height, and the saved state's last block height.
 *
 * The node crashes at one of these points, so store height is state height or one more:
 * - the app is at 0: call InitChain first (then continue as below);
 * - store == state: replay blocks app+1..store against the app only (the state has them);
 * - store == state+1: the last block was stored but the state not updated. Blocks up to
 *   store-1 go to the app only; the last one is applied with state update, either executed by
 *   the real app (the app has not committed it) or, when the app already committed it, from
 *   the FinalizeBlock response saved in the state store (no second execution).
 */

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

export interface ReplayInput {
  appHeight: bigint;
  storeBase: bigint;
  storeHeight: bigint;
  stateHeight: bigint;
  initialHeight: bigint;
}

export interface ReplayPlan {
  /** The app has no state yet: send InitChain before anything else. */
  initChain: boolean;
  /** Execute and commit these blocks on the app without touching the node's state. */
  appOnly?: { from: bigint; to: bigint };
  /** Apply this block and update the node's state: with the real app, or from the stored response. */
  finalBlock?: { height: bigint; source: 'app' | 'storedResponse' };
  /** Nothing to replay: the app hash from Info must equal the state's. */
  checkAppHash: boolean;
}

export function planReplay(i: ReplayInput): ReplayPlan {
  const { appHeight: app, storeBase: base, storeHeight: store, stateHeight: state, initialHeight } = i;
  for (const [k, v] of Object.entries(i)) {
    if (typeof v !== 'bigint' || v < 0n)
      throw new ReplayError(`${k} must be a non-negative bigint, got ${String(v)}`);
  }
  const initChain = app === 0n;
  if (store === 0n) return { initChain, checkAppHash: !initChain };
  if (app === 0n && initialHeight < base) {
    throw new ReplayError(
      `app block height (${app}) is too low: the block store starts at ${base}, cannot replay from genesis`,
    );
  }
  if (app > 0n && app < base - 1n) {
    throw new ReplayError(`app block height (${app}) is too low: the block store starts at ${base}`);
  }
  if (store < app) {
    throw new ReplayError(`app block height (${app}) is higher than the block store's (${store})`);
  }
  if (store < state) throw new ReplayError(`StateBlockHeight (${state}) > StoreBlockHeight (${store})`);
  if (store > state + 1n)
    throw new ReplayError(`StoreBlockHeight (${store}) > StateBlockHeight + 1 (${state + 1n})`);

  const first = app === 0n ? initialHeight : app + 1n;
  if (store === state) {
    if (app === store) return { initChain, checkAppHash: true };
    return { initChain, appOnly: { from: first, to: store }, checkAppHash: false };
  }
  // store === state + 1
  if (app === store)
    return { initChain, finalBlock: { height: store, source: 'storedResponse' }, checkAppHash: false };
  const plan: ReplayPlan = { initChain, finalBlock: { height: store, source: 'app' }, checkAppHash: false };
  if (first < store) plan.appOnly = { from: first, to: store - 1n };
  return plan;
}
