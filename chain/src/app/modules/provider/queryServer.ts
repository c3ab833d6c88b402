/** `hearth.provider.v1.Query` over ABCI. */
import { providerV1 } from '@hearth/sdk';
import { addressToBech32 } from '../../types/address.js';
import { notFound } from '../../types/errors.js';
import type { QueryHandler } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import { tsQueryMethod } from '../../types/tsproto.js';
import { queryAddress } from '../escrow/queryServer.js';
import type { ProviderKeeper } from './keeper.js';
import { auditKey, auditsOfProviderPrefix, ProviderPrefix, StoreKey, unbondingsOfPrefix } from './keys.js';

const svc = '/hearth.provider.v1.Query/';
const P = providerV1;

export function providerQueryHandlers(k: ProviderKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Params`]: tsQueryMethod(P.QueryParamsRequest, P.QueryParamsResponse, (ctx) => ({
      params: k.getParams(ctx),
    })),
    [`${svc}Provider`]: tsQueryMethod(P.QueryProviderRequest, P.QueryProviderResponse, (ctx, req) => {
      const p = k.getProvider(ctx, queryAddress(req.owner, 'owner'));
      if (!p) throw notFound(`provider ${req.owner}`);
      return { provider: p };
    }),
    [`${svc}Providers`]: tsQueryMethod(P.QueryProvidersRequest, P.QueryProvidersResponse, (ctx, req) => {
      const page = paginate(ctx.kvStore(StoreKey), ProviderPrefix, req.pagination, (_k, v) => {
        const p = P.Provider.decode(v);
        if (req.status !== 0 && p.status !== req.status) return undefined;
        if (req.attributeKey !== '') {
          const a = p.attributes.find((x) => x.key === req.attributeKey);
          if (!a || (req.attributeValue !== '' && a.value !== req.attributeValue)) return undefined;
        }
        return p;
      });
      return { providers: page.items, pagination: page.pagination };
    }),
    [`${svc}AuditedAttributes`]: tsQueryMethod(
      P.QueryAuditedAttributesRequest,
      P.QueryAuditedAttributesResponse,
      (ctx, req) => {
        const owner = queryAddress(req.owner, 'owner');
        if (req.auditor !== '') {
          const auditor = queryAddress(req.auditor, 'auditor');
          const b = ctx.kvStore(StoreKey).get(auditKey(owner, auditor));
          if (!b) throw notFound(`attributes of ${addressToBech32(owner)} signed by ${req.auditor}`);
          return { attributes: [P.AuditedAttributes.decode(b)] };
        }
        const page = paginate(ctx.kvStore(StoreKey), auditsOfProviderPrefix(owner), req.pagination, (_k, v) =>
          P.AuditedAttributes.decode(v),
        );
        return { attributes: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}Unbondings`]: tsQueryMethod(P.QueryUnbondingsRequest, P.QueryUnbondingsResponse, (ctx, req) => {
      const owner = queryAddress(req.owner, 'owner');
      const page = paginate(ctx.kvStore(StoreKey), unbondingsOfPrefix(owner), req.pagination, (_k, v) =>
        P.Unbonding.decode(v),
      );
      return { unbondings: page.items, pagination: page.pagination };
    }),
  };
}
