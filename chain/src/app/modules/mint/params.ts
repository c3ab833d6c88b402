/**
 * x/mint params and minter. Defaults are the SDK's (which the Cosmos Hub launched with):
 * inflation moving between 7% and 20% by at most 13% a year toward a 67% bonded ratio, with
 * 6,311,520 blocks a year (5-second blocks). The localnet preset assumes 1-second blocks.
 */
import type { Minter, Params } from 'cosmjs-types/cosmos/mint/v1beta1/mint';
import { validateDenom } from '../../types/coins.js';
import { DEC_ONE } from '../../types/decimal.js';
import { at, obj, str, uint } from '../../types/json.js';
import { decFromProto, decFromString, decToProto, decToString } from '../../types/legacyDec.js';

export interface MintParams {
  mintDenom: string;
  inflationRateChange: bigint;
  inflationMax: bigint;
  inflationMin: bigint;
  goalBonded: bigint;
  blocksPerYear: bigint;
}

export interface MinterState {
  inflation: bigint;
  annualProvisions: bigint;
}

const pct = (n: bigint) => (DEC_ONE * n) / 100n;

export const defaultMintParams = (): MintParams => ({
  mintDenom: 'uhth',
  inflationRateChange: pct(13n),
  inflationMax: pct(20n),
  inflationMin: pct(7n),
  goalBonded: pct(67n),
  blocksPerYear: 6_311_520n,
});

export const localnetMintParams = (): MintParams => ({ ...defaultMintParams(), blocksPerYear: 31_557_600n });

export const defaultMinter = (): MinterState => ({ inflation: pct(13n), annualProvisions: 0n });

export function validateMintParams(p: MintParams): void {
  validateDenom(p.mintDenom);
  for (const [name, v] of [
    ['inflation_rate_change', p.inflationRateChange],
    ['inflation_max', p.inflationMax],
    ['inflation_min', p.inflationMin],
  ] as const) {
    if (v < 0n) throw new Error(`${name} cannot be negative`);
    if (v > DEC_ONE) throw new Error(`${name} too large`);
  }
  if (p.goalBonded <= 0n) throw new Error('goal bonded must be positive');
  if (p.goalBonded > DEC_ONE) throw new Error('goal bonded too large');
  if (p.inflationMax < p.inflationMin)
    throw new Error('max inflation must be greater than or equal to min inflation');
  if (p.blocksPerYear === 0n) throw new Error('blocks per year must be positive');
}

export const mintParamsToProto = (p: MintParams): Params => ({
  mintDenom: p.mintDenom,
  inflationRateChange: decToProto(p.inflationRateChange),
  inflationMax: decToProto(p.inflationMax),
  inflationMin: decToProto(p.inflationMin),
  goalBonded: decToProto(p.goalBonded),
  blocksPerYear: p.blocksPerYear,
});

export const mintParamsFromProto = (p: Params): MintParams => ({
  mintDenom: p.mintDenom,
  inflationRateChange: decFromProto(p.inflationRateChange),
  inflationMax: decFromProto(p.inflationMax),
  inflationMin: decFromProto(p.inflationMin),
  goalBonded: decFromProto(p.goalBonded),
  blocksPerYear: p.blocksPerYear,
});

export const minterToProto = (m: MinterState): Minter => ({
  inflation: decToProto(m.inflation),
  annualProvisions: decToProto(m.annualProvisions),
});
export const minterFromProto = (m: Minter): MinterState => ({
  inflation: decFromProto(m.inflation),
  annualProvisions: decFromProto(m.annualProvisions),
});

export const mintParamsToJson = (p: MintParams) => ({
  mint_denom: p.mintDenom,
  inflation_rate_change: decToString(p.inflationRateChange),
  inflation_max: decToString(p.inflationMax),
  inflation_min: decToString(p.inflationMin),
  goal_bonded: decToString(p.goalBonded),
  blocks_per_year: p.blocksPerYear.toString(),
});

export function mintParamsFromJson(v: unknown, path: string): MintParams {
  const o = obj(v, path);
  const d = defaultMintParams();
  const dec = (name: string, dflt: bigint) =>
    o[name] === undefined
      ? dflt
      : at(`${path}.${name}`, () => decFromString(str(o[name], `${path}.${name}`)));
  const p: MintParams = {
    mintDenom: o.mint_denom === undefined ? d.mintDenom : str(o.mint_denom, `${path}.mint_denom`),
    inflationRateChange: dec('inflation_rate_change', d.inflationRateChange),
    inflationMax: dec('inflation_max', d.inflationMax),
    inflationMin: dec('inflation_min', d.inflationMin),
    goalBonded: dec('goal_bonded', d.goalBonded),
    blocksPerYear: uint(o.blocks_per_year, `${path}.blocks_per_year`, d.blocksPerYear),
  };
  at(path, () => validateMintParams(p));
  return p;
}
