/**
 * x/staking wiring. BeginBlock records historical info; EndBlock recomputes the bonded set
 * (returned to consensus as ValidatorUpdates) and matures the unbonding queues.
 */
import type { AppModule } from '../../types/module.js';
import {
  defaultStakingGenesisJson,
  exportStakingGenesis,
  initStakingGenesis,
  parseStakingGenesis,
} from './genesis.js';
import { stakingInvariants } from './invariants.js';
import type { StakingKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { stakingMsgHandlers } from './msgServer.js';
import { stakingQueryHandlers } from './queryServer.js';

export function stakingModule(k: StakingKeeper): AppModule {
  return {
    name: ModuleName,
    msgHandlers: stakingMsgHandlers(k),
    queryHandlers: stakingQueryHandlers(k),
    defaultGenesis: defaultStakingGenesisJson,
    validateGenesis: (g) => void parseStakingGenesis(g),
    initGenesis: (ctx, g) => initStakingGenesis(ctx, k, parseStakingGenesis(g)),
    exportGenesis: (ctx) => exportStakingGenesis(ctx, k),
    beginBlock: (ctx) => k.trackHistoricalInfo(ctx),
    endBlock: (ctx) => k.endBlock(ctx),
    invariants: stakingInvariants(k),
  };
}
