/** x/provider wiring: end block pays matured unbondings and penalises providers at fault. */
import type { Context } from '../../types/context.js';
import type { AppModule } from '../../types/module.js';
import {
  defaultProviderGenesisJson,
  exportProviderGenesis,
  initProviderGenesis,
  parseProviderGenesis,
} from './genesis.js';
import { providerInvariants } from './invariants.js';
import type { ProviderKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { providerMsgHandlers } from './msgServer.js';
import { providerQueryHandlers } from './queryServer.js';

export function providerModule(
  k: ProviderKeeper,
  bank: { getAllBalances(ctx: Context, addr: Uint8Array): readonly { denom: string; amount: bigint }[] },
  moduleAddress: (name: string) => Uint8Array,
): AppModule {
  return {
    name: ModuleName,
    msgHandlers: providerMsgHandlers(k),
    queryHandlers: providerQueryHandlers(k),
    defaultGenesis: defaultProviderGenesisJson,
    validateGenesis: (g) => void parseProviderGenesis(g),
    initGenesis(ctx, g) {
      initProviderGenesis(ctx, k, parseProviderGenesis(g));
      return undefined;
    },
    exportGenesis: (ctx) => exportProviderGenesis(ctx, k),
    endBlock(ctx) {
      k.endBlock(ctx);
      return undefined;
    },
    invariants: providerInvariants(k, bank, moduleAddress),
  };
}
