/** `cosmos.distribution.v1beta1.Query` over ABCI; reward queries compute without writing. */

import { ValidatorSlashEvent } from 'cosmjs-types/cosmos/distribution/v1beta1/distribution';
import {
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
  QueryValidatorSlashesRequest,
  QueryValidatorSlashesResponse,
} from 'cosmjs-types/cosmos/distribution/v1beta1/query';
import { addressFromBech32, addressToBech32, VALOPER_PREFIX } from '../../types/address.js';
import { invalidArgument, notFound, SdkError } from '../../types/errors.js';
import { readU64BE } from '../../types/keys.js';
import { addDecCoins, type DecCoins, decCoinsToProto } from '../../types/legacyDec.js';
import { type QueryHandler, queryMethod } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import type { DistributionKeeper } from './keeper.js';
import { StoreKey, slashEventsPrefix } from './keys.js';
import { distrParamsToProto } from './params.js';

const svc = '/cosmos.distribution.v1beta1.Query/';

function parse(text: string, prefix: string, what: string): Uint8Array {
  if (text === '') throw invalidArgument(`empty ${what} address`);
  try {
    return addressFromBech32(text, prefix);
  } catch (e) {
    throw invalidArgument(e instanceof SdkError ? e.message : `invalid ${what} address`);
  }
}
const delAddr = (t: string) => parse(t, 'hearth', 'delegator');
const valAddr = (t: string) => parse(t, VALOPER_PREFIX, 'validator');

export function distributionQueryHandlers(k: DistributionKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Params`]: queryMethod(QueryParamsRequest, QueryParamsResponse, (ctx) => ({
      params: distrParamsToProto(k.getParams(ctx)),
    })),
    [`${svc}ValidatorDistributionInfo`]: queryMethod(
      QueryValidatorDistributionInfoRequest,
      QueryValidatorDistributionInfoResponse,
      (ctx, req) => {
        const val = valAddr(req.validatorAddress);
        const v = k.staking.getValidator(ctx, val);
        if (!v) throw notFound(`validator ${req.validatorAddress} does not exist`);
        const d = k.staking.getDelegation(ctx, val, val);
        if (!d) throw notFound('no delegation for (address, validator) tuple');
        return {
          operatorAddress: addressToBech32(val),
          selfBondRewards: decCoinsToProto(k.delegationRewards(ctx, v, d)),
          commission: decCoinsToProto(k.getCommission(ctx, val)),
        };
      },
    ),
    [`${svc}ValidatorOutstandingRewards`]: queryMethod(
      QueryValidatorOutstandingRewardsRequest,
      QueryValidatorOutstandingRewardsResponse,
      (ctx, req) => {
        const val = valAddr(req.validatorAddress);
        if (!k.staking.getValidator(ctx, val))
          throw notFound(`validator ${req.validatorAddress} does not exist`);
        return { rewards: { rewards: decCoinsToProto(k.getOutstanding(ctx, val)) } };
      },
    ),
    [`${svc}ValidatorCommission`]: queryMethod(
      QueryValidatorCommissionRequest,
      QueryValidatorCommissionResponse,
      (ctx, req) => {
        const val = valAddr(req.validatorAddress);
        if (!k.staking.getValidator(ctx, val))
          throw notFound(`validator ${req.validatorAddress} does not exist`);
        return { commission: { commission: decCoinsToProto(k.getCommission(ctx, val)) } };
      },
    ),
    [`${svc}ValidatorSlashes`]: queryMethod(
      QueryValidatorSlashesRequest,
      QueryValidatorSlashesResponse,
      (ctx, req) => {
        if (req.endingHeight < req.startingHeight)
          throw invalidArgument('starting height greater than ending height');
        const val = valAddr(req.validatorAddress);
        const prefix = slashEventsPrefix(val);
        const page = paginate(ctx.kvStore(StoreKey), prefix, req.pagination, (key, v) => {
          const height = readU64BE(key, 0);
          if (height < req.startingHeight || height > req.endingHeight) return undefined;
          return ValidatorSlashEvent.decode(v);
        });
        return { slashes: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}DelegationRewards`]: queryMethod(
      QueryDelegationRewardsRequest,
      QueryDelegationRewardsResponse,
      (ctx, req) => {
        const del = delAddr(req.delegatorAddress);
        const val = valAddr(req.validatorAddress);
        const v = k.staking.getValidator(ctx, val);
        if (!v) throw notFound(`validator ${req.validatorAddress} does not exist`);
        const d = k.staking.getDelegation(ctx, del, val);
        if (!d) throw notFound(`delegation does not exist`);
        return { rewards: decCoinsToProto(k.delegationRewards(ctx, v, d)) };
      },
    ),
    [`${svc}DelegationTotalRewards`]: queryMethod(
      QueryDelegationTotalRewardsRequest,
      QueryDelegationTotalRewardsResponse,
      (ctx, req) => {
        const del = delAddr(req.delegatorAddress);
        let total: DecCoins = [];
        const rewards = [];
        for (const d of k.staking.delegatorDelegations(ctx, del)) {
          const v = k.staking.getValidator(ctx, d.validator);
          if (!v) continue;
          const r = k.delegationRewards(ctx, v, d);
          rewards.push({
            validatorAddress: addressToBech32(d.validator, VALOPER_PREFIX),
            reward: decCoinsToProto(r),
          });
          total = addDecCoins(total, r);
        }
        return { rewards, total: decCoinsToProto(total) };
      },
    ),
    [`${svc}DelegatorValidators`]: queryMethod(
      QueryDelegatorValidatorsRequest,
      QueryDelegatorValidatorsResponse,
      (ctx, req) => ({
        validators: [...k.staking.delegatorDelegations(ctx, delAddr(req.delegatorAddress))].map((d) =>
          addressToBech32(d.validator, VALOPER_PREFIX),
        ),
      }),
    ),
    [`${svc}DelegatorWithdrawAddress`]: queryMethod(
      QueryDelegatorWithdrawAddressRequest,
      QueryDelegatorWithdrawAddressResponse,
      (ctx, req) => ({
        withdrawAddress: addressToBech32(k.getWithdrawAddr(ctx, delAddr(req.delegatorAddress))),
      }),
    ),
    [`${svc}CommunityPool`]: queryMethod(QueryCommunityPoolRequest, QueryCommunityPoolResponse, (ctx) => ({
      pool: decCoinsToProto(k.getCommunityPool(ctx)),
    })),
  };
}
