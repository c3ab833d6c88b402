/**
 * Store layout of x/distribution as the Cosmos SDK v0.50 lays it out
 * (x/distribution/types/keys.go): addresses length-prefixed, historical-rewards periods as
 * 8 little-endian bytes (as the SDK writes them), slash events keyed by big-endian height
 * then period so that they iterate in height order. Never renumber a prefix.
 */
import { concatBytes, lengthPrefixed, u64BE } from '../../types/keys.js';

export const ModuleName = 'distribution';
export const StoreKey = 'distribution';

export const FeePoolKey = Uint8Array.of(0x00);
export const ProposerKey = Uint8Array.of(0x01);
export const ValidatorOutstandingRewardsPrefix = Uint8Array.of(0x02);
export const DelegatorWithdrawAddrPrefix = Uint8Array.of(0x03);
export const DelegatorStartingInfoPrefix = Uint8Array.of(0x04);
export const ValidatorHistoricalRewardsPrefix = Uint8Array.of(0x05);
export const ValidatorCurrentRewardsPrefix = Uint8Array.of(0x06);
export const ValidatorAccumulatedCommissionPrefix = Uint8Array.of(0x07);
export const ValidatorSlashEventPrefix = Uint8Array.of(0x08);
export const ParamsKey = Uint8Array.of(0x09);

const lp = lengthPrefixed;

export function u64LE(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

export const outstandingKey = (val: Uint8Array) => concatBytes(ValidatorOutstandingRewardsPrefix, lp(val));
export const withdrawAddrKey = (del: Uint8Array) => concatBytes(DelegatorWithdrawAddrPrefix, lp(del));
export const startingInfoPrefix = (val: Uint8Array) => concatBytes(DelegatorStartingInfoPrefix, lp(val));
export const startingInfoKey = (val: Uint8Array, del: Uint8Array) =>
  concatBytes(startingInfoPrefix(val), lp(del));
export const historicalRewardsPrefix = (val: Uint8Array) =>
  concatBytes(ValidatorHistoricalRewardsPrefix, lp(val));
export const historicalRewardsKey = (val: Uint8Array, period: bigint) =>
  concatBytes(historicalRewardsPrefix(val), u64LE(period));
export const currentRewardsKey = (val: Uint8Array) => concatBytes(ValidatorCurrentRewardsPrefix, lp(val));
export const commissionKey = (val: Uint8Array) => concatBytes(ValidatorAccumulatedCommissionPrefix, lp(val));
export const slashEventsPrefix = (val: Uint8Array) => concatBytes(ValidatorSlashEventPrefix, lp(val));
export const slashEventHeightPrefix = (val: Uint8Array, height: bigint) =>
  concatBytes(slashEventsPrefix(val), u64BE(height));
export const slashEventKey = (val: Uint8Array, height: bigint, period: bigint) =>
  concatBytes(slashEventHeightPrefix(val, height), u64BE(period));
