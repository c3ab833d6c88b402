/**
 * More fixed-point decimal helpers (18 digits, see decimal.ts) for the marketplace: strict
 * parsing of protobuf `cosmos.Dec` strings and DecCoins with clear errors, and floor products.
 */
import { MAX_AMOUNT, validateDenom } from './coins.js';
import { DEC_ONE, formatDec } from './decimal.js';
import { ErrInvalidCoins, ErrInvalidRequest } from './errors.js';

const DEC_RE = /^([0-9]{1,60})(?:\.([0-9]{1,18}))?$/;

/** Parses a non-negative decimal ("0.05", "12", "1.000000000000000000") or throws ErrInvalidRequest. */
export function parseDecStrict(text: string, what: string): bigint {
  const m = DEC_RE.exec(text);
  if (!m) throw ErrInvalidRequest.wrap(`${what}: invalid decimal ${JSON.stringify(text)}`);
  return BigInt(m[1]!) * DEC_ONE + BigInt((m[2] ?? '').padEnd(18, '0'));
}

/** A fraction in [0, 1]. */
export function parseFraction(text: string, what: string): bigint {
  const v = parseDecStrict(text, what);
  if (v > DEC_ONE) throw ErrInvalidRequest.wrap(`${what}: ${text} is greater than 1`);
  return v;
}

export interface DecAmount {
  denom: string;
  /** Scaled by 10^18. */
  amount: bigint;
}

/** A protobuf DecCoin `{denom, amount}`; throws ErrInvalidCoins. */
export function decCoinFromProto(c: { denom: string; amount: string } | undefined, what: string): DecAmount {
  if (!c) throw ErrInvalidCoins.wrap(`${what} is missing`);
  validateDenom(c.denom);
  const m = DEC_RE.exec(c.amount);
  if (!m) throw ErrInvalidCoins.wrap(`${what}: invalid decimal amount ${JSON.stringify(c.amount)}`);
  const amount = BigInt(m[1]!) * DEC_ONE + BigInt((m[2] ?? '').padEnd(18, '0'));
  if (amount > MAX_AMOUNT * DEC_ONE) throw ErrInvalidCoins.wrap(`${what}: amount out of range`);
  return { denom: c.denom, amount };
}

export const decCoinToProto = (c: DecAmount) => ({ denom: c.denom, amount: formatDec(c.amount) });

/** floor(dec * n) for a non-negative decimal and integer. */
export const mulIntFloor = (dec: bigint, n: bigint): bigint => (dec * n) / DEC_ONE;
