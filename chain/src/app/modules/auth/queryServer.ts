/** `cosmos.auth.v1beta1.Query` over ABCI. */
import type { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import {
  Bech32PrefixRequest,
  Bech32PrefixResponse,
  QueryAccountInfoRequest,
  QueryAccountInfoResponse,
  QueryAccountRequest,
  QueryAccountResponse,
  QueryAccountsRequest,
  QueryAccountsResponse,
  QueryModuleAccountByNameRequest,
  QueryModuleAccountByNameResponse,
  QueryModuleAccountsRequest,
  QueryModuleAccountsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { Any } from 'cosmjs-types/google/protobuf/any';
import { addressFromBech32, addressToBech32, BECH32_PREFIX } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { invalidArgument, notFound, SdkError } from '../../types/errors.js';
import { type QueryHandler, queryMethod } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import { type Account, type AuthKeeper, accountToAny, pubKeyToAny } from './keeper.js';
import { AccountsPrefix, StoreKey } from './keys.js';

const svc = '/cosmos.auth.v1beta1.Query/';

function parseAddress(text: string): Uint8Array {
  try {
    return addressFromBech32(text);
  } catch (e) {
    throw invalidArgument(e instanceof SdkError ? e.message : 'invalid address');
  }
}

function requireAccount(ctx: Context, k: AuthKeeper, address: string): Account {
  const acc = k.getAccount(ctx, parseAddress(address));
  if (!acc) throw notFound(`account ${address} not found`);
  return acc;
}

export function authQueryHandlers(k: AuthKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Account`]: queryMethod(QueryAccountRequest, QueryAccountResponse, (ctx, req) => ({
      account: accountToAny(requireAccount(ctx, k, req.address)),
    })),
    [`${svc}Accounts`]: queryMethod(QueryAccountsRequest, QueryAccountsResponse, (ctx, req) => {
      const page = paginate(ctx.kvStore(StoreKey), AccountsPrefix, req.pagination, (_key, value) =>
        Any.decode(value),
      );
      return { accounts: page.items, pagination: page.pagination };
    }),
    [`${svc}Params`]: queryMethod(QueryParamsRequest, QueryParamsResponse, (ctx) => ({
      params: k.getParams(ctx),
    })),
    [`${svc}ModuleAccounts`]: queryMethod(QueryModuleAccountsRequest, QueryModuleAccountsResponse, (ctx) => ({
      accounts: Object.keys(k.modulePermissions)
        .sort()
        .map((name) =>
          accountToAny(k.getAccount(ctx, k.moduleAddress(name)) ?? virtualModuleAccount(k, name)),
        ),
    })),
    [`${svc}ModuleAccountByName`]: queryMethod(
      QueryModuleAccountByNameRequest,
      QueryModuleAccountByNameResponse,
      (ctx, req) => {
        if (!(req.name in k.modulePermissions)) throw notFound(`module account ${req.name} not found`);
        return {
          account: accountToAny(
            k.getAccount(ctx, k.moduleAddress(req.name)) ?? virtualModuleAccount(k, req.name),
          ),
        };
      },
    ),
    [`${svc}Bech32Prefix`]: queryMethod(Bech32PrefixRequest, Bech32PrefixResponse, () => ({
      bech32Prefix: BECH32_PREFIX,
    })),
    [`${svc}AccountInfo`]: queryMethod(QueryAccountInfoRequest, QueryAccountInfoResponse, (ctx, req) => {
      const acc = requireAccount(ctx, k, req.address);
      const info: BaseAccount = {
        address: addressToBech32(acc.address),
        pubKey: acc.pubKey ? pubKeyToAny(acc.pubKey) : undefined,
        accountNumber: acc.accountNumber,
        sequence: acc.sequence,
      };
      return { info };
    }),
  };
}

/** A module account that has not been touched yet: shown, not created (queries never write). */
function virtualModuleAccount(k: AuthKeeper, name: string): Account {
  return {
    address: k.moduleAddress(name),
    accountNumber: 0n,
    sequence: 0n,
    module: { name, permissions: [...(k.modulePermissions[name] ?? [])] },
  };
}
