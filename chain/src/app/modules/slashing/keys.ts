/**
 * Store layout of x/slashing (v0.50): params at 0x00, signing infos under 0x01, the missed-block
 * bitmap in 1024-bit chunks under 0x02, consensus pubkeys under 0x03. Never renumber a prefix.
 */
import { concatBytes, lengthPrefixed, u64BE } from '../../types/keys.js';

export const ModuleName = 'slashing';
export const StoreKey = 'slashing';

export const ParamsKey = Uint8Array.of(0x00);
export const ValidatorSigningInfoPrefix = Uint8Array.of(0x01);
export const ValidatorMissedBlockBitmapPrefix = Uint8Array.of(0x02);
export const AddrPubkeyRelationPrefix = Uint8Array.of(0x03);

/** Bits per missed-block bitmap chunk (`types.MissedBlockBitmapChunkSize`). */
export const CHUNK_BITS = 1024n;

export const signingInfoKey = (cons: Uint8Array) =>
  concatBytes(ValidatorSigningInfoPrefix, lengthPrefixed(cons));
export const bitmapPrefix = (cons: Uint8Array) =>
  concatBytes(ValidatorMissedBlockBitmapPrefix, lengthPrefixed(cons));
export const bitmapChunkKey = (cons: Uint8Array, chunk: bigint) =>
  concatBytes(bitmapPrefix(cons), u64BE(chunk));
export const pubkeyKey = (cons: Uint8Array) => concatBytes(AddrPubkeyRelationPrefix, lengthPrefixed(cons));
