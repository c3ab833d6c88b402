/** x/auth wiring. Accounts are touched by the ante handler; auth has no messages of its own here. */
import type { AppModule, Invariant } from '../../types/module.js';
import { defaultAuthGenesisJson, exportAuthGenesis, initAuthGenesis, parseAuthGenesis } from './genesis.js';
import type { AuthKeeper } from './keeper.js';
import { FeeCollectorName, ModuleName } from './keys.js';
import { authQueryHandlers } from './queryServer.js';

export function authModule(k: AuthKeeper): AppModule {
  const accountNumbers: Invariant = {
    name: 'auth/account-numbers',
    check(ctx) {
      const global = k.globalAccountNumber(ctx);
      const seen = new Set<bigint>();
      for (const a of k.iterateAccounts(ctx)) {
        if (a.accountNumber >= global) return `account number ${a.accountNumber} >= next number ${global}`;
        if (seen.has(a.accountNumber)) return `account number ${a.accountNumber} used twice`;
        seen.add(a.accountNumber);
      }
      return undefined;
    },
  };
  return {
    name: ModuleName,
    queryHandlers: authQueryHandlers(k),
    defaultGenesis: defaultAuthGenesisJson,
    validateGenesis: (g) => void parseAuthGenesis(g),
    initGenesis(ctx, g) {
      initAuthGenesis(ctx, k, parseAuthGenesis(g));
      k.getModuleAccount(ctx, FeeCollectorName);
      return undefined;
    },
    exportGenesis: (ctx) => exportAuthGenesis(ctx, k),
    invariants: [accountNumbers],
  };
}
