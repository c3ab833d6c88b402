/** x/market params: public-network defaults, localnet values and validation. */
import type { marketV1 } from '@hearth/sdk';
import { validateDenom } from '../../types/coins.js';
import { parseFraction } from '../../types/decCoin.js';
import { ErrInvalidParams } from './errors.js';

export type MarketParams = marketV1.Params;

/** ~6 s blocks: bids live 30 min, orders 1 day, providers commit to 1 hour. */
export const defaultMarketParams = (): MarketParams => ({
  bidMinDeposit: { denom: 'uhth', amount: '5000000' },
  orderMaxBids: 20,
  bidTtlBlocks: 300n,
  minDeposit: { denom: 'uhth', amount: '5000000' },
  bidForfeitFraction: '0.500000000000000000',
  reclamationWindowBlocks: 600n,
  orderTtlBlocks: 14_400n,
});

export const localnetMarketParams = (): MarketParams => ({
  bidMinDeposit: { denom: 'uhth', amount: '100000' },
  orderMaxBids: 5,
  bidTtlBlocks: 30n,
  minDeposit: { denom: 'uhth', amount: '100000' },
  bidForfeitFraction: '0.500000000000000000',
  reclamationWindowBlocks: 20n,
  orderTtlBlocks: 100n,
});

const coinOk = (c: { denom: string; amount: string } | undefined) => {
  if (!c || !/^[0-9]{1,77}$/.test(c.amount)) return false;
  try {
    validateDenom(c.denom);
    return true;
  } catch {
    return false;
  }
};

export function validateMarketParams(p: MarketParams): void {
  if (!coinOk(p.bidMinDeposit)) throw ErrInvalidParams.wrap('bid_min_deposit must be a valid coin');
  if (!coinOk(p.minDeposit) || p.minDeposit!.amount === '0')
    throw ErrInvalidParams.wrap('min_deposit must be a positive coin');
  if (p.orderMaxBids < 1 || p.orderMaxBids > 1000)
    throw ErrInvalidParams.wrap('order_max_bids must be 1..1000');
  if (p.bidTtlBlocks < 1n || p.bidTtlBlocks >= 1n << 48n)
    throw ErrInvalidParams.wrap('bid_ttl_blocks must be 1..2^48');
  if (p.reclamationWindowBlocks >= 1n << 48n || p.orderTtlBlocks >= 1n << 48n)
    throw ErrInvalidParams.wrap('durations must be below 2^48 blocks');
  try {
    parseFraction(p.bidForfeitFraction, 'bid_forfeit_fraction');
  } catch (e) {
    throw ErrInvalidParams.wrap((e as Error).message);
  }
}
