/** What x/escrow needs of other modules. */
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';

export interface EscrowBankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void;
  sendCoinsFromModuleToModule(ctx: Context, from: string, to: string, coins: Coins): void;
}

export interface EscrowAccountKeeper {
  moduleAddress(name: string): Uint8Array;
}

/** x/distribution: the take rate goes to the community pool, paid from `from`'s balance. */
export interface DistributionKeeper {
  fundCommunityPool(ctx: Context, coins: Coins, from: Uint8Array): void;
}

/** Called by escrow when a deployment's account changes state (implemented by x/market). */
export interface EscrowHooks {
  /** The account ran out of funds: its payments stopped. */
  onAccountOverdrawn(ctx: Context, owner: Uint8Array, dseq: bigint): void;
  /** A deposit paid every debt of an overdrawn account: it is open again. */
  onAccountRefilled(ctx: Context, owner: Uint8Array, dseq: bigint): void;
}
