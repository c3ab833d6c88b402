/** `cosmos.bank.v1beta1.Query` over ABCI. */

import { Metadata } from 'cosmjs-types/cosmos/bank/v1beta1/bank';
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryDenomMetadataByQueryStringRequest,
  QueryDenomMetadataByQueryStringResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
  QueryDenomOwnersRequest,
  QueryDenomOwnersResponse,
  QueryDenomsMetadataRequest,
  QueryDenomsMetadataResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySendEnabledRequest,
  QuerySendEnabledResponse,
  QuerySpendableBalanceByDenomRequest,
  QuerySpendableBalanceByDenomResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import { validateDenom } from '../../types/coins.js';
import type { Context } from '../../types/context.js';
import { invalidArgument, notFound, SdkError } from '../../types/errors.js';
import { fromUtf8 } from '../../types/keys.js';
import { type QueryHandler, queryMethod } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import type { BankKeeper } from './keeper.js';
import {
  balancesPrefixOf,
  DenomMetadataPrefix,
  denomAddressPrefixOf,
  SendEnabledPrefix,
  StoreKey,
  SupplyPrefix,
} from './keys.js';

const svc = '/cosmos.bank.v1beta1.Query/';

function address(text: string): Uint8Array {
  if (text === '') throw invalidArgument('empty address string is not allowed');
  try {
    return addressFromBech32(text);
  } catch (e) {
    throw invalidArgument(e instanceof SdkError ? e.message : 'invalid address');
  }
}

function denom(d: string): string {
  try {
    validateDenom(d);
  } catch (e) {
    throw invalidArgument(e instanceof SdkError ? e.message : 'invalid denom');
  }
  return d;
}

const coin = (denom: string, amount: bigint) => ({ denom, amount: amount.toString() });

function balancesPage(
  ctx: Context,
  addr: Uint8Array,
  req: { pagination?: QueryAllBalancesRequest['pagination'] },
) {
  const page = paginate(ctx.kvStore(StoreKey), balancesPrefixOf(addr), req.pagination, (k, v) =>
    coin(fromUtf8(k), BigInt(fromUtf8(v))),
  );
  return { balances: page.items, pagination: page.pagination };
}

export function bankQueryHandlers(k: BankKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Balance`]: queryMethod(QueryBalanceRequest, QueryBalanceResponse, (ctx, req) => {
      const addr = address(req.address);
      const d = denom(req.denom);
      return { balance: coin(d, k.getBalance(ctx, addr, d)) };
    }),
    [`${svc}AllBalances`]: queryMethod(QueryAllBalancesRequest, QueryAllBalancesResponse, (ctx, req) =>
      balancesPage(ctx, address(req.address), req),
    ),
    [`${svc}SpendableBalances`]: queryMethod(
      QuerySpendableBalancesRequest,
      QuerySpendableBalancesResponse,
      (ctx, req) => balancesPage(ctx, address(req.address), req),
    ),
    [`${svc}SpendableBalanceByDenom`]: queryMethod(
      QuerySpendableBalanceByDenomRequest,
      QuerySpendableBalanceByDenomResponse,
      (ctx, req) => {
        const addr = address(req.address);
        const d = denom(req.denom);
        return { balance: coin(d, k.getBalance(ctx, addr, d)) };
      },
    ),
    [`${svc}TotalSupply`]: queryMethod(QueryTotalSupplyRequest, QueryTotalSupplyResponse, (ctx, req) => {
      const page = paginate(ctx.kvStore(StoreKey), SupplyPrefix, req.pagination, (key, v) =>
        coin(fromUtf8(key), BigInt(fromUtf8(v))),
      );
      return { supply: page.items, pagination: page.pagination };
    }),
    [`${svc}SupplyOf`]: queryMethod(QuerySupplyOfRequest, QuerySupplyOfResponse, (ctx, req) => {
      const d = denom(req.denom);
      return { amount: coin(d, k.getSupply(ctx, d)) };
    }),
    [`${svc}Params`]: queryMethod(QueryParamsRequest, QueryParamsResponse, (ctx) => ({
      params: k.getParams(ctx),
    })),
    [`${svc}DenomMetadata`]: queryMethod(
      QueryDenomMetadataRequest,
      QueryDenomMetadataResponse,
      (ctx, req) => {
        const m = k.getDenomMetadata(ctx, denom(req.denom));
        if (!m) throw notFound(`client metadata for denom ${req.denom}`);
        return { metadata: m };
      },
    ),
    [`${svc}DenomMetadataByQueryString`]: queryMethod(
      QueryDenomMetadataByQueryStringRequest,
      QueryDenomMetadataByQueryStringResponse,
      (ctx, req) => {
        const m = k.getDenomMetadata(ctx, denom(req.denom));
        if (!m) throw notFound(`client metadata for denom ${req.denom}`);
        return { metadata: m };
      },
    ),
    [`${svc}DenomsMetadata`]: queryMethod(
      QueryDenomsMetadataRequest,
      QueryDenomsMetadataResponse,
      (ctx, req) => {
        const page = paginate(ctx.kvStore(StoreKey), DenomMetadataPrefix, req.pagination, (_k, v) =>
          Metadata.decode(v),
        );
        return { metadatas: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}DenomOwners`]: queryMethod(QueryDenomOwnersRequest, QueryDenomOwnersResponse, (ctx, req) => {
      const d = denom(req.denom);
      const page = paginate(ctx.kvStore(StoreKey), denomAddressPrefixOf(d), req.pagination, (key) => {
        const addr = key.subarray(1, 1 + key[0]!);
        return { address: addressToBech32(addr), balance: coin(d, k.getBalance(ctx, addr, d)) };
      });
      return { denomOwners: page.items, pagination: page.pagination };
    }),
    [`${svc}SendEnabled`]: queryMethod(QuerySendEnabledRequest, QuerySendEnabledResponse, (ctx, req) => {
      if (req.denoms.length > 0) {
        const sendEnabled = req.denoms.flatMap((d) => {
          const e = k.getSendEnabledEntry(ctx, denom(d));
          return e === undefined ? [] : [{ denom: d, enabled: e }];
        });
        return { sendEnabled };
      }
      const page = paginate(ctx.kvStore(StoreKey), SendEnabledPrefix, req.pagination, (key, v) => ({
        denom: fromUtf8(key),
        enabled: v[0] === 1,
      }));
      return { sendEnabled: page.items, pagination: page.pagination };
    }),
  };
}
