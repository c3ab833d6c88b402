/**
 * App wiring for the proof-of-stake modules in one place (app.ts belongs to the app owner; this
 * is what it calls). `createDpos` builds the keepers, connects staking's hooks (distribution
 * first, then slashing, as the SDK's simapp does) and returns the AppModules plus a single
 * `beginBlock` that runs the block-start hooks in the SDK's order with the FinalizeBlock
 * request's votes and misbehavior: mint, distribution, slashing (liveness, then evidence),
 * staking (historical info). The returned modules carry no `beginBlock` of their own, so the
 * app's generic loop does not run them twice; staking keeps its `endBlock`.
 */
import type { Misbehavior, ValidatorUpdate, VoteInfo } from 'cosmjs-types/tendermint/abci/types';
import type { ConsensusParams } from 'cosmjs-types/tendermint/types/params';
import type { Context } from '../../types/context.js';
import { durationToNs } from '../../types/duration.js';
import type { AppModule } from '../../types/module.js';
import type { AuthKeeper } from '../auth/keeper.js';
import { Burner, Minter, Staking } from '../auth/keys.js';
import type { BankKeeper } from '../bank/keeper.js';
import { DistributionKeeper } from '../distribution/keeper.js';
import { ModuleName as DistrModuleName, StoreKey as DistrStoreKey } from '../distribution/keys.js';
import { distributionModule } from '../distribution/module.js';
import { defaultDistrParams, distrParamsToJson } from '../distribution/params.js';
import type { DeliverGenTx } from '../genutil/genesis.js';
import { genutilModule } from '../genutil/module.js';
import { MintKeeper } from '../mint/keeper.js';
import { ModuleName as MintModuleName, StoreKey as MintStoreKey } from '../mint/keys.js';
import { mintModule } from '../mint/module.js';
import { localnetMintParams, mintParamsToJson } from '../mint/params.js';
import { DEFAULT_EVIDENCE_PARAMS, type EvidenceParams, SlashingKeeper } from '../slashing/keeper.js';
import { StoreKey as SlashingStoreKey } from '../slashing/keys.js';
import { slashingModule } from '../slashing/module.js';
import { localnetSlashingParams, slashingParamsToJson } from '../slashing/params.js';
import { StakingKeeper } from './keeper.js';
import { BondedPoolName, NotBondedPoolName, StoreKey as StakingStoreKey } from './keys.js';
import { stakingModule } from './module.js';
import { localnetStakingParams, stakingParamsToJson } from './params.js';

/** Store names to add to the app's multistore. */
export const DPOS_STORE_KEYS = [StakingStoreKey, DistrStoreKey, MintStoreKey, SlashingStoreKey] as const;

/** Module accounts to add to AuthKeeper's permission table (besides fee_collector: []). */
export const DPOS_MODULE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  [BondedPoolName]: [Burner, Staking],
  [NotBondedPoolName]: [Burner, Staking],
  [DistrModuleName]: [],
  [MintModuleName]: [Minter],
};

/** Evidence age limits from the chain's consensus params (CometBFT defaults when absent). */
export function evidenceParamsFrom(cp: ConsensusParams | undefined): EvidenceParams {
  const e = cp?.evidence;
  if (!e) return DEFAULT_EVIDENCE_PARAMS;
  return { maxAgeNumBlocks: e.maxAgeNumBlocks, maxAgeDurationNs: durationToNs(e.maxAgeDuration) };
}

export interface Dpos {
  staking: StakingKeeper;
  distribution: DistributionKeeper;
  slashing: SlashingKeeper;
  mint: MintKeeper;
  /**
   * In genesis order; register them after auth and bank. genutil is last: it delivers the
   * gentxs once every other module has its params, and returns the genesis validator set.
   */
  modules: AppModule[];
  /** Block-start hooks, called once per FinalizeBlock before the transactions. */
  beginBlock(
    ctx: Context,
    votes: readonly VoteInfo[],
    misbehavior: readonly Misbehavior[],
    evidence?: EvidenceParams,
  ): void;
  /** Staking's end block (also reachable through the staking AppModule's `endBlock`). */
  endBlock(ctx: Context): ValidatorUpdate[];
}

export function createDpos(auth: AuthKeeper, bank: BankKeeper, deliverGenTx: DeliverGenTx): Dpos {
  const staking = new StakingKeeper(auth, bank);
  const distribution = new DistributionKeeper(auth, bank, staking);
  const slashing = new SlashingKeeper(staking);
  const mint = new MintKeeper(staking, bank);
  staking.setHooks(distribution.hooks(), slashing.hooks());
  const dm = distributionModule(distribution);
  const sm = slashingModule(slashing);
  const { beginBlock: _mintBegin, ...mm } = mintModule(mint, auth);
  const { beginBlock: _stakingBegin, ...stm } = stakingModule(staking);
  const gm = genutilModule(staking, deliverGenTx);
  return {
    staking,
    distribution,
    slashing,
    mint,
    modules: [dm, stm, sm, mm, gm],
    beginBlock(ctx, votes, misbehavior, evidence = DEFAULT_EVIDENCE_PARAMS) {
      mint.beginBlock(ctx);
      distribution.beginBlock(ctx, votes);
      slashing.beginBlock(ctx, votes, misbehavior, evidence);
      staking.trackHistoricalInfo(ctx);
    },
    endBlock: (ctx) => staking.endBlock(ctx),
  };
}

/**
 * `app_state` sections for the localnet: 20-second unbonding, a 20-block liveness window with
 * 10 seconds of jail, 1-second blocks for inflation; everything else as on a public network.
 */
export function localnetDposAppState() {
  return {
    staking: { params: stakingParamsToJson(localnetStakingParams()) },
    mint: { params: mintParamsToJson(localnetMintParams()) },
    distribution: { params: distrParamsToJson(defaultDistrParams()) },
    slashing: { params: slashingParamsToJson(localnetSlashingParams()) },
  };
}
