/** x/market wiring: end block expires open bids and orders. */
import type { Context } from '../../types/context.js';
import type { AppModule } from '../../types/module.js';
import {
  defaultMarketGenesisJson,
  exportMarketGenesis,
  initMarketGenesis,
  parseMarketGenesis,
} from './genesis.js';
import { marketInvariants } from './invariants.js';
import type { MarketKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { marketMsgHandlers } from './msgServer.js';
import { marketQueryHandlers } from './queryServer.js';

export function marketModule(
  k: MarketKeeper,
  bank: { getAllBalances(ctx: Context, addr: Uint8Array): readonly { denom: string; amount: bigint }[] },
  moduleAddress: (name: string) => Uint8Array,
): AppModule {
  return {
    name: ModuleName,
    msgHandlers: marketMsgHandlers(k),
    queryHandlers: marketQueryHandlers(k),
    defaultGenesis: defaultMarketGenesisJson,
    validateGenesis: (g) => void parseMarketGenesis(g),
    initGenesis(ctx, g) {
      initMarketGenesis(ctx, k, parseMarketGenesis(g));
      return undefined;
    },
    exportGenesis: (ctx) => exportMarketGenesis(ctx, k),
    endBlock(ctx) {
      k.endBlock(ctx);
      return undefined;
    },
    invariants: marketInvariants(k, bank, moduleAddress),
  };
}
