/**
 * Store layout of x/bank as the Cosmos SDK v0.50 lays it out, so that standard tooling can read
 * proofs over it: balances under 0x02 | len(addr) | addr | denom with the amount as its decimal
 * string. Never renumber a prefix.
 */
import { concatBytes, lengthPrefixed, utf8 } from '../../types/keys.js';

export const ModuleName = 'bank';
export const StoreKey = 'bank';

export const SupplyPrefix = Uint8Array.of(0x00);
export const DenomMetadataPrefix = Uint8Array.of(0x01);
export const BalancesPrefix = Uint8Array.of(0x02);
export const DenomAddressPrefix = Uint8Array.of(0x03);
export const SendEnabledPrefix = Uint8Array.of(0x04);
export const ParamsKey = Uint8Array.of(0x05);

export const balancesPrefixOf = (addr: Uint8Array) => concatBytes(BalancesPrefix, lengthPrefixed(addr));

/** UTF-8 of denoms, which recur in every bank key (bounded: cleared when it grows large). */
const denomBytesMemo = new Map<string, Uint8Array>();
function denomBytes(denom: string): Uint8Array {
  let b = denomBytesMemo.get(denom);
  if (b === undefined) {
    if (denomBytesMemo.size >= 4096) denomBytesMemo.clear();
    b = utf8(denom);
    denomBytesMemo.set(denom, b);
  }
  return b;
}

/** 0x02 | len(addr) | addr | denom, built in one allocation (the hottest key of the chain). */
export function balanceKey(addr: Uint8Array, denom: string): Uint8Array {
  if (addr.length > 255) throw new Error('length-prefixed key part longer than 255 bytes');
  const d = denomBytes(denom);
  const out = new Uint8Array(2 + addr.length + d.length);
  out[0] = 0x02;
  out[1] = addr.length;
  out.set(addr, 2);
  out.set(d, 2 + addr.length);
  return out;
}
export const supplyKey = (denom: string) => concatBytes(SupplyPrefix, utf8(denom));
export const denomMetadataKey = (denom: string) => concatBytes(DenomMetadataPrefix, utf8(denom));
export const sendEnabledKey = (denom: string) => concatBytes(SendEnabledPrefix, utf8(denom));
/** Reverse index denom -> holders: 0x03 | denom | 0x00 | len(addr) | addr (collections pair key). */
export const denomAddressPrefixOf = (denom: string) =>
  concatBytes(DenomAddressPrefix, denomBytes(denom), Uint8Array.of(0));
export const denomAddressKey = (denom: string, addr: Uint8Array) =>
  concatBytes(denomAddressPrefixOf(denom), lengthPrefixed(addr));
