/** x/market genesis (`app_state.market`): params and every deployment, group, order, bid, lease. */
import { marketV1 } from '@hearth/sdk';
import { addressFromBech32 } from '../../types/address.js';
import type { Context } from '../../types/context.js';
import { GenesisError, obj } from '../../types/json.js';
import { snakeKeys } from '../../types/tsproto.js';
import type { MarketKeeper } from './keeper.js';
import { defaultMarketParams, validateMarketParams } from './params.js';

export const defaultMarketGenesisJson = () =>
  snakeKeys(
    marketV1.GenesisState.toJSON({
      params: defaultMarketParams(),
      deployments: [],
      groups: [],
      orders: [],
      bids: [],
      leases: [],
    }),
  );

export function parseMarketGenesis(v: unknown): marketV1.GenesisState {
  obj(v, 'market');
  let g: marketV1.GenesisState;
  try {
    g = marketV1.GenesisState.fromJSON(v);
  } catch (e) {
    throw new GenesisError('market', e instanceof Error ? e.message : String(e));
  }
  if (!g.params) throw new GenesisError('market.params', 'missing');
  try {
    validateMarketParams(g.params);
  } catch (e) {
    throw new GenesisError('market.params', (e as Error).message);
  }
  const deployments = new Set<string>();
  g.deployments.forEach((d, i) => {
    try {
      addressFromBech32(d.id?.owner ?? '');
    } catch {
      throw new GenesisError(`market.deployments[${i}].id.owner`, 'invalid address');
    }
    const key = `${d.id!.owner}/${d.id!.dseq}`;
    if (deployments.has(key))
      throw new GenesisError(`market.deployments[${i}]`, `duplicate deployment ${key}`);
    deployments.add(key);
  });
  const check = (list: { id?: { owner: string; dseq: bigint } }[], what: string) =>
    list.forEach((x, i) => {
      if (!deployments.has(`${x.id?.owner}/${x.id?.dseq}`))
        throw new GenesisError(`market.${what}[${i}]`, 'belongs to an unknown deployment');
    });
  check(g.groups, 'groups');
  check(g.orders, 'orders');
  check(g.bids, 'bids');
  check(g.leases, 'leases');
  return g;
}

export function initMarketGenesis(ctx: Context, k: MarketKeeper, g: marketV1.GenesisState): void {
  k.setParams(ctx, g.params!);
  for (const d of g.deployments) k.setDeployment(ctx, d);
  for (const x of g.groups) k.setGroup(ctx, x);
  for (const x of g.orders) k.setOrder(ctx, x);
  for (const x of g.bids) k.setBid(ctx, x);
  for (const x of g.leases) k.setLease(ctx, x);
}

export function exportMarketGenesis(ctx: Context, k: MarketKeeper) {
  return snakeKeys(
    marketV1.GenesisState.toJSON({
      params: k.getParams(ctx),
      deployments: [...k.deployments(ctx)],
      groups: [...k.groups(ctx)],
      orders: [...k.orders(ctx)],
      bids: [...k.bids(ctx)],
      leases: [...k.leases(ctx)],
    }),
  );
}
