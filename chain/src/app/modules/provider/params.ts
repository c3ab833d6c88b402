/** x/provider params: public-network defaults, localnet values and validation. */
import type { providerV1 } from '@hearth/sdk';
import { validateDenom } from '../../types/coins.js';
import { parseFraction } from '../../types/decCoin.js';
import { ErrInvalidParams } from './errors.js';

export type ProviderParams = providerV1.Params;

/** ~6 s blocks: heartbeat every 10 min, fault after 30 min, jail 1 day, unbond in 21 days. */
export const defaultProviderParams = (): ProviderParams => ({
  minProviderBond: { denom: 'uhth', amount: '1000000000' },
  heartbeatInterval: 100n,
  maxMissedHeartbeats: 3n,
  faultSlashFraction: '0.050000000000000000',
  providerJailDuration: 14_400n,
  unbondingBlocks: 302_400n,
  bondDenom: 'uhth',
});

/** Short enough to watch a fault happen in a demo. */
export const localnetProviderParams = (): ProviderParams => ({
  minProviderBond: { denom: 'uhth', amount: '1000000' },
  heartbeatInterval: 10n,
  maxMissedHeartbeats: 2n,
  faultSlashFraction: '0.100000000000000000',
  providerJailDuration: 20n,
  unbondingBlocks: 20n,
  bondDenom: 'uhth',
});

export function validateProviderParams(p: ProviderParams): void {
  try {
    validateDenom(p.bondDenom);
  } catch {
    throw ErrInvalidParams.wrap(`invalid bond_denom ${JSON.stringify(p.bondDenom)}`);
  }
  const min = p.minProviderBond;
  if (!min || min.denom !== p.bondDenom || !/^[0-9]{1,77}$/.test(min.amount))
    throw ErrInvalidParams.wrap('min_provider_bond must be an amount of bond_denom');
  if (p.heartbeatInterval <= 0n) throw ErrInvalidParams.wrap('heartbeat_interval must be positive');
  if (p.maxMissedHeartbeats <= 0n) throw ErrInvalidParams.wrap('max_missed_heartbeats must be positive');
  if (p.heartbeatInterval * p.maxMissedHeartbeats >= 1n << 48n)
    throw ErrInvalidParams.wrap('heartbeat_interval * max_missed_heartbeats is too large');
  if (p.providerJailDuration >= 1n << 48n || p.unbondingBlocks >= 1n << 48n)
    throw ErrInvalidParams.wrap('durations must be below 2^48 blocks');
  try {
    parseFraction(p.faultSlashFraction, 'fault_slash_fraction');
  } catch (e) {
    throw ErrInvalidParams.wrap((e as Error).message);
  }
}
