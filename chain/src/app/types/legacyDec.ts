/**
 * `math.LegacyDec` arithmetic on bigint atomics (value × 10^18), with the SDK's rounding:
 * `Mul`, `Quo` and `RoundInt` round half to even ("chopPrecisionAndRound"), the `*Truncate`
 * variants and `TruncateInt` drop the remainder toward zero, `QuoRoundUp` rounds away from
 * zero, `MulInt` is exact and `QuoInt` truncates. Also `sdk.DecCoins` helpers on the same
 * representation. A LegacyDec travels in protobuf as the decimal string of its atomics and in
 * JSON as "1.500000000000000000"; both forms are read and written here.
 */
import type { Coin, Coins } from './coins.js';
import { DEC_ONE, type DecCoin, formatDec } from './decimal.js';

export type { DecCoin };
export type DecCoins = readonly DecCoin[];

const HALF = DEC_ONE / 2n;
/** LegacyDec is bounded to 256 + 60 bits of atomics (`maxDecBitLen`). */
const MAX_ATOMICS = (1n << 316n) - 1n;

function checkRange(v: bigint): bigint {
  if (v > MAX_ATOMICS || v < -MAX_ATOMICS) throw new RangeError('decimal out of range');
  return v;
}

/** Divides atomics by 10^18, rounding half to even (the SDK's chopPrecisionAndRound). */
export function chopRound(x: bigint): bigint {
  if (x < 0n) return -chopRound(-x);
  const q = x / DEC_ONE;
  const r = x % DEC_ONE;
  if (r < HALF) return q;
  if (r > HALF) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

export const decFromInt = (i: bigint): bigint => i * DEC_ONE;
export const decMul = (a: bigint, b: bigint): bigint => checkRange(chopRound(a * b));
export const decMulTrunc = (a: bigint, b: bigint): bigint => checkRange((a * b) / DEC_ONE);
export const decMulInt = (a: bigint, i: bigint): bigint => checkRange(a * i);

function nonZero(b: bigint): bigint {
  if (b === 0n) throw new RangeError('division by zero');
  return b;
}

export const decQuo = (a: bigint, b: bigint): bigint =>
  checkRange(chopRound((a * DEC_ONE * DEC_ONE) / nonZero(b)));
export const decQuoTrunc = (a: bigint, b: bigint): bigint => checkRange((a * DEC_ONE) / nonZero(b));
export const decQuoInt = (a: bigint, i: bigint): bigint => a / nonZero(i);

export function decQuoRoundUp(a: bigint, b: bigint): bigint {
  const n = a * DEC_ONE;
  const d = nonZero(b);
  const q = n / d;
  if (n % d === 0n) return checkRange(q);
  // Away from zero, as the SDK's QuoRoundUp.
  return checkRange(n < 0n !== d < 0n ? q - 1n : q + 1n);
}

/** The integer part, truncated toward zero. */
export const truncateInt = (a: bigint): bigint => a / DEC_ONE;
/** Nearest integer, ties to even. */
export const roundInt = (a: bigint): bigint => chopRound(a);
export function ceilInt(a: bigint): bigint {
  const q = a / DEC_ONE;
  return a % DEC_ONE > 0n ? q + 1n : q;
}

export const decMin = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const decMax = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** A LegacyDec from its protobuf form (the atomics as a decimal string, optionally signed). */
export function decFromProto(s: string, what = 'decimal'): bigint {
  if (!/^-?[0-9]{1,96}$/.test(s)) throw new RangeError(`invalid ${what}: ${JSON.stringify(s)}`);
  return checkRange(BigInt(s));
}

export const decToProto = (a: bigint): string => a.toString();

/** A LegacyDec from its JSON / human form: "0.05", "-1.5", "3". */
export function decFromString(s: string, what = 'decimal'): bigint {
  const m = /^(-?)([0-9]{1,78})(?:\.([0-9]{1,18}))?$/.exec(s);
  if (!m) throw new RangeError(`invalid ${what}: ${JSON.stringify(s)}`);
  const v = BigInt(m[2]!) * DEC_ONE + BigInt((m[3] ?? '').padEnd(18, '0'));
  return checkRange(m[1] === '-' ? -v : v);
}

/** "0.050000000000000000", as the SDK prints a LegacyDec in JSON. */
export const decToString = (a: bigint): string => formatDec(a);

// --- DecCoins ------------------------------------------------------------------------------

function normalize(list: readonly DecCoin[]): DecCoins {
  const sums = new Map<string, bigint>();
  for (const c of list) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
  return [...sums.entries()]
    .filter(([, a]) => a !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

export const decCoinsFromCoins = (coins: Coins): DecCoins =>
  normalize(coins.map((c) => ({ denom: c.denom, amount: decFromInt(c.amount) })));

export const addDecCoins = (a: DecCoins, b: DecCoins): DecCoins => normalize([...a, ...b]);

/** a - b; throws when any denom would go negative (a broken accounting invariant, never user input). */
export function subDecCoins(a: DecCoins, b: DecCoins): DecCoins {
  const out = normalize([...a, ...b.map((c) => ({ denom: c.denom, amount: -c.amount }))]);
  if (out.some((c) => c.amount < 0n)) throw new RangeError('negative decimal coin amount');
  return out;
}

export const mulDecCoins = (a: DecCoins, d: bigint): DecCoins =>
  normalize(a.map((c) => ({ denom: c.denom, amount: decMul(c.amount, d) })));
export const mulDecCoinsTrunc = (a: DecCoins, d: bigint): DecCoins =>
  normalize(a.map((c) => ({ denom: c.denom, amount: decMulTrunc(c.amount, d) })));
export const quoDecCoinsTrunc = (a: DecCoins, d: bigint): DecCoins =>
  normalize(a.map((c) => ({ denom: c.denom, amount: decQuoTrunc(c.amount, d) })));

/** Whole coins and the fractional change left over (`DecCoins.TruncateDecimal`). */
export function truncateDecCoins(a: DecCoins): { coins: Coins; change: DecCoins } {
  const coins: Coin[] = [];
  const change: DecCoin[] = [];
  for (const c of a) {
    const whole = truncateInt(c.amount);
    if (whole !== 0n) coins.push({ denom: c.denom, amount: whole });
    const rest = c.amount - decFromInt(whole);
    if (rest !== 0n) change.push({ denom: c.denom, amount: rest });
  }
  return { coins, change };
}

/** Per denom, the smaller of the two amounts (`DecCoins.Intersect`). */
export function intersectDecCoins(a: DecCoins, b: DecCoins): DecCoins {
  return normalize(
    a.map((c) => {
      const other = b.find((x) => x.denom === c.denom)?.amount ?? 0n;
      return { denom: c.denom, amount: decMin(c.amount, other) };
    }),
  );
}

export const decCoinsEqual = (a: DecCoins, b: DecCoins): boolean =>
  a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);

export const isZeroDecCoins = (a: DecCoins): boolean => a.every((c) => c.amount === 0n);

export const decCoinsToProto = (a: DecCoins): { denom: string; amount: string }[] =>
  a.map((c) => ({ denom: c.denom, amount: decToProto(c.amount) }));

export const decCoinsFromProto = (a: readonly { denom: string; amount: string }[]): DecCoins =>
  normalize(a.map((c) => ({ denom: c.denom, amount: decFromProto(c.amount) })));

/** "1.500000000000000000uhth" as `DecCoins.String()` prints it. */
export const decCoinsToString = (a: DecCoins): string =>
  a.map((c) => `${formatDec(c.amount)}${c.denom}`).join(',');

/** "0.025uhth,1.5uatom" (node config `minimum-gas-prices`). */
export function parseDecCoins(text: string): DecCoin[] {
  if (text.trim() === '') return [];
  const out = text.split(',').map((part) => {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z][a-zA-Z0-9/:._-]{2,127})\s*$/.exec(part);
    if (!m) throw new Error(`invalid decimal coin ${JSON.stringify(part)}`);
    return { denom: m[2]!, amount: decFromString(m[1]!, 'gas price') };
  });
  const denoms = new Set(out.map((c) => c.denom));
  if (denoms.size !== out.length) throw new Error(`duplicate denom in ${JSON.stringify(text)}`);
  return out.sort((a, b) => (a.denom < b.denom ? -1 : 1));
}
