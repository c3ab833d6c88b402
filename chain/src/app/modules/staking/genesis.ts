/**
 * x/staking genesis (`app_state.staking`). A new chain starts from params alone: its validators
 * come from genesis transactions (x/genutil). Exported state lists validators, delegations,
 * unbonding delegations and redelegations for inspection; importing a non-empty one (a chain
 * restart from an export) is refused with a clear error until state-import is implemented.
 */
import { bondStatusToJSON } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import { addressToBech32, VALOPER_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { formatDec } from '../../types/decimal.js';
import { formatTimestampJson } from '../../types/duration.js';
import { arr, GenesisError, obj } from '../../types/json.js';
import type { StakingKeeper } from './keeper.js';
import { BondedPoolName, NotBondedPoolName } from './keys.js';
import {
  defaultStakingParams,
  type StakingParams,
  stakingParamsFromJson,
  stakingParamsToJson,
} from './params.js';
import { delegationToProto, redToProto, ubdToProto, type Validator } from './types.js';

function validatorToJson(v: Validator) {
  return {
    operator_address: addressToBech32(v.operator, VALOPER_PREFIX),
    consensus_pubkey: {
      '@type': '/cosmos.crypto.ed25519.PubKey',
      key: Buffer.from(v.consPubKey).toString('base64'),
    },
    jailed: v.jailed,
    status: bondStatusToJSON(v.status),
    tokens: v.tokens.toString(),
    delegator_shares: formatDec(v.delegatorShares),
    description: {
      moniker: v.description.moniker,
      identity: v.description.identity,
      website: v.description.website,
      security_contact: v.description.securityContact,
      details: v.description.details,
    },
    unbonding_height: v.unbondingHeight.toString(),
    unbonding_time: formatTimestampJson(v.unbondingTimeNs),
    commission: {
      commission_rates: {
        rate: formatDec(v.commission.rate),
        max_rate: formatDec(v.commission.maxRate),
        max_change_rate: formatDec(v.commission.maxChangeRate),
      },
      update_time: formatTimestampJson(v.commission.updateTimeNs),
    },
    min_self_delegation: v.minSelfDelegation.toString(),
  };
}

export interface StakingGenesis {
  params: StakingParams;
}

export const defaultStakingGenesisJson = () => ({
  params: stakingParamsToJson(defaultStakingParams()),
  last_total_power: '0',
  last_validator_powers: [],
  validators: [],
  delegations: [],
  unbonding_delegations: [],
  redelegations: [],
  exported: false,
});

export function parseStakingGenesis(v: unknown): StakingGenesis {
  const o = obj(v, 'staking');
  const params = stakingParamsFromJson(o.params ?? {}, 'staking.params');
  for (const field of [
    'last_validator_powers',
    'validators',
    'delegations',
    'unbonding_delegations',
    'redelegations',
  ]) {
    if (arr(o[field], `staking.${field}`, true).length > 0)
      throw new GenesisError(
        `staking.${field}`,
        'importing staking state is not supported: genesis validators come from gen_txs (hearth genesis gentx)',
      );
  }
  return { params };
}

export function initStakingGenesis(ctx: Context, k: StakingKeeper, g: StakingGenesis): void {
  k.setParams(ctx, g.params);
  k.setLastTotalPower(ctx, 0n);
  // Create the pool accounts now so that their account numbers do not depend on tx order.
  k.ak.getModuleAccount(ctx, BondedPoolName);
  k.ak.getModuleAccount(ctx, NotBondedPoolName);
}

export function exportStakingGenesis(ctx: Context, k: StakingKeeper) {
  return {
    params: stakingParamsToJson(k.getParams(ctx)),
    last_total_power: k.getLastTotalPower(ctx).toString(),
    last_validator_powers: [...k.iterateLastValidatorPowers(ctx)].map((p) => ({
      address: addressToBech32(p.operator, VALOPER_PREFIX),
      power: p.power.toString(),
    })),
    validators: [...k.iterateValidators(ctx)].map((v) => validatorToJson(v)),
    delegations: [...k.iterateAllDelegations(ctx)].map((d) => {
      const p = delegationToProto(d);
      return {
        delegator_address: p.delegatorAddress,
        validator_address: p.validatorAddress,
        shares: formatDec(d.shares),
      };
    }),
    unbonding_delegations: [...k.iterateAllUnbondingDelegations(ctx)].map((u) => {
      const p = ubdToProto(u);
      return {
        delegator_address: p.delegatorAddress,
        validator_address: p.validatorAddress,
        entries: u.entries.map((e) => ({
          creation_height: e.creationHeight.toString(),
          completion_time: formatTimestampJson(e.completionTimeNs),
          initial_balance: e.initialBalance.toString(),
          balance: e.balance.toString(),
        })),
      };
    }),
    redelegations: [...k.iterateAllRedelegations(ctx)].map((r) => {
      const p = redToProto(r);
      return {
        delegator_address: p.delegatorAddress,
        validator_src_address: p.validatorSrcAddress,
        validator_dst_address: p.validatorDstAddress,
        entries: r.entries.map((e) => ({
          creation_height: e.creationHeight.toString(),
          completion_time: formatTimestampJson(e.completionTimeNs),
          initial_balance: e.initialBalance.toString(),
          shares_dst: formatDec(e.sharesDst),
        })),
      };
    }),
    exported: true,
  };
}
