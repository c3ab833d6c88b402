/**
 * x/genutil wiring. Place it LAST in the genesis order (after auth, bank, staking, mint,
 * distribution, slashing): its initGenesis delivers the gentxs with `deliver` and returns the
 * resulting validator set, which the app passes back from InitChain.
 */
import type { ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import type { Context } from '../../types/context.js';
import type { AppModule } from '../../types/module.js';
import { type DeliverGenTx, deliverGenTxs, ModuleName, parseGenTxs } from './genesis.js';

export function genutilModule(
  staking: { applyAndReturnValidatorSetUpdates(ctx: Context): ValidatorUpdate[] },
  deliver: DeliverGenTx,
): AppModule {
  return {
    name: ModuleName,
    defaultGenesis: () => ({ gen_txs: [] }),
    validateGenesis: (g) => void parseGenTxs(g),
    initGenesis(ctx, g) {
      const txs = parseGenTxs(g);
      if (txs.length === 0) return undefined;
      return deliverGenTxs(ctx, txs, deliver, (c) => staking.applyAndReturnValidatorSetUpdates(c));
    },
    // Gentxs have done their work once the chain runs; an export restarts without them.
    exportGenesis: () => ({ gen_txs: [] }),
  };
}
