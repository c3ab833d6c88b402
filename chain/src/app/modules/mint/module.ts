/** x/mint wiring: BeginBlock mints one block's provision into the fee collector. */
import type { AppModule } from '../../types/module.js';
import { defaultMintGenesisJson, exportMintGenesis, initMintGenesis, parseMintGenesis } from './genesis.js';
import type { MintKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { mintQueryHandlers } from './queryServer.js';

/** `getModuleAccount` creates the `mint` module account at genesis. */
export function mintModule(
  k: MintKeeper,
  ak: { getModuleAccount(ctx: Parameters<AppModule['initGenesis']>[0], name: string): unknown },
): AppModule {
  return {
    name: ModuleName,
    queryHandlers: mintQueryHandlers(k),
    defaultGenesis: defaultMintGenesisJson,
    validateGenesis: (g) => void parseMintGenesis(g),
    initGenesis(ctx, g) {
      initMintGenesis(ctx, k, parseMintGenesis(g), () => ak.getModuleAccount(ctx, ModuleName));
      return undefined;
    },
    exportGenesis: (ctx) => exportMintGenesis(ctx, k),
    beginBlock: (ctx) => void k.beginBlock(ctx),
  };
}
