/** `cosmos.slashing.v1beta1.Query`: params and signing infos. */
import {
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from 'cosmjs-types/cosmos/slashing/v1beta1/query';
import { ValidatorSigningInfo } from 'cosmjs-types/cosmos/slashing/v1beta1/slashing';
import { addressFromBech32, VALCONS_PREFIX } from '../../types/address.js';
import { invalidArgument, notFound, SdkError } from '../../types/errors.js';
import { type QueryHandler, queryMethod } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import { type SlashingKeeper, signingInfoToProto } from './keeper.js';
import { StoreKey, ValidatorSigningInfoPrefix } from './keys.js';
import { slashingParamsToProto } from './params.js';

const svc = '/cosmos.slashing.v1beta1.Query/';

export function slashingQueryHandlers(k: SlashingKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Params`]: queryMethod(QueryParamsRequest, QueryParamsResponse, (ctx) => ({
      params: slashingParamsToProto(k.getParams(ctx)),
    })),
    [`${svc}SigningInfo`]: queryMethod(QuerySigningInfoRequest, QuerySigningInfoResponse, (ctx, req) => {
      if (req.consAddress === '') throw invalidArgument('invalid request');
      let cons: Uint8Array;
      try {
        cons = addressFromBech32(req.consAddress, VALCONS_PREFIX);
      } catch (e) {
        throw invalidArgument(e instanceof SdkError ? e.message : 'invalid consensus address');
      }
      const info = k.getSigningInfo(ctx, cons);
      if (!info) throw notFound(`SigningInfo not found for validator ${req.consAddress}`);
      return { valSigningInfo: signingInfoToProto(info) };
    }),
    [`${svc}SigningInfos`]: queryMethod(QuerySigningInfosRequest, QuerySigningInfosResponse, (ctx, req) => {
      const page = paginate(ctx.kvStore(StoreKey), ValidatorSigningInfoPrefix, req.pagination, (_k, v) =>
        ValidatorSigningInfo.decode(v),
      );
      return { info: page.items, pagination: page.pagination };
    }),
  };
}
