/** x/escrow wiring: end-block settlement of accounts whose funds run out in the block. */
import type { AppModule } from '../../types/module.js';
import {
  defaultEscrowGenesisJson,
  exportEscrowGenesis,
  initEscrowGenesis,
  parseEscrowGenesis,
} from './genesis.js';
import { type BalanceReader, escrowInvariants } from './invariants.js';
import type { EscrowKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { escrowMsgHandlers } from './msgServer.js';
import { escrowQueryHandlers } from './queryServer.js';

export function escrowModule(
  k: EscrowKeeper,
  bank: BalanceReader,
  moduleAddress: (name: string) => Uint8Array,
): AppModule {
  return {
    name: ModuleName,
    msgHandlers: escrowMsgHandlers(k),
    queryHandlers: escrowQueryHandlers(k),
    defaultGenesis: defaultEscrowGenesisJson,
    validateGenesis: (g) => void parseEscrowGenesis(g),
    initGenesis(ctx, g) {
      initEscrowGenesis(ctx, k, parseEscrowGenesis(g));
      return undefined;
    },
    exportGenesis: (ctx) => exportEscrowGenesis(ctx, k),
    endBlock(ctx) {
      k.endBlock(ctx);
      return undefined;
    },
    invariants: escrowInvariants(k, bank, moduleAddress),
  };
}
