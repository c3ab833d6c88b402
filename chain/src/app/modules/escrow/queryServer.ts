/** `hearth.escrow.v1.Query` over ABCI. */
import { escrowV1 } from '@hearth/sdk';
import { addressFromBech32, addressToBech32 } from '../../types/address.js';
import { invalidArgument, notFound } from '../../types/errors.js';
import type { QueryHandler } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import { tsQueryMethod } from '../../types/tsproto.js';
import type { EscrowKeeper } from './keeper.js';
import {
  AccountPrefix,
  accountsOfOwnerPrefix,
  PaymentPrefix,
  paymentsOfAccountPrefix,
  paymentsOfOwnerPrefix,
  StoreKey,
} from './keys.js';

const svc = '/hearth.escrow.v1.Query/';

export function queryAddress(text: string, what: string): Uint8Array {
  if (text === '') throw invalidArgument(`${what} is required`);
  try {
    return addressFromBech32(text);
  } catch {
    throw invalidArgument(`invalid ${what} address ${JSON.stringify(text)}`);
  }
}

export function escrowQueryHandlers(k: EscrowKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Params`]: tsQueryMethod(escrowV1.QueryParamsRequest, escrowV1.QueryParamsResponse, (ctx) => ({
      params: k.getParams(ctx),
    })),
    [`${svc}Account`]: tsQueryMethod(
      escrowV1.QueryAccountRequest,
      escrowV1.QueryAccountResponse,
      (ctx, req) => {
        const a = k.getAccount(ctx, queryAddress(req.owner, 'owner'), req.dseq);
        if (!a) throw notFound(`escrow account ${req.owner}/${req.dseq}`);
        return { account: a };
      },
    ),
    [`${svc}Accounts`]: tsQueryMethod(
      escrowV1.QueryAccountsRequest,
      escrowV1.QueryAccountsResponse,
      (ctx, req) => {
        const prefix = req.owner ? accountsOfOwnerPrefix(queryAddress(req.owner, 'owner')) : AccountPrefix;
        const page = paginate(ctx.kvStore(StoreKey), prefix, req.pagination, (_k, v) => {
          const a = escrowV1.Account.decode(v);
          return req.state === 0 || a.state === req.state ? a : undefined;
        });
        return { accounts: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}Payments`]: tsQueryMethod(
      escrowV1.QueryPaymentsRequest,
      escrowV1.QueryPaymentsResponse,
      (ctx, req) => {
        let prefix: Uint8Array = PaymentPrefix;
        if (req.owner) {
          const owner = queryAddress(req.owner, 'owner');
          prefix = req.dseq === 0n ? paymentsOfOwnerPrefix(owner) : paymentsOfAccountPrefix(owner, req.dseq);
        } else if (req.dseq !== 0n) throw invalidArgument('dseq needs an owner');
        const provider = req.provider ? addressToBech32(queryAddress(req.provider, 'provider')) : undefined;
        const page = paginate(ctx.kvStore(StoreKey), prefix, req.pagination, (_k, v) => {
          const p = escrowV1.Payment.decode(v);
          if (req.state !== 0 && p.state !== req.state) return undefined;
          if (provider && p.provider !== provider) return undefined;
          return p;
        });
        return { payments: page.items, pagination: page.pagination };
      },
    ),
  };
}
