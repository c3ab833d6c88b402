/**
 * Store layout of x/staking as the Cosmos SDK v0.50 lays it out (x/staking/types/keys.go):
 * addresses are length-prefixed, times in queue keys are the SDK's sortable time bytes
 * ("2006-01-02T15:04:05.000000000"), the power index sorts by consensus power then by the
 * bitwise-inverted operator address. Never renumber a prefix.
 */
import { concatBytes, lengthPrefixed, u64BE, utf8 } from '../../types/keys.js';

export const ModuleName = 'staking';
export const StoreKey = 'staking';
export const BondedPoolName = 'bonded_tokens_pool';
export const NotBondedPoolName = 'not_bonded_tokens_pool';

export const LastValidatorPowerPrefix = Uint8Array.of(0x11);
export const LastTotalPowerKey = Uint8Array.of(0x12);
export const ValidatorsPrefix = Uint8Array.of(0x21);
export const ValidatorsByConsAddrPrefix = Uint8Array.of(0x22);
export const ValidatorsByPowerIndexPrefix = Uint8Array.of(0x23);
export const DelegationPrefix = Uint8Array.of(0x31);
export const UnbondingDelegationPrefix = Uint8Array.of(0x32);
export const UnbondingDelegationByValIndexPrefix = Uint8Array.of(0x33);
export const RedelegationPrefix = Uint8Array.of(0x34);
export const RedelegationByValSrcIndexPrefix = Uint8Array.of(0x35);
export const RedelegationByValDstIndexPrefix = Uint8Array.of(0x36);
export const UnbondingQueuePrefix = Uint8Array.of(0x41);
export const RedelegationQueuePrefix = Uint8Array.of(0x42);
export const ValidatorQueuePrefix = Uint8Array.of(0x43);
export const HistoricalInfoPrefix = Uint8Array.of(0x50);
export const ParamsKey = Uint8Array.of(0x51);
export const DelegationByValIndexPrefix = Uint8Array.of(0x71);

/** Index entries carry a one-byte marker: ICS23 cannot prove an empty value. */
export const INDEX_MARKER = Uint8Array.of(1);

const lp = lengthPrefixed;

/** `sdk.FormatTimeBytes`: UTC, fixed width, so that byte order is time order. */
export function sortableTime(ns: bigint): Uint8Array {
  return utf8(formatSortableTime(ns));
}

export function formatSortableTime(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const nanos = ns % 1_000_000_000n;
  const iso = new Date(Number(sec) * 1000).toISOString();
  return `${iso.slice(0, 19)}.${nanos.toString().padStart(9, '0')}`;
}

export function parseSortableTime(text: string): bigint {
  const ms = Date.parse(`${text.slice(0, 19)}Z`);
  if (Number.isNaN(ms) || text.length !== 29) throw new Error(`bad queue time ${text}`);
  return BigInt(ms) * 1_000_000n + BigInt(text.slice(20));
}

export const lastValidatorPowerKey = (val: Uint8Array) => concatBytes(LastValidatorPowerPrefix, lp(val));
export const validatorKey = (val: Uint8Array) => concatBytes(ValidatorsPrefix, lp(val));
export const validatorByConsAddrKey = (cons: Uint8Array) => concatBytes(ValidatorsByConsAddrPrefix, lp(cons));

export function validatorPowerIndexKey(power: bigint, val: Uint8Array): Uint8Array {
  const inverted = val.map((b) => ~b & 0xff);
  return concatBytes(ValidatorsByPowerIndexPrefix, u64BE(power), lp(inverted));
}

/** The operator address from a power index key (after the prefix). */
export function operatorFromPowerIndexKey(rest: Uint8Array): Uint8Array {
  const len = rest[8]!;
  return rest.subarray(9, 9 + len).map((b) => ~b & 0xff);
}

export const delegationsOfPrefix = (del: Uint8Array) => concatBytes(DelegationPrefix, lp(del));
export const delegationKey = (del: Uint8Array, val: Uint8Array) =>
  concatBytes(delegationsOfPrefix(del), lp(val));
export const delegationByValPrefix = (val: Uint8Array) => concatBytes(DelegationByValIndexPrefix, lp(val));
export const delegationByValKey = (val: Uint8Array, del: Uint8Array) =>
  concatBytes(delegationByValPrefix(val), lp(del));

export const ubdsOfPrefix = (del: Uint8Array) => concatBytes(UnbondingDelegationPrefix, lp(del));
export const ubdKey = (del: Uint8Array, val: Uint8Array) => concatBytes(ubdsOfPrefix(del), lp(val));
export const ubdByValPrefix = (val: Uint8Array) => concatBytes(UnbondingDelegationByValIndexPrefix, lp(val));
export const ubdByValKey = (val: Uint8Array, del: Uint8Array) => concatBytes(ubdByValPrefix(val), lp(del));

export const redsOfPrefix = (del: Uint8Array) => concatBytes(RedelegationPrefix, lp(del));
export const redsOfSrcPrefix = (del: Uint8Array, src: Uint8Array) => concatBytes(redsOfPrefix(del), lp(src));
export const redKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array) =>
  concatBytes(redsOfSrcPrefix(del, src), lp(dst));
export const redBySrcPrefix = (src: Uint8Array) => concatBytes(RedelegationByValSrcIndexPrefix, lp(src));
export const redBySrcKey = (src: Uint8Array, del: Uint8Array, dst: Uint8Array) =>
  concatBytes(redBySrcPrefix(src), lp(del), lp(dst));
export const redByDstPrefix = (dst: Uint8Array) => concatBytes(RedelegationByValDstIndexPrefix, lp(dst));
export const redByDstDelPrefix = (dst: Uint8Array, del: Uint8Array) =>
  concatBytes(redByDstPrefix(dst), lp(del));
export const redByDstKey = (dst: Uint8Array, del: Uint8Array, src: Uint8Array) =>
  concatBytes(redByDstDelPrefix(dst, del), lp(src));

export const ubdQueueKey = (ns: bigint) => concatBytes(UnbondingQueuePrefix, sortableTime(ns));
export const redQueueKey = (ns: bigint) => concatBytes(RedelegationQueuePrefix, sortableTime(ns));
export function validatorQueueKey(ns: bigint, height: bigint): Uint8Array {
  const t = sortableTime(ns);
  return concatBytes(ValidatorQueuePrefix, u64BE(BigInt(t.length)), t, u64BE(height));
}

export const historicalInfoKey = (height: bigint) =>
  concatBytes(HistoricalInfoPrefix, utf8(height.toString()));

/** Splits `lp(a) | lp(b) [| lp(c)]` into its parts. */
export function splitLengthPrefixed(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < b.length) {
    const n = b[o]!;
    out.push(b.subarray(o + 1, o + 1 + n));
    o += 1 + n;
  }
  return out;
}
