import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEC_ONE } from './decimal.js';
import {
  ceilInt,
  chopRound,
  decFromProto,
  decFromString,
  decMul,
  decMulTrunc,
  decQuo,
  decQuoRoundUp,
  decQuoTrunc,
  decToString,
  intersectDecCoins,
  roundInt,
  subDecCoins,
  truncateDecCoins,
  truncateInt,
} from './legacyDec.js';

const d = (s: string) => decFromString(s);

describe('LegacyDec arithmetic', () => {
  it('rounds half to even when chopping precision, as chopPrecisionAndRound', () => {
    expect(chopRound(d('2.5'))).toBe(2n);
    expect(chopRound(d('3.5'))).toBe(4n);
    expect(chopRound(d('2.500000000000000001'))).toBe(3n);
    expect(chopRound(d('-2.5'))).toBe(-2n);
    expect(chopRound(d('-3.5'))).toBe(-4n);
    expect(roundInt(d('0.5'))).toBe(0n);
    expect(roundInt(d('1.5'))).toBe(2n);
  });

  it('multiplies and divides with the SDK rounding of the last digit', () => {
    // 0.000000000000000001 * 0.5 = 5e-37: rounds to 0 (half below unit), trunc to 0.
    expect(decMul(1n, d('0.5'))).toBe(0n);
    // 1.5e-18 * 1 stays, and 3e-18 * 0.5 = 1.5e-18 -> 2e-18 (ties to even), truncated 1e-18.
    expect(decMul(3n, d('0.5'))).toBe(2n);
    expect(decMulTrunc(3n, d('0.5'))).toBe(1n);
    expect(decMul(5n, d('0.5'))).toBe(2n);
    expect(decQuo(d('1'), d('3'))).toBe(333_333_333_333_333_333n);
    expect(decQuo(d('2'), d('3'))).toBe(666_666_666_666_666_667n);
    expect(decQuoTrunc(d('2'), d('3'))).toBe(666_666_666_666_666_666n);
    expect(decQuoRoundUp(d('1'), d('3'))).toBe(333_333_333_333_333_334n);
    expect(decQuoRoundUp(d('1'), d('4'))).toBe(d('0.25'));
    expect(() => decQuo(1n, 0n)).toThrow(RangeError);
  });

  it('truncates and ceils to integers', () => {
    expect(truncateInt(d('7.999'))).toBe(7n);
    expect(truncateInt(d('-7.999'))).toBe(-7n);
    expect(ceilInt(d('7.001'))).toBe(8n);
    expect(ceilInt(d('7'))).toBe(7n);
  });

  it('parses and prints both wire forms and refuses garbage', () => {
    expect(decToString(d('0.05'))).toBe('0.050000000000000000');
    expect(decFromProto('50000000000000000')).toBe(d('0.05'));
    expect(decFromString('-1.5')).toBe(-d('1.5'));
    for (const bad of ['', '1.', '.5', '1e5', '0.1234567890123456789', ' 1'])
      expect(() => decFromString(bad)).toThrow(RangeError);
    expect(() => decFromProto('1.5')).toThrow(RangeError);
  });

  it('Mul/Quo agree with exact rational rounding (property)', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 10n ** 30n), fc.bigInt(1n, 10n ** 30n), (a, b) => {
        const q = decQuoTrunc(a, b);
        // floor(a*1e18/b): q*b <= a*1e18 < (q+1)*b
        expect(q * b <= a * DEC_ONE && a * DEC_ONE < (q + 1n) * b).toBe(true);
        const m = decMul(a, b);
        const exact = a * b;
        // |m*1e18 - a*b| <= 1e18/2
        const diff = m * DEC_ONE - exact;
        expect(diff <= DEC_ONE / 2n && -diff <= DEC_ONE / 2n).toBe(true);
      }),
    );
  });

  it('DecCoins: truncation keeps the change, intersection takes minima, subtraction refuses negatives', () => {
    const coins = [
      { denom: 'a', amount: d('1.25') },
      { denom: 'b', amount: d('0.5') },
    ];
    expect(truncateDecCoins(coins)).toEqual({
      coins: [{ denom: 'a', amount: 1n }],
      change: [
        { denom: 'a', amount: d('0.25') },
        { denom: 'b', amount: d('0.5') },
      ],
    });
    expect(intersectDecCoins(coins, [{ denom: 'a', amount: d('1') }])).toEqual([
      { denom: 'a', amount: d('1') },
    ]);
    expect(() => subDecCoins(coins, [{ denom: 'b', amount: d('1') }])).toThrow(RangeError);
  });
});
