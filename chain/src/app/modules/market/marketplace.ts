/**
 * One call that builds and wires the three marketplace modules (x/provider, x/market,
 * x/escrow) the way app.ts needs them: keepers constructed in dependency order, hooks set,
 * module accounts and store keys listed, end blockers in the order they must run.
 */
import type { Coins } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import type { AppModule } from '../../types/module.js';
import type { DistributionKeeper, EscrowBankKeeper } from '../escrow/expectedKeepers.js';
import { EscrowKeeper } from '../escrow/keeper.js';
import { ModuleName as EscrowModuleName, StoreKey as EscrowStoreKey } from '../escrow/keys.js';
import { escrowModule } from '../escrow/module.js';
import { ProviderKeeper } from '../provider/keeper.js';
import { BondPoolName, StoreKey as ProviderStoreKey } from '../provider/keys.js';
import { providerModule } from '../provider/module.js';
import { MarketKeeper } from './keeper.js';
import { ModuleName as MarketModuleName, StoreKey as MarketStoreKey } from './keys.js';
import { marketModule } from './module.js';

/** Store keys to add to APP_STORE_NAMES. */
export const MARKETPLACE_STORE_KEYS = [ProviderStoreKey, MarketStoreKey, EscrowStoreKey] as const;

/** Module accounts to add to AuthKeeper's permission table: none of them mints or burns. */
export const MARKETPLACE_MODULE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  [EscrowModuleName]: [],
  [MarketModuleName]: [],
  [BondPoolName]: [],
};

export interface MarketplaceBank extends EscrowBankKeeper {
  getAllBalances(ctx: Context, addr: Uint8Array): Coins;
}

export interface Marketplace {
  provider: ProviderKeeper;
  market: MarketKeeper;
  escrow: EscrowKeeper;
  /** In genesis order: provider, market, escrow. */
  modules: [AppModule, AppModule, AppModule];
  /** End blockers must run escrow → provider → market (settle, then faults, then expiries). */
  endBlockOrder: readonly string[];
}

export function createMarketplace(opts: {
  bank: MarketplaceBank;
  auth: { moduleAddress(name: string): Uint8Array };
  distribution: DistributionKeeper;
  /** The governance module account, the only signer of MsgUpdateParams. */
  authority: Uint8Array;
}): Marketplace {
  const { bank, auth, distribution, authority } = opts;
  const escrow = new EscrowKeeper(bank, auth, distribution, authority);
  const provider = new ProviderKeeper(bank, escrow, authority);
  const market = new MarketKeeper(bank, provider, escrow, authority);
  escrow.setHooks(market);
  provider.setHooks(market);
  const ma = (name: string) => auth.moduleAddress(name);
  return {
    provider,
    market,
    escrow,
    modules: [
      providerModule(provider, bank, ma),
      marketModule(market, bank, ma),
      escrowModule(escrow, bank, ma),
    ],
    endBlockOrder: [EscrowModuleName, 'provider', MarketModuleName],
  };
}
