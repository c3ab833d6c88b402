/**
 * Store layout of x/escrow. Never renumber a prefix.
 *   0x00               params
 *   0x01 | owner | dseq                          Account
 *   0x02 | owner | dseq | gseq | oseq | provider Payment
 *   0x03 | height | owner | dseq                 depletion index: accounts whose funds run out at
 *                                                the end of `height` (value: 0x01)
 * Addresses are length-prefixed; numbers are big-endian so keys sort numerically.
 */
import { concatBytes, lengthPrefixed, u64BE } from '../../types/keys.js';

export const ModuleName = 'escrow';
export const StoreKey = 'escrow';

export const ParamsKey = Uint8Array.of(0x00);
export const AccountPrefix = Uint8Array.of(0x01);
export const PaymentPrefix = Uint8Array.of(0x02);
export const DepletionPrefix = Uint8Array.of(0x03);

export const u32BE = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

export const accountsOfOwnerPrefix = (owner: Uint8Array) => concatBytes(AccountPrefix, lengthPrefixed(owner));
export const accountKey = (owner: Uint8Array, dseq: bigint) =>
  concatBytes(AccountPrefix, lengthPrefixed(owner), u64BE(dseq));
export const paymentsOfOwnerPrefix = (owner: Uint8Array) => concatBytes(PaymentPrefix, lengthPrefixed(owner));
export const paymentsOfAccountPrefix = (owner: Uint8Array, dseq: bigint) =>
  concatBytes(PaymentPrefix, lengthPrefixed(owner), u64BE(dseq));
export const paymentKey = (id: PaymentKeyParts) =>
  concatBytes(
    paymentsOfAccountPrefix(id.owner, id.dseq),
    u32BE(id.gseq),
    u32BE(id.oseq),
    lengthPrefixed(id.provider),
  );
export const depletionKey = (height: bigint, owner: Uint8Array, dseq: bigint) =>
  concatBytes(DepletionPrefix, u64BE(height), lengthPrefixed(owner), u64BE(dseq));

export interface PaymentKeyParts {
  owner: Uint8Array;
  dseq: bigint;
  gseq: number;
  oseq: number;
  provider: Uint8Array;
}
