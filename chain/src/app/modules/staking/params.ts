/**
 * x/staking params. Defaults follow the Cosmos Hub's public network (21-day unbonding, 180
 * validators, 5% minimum commission); `localnetStakingParams` shortens unbonding to seconds.
 */
import type { Params } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import { validateDenom } from '../../types/coins.js';
import { DEC_ONE } from '../../types/decimal.js';
import { durationToNs, formatDurationJson, nsToDuration, parseDurationJson } from '../../types/duration.js';
import { at, GenesisError, obj, str, uint } from '../../types/json.js';
import { decFromProto, decFromString, decToProto, decToString } from '../../types/legacyDec.js';

export interface StakingParams {
  unbondingTimeNs: bigint;
  maxValidators: number;
  maxEntries: number;
  historicalEntries: number;
  bondDenom: string;
  minCommissionRate: bigint;
}

const DAY = 86_400_000_000_000n;

export const defaultStakingParams = (): StakingParams => ({
  unbondingTimeNs: 21n * DAY,
  maxValidators: 180,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom: 'uhth',
  minCommissionRate: DEC_ONE / 20n,
});

export const localnetStakingParams = (): StakingParams => ({
  ...defaultStakingParams(),
  unbondingTimeNs: 20_000_000_000n,
  maxValidators: 100,
  historicalEntries: 100,
});

export function validateStakingParams(p: StakingParams): void {
  if (p.unbondingTimeNs <= 0n) throw new Error('unbonding time must be positive');
  if (!Number.isInteger(p.maxValidators) || p.maxValidators <= 0 || p.maxValidators > 0xffffffff)
    throw new Error('max validators must be positive');
  if (!Number.isInteger(p.maxEntries) || p.maxEntries <= 0 || p.maxEntries > 0xffffffff)
    throw new Error('max entries must be positive');
  if (!Number.isInteger(p.historicalEntries) || p.historicalEntries < 0 || p.historicalEntries > 0xffffffff)
    throw new Error('historical entries must be a 32-bit unsigned integer');
  validateDenom(p.bondDenom);
  if (p.minCommissionRate < 0n) throw new Error('minimum commission rate cannot be negative');
  if (p.minCommissionRate > DEC_ONE) throw new Error('minimum commission rate too large');
}

export const stakingParamsToProto = (p: StakingParams): Params => ({
  unbondingTime: nsToDuration(p.unbondingTimeNs),
  maxValidators: p.maxValidators,
  maxEntries: p.maxEntries,
  historicalEntries: p.historicalEntries,
  bondDenom: p.bondDenom,
  minCommissionRate: decToProto(p.minCommissionRate),
});

export const stakingParamsFromProto = (p: Params): StakingParams => ({
  unbondingTimeNs: durationToNs(p.unbondingTime),
  maxValidators: p.maxValidators,
  maxEntries: p.maxEntries,
  historicalEntries: p.historicalEntries,
  bondDenom: p.bondDenom,
  minCommissionRate: decFromProto(p.minCommissionRate || '0'),
});

export const stakingParamsToJson = (p: StakingParams) => ({
  unbonding_time: formatDurationJson(p.unbondingTimeNs),
  max_validators: p.maxValidators,
  max_entries: p.maxEntries,
  historical_entries: p.historicalEntries,
  bond_denom: p.bondDenom,
  min_commission_rate: decToString(p.minCommissionRate),
});

export function stakingParamsFromJson(v: unknown, path: string): StakingParams {
  const o = obj(v, path);
  const d = defaultStakingParams();
  const u32 = (x: unknown, name: string, dflt: number) => {
    const n = uint(x, `${path}.${name}`, BigInt(dflt));
    if (n > 0xffffffffn) throw new GenesisError(`${path}.${name}`, 'does not fit in 32 bits');
    return Number(n);
  };
  const p: StakingParams = {
    unbondingTimeNs:
      o.unbonding_time === undefined
        ? d.unbondingTimeNs
        : at(`${path}.unbonding_time`, () =>
            parseDurationJson(str(o.unbonding_time, `${path}.unbonding_time`)),
          ),
    maxValidators: u32(o.max_validators, 'max_validators', d.maxValidators),
    maxEntries: u32(o.max_entries, 'max_entries', d.maxEntries),
    historicalEntries: u32(o.historical_entries, 'historical_entries', d.historicalEntries),
    bondDenom: o.bond_denom === undefined ? d.bondDenom : str(o.bond_denom, `${path}.bond_denom`),
    minCommissionRate:
      o.min_commission_rate === undefined
        ? d.minCommissionRate
        : at(`${path}.min_commission_rate`, () =>
            decFromString(str(o.min_commission_rate, `${path}.min_commission_rate`)),
          ),
  };
  at(path, () => validateStakingParams(p));
  return p;
}
