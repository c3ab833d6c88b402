/**
 * Ed25519 private keys as CometBFT stores them (crypto/ed25519): 64 bytes, the 32-byte seed
 * followed by the 32-byte public key. Signing goes through node:crypto (RFC 8032, deterministic).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import type { PublicKey } from '../types/index.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
export const ED25519_SEED_SIZE = 32;
export const ED25519_PRIVKEY_SIZE = 64;

export class Ed25519PrivateKey {
  private readonly key: KeyObject;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;

  private constructor(readonly seed: Uint8Array) {
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  }

  static fromSeed(seed: Uint8Array): Ed25519PrivateKey {
    if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_SIZE) {
      throw new Error(`ed25519 seed must be ${ED25519_SEED_SIZE} bytes`);
    }
    return new Ed25519PrivateKey(Uint8Array.from(seed));
  }

  /**
   * From CometBFT's 64-byte form; the trailing public key must match the seed (a mismatch
   * means a corrupt or hand-edited key file).
   */
  static fromBytes(bytes: Uint8Array): Ed25519PrivateKey {
    if (!(bytes instanceof Uint8Array) || bytes.length !== ED25519_PRIVKEY_SIZE) {
      throw new Error(`ed25519 private key must be ${ED25519_PRIVKEY_SIZE} bytes, got ${bytes?.length}`);
    }
    const k = Ed25519PrivateKey.fromSeed(bytes.subarray(0, 32));
    if (!Buffer.from(k.publicKey).equals(Buffer.from(bytes.subarray(32)))) {
      throw new Error('ed25519 private key: the public half does not match the seed');
    }
    return k;
  }

  /** ed25519.GenPrivKey: a fresh random key. */
  static generate(): Ed25519PrivateKey {
    return new Ed25519PrivateKey(new Uint8Array(randomBytes(ED25519_SEED_SIZE)));
  }

  /** ed25519.GenPrivKeyFromSecret: seed = SHA-256(secret). For tests and deterministic localnets. */
  static fromSecret(secret: Uint8Array | string): Ed25519PrivateKey {
    return new Ed25519PrivateKey(new Uint8Array(createHash('sha256').update(secret).digest()));
  }

  /** seed || public key, the 64 bytes CometBFT writes to key files. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(64);
    out.set(this.seed, 0);
    out.set(this.publicKey, 32);
    return out;
  }

  pubKey(): PublicKey {
    return { type: 'ed25519', key: this.publicKey };
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.key));
  }
}
