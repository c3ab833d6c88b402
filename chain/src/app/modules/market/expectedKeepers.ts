/** What x/market needs of other modules. */

import type { escrowV1 } from '@hearth/sdk';
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import type { DecAmount } from '../../types/decCoin.js';

export type { MarketProviderKeeper } from '../provider/keeper.js';

export interface MarketBankKeeper {
  sendCoinsFromAccountToModule(ctx: Context, from: Uint8Array, module: string, coins: Coins): void;
  sendCoinsFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, coins: Coins): void;
}

export interface PaymentRef {
  owner: Uint8Array;
  dseq: bigint;
  gseq: number;
  oseq: number;
  provider: Uint8Array;
}

export interface MarketEscrowKeeper {
  getAccount(ctx: Context, owner: Uint8Array, dseq: bigint): escrowV1.Account | undefined;
  settle(ctx: Context, owner: Uint8Array, dseq: bigint): void;
  createAccount(ctx: Context, owner: Uint8Array, dseq: bigint, denom: string, deposit: bigint): unknown;
  openPayment(ctx: Context, id: PaymentRef, rate: DecAmount): void;
  closePayment(ctx: Context, id: PaymentRef): void;
  closeAccount(ctx: Context, owner: Uint8Array, dseq: bigint): void;
}
