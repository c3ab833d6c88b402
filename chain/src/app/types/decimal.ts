/**
 * Fixed-point decimals with 18 fractional digits on bigint (`sdk.Dec` / `math.LegacyDec`):
 * the only non-integer numbers the state machine uses.
 */
export const DEC_PRECISION = 18;
export const DEC_ONE = 10n ** 18n;

/** Parse "0.025" into 25_000_000_000_000_000n; refuses more than 18 fractional digits. */
export function parseDec(text: string): bigint {
  const m = /^([0-9]+)(?:\.([0-9]{1,18}))?$/.exec(text);
  if (!m) throw new Error(`invalid decimal ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * DEC_ONE + BigInt((m[2] ?? '').padEnd(DEC_PRECISION, '0'));
}

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

/** "0.025uhth,1.5uatom" (node config `minimum-gas-prices`). */
export function parseDecCoins(text: string): DecCoin[] {
  if (text.trim() === '') return [];
  const out = text.split(',').map((part) => {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z][a-zA-Z0-9/:._-]{2,127})\s*$/.exec(part);
    if (!m) throw new Error(`invalid decimal coin ${JSON.stringify(part)}`);
    return { denom: m[2]!, amount: parseDec(m[1]!) };
  });
  const denoms = new Set(out.map((c) => c.denom));
  if (denoms.size !== out.length) throw new Error(`duplicate denom in ${JSON.stringify(text)}`);
  return out.sort((a, b) => (a.denom < b.denom ? -1 : 1));
}
