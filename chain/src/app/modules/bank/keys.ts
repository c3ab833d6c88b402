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
export const balanceKey = (addr: Uint8Array, denom: string) =>
  concatBytes(balancesPrefixOf(addr), utf8(denom));
export const supplyKey = (denom: string) => concatBytes(SupplyPrefix, utf8(denom));
export const denomMetadataKey = (denom: string) => concatBytes(DenomMetadataPrefix, utf8(denom));
export const sendEnabledKey = (denom: string) => concatBytes(SendEnabledPrefix, utf8(denom));
/** Reverse index denom -> holders: 0x03 | denom | 0x00 | len(addr) | addr (collections pair key). */
export const denomAddressPrefixOf = (denom: string) =>
  concatBytes(DenomAddressPrefix, utf8(denom), Uint8Array.of(0));
export const denomAddressKey = (denom: string, addr: Uint8Array) =>
  concatBytes(denomAddressPrefixOf(denom), lengthPrefixed(addr));
