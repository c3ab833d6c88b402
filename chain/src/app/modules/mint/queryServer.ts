/** `cosmos.mint.v1beta1.Query`: inflation and annual provisions travel as LegacyDec bytes. */
import {
  QueryAnnualProvisionsRequest,
  QueryAnnualProvisionsResponse,
  QueryInflationRequest,
  QueryInflationResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from 'cosmjs-types/cosmos/mint/v1beta1/query';
import { utf8 } from '../../types/keys.js';
import { decToProto } from '../../types/legacyDec.js';
import { type QueryHandler, queryMethod } from '../../types/module.js';
import type { MintKeeper } from './keeper.js';
import { mintParamsToProto } from './params.js';

const svc = '/cosmos.mint.v1beta1.Query/';

export function mintQueryHandlers(k: MintKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Params`]: queryMethod(QueryParamsRequest, QueryParamsResponse, (ctx) => ({
      params: mintParamsToProto(k.getParams(ctx)),
    })),
    [`${svc}Inflation`]: queryMethod(QueryInflationRequest, QueryInflationResponse, (ctx) => ({
      inflation: utf8(decToProto(k.getMinter(ctx).inflation)),
    })),
    [`${svc}AnnualProvisions`]: queryMethod(
      QueryAnnualProvisionsRequest,
      QueryAnnualProvisionsResponse,
      (ctx) => ({
        annualProvisions: utf8(decToProto(k.getMinter(ctx).annualProvisions)),
      }),
    ),
  };
}
