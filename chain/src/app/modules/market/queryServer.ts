/** `hearth.market.v1.Query` over ABCI. */
import { marketV1 } from '@hearth/sdk';
import type { Context } from '../../types/context.js';
import { invalidArgument, notFound } from '../../types/errors.js';
import type { QueryHandler } from '../../types/module.js';
import { paginate } from '../../types/pagination.js';
import { tsQueryMethod } from '../../types/tsproto.js';
import { queryAddress } from '../escrow/queryServer.js';
import { type MarketKeeper, toBId } from './keeper.js';
import {
  type BId,
  BidPrefix,
  bidsOfOwnerPrefix,
  bidsOfProviderPrefix,
  DeploymentPrefix,
  deploymentsOfOwnerPrefix,
  groupsOfDeploymentPrefix,
  LeasePrefix,
  leasesOfOwnerPrefix,
  leasesOfProviderPrefix,
  OrderPrefix,
  ordersOfOwnerPrefix,
  readOPart,
  StoreKey,
} from './keys.js';

const svc = '/hearth.market.v1.Query/';
const X = marketV1;

function bidIdOf(id: marketV1.BidID | undefined): BId {
  if (!id) throw invalidArgument('id is required');
  queryAddress(id.owner, 'owner');
  queryAddress(id.provider, 'provider');
  return toBId(id);
}

/** Lists bids or leases by owner or by provider (index), filtered by state and the other party. */
function listByParty<T extends { id?: marketV1.BidID; state: number }>(
  ctx: Context,
  req: {
    owner: string;
    provider: string;
    state: number;
    pagination?: marketV1.QueryBidsRequest['pagination'];
  },
  all: Uint8Array,
  ofOwner: (o: Uint8Array) => Uint8Array,
  ofProvider: (p: Uint8Array) => Uint8Array,
  get: (id: BId) => T | undefined,
  decode: (b: Uint8Array) => T,
) {
  const store = ctx.kvStore(StoreKey);
  const keep = (x: T | undefined) => {
    if (!x) return undefined;
    if (req.state !== 0 && x.state !== req.state) return undefined;
    if (req.owner !== '' && x.id?.owner !== req.owner) return undefined;
    return x;
  };
  if (req.provider !== '') {
    const provider = queryAddress(req.provider, 'provider');
    if (req.owner !== '') queryAddress(req.owner, 'owner');
    return paginate(store, ofProvider(provider), req.pagination, (k) =>
      keep(get({ ...readOPart(k).id, provider })),
    );
  }
  const prefix = req.owner !== '' ? ofOwner(queryAddress(req.owner, 'owner')) : all;
  return paginate(store, prefix, req.pagination, (_k, v) => keep(decode(v)));
}

export function marketQueryHandlers(k: MarketKeeper): Record<string, QueryHandler> {
  return {
    [`${svc}Params`]: tsQueryMethod(X.QueryParamsRequest, X.QueryParamsResponse, (ctx) => ({
      params: k.getParams(ctx),
    })),
    [`${svc}Deployment`]: tsQueryMethod(X.QueryDeploymentRequest, X.QueryDeploymentResponse, (ctx, req) => {
      if (!req.id) throw invalidArgument('id is required');
      const id = { owner: queryAddress(req.id.owner, 'owner'), dseq: req.id.dseq };
      const d = k.getDeployment(ctx, id);
      if (!d) throw notFound(`deployment ${req.id.owner}/${req.id.dseq}`);
      return { deployment: d, groups: [...k.iterate(ctx, groupsOfDeploymentPrefix(id), X.Group)] };
    }),
    [`${svc}Deployments`]: tsQueryMethod(
      X.QueryDeploymentsRequest,
      X.QueryDeploymentsResponse,
      (ctx, req) => {
        const prefix =
          req.owner !== '' ? deploymentsOfOwnerPrefix(queryAddress(req.owner, 'owner')) : DeploymentPrefix;
        const page = paginate(ctx.kvStore(StoreKey), prefix, req.pagination, (_k, v) => {
          const d = X.Deployment.decode(v);
          return req.state === 0 || d.state === req.state ? d : undefined;
        });
        return { deployments: page.items, pagination: page.pagination };
      },
    ),
    [`${svc}Order`]: tsQueryMethod(X.QueryOrderRequest, X.QueryOrderResponse, (ctx, req) => {
      if (!req.id) throw invalidArgument('id is required');
      const o = k.getOrder(ctx, {
        owner: queryAddress(req.id.owner, 'owner'),
        dseq: req.id.dseq,
        gseq: req.id.gseq,
        oseq: req.id.oseq,
      });
      if (!o) throw notFound('order');
      return { order: o };
    }),
    [`${svc}Orders`]: tsQueryMethod(X.QueryOrdersRequest, X.QueryOrdersResponse, (ctx, req) => {
      const prefix = req.owner !== '' ? ordersOfOwnerPrefix(queryAddress(req.owner, 'owner')) : OrderPrefix;
      const page = paginate(ctx.kvStore(StoreKey), prefix, req.pagination, (_k, v) => {
        const o = X.Order.decode(v);
        return req.state === 0 || o.state === req.state ? o : undefined;
      });
      return { orders: page.items, pagination: page.pagination };
    }),
    [`${svc}Bid`]: tsQueryMethod(X.QueryBidRequest, X.QueryBidResponse, (ctx, req) => {
      const b = k.getBid(ctx, bidIdOf(req.id));
      if (!b) throw notFound('bid');
      return { bid: b };
    }),
    [`${svc}Bids`]: tsQueryMethod(X.QueryBidsRequest, X.QueryBidsResponse, (ctx, req) => {
      const page = listByParty(
        ctx,
        req,
        BidPrefix,
        bidsOfOwnerPrefix,
        bidsOfProviderPrefix,
        (id) => k.getBid(ctx, id),
        (v) => X.Bid.decode(v),
      );
      return { bids: page.items, pagination: page.pagination };
    }),
    [`${svc}Lease`]: tsQueryMethod(X.QueryLeaseRequest, X.QueryLeaseResponse, (ctx, req) => {
      const l = k.getLease(ctx, bidIdOf(req.id));
      if (!l) throw notFound('lease');
      return { lease: l };
    }),
    [`${svc}Leases`]: tsQueryMethod(X.QueryLeasesRequest, X.QueryLeasesResponse, (ctx, req) => {
      const page = listByParty(
        ctx,
        req,
        LeasePrefix,
        leasesOfOwnerPrefix,
        leasesOfProviderPrefix,
        (id) => k.getLease(ctx, id),
        (v) => X.Lease.decode(v),
      );
      return { leases: page.items, pagination: page.pagination };
    }),
  };
}
