/**
 * Validator keys as CometBFT v0.38 uses them (crypto/ed25519, crypto/secp256k1):
 * - ed25519: 32-byte key, address = SHA-256(key)[:20], 64-byte signatures over the raw message;
 * - secp256k1: 33-byte compressed key, address = RIPEMD-160(SHA-256(key)), 64-byte r||s
 *   signatures over SHA-256(message), low-S only.
 * Signature checks use node:crypto (ed25519) and the native libsecp256k1 binding.
 *
 * CometBFT verifies ed25519 with ZIP-215 rules (curve25519-voi, VerifyOptionsZIP_215): it also
 * accepts non-canonical point encodings and checks the cofactored equation. Everything OpenSSL
 * (RFC 8032) accepts is ZIP-215-valid, so the fast node:crypto check decides every honest
 * signature and only a rejected one is re-checked with noble's ZIP-215 verifier. Without that,
 * a byzantine validator could craft a signature CometBFT nodes accept and Hearth nodes refuse.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import secp256k1 from 'secp256k1';
import { ValidationError } from './errors.js';
import { sha256 } from './merkle.js';
import { ADDRESS_SIZE, type PublicKey } from './types.js';

export const ED25519_PUBKEY_SIZE = 32;
export const SECP256K1_PUBKEY_SIZE = 33;
export const SIGNATURE_SIZE = 64;

/** Returns why the key is malformed, or undefined. */
export function publicKeyProblem(pk: PublicKey): string | undefined {
  if (pk === undefined || pk === null || !(pk.key instanceof Uint8Array)) return 'missing public key';
  if (pk.type === 'ed25519') {
    return pk.key.length === ED25519_PUBKEY_SIZE
      ? undefined
      : `ed25519 key must be 32 bytes, got ${pk.key.length}`;
  }
  if (pk.type === 'secp256k1') {
    return pk.key.length === SECP256K1_PUBKEY_SIZE
      ? undefined
      : `secp256k1 key must be 33 bytes, got ${pk.key.length}`;
  }
  return `unknown key type ${String((pk as { type: unknown }).type)}`;
}

/** crypto.PubKey.Address(): the 20-byte validator address. */
export function addressFromPubKey(pk: PublicKey): Uint8Array {
  const problem = publicKeyProblem(pk);
  if (problem !== undefined) throw new ValidationError(problem);
  if (pk.type === 'ed25519') return sha256(pk.key).subarray(0, ADDRESS_SIZE);
  return ripemd160(sha256(pk.key));
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_LIMIT = 10_000;

function ed25519KeyObject(key: Uint8Array): KeyObject | null {
  const id = Buffer.from(key).toString('hex');
  let ko = keyCache.get(id);
  if (ko !== undefined) return ko;
  try {
    ko = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: 'der', type: 'spki' });
  } catch {
    ko = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, ko);
  return ko;
}

// Half the secp256k1 group order: signatures with s above it are malleable and refused.
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

function isLowS(sig: Uint8Array): boolean {
  const s = BigInt(`0x${Buffer.from(sig.subarray(32, 64)).toString('hex')}`);
  return s <= SECP256K1_HALF_N;
}

/** PubKey.VerifySignature: false for any malformed key or signature, never a throw. */
export function verifySignature(pk: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKeyProblem(pk) !== undefined) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_SIZE) return false;
  if (pk.type === 'ed25519') {
    const ko = ed25519KeyObject(pk.key);
    try {
      if (ko !== null && verify(null, message, ko, signature)) return true;
    } catch {
      // fall through to the ZIP-215 check
    }
    return verifyEd25519Zip215(pk.key, message, signature);
  }
  if (!isLowS(signature)) return false;
  try {
    return secp256k1.ecdsaVerify(signature, sha256(message), pk.key);
  } catch {
    return false;
  }
}

/** Ed25519 under ZIP-215 rules only (slow, pure JS): CometBFT's acceptance criterion. */
export function verifyEd25519Zip215(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, key, { zip215: true });
  } catch {
    return false;
  }
}
