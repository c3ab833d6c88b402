/**
 * Fixed-point decimals with 18 fractional digits on bigint (`sdk.Dec` / `math.LegacyDec`):
 * the only non-integer numbers the state machine uses.
 */
export const DEC_PRECISION = 18;
export const DEC_ONE = 10n ** 18n;

/** "0.025000000000000000" as sdk.Dec prints. */
export function formatDec(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / DEC_ONE}.${(a % DEC_ONE).toString().padStart(DEC_PRECISION, '0')}`;
}

/** ceil(dec * n) for a non-negative decimal and integer. */
export function mulIntCeil(dec: bigint, n: bigint): bigint {
  const p = dec * n;
  return (p + DEC_ONE - 1n) / DEC_ONE;
}

export interface DecCoin {
  denom: string;
  amount: bigint;
}
