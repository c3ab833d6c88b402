/**
 * x/distribution wiring. Its BeginBlock needs the request's `decided_last_commit` votes, which
 * a plain `beginBlock(ctx)` does not carry: the app calls `distributionBeginBlock(k)(ctx, votes)`
 * (see `beginBlockWithVotes`) instead of the AppModule hook, right after mint's BeginBlock.
 */
import type { VoteInfo } from 'cosmjs-types/tendermint/abci/types';
import type { Context } from '../../types/context.js';
import type { AppModule } from '../../types/module.js';
import {
  defaultDistrGenesisJson,
  exportDistrGenesis,
  initDistrGenesis,
  parseDistrGenesis,
} from './genesis.js';
import { distributionInvariants } from './invariants.js';
import type { DistributionKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { distributionMsgHandlers } from './msgServer.js';
import { distributionQueryHandlers } from './queryServer.js';

export function distributionModule(k: DistributionKeeper): AppModule & {
  beginBlockWithVotes(ctx: Context, votes: readonly VoteInfo[]): void;
} {
  return {
    name: ModuleName,
    msgHandlers: distributionMsgHandlers(k),
    queryHandlers: distributionQueryHandlers(k),
    defaultGenesis: defaultDistrGenesisJson,
    validateGenesis: (g) => void parseDistrGenesis(g),
    initGenesis(ctx, g) {
      initDistrGenesis(ctx, k, parseDistrGenesis(g));
      return undefined;
    },
    exportGenesis: (ctx) => exportDistrGenesis(ctx, k),
    beginBlockWithVotes: (ctx, votes) => k.beginBlock(ctx, votes),
    invariants: distributionInvariants(k),
  };
}
