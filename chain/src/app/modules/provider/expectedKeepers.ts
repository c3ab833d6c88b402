/** What x/provider needs of other modules. */
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';

export interface ProviderBankKeeper {
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void;
  getAllBalances(ctx: Context, addr: Uint8Array): Coins;
}

/** x/escrow: slashed bond goes into the affected deployments' escrow accounts. */
export interface ProviderEscrowKeeper {
  canReceive(ctx: Context, owner: Uint8Array, dseq: bigint, denom: string): boolean;
  depositFromModule(
    ctx: Context,
    fromModule: string,
    owner: Uint8Array,
    dseq: bigint,
    depositor: Uint8Array,
    amount: { denom: string; amount: bigint },
  ): void;
}

/** Implemented by x/market: close a provider's leases when it faults or retires. */
export interface ProviderHooks {
  /** Closes every active lease of the provider; returns the affected deployments, sorted. */
  closeProviderLeases(
    ctx: Context,
    provider: Uint8Array,
    reason: 'fault' | 'decommission',
  ): { owner: Uint8Array; dseq: bigint }[];
  /** Closes (and refunds) every open bid of the provider. */
  closeProviderBids(ctx: Context, provider: Uint8Array): void;
}
