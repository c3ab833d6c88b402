/**
 * x/market invariants: the market module account holds exactly the deposits of open and active
 * bids; an order's open_bids counts its open bids; an active lease has an active bid.
 */
import { marketV1 } from '@hearth/sdk';
import type { Context } from '../../types/context.js';
import type { Invariant } from '../../types/module.js';
import { type MarketKeeper, toBId } from './keeper.js';
import { ModuleName } from './keys.js';

export function marketInvariants(
  k: MarketKeeper,
  bank: { getAllBalances(ctx: Context, addr: Uint8Array): readonly { denom: string; amount: bigint }[] },
  moduleAddress: (name: string) => Uint8Array,
): Invariant[] {
  const { BidState, LeaseState } = marketV1;
  return [
    {
      name: 'market/bid-deposits',
      check(ctx) {
        const want = new Map<string, bigint>();
        for (const b of k.bids(ctx))
          if (b.state === BidState.BID_STATE_OPEN || b.state === BidState.BID_STATE_ACTIVE)
            want.set(b.deposit!.denom, (want.get(b.deposit!.denom) ?? 0n) + BigInt(b.deposit!.amount));
        const have = bank.getAllBalances(ctx, moduleAddress(ModuleName));
        for (const d of [...new Set([...want.keys(), ...have.map((c) => c.denom)])].sort()) {
          const h = have.find((c) => c.denom === d)?.amount ?? 0n;
          if (h !== (want.get(d) ?? 0n))
            return `market module holds ${h}${d}, bid deposits add up to ${want.get(d) ?? 0n}${d}`;
        }
        return undefined;
      },
    },
    {
      name: 'market/order-open-bids',
      check(ctx) {
        const counts = new Map<string, number>();
        for (const b of k.bids(ctx)) {
          if (b.state !== BidState.BID_STATE_OPEN) continue;
          const key = `${b.id!.owner}/${b.id!.dseq}/${b.id!.gseq}/${b.id!.oseq}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const o of k.orders(ctx)) {
          const key = `${o.id!.owner}/${o.id!.dseq}/${o.id!.gseq}/${o.id!.oseq}`;
          if ((counts.get(key) ?? 0) !== o.openBids)
            return `order ${key} counts ${o.openBids} open bids, has ${counts.get(key) ?? 0}`;
        }
        return undefined;
      },
    },
    {
      name: 'market/active-leases',
      check(ctx) {
        for (const l of k.leases(ctx)) {
          if (l.state !== LeaseState.LEASE_STATE_ACTIVE) continue;
          const b = k.getBid(ctx, toBId(l.id!));
          if (b?.state !== BidState.BID_STATE_ACTIVE)
            return `active lease ${JSON.stringify(l.id)} without an active bid`;
        }
        return undefined;
      },
    },
  ];
}
