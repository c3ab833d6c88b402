/**
 * Coin arithmetic on bigint, following the Cosmos SDK's `sdk.Coins` rules: a valid `Coins`
 * value is sorted by denom, has no duplicate denoms and only positive amounts. Amounts are
 * bounded to 256 bits as `math.Int` is.
 */
import { ErrInvalidCoins } from './errors.js';

export interface Coin {
  denom: string;
  amount: bigint;
}

/** A sorted list of positive coins with unique denoms. */
export type Coins = readonly Coin[];

const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const AMOUNT_RE = /^[0-9]+$/;
export const MAX_AMOUNT = (1n << 256n) - 1n;

export function validateDenom(denom: string): void {
  if (!DENOM_RE.test(denom)) throw ErrInvalidCoins.wrap(`invalid denom: ${denom}`);
}

export function parseAmount(amount: string): bigint {
  if (!AMOUNT_RE.test(amount) || amount.length > 78) throw ErrInvalidCoins.wrap(`invalid amount: ${amount}`);
  const v = BigInt(amount);
  if (v > MAX_AMOUNT) throw ErrInvalidCoins.wrap(`amount out of range: ${amount}`);
  return v;
}

/** Decode protobuf coins (`{denom, amount: string}`) and check they form valid Coins. */
export function coinsFromProto(
  coins: readonly { denom: string; amount: string }[],
  allowZero = false,
): Coins {
  const out: Coin[] = coins.map((c) => {
    validateDenom(c.denom);
    return { denom: c.denom, amount: parseAmount(c.amount) };
  });
  validateCoins(out, allowZero);
  return out;
}

export function validateCoins(coins: Coins, allowZero = false): void {
  for (let i = 0; i < coins.length; i++) {
    const c = coins[i]!;
    validateDenom(c.denom);
    if (c.amount < 0n || (!allowZero && c.amount === 0n)) {
      throw ErrInvalidCoins.wrap(`coin ${c.amount}${c.denom} amount is not positive`);
    }
    if (c.amount > MAX_AMOUNT) throw ErrInvalidCoins.wrap(`coin ${c.denom} amount out of range`);
    if (i > 0) {
      const prev = coins[i - 1]!.denom;
      if (prev === c.denom) throw ErrInvalidCoins.wrap(`duplicate denomination ${c.denom}`);
      if (prev > c.denom) throw ErrInvalidCoins.wrap(`denomination ${c.denom} is not sorted`);
    }
  }
}

export function coinsToProto(coins: Coins): { denom: string; amount: string }[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** "10uhth,5uatom" as `sdk.Coins.String()` prints it (empty string for none). */
export function coinsToString(coins: Coins): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(',');
}

/** Sorted, positive-only coins from an arbitrary list (summing duplicates). */
export function normalizeCoins(coins: readonly Coin[]): Coins {
  const sums = new Map<string, bigint>();
  for (const c of coins) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
  return [...sums.entries()]
    .filter(([, a]) => a !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }));
}

export function addCoins(a: Coins, b: Coins): Coins {
  return normalizeCoins([...a, ...b]);
}

/** a - b; throws ErrInsufficientFunds-style errors are the caller's business: returns undefined when negative. */
export function subCoins(a: Coins, b: Coins): Coins | undefined {
  const out = normalizeCoins([...a, ...b.map((c) => ({ denom: c.denom, amount: -c.amount }))]);
  return out.some((c) => c.amount < 0n) ? undefined : out;
}

export function amountOf(coins: Coins, denom: string): bigint {
  for (const c of coins) if (c.denom === denom) return c.amount;
  return 0n;
}

/** True when every coin of `b` is covered by `a`. */
export function coinsGTE(a: Coins, b: Coins): boolean {
  return b.every((c) => amountOf(a, c.denom) >= c.amount);
}

export function isZeroCoins(coins: Coins): boolean {
  return coins.every((c) => c.amount === 0n);
}

export function coinsEqual(a: Coins, b: Coins): boolean {
  return a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);
}
