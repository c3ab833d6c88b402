/** What x/staking needs of x/auth and x/bank, and the hooks other modules plug in. */
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import type { Account } from '../auth/keeper.js';

export interface StakingAccountKeeper {
  getModuleAccount(ctx: Context, name: string): Account;
  moduleAddress(name: string): Uint8Array;
}

export interface StakingBankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: Coins): void;
  burnCoins(ctx: Context, module: string, coins: Coins): void;
  getSupply(ctx: Context, denom: string): bigint;
}

/**
 * x/staking's hooks (`types.StakingHooks`): distribution and slashing keep their records in
 * step with validators and delegations through these. Every method is optional.
 */
export interface StakingHooks {
  afterValidatorCreated?(ctx: Context, val: Uint8Array): void;
  beforeValidatorModified?(ctx: Context, val: Uint8Array): void;
  afterValidatorRemoved?(ctx: Context, cons: Uint8Array, val: Uint8Array): void;
  afterValidatorBonded?(ctx: Context, cons: Uint8Array, val: Uint8Array): void;
  afterValidatorBeginUnbonding?(ctx: Context, cons: Uint8Array, val: Uint8Array): void;
  beforeDelegationCreated?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  beforeDelegationSharesModified?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  beforeDelegationRemoved?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  afterDelegationModified?(ctx: Context, del: Uint8Array, val: Uint8Array): void;
  /** `fraction` is the share of the validator's tokens actually burned (LegacyDec atomics). */
  beforeValidatorSlashed?(ctx: Context, val: Uint8Array, fraction: bigint): void;
}
