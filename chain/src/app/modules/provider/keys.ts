/**
 * Store layout of x/provider. Never renumber a prefix.
 *   0x00                                   params
 *   0x01 | owner                           Provider
 *   0x02 | owner | auditor                 AuditedAttributes
 *   0x03 | owner | id                      Unbonding
 *   0x04 | completion | owner | id         unbonding queue (value 0x01)
 *   0x05 | deadline | owner                liveness queue: providers at fault after `deadline`
 *   0x06                                   next unbonding id
 */
import { concatBytes, lengthPrefixed, u64BE } from '../../types/keys.js';

export const ModuleName = 'provider';
export const StoreKey = 'provider';
/** The module account holding every provider bond (and pending unbondings). */
export const BondPoolName = 'provider_bond';

export const ParamsKey = Uint8Array.of(0x00);
export const ProviderPrefix = Uint8Array.of(0x01);
export const AuditPrefix = Uint8Array.of(0x02);
export const UnbondingPrefix = Uint8Array.of(0x03);
export const UnbondingQueuePrefix = Uint8Array.of(0x04);
export const LivenessQueuePrefix = Uint8Array.of(0x05);
export const NextUnbondingIdKey = Uint8Array.of(0x06);

export const providerKey = (owner: Uint8Array) => concatBytes(ProviderPrefix, lengthPrefixed(owner));
export const auditsOfProviderPrefix = (owner: Uint8Array) => concatBytes(AuditPrefix, lengthPrefixed(owner));
export const auditKey = (owner: Uint8Array, auditor: Uint8Array) =>
  concatBytes(auditsOfProviderPrefix(owner), lengthPrefixed(auditor));
export const unbondingsOfPrefix = (owner: Uint8Array) => concatBytes(UnbondingPrefix, lengthPrefixed(owner));
export const unbondingKey = (owner: Uint8Array, id: bigint) =>
  concatBytes(unbondingsOfPrefix(owner), u64BE(id));
export const unbondingQueueKey = (completion: bigint, owner: Uint8Array, id: bigint) =>
  concatBytes(UnbondingQueuePrefix, u64BE(completion), lengthPrefixed(owner), u64BE(id));
export const livenessKey = (deadline: bigint, owner: Uint8Array) =>
  concatBytes(LivenessQueuePrefix, u64BE(deadline), lengthPrefixed(owner));
