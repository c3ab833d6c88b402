/**
 * Hearth addresses: Cosmos SDK bech32 (BIP-173) over raw address bytes, with Hearth's prefixes.
 * An account address is bech32(ripemd160(sha256(compressed secp256k1 pubkey))), the same bytes
 * CosmJS' DirectSecp256k1HdWallet derives.
 *
 * Browser-safe: hashing comes from @cosmjs/crypto (pure JS), never node:crypto.
 */
import { ripemd160, sha256 } from '@cosmjs/crypto';
import { fromBech32, toBech32 } from '@cosmjs/encoding';
import { InvalidAddressError } from './errors.js';

/** Bech32 human-readable parts, as the Cosmos SDK's `sdk.Config` names them. */
export const bech32Prefixes = {
  account: 'hearth',
  accountPub: 'hearthpub',
  validator: 'hearthvaloper',
  validatorPub: 'hearthvaloperpub',
  consensus: 'hearthvalcons',
  consensusPub: 'hearthvalconspub',
} as const;

/** What an address names: an account, a validator operator, or a validator's consensus key. */
export type AddressKind = 'account' | 'validator' | 'consensus';

const kindPrefix: Record<AddressKind, string> = {
  account: bech32Prefixes.account,
  validator: bech32Prefixes.validator,
  consensus: bech32Prefixes.consensus,
};

/**
 * The Cosmos SDK accepts 1..255 address bytes (20 for keys, 32 for module/derived accounts).
 * Bech32 strings of that size exceed BIP-173's 90 characters, so decoding passes an explicit
 * limit instead of CosmJS' default (Infinity, which @scure/base >= 2.3 rejects).
 */
const maxAddressBytes = 255;
const maxBech32Length = 1023;

export function prefixOf(kind: AddressKind): string {
  return kindPrefix[kind];
}

/** Encodes raw address bytes with the prefix for `kind` (default: account). */
export function toHearthAddress(data: Uint8Array, kind: AddressKind = 'account'): string {
  if (!(data instanceof Uint8Array)) {
    throw new InvalidAddressError('Address bytes must be a Uint8Array.');
  }
  if (data.length === 0 || data.length > maxAddressBytes) {
    throw new InvalidAddressError(`Address must be 1 to ${maxAddressBytes} bytes, got ${data.length}.`);
  }
  return toBech32(prefixOf(kind), data, maxBech32Length);
}

/**
 * Decodes a bech32 address and checks that its prefix is the one for `kind`.
 * @throws InvalidAddressError with the reason (bad checksum, wrong prefix, bad length).
 */
export function fromHearthAddress(address: string, kind: AddressKind = 'account'): Uint8Array {
  if (typeof address !== 'string' || address.length === 0) {
    throw new InvalidAddressError('Address must be a non-empty string.');
  }
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address, maxBech32Length);
  } catch (cause) {
    throw new InvalidAddressError(`Invalid bech32 address "${address}".`, {
      details: cause instanceof Error ? cause.message : String(cause),
      cause,
    });
  }
  const expected = prefixOf(kind);
  if (decoded.prefix !== expected) {
    throw new InvalidAddressError(
      `Address "${address}" has prefix "${decoded.prefix}", expected "${expected}" (${kind}).`,
    );
  }
  if (decoded.data.length === 0 || decoded.data.length > maxAddressBytes) {
    throw new InvalidAddressError(
      `Address "${address}" holds ${decoded.data.length} bytes, expected 1 to ${maxAddressBytes}.`,
    );
  }
  return decoded.data;
}

/** True when `address` is a valid bech32 address with the prefix for `kind`. */
export function isHearthAddress(address: string, kind: AddressKind = 'account'): boolean {
  try {
    fromHearthAddress(address, kind);
    return true;
  } catch {
    return false;
  }
}

/** Re-encodes the same bytes for another kind, e.g. an operator's account address as `hearthvaloper1...`. */
export function convertAddress(address: string, from: AddressKind, to: AddressKind): string {
  return toHearthAddress(fromHearthAddress(address, from), to);
}

/** ripemd160(sha256(pubkey)) for a 33-byte compressed secp256k1 public key. */
export function rawAddressFromPubkey(pubkey: Uint8Array): Uint8Array {
  if (!(pubkey instanceof Uint8Array)) {
    throw new InvalidAddressError('Public key must be a Uint8Array.');
  }
  if (pubkey.length !== 33 || (pubkey[0] !== 0x02 && pubkey[0] !== 0x03)) {
    throw new InvalidAddressError(
      `Expected a 33-byte compressed secp256k1 public key (0x02/0x03 prefix), got ${pubkey.length} bytes.`,
      { metaMessages: ['Compress uncompressed (65-byte) keys first, e.g. with Secp256k1.compressPubkey.'] },
    );
  }
  return ripemd160(sha256(pubkey));
}

/**
 * The bech32 address of a compressed secp256k1 public key (default: account, `hearth1...`).
 * Consensus addresses are not offered: they come from ed25519 keys (first 20 bytes of sha256).
 */
export function addressFromPubkey(pubkey: Uint8Array, kind: 'account' | 'validator' = 'account'): string {
  return toHearthAddress(rawAddressFromPubkey(pubkey), kind);
}
