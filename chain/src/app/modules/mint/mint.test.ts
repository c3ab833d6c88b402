import { describe, expect, it } from 'vitest';
import { DEC_ONE } from '../../types/decimal.js';
import { GenesisError } from '../../types/json.js';
import { decFromString } from '../../types/legacyDec.js';
import { parseMintGenesis } from './genesis.js';
import { blockProvision, nextAnnualProvisions, nextInflationRate } from './keeper.js';
import { defaultMintParams } from './params.js';

const d = (s: string) => decFromString(s);

describe('x/mint arithmetic', () => {
  const p = defaultMintParams();
  it('moves inflation toward the goal bonded ratio by rate_change / blocks_per_year per block', () => {
    // Nothing bonded: +13% a year, i.e. +0.13/6311520 per block (LegacyDec Quo rounding).
    const up = nextInflationRate({ inflation: d('0.10'), annualProvisions: 0n }, p, 0n);
    expect(up).toBe(d('0.10') + 20_597_257_079n); // 0.13e18 / 6311520 = 20597257079.118...; checked with exact rationals
    // At the goal it stays; above it, it falls; always within [min, max].
    expect(nextInflationRate({ inflation: d('0.10'), annualProvisions: 0n }, p, p.goalBonded)).toBe(
      d('0.10'),
    );
    expect(nextInflationRate({ inflation: d('0.10'), annualProvisions: 0n }, p, DEC_ONE) < d('0.10')).toBe(
      true,
    );
    expect(nextInflationRate({ inflation: d('0.20'), annualProvisions: 0n }, p, 0n)).toBe(d('0.20'));
    expect(nextInflationRate({ inflation: d('0.07'), annualProvisions: 0n }, p, DEC_ONE)).toBe(d('0.07'));
  });

  it('provisions: inflation × supply a year, truncated per block', () => {
    const m = { inflation: d('0.13'), annualProvisions: 0n };
    m.annualProvisions = nextAnnualProvisions(m, 1_000_000_000_000n);
    expect(m.annualProvisions).toBe(d('130000000000'));
    expect(blockProvision(m, p)).toBe(130_000_000_000n / 6_311_520n);
  });

  it('refuses a bad genesis with the path of the problem', () => {
    expect(() => parseMintGenesis({ params: { inflation_min: '0.3' } })).toThrow(GenesisError);
    expect(() => parseMintGenesis({ minter: { inflation: '-0.1' } })).toThrow(/mint.minter.inflation/);
    expect(() => parseMintGenesis({ params: { blocks_per_year: '0' } })).toThrow(/blocks per year/);
  });
});
