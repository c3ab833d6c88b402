/** What x/mint needs of x/staking and x/bank. */
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';

export interface MintStakingKeeper {
  stakingTokenSupply(ctx: Context): bigint;
  /** Bonded tokens / supply, LegacyDec atomics. */
  bondedRatio(ctx: Context): bigint;
}

export interface MintBankKeeper {
  mintCoins(ctx: Context, module: string, coins: Coins): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: Coins): void;
}
