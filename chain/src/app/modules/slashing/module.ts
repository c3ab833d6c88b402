/**
 * x/slashing wiring. Its BeginBlock needs the FinalizeBlock request's `decided_last_commit`
 * votes and `misbehavior`: the app calls `beginBlockWithVotes(ctx, votes, misbehavior,
 * evidenceParams)` after distribution's and before staking's BeginBlock.
 */
import type { Misbehavior, VoteInfo } from 'cosmjs-types/tendermint/abci/types';
import type { Context } from '../../types/context.js';
import type { AppModule, Invariant } from '../../types/module.js';
import {
  defaultSlashingGenesisJson,
  exportSlashingGenesis,
  initSlashingGenesis,
  parseSlashingGenesis,
} from './genesis.js';
import type { EvidenceParams, SlashingKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { slashingMsgHandlers } from './msgServer.js';
import { slashingQueryHandlers } from './queryServer.js';

export function slashingInvariants(k: SlashingKeeper): Invariant[] {
  return [
    {
      name: 'slashing/missed-counter',
      check(ctx) {
        const window = k.getParams(ctx).signedBlocksWindow;
        for (const i of k.iterateSigningInfos(ctx)) {
          if (i.missedBlocksCounter < 0n || i.missedBlocksCounter > window)
            return `missed blocks counter ${i.missedBlocksCounter} outside [0, ${window}]`;
          const counted = BigInt(k.missedIndexes(ctx, i.address).length);
          if (counted !== i.missedBlocksCounter)
            return `bitmap has ${counted} misses, counter says ${i.missedBlocksCounter}`;
        }
        return undefined;
      },
    },
  ];
}

export function slashingModule(k: SlashingKeeper): AppModule & {
  beginBlockWithVotes(
    ctx: Context,
    votes: readonly VoteInfo[],
    misbehavior: readonly Misbehavior[],
    evidence?: EvidenceParams,
  ): void;
} {
  return {
    name: ModuleName,
    msgHandlers: slashingMsgHandlers(k),
    queryHandlers: slashingQueryHandlers(k),
    defaultGenesis: defaultSlashingGenesisJson,
    validateGenesis: (g) => void parseSlashingGenesis(g),
    initGenesis(ctx, g) {
      initSlashingGenesis(ctx, k, parseSlashingGenesis(g));
      return undefined;
    },
    exportGenesis: (ctx) => exportSlashingGenesis(ctx, k),
    beginBlockWithVotes: (ctx, votes, misbehavior, evidence) =>
      k.beginBlock(ctx, votes, misbehavior, evidence),
    invariants: slashingInvariants(k),
  };
}
