/**
 * x/distribution genesis (`app_state.distribution`): params and the community pool. A new
 * chain has no validators at genesis time (they come from gen_txs), so per-validator records
 * are created by the staking hooks; importing non-empty per-validator state is refused.
 */
import type { Context } from '../../types/context.js';
import { arr, at, GenesisError, obj, str } from '../../types/json.js';
import { type DecCoins, decFromString, decToString } from '../../types/legacyDec.js';
import type { DistributionKeeper } from './keeper.js';
import { ModuleName } from './keys.js';
import { type DistrParams, defaultDistrParams, distrParamsFromJson, distrParamsToJson } from './params.js';

export interface DistrGenesis {
  params: DistrParams;
  communityPool: DecCoins;
}

export const defaultDistrGenesisJson = () => ({
  params: distrParamsToJson(defaultDistrParams()),
  fee_pool: { community_pool: [] },
  delegator_withdraw_infos: [],
  previous_proposer: '',
  outstanding_rewards: [],
  validator_accumulated_commissions: [],
  validator_historical_rewards: [],
  validator_current_rewards: [],
  delegator_starting_infos: [],
  validator_slash_events: [],
});

export function parseDistrGenesis(v: unknown): DistrGenesis {
  const o = obj(v, 'distribution');
  const params = distrParamsFromJson(o.params ?? {}, 'distribution.params');
  const pool = arr(
    obj(o.fee_pool ?? {}, 'distribution.fee_pool').community_pool,
    'distribution.fee_pool.community_pool',
    true,
  );
  const communityPool = pool.map((c, i) => {
    const path = `distribution.fee_pool.community_pool[${i}]`;
    const co = obj(c, path);
    const amount = at(`${path}.amount`, () => decFromString(str(co.amount, `${path}.amount`)));
    if (amount < 0n) throw new GenesisError(`${path}.amount`, 'must not be negative');
    return { denom: str(co.denom, `${path}.denom`), amount };
  });
  for (const field of [
    'delegator_withdraw_infos',
    'outstanding_rewards',
    'validator_accumulated_commissions',
    'validator_historical_rewards',
    'validator_current_rewards',
    'delegator_starting_infos',
    'validator_slash_events',
  ]) {
    if (arr(o[field], `distribution.${field}`, true).length > 0)
      throw new GenesisError(`distribution.${field}`, 'importing distribution state is not supported');
  }
  return { params, communityPool };
}

export function initDistrGenesis(ctx: Context, k: DistributionKeeper, g: DistrGenesis): void {
  k.setParams(ctx, g.params);
  k.setCommunityPool(ctx, g.communityPool);
  k.ak.getModuleAccount(ctx, ModuleName);
}

export function exportDistrGenesis(ctx: Context, k: DistributionKeeper) {
  return {
    ...defaultDistrGenesisJson(),
    params: distrParamsToJson(k.getParams(ctx)),
    fee_pool: {
      community_pool: k.getCommunityPool(ctx).map((c) => ({ denom: c.denom, amount: decToString(c.amount) })),
    },
  };
}
