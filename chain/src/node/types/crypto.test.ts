import { generateKeyPairSync, sign } from 'node:crypto';
import secp256k1 from 'secp256k1';
import { describe, expect, it } from 'vitest';
import { addressFromPubKey, publicKeyProblem, verifyEd25519Zip215, verifySignature } from './crypto.js';
import { ValidationError } from './errors.js';
import { sha256 } from './merkle.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const msg = new TextEncoder().encode('hello');

describe('addresses', () => {
  it('ed25519: SHA-256(key)[:20] (CometBFT privval test key)', () => {
    const key = Uint8Array.from(
      Buffer.from('556a436f1218d30942efe798420f51dc9b6a311b929c578257457d05c5fcf230', 'hex'),
    );
    expect(hex(addressFromPubKey({ type: 'ed25519', key }))).toBe('DC52D5CF8DFD1793D71038B342A29B01AD8A5D63');
  });

  it('secp256k1: RIPEMD-160(SHA-256(compressed key)), 20 bytes', () => {
    const key = secp256k1.publicKeyCreate(sha256(Uint8Array.of(1)), true);
    expect(addressFromPubKey({ type: 'secp256k1', key })).toHaveLength(20);
  });

  it('refuses malformed keys', () => {
    expect(() => addressFromPubKey({ type: 'ed25519', key: new Uint8Array(31) })).toThrow(ValidationError);
    expect(publicKeyProblem({ type: 'secp256k1', key: new Uint8Array(65) })).toMatch(/33 bytes/);
  });
});

describe('signature verification', () => {
  it('ed25519 accepts a valid signature, refuses a changed message or key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const sig = new Uint8Array(sign(null, msg, privateKey));
    expect(verifySignature({ type: 'ed25519', key }, msg, sig)).toBe(true);
    expect(verifySignature({ type: 'ed25519', key }, Uint8Array.of(1), sig)).toBe(false);
    expect(verifySignature({ type: 'ed25519', key: sha256(key) }, msg, sig)).toBe(false);
    expect(verifySignature({ type: 'ed25519', key }, msg, sig.subarray(1))).toBe(false);
  });

  it('ed25519 follows ZIP-215 like CometBFT: a non-canonical R that RFC 8032 refuses is accepted', () => {
    // A = identity point, R = identity encoded non-canonically (y = p + 1), S = 0:
    // [8]SB = [8]R + [8]kA holds, but R's bytes are not the canonical encoding.
    const key = new Uint8Array(32);
    key[0] = 1;
    const sig = new Uint8Array(64).fill(0xff, 0, 32);
    sig[0] = 0xee;
    sig[31] = 0x7f;
    expect(verifyEd25519Zip215(key, msg, sig)).toBe(true);
    expect(verifySignature({ type: 'ed25519', key }, msg, sig)).toBe(true);
    // S >= L is non-canonical and refused by ZIP-215 as well
    const badS = Uint8Array.from(sig);
    badS.fill(0xff, 32, 64);
    expect(verifySignature({ type: 'ed25519', key }, msg, badS)).toBe(false);
  });

  it('secp256k1 signs SHA-256(msg) and refuses high-S signatures', () => {
    const priv = sha256(Uint8Array.of(7));
    const key = secp256k1.publicKeyCreate(priv, true);
    const { signature } = secp256k1.ecdsaSign(sha256(msg), priv);
    expect(verifySignature({ type: 'secp256k1', key }, msg, signature)).toBe(true);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
    const high = Uint8Array.from(signature);
    high.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
    expect(verifySignature({ type: 'secp256k1', key }, msg, high)).toBe(false);
  });
});
