/** x/bank wiring. */
import type { AppModule } from '../../types/module.js';
import { defaultBankGenesisJson, exportBankGenesis, initBankGenesis, parseBankGenesis } from './genesis.js';
import { bankInvariants } from './invariants.js';
import type { BankKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { bankMsgHandlers } from './msgServer.js';
import { bankQueryHandlers } from './queryServer.js';

export function bankModule(k: BankKeeper): AppModule {
  return {
    name: ModuleName,
    msgHandlers: bankMsgHandlers(k),
    queryHandlers: bankQueryHandlers(k),
    defaultGenesis: defaultBankGenesisJson,
    validateGenesis: (g) => void parseBankGenesis(g),
    initGenesis(ctx, g) {
      initBankGenesis(ctx, k, parseBankGenesis(g));
      return undefined;
    },
    exportGenesis: (ctx) => exportBankGenesis(ctx, k),
    invariants: bankInvariants(k),
  };
}
