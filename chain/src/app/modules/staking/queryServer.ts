/** `cosmos.staking.v1beta1.Query` over ABCI, with the SDK's pagination and error texts. */
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryDelegatorValidatorRequest,
  QueryDelegatorValidatorResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryHistoricalInfoRequest,
  QueryHistoricalInfoResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPoolRequest,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
  QueryValidatorUnbondingDelegationsRequest,
  QueryValidatorUnbondingDelegationsResponse,
} from 'cosmjs-types/cosmos/staking/v1beta1/query';
import {
  BondStatus,
  bondStatusFromJSON,
  type DelegationResponse,
  type RedelegationResponse,
} from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import { addressFromBech32, VALOPER_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { invalidArgument, notFound, SdkError } from '../../types/errors.js';
import { truncateInt } from '../../types/legacyDec.js';
import { type QueryHandler, queryMethod } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import type { StakingKeeper } from './keeper.js';
import * as keys from './keys.js';
import { stakingParamsToProto } from './params.js';
import {
  type Delegation,
  decodeDelegation,
  decodeRed,
  decodeUbd,
  decodeValidator,
  delegationToProto,
  type Redelegation,
  redToProto,
  tokensFromShares,
  ubdToProto,
  validatorToProto,
} from './types.js';

const svc = '/cosmos.staking.v1beta1.Query/';

function parse(text: string, prefix: string, what: string): Uint8Array {
  if (text === '') throw invalidArgument(`${what} address cannot be empty`);
  try {
    return addressFromBech32(text, prefix);
  } catch (e) {
    throw invalidArgument(e instanceof SdkError ? e.message : `invalid ${what} address`);
  }
}
const delAddr = (t: string) => parse(t, 'hearth', 'delegator');
const valAddr = (t: string) => parse(t, VALOPER_PREFIX, 'validator');

export function stakingQueryHandlers(k: StakingKeeper): Record<string, QueryHandler> {
  const delegationResponse = (ctx: Context, d: Delegation): DelegationResponse => {
    const v = k.getValidator(ctx, d.validator);
    const balance = v && v.delegatorShares > 0n ? truncateInt(tokensFromShares(v, d.shares)) : 0n;
    return {
      delegation: delegationToProto(d),
      balance: { denom: k.bondDenom(ctx), amount: balance.toString() },
    };
  };
  const redelegationResponse = (ctx: Context, r: Redelegation): RedelegationResponse => {
    const dst = k.getValidator(ctx, r.dst);
    const proto = redToProto(r);
    return {
      redelegation: proto,
      entries: r.entries.map((e, i) => ({
        redelegationEntry: proto.entries[i]!,
        balance: (dst && dst.delegatorShares > 0n
          ? truncateInt(tokensFromShares(dst, e.sharesDst))
          : 0n
        ).toString(),
      })),
    };
  };
  const store = (ctx: Context) => ctx.kvStore(keys.StoreKey);

  return {
    [`${svc}Validators`]: queryMethod(QueryValidatorsRequest, QueryValidatorsResponse, (ctx, req) => {
      let status: BondStatus | undefined;
      if (req.status !== '') {
        status = bondStatusFromJSON(req.status);
        if (status === BondStatus.UNRECOGNIZED || status === BondStatus.BOND_STATUS_UNSPECIFIED)
          throw invalidArgument(`invalid validator status ${req.status}`);
      }
      const page = paginate(store(ctx), keys.ValidatorsPrefix, req.pagination, (_k, v) => {
        const val = decodeValidator(v);
        return status === undefined || val.status === status ? validatorToProto(val) : undefined;
      });
      return { validators: page.items, pagination: page.pagination };
    }),
    [`${svc}Validator`]: queryMethod(QueryValidatorRequest, QueryValidatorResponse, (ctx, req) => {
      const v = k.getValidator(ctx, valAddr(req.validatorAddr));
      if (!v) throw notFound(`validator ${req.validatorAddr} not found`);
      return { validator: validatorToProto(v) };
    }),
    [`${svc}ValidatorDelegations`]: queryMethod(
      QueryValidatorDelegationsRequest,
      QueryValidatorDelegationsResponse,
      (ctx, req) => {
        const val = valAddr(req.validatorAddr);
        const page = paginate(store(ctx), keys.delegationByValPrefix(val), req.pagination, (key) => {
          const [del] = keys.splitLengthPrefixed(key);
          const d = k.getDelegation(ctx, del!, val);
          return d ? delegationResponse(ctx, d) : undefined;
        });
        return { delegationResponses: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}ValidatorUnbondingDelegations`]: queryMethod(
      QueryValidatorUnbondingDelegationsRequest,
      QueryValidatorUnbondingDelegationsResponse,
      (ctx, req) => {
        const val = valAddr(req.validatorAddr);
        const page = paginate(store(ctx), keys.ubdByValPrefix(val), req.pagination, (key) => {
          const [del] = keys.splitLengthPrefixed(key);
          const u = k.getUnbondingDelegation(ctx, del!, val);
          return u ? ubdToProto(u) : undefined;
        });
        return { unbondingResponses: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}Delegation`]: queryMethod(QueryDelegationRequest, QueryDelegationResponse, (ctx, req) => {
      const del = delAddr(req.delegatorAddr);
      const val = valAddr(req.validatorAddr);
      const d = k.getDelegation(ctx, del, val);
      if (!d)
        throw notFound(
          `delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
        );
      return { delegationResponse: delegationResponse(ctx, d) };
    }),
    [`${svc}UnbondingDelegation`]: queryMethod(
      QueryUnbondingDelegationRequest,
      QueryUnbondingDelegationResponse,
      (ctx, req) => {
        const u = k.getUnbondingDelegation(ctx, delAddr(req.delegatorAddr), valAddr(req.validatorAddr));
        if (!u)
          throw notFound(
            `unbonding delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
          );
        return { unbond: ubdToProto(u) };
      },
    ),
    [`${svc}DelegatorDelegations`]: queryMethod(
      QueryDelegatorDelegationsRequest,
      QueryDelegatorDelegationsResponse,
      (ctx, req) => {
        const del = delAddr(req.delegatorAddr);
        const page = paginate(store(ctx), keys.delegationsOfPrefix(del), req.pagination, (_k, v) =>
          delegationResponse(ctx, decodeDelegation(v)),
        );
        return { delegationResponses: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}DelegatorUnbondingDelegations`]: queryMethod(
      QueryDelegatorUnbondingDelegationsRequest,
      QueryDelegatorUnbondingDelegationsResponse,
      (ctx, req) => {
        const del = delAddr(req.delegatorAddr);
        const page = paginate(store(ctx), keys.ubdsOfPrefix(del), req.pagination, (_k, v) =>
          ubdToProto(decodeUbd(v)),
        );
        return { unbondingResponses: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}Redelegations`]: queryMethod(
      QueryRedelegationsRequest,
      QueryRedelegationsResponse,
      (ctx, req) => {
        if (req.delegatorAddr !== '' && req.srcValidatorAddr !== '' && req.dstValidatorAddr !== '') {
          const r = k.getRedelegation(
            ctx,
            delAddr(req.delegatorAddr),
            valAddr(req.srcValidatorAddr),
            valAddr(req.dstValidatorAddr),
          );
          if (!r)
            throw notFound(
              `redelegation not found for delegator address ${req.delegatorAddr} from validator address ${req.srcValidatorAddr}`,
            );
          return {
            redelegationResponses: [redelegationResponse(ctx, r)],
            pagination: { nextKey: new Uint8Array(), total: 1n },
          };
        }
        if (req.delegatorAddr !== '') {
          const del = delAddr(req.delegatorAddr);
          const src = req.srcValidatorAddr !== '' ? valAddr(req.srcValidatorAddr) : undefined;
          const prefix = src ? keys.redsOfSrcPrefix(del, src) : keys.redsOfPrefix(del);
          const page = paginate(store(ctx), prefix, req.pagination, (_k, v) =>
            redelegationResponse(ctx, decodeRed(v)),
          );
          return { redelegationResponses: page.items, pagination: page.pagination };
        }
        if (req.srcValidatorAddr !== '') {
          const src = valAddr(req.srcValidatorAddr);
          const page = paginate(store(ctx), keys.redBySrcPrefix(src), req.pagination, (key) => {
            const [del, dst] = keys.splitLengthPrefixed(key);
            const r = k.getRedelegation(ctx, del!, src, dst!);
            return r ? redelegationResponse(ctx, r) : undefined;
          });
          return { redelegationResponses: page.items, pagination: page.pagination };
        }
        throw invalidArgument('delegator address or source validator address must be given');
      },
    ),
    [`${svc}DelegatorValidators`]: queryMethod(
      QueryDelegatorValidatorsRequest,
      QueryDelegatorValidatorsResponse,
      (ctx, req) => {
        const del = delAddr(req.delegatorAddr);
        const page = paginate(store(ctx), keys.delegationsOfPrefix(del), req.pagination, (_k, v) => {
          const val = k.getValidator(ctx, decodeDelegation(v).validator);
          return val ? validatorToProto(val) : undefined;
        });
        return { validators: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}DelegatorValidator`]: queryMethod(
      QueryDelegatorValidatorRequest,
      QueryDelegatorValidatorResponse,
      (ctx, req) => {
        const del = delAddr(req.delegatorAddr);
        const val = valAddr(req.validatorAddr);
        const d = k.getDelegation(ctx, del, val);
        const v = d ? k.getValidator(ctx, val) : undefined;
        if (!v)
          throw notFound(
            `delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
          );
        return { validator: validatorToProto(v) };
      },
    ),
    [`${svc}HistoricalInfo`]: queryMethod(
      QueryHistoricalInfoRequest,
      QueryHistoricalInfoResponse,
      (ctx, req) => {
        if (req.height < 0n) throw invalidArgument('height cannot be negative');
        const hist = k.getHistoricalInfo(ctx, req.height);
        if (!hist) throw notFound(`historical info for height ${req.height} not found`);
        return { hist };
      },
    ),
    [`${svc}Pool`]: queryMethod(QueryPoolRequest, QueryPoolResponse, (ctx) => ({
      pool: {
        notBondedTokens: k.notBondedTokens(ctx).toString(),
        bondedTokens: k.totalBondedTokens(ctx).toString(),
      },
    })),
    [`${svc}Params`]: queryMethod(QueryParamsRequest, QueryParamsResponse, (ctx) => ({
      params: stakingParamsToProto(k.getParams(ctx)),
    })),
  };
}
