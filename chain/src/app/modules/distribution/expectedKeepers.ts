/** What x/distribution needs of x/auth, x/bank and x/staking. */
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import type { Delegation, Validator } from '../staking/types.js';

export interface DistrAccountKeeper {
  moduleAddress(name: string): Uint8Array;
  getModuleAccount(ctx: Context, name: string): unknown;
  isModuleAddress(addr: Uint8Array): boolean;
}

export interface DistrBankKeeper {
  getAllBalances(ctx: Context, addr: Uint8Array): Coins;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: Coins): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void;
}

export interface DistrStakingKeeper {
  getValidator(ctx: Context, val: Uint8Array): Validator | undefined;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  getDelegation(ctx: Context, del: Uint8Array, val: Uint8Array): Delegation | undefined;
  delegatorDelegations(ctx: Context, del: Uint8Array): Iterable<Delegation>;
  iterateValidators(ctx: Context): Iterable<Validator>;
  iterateAllDelegations(ctx: Context): Iterable<Delegation>;
}
