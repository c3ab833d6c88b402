/**
 * secp256k1 signature checks as the Cosmos SDK makes them (compact 64-byte signatures over
 * sha256 of the sign bytes, low-S only), and the interface through which the app has batches
 * of them verified: `SignatureVerifierPool` (./verifierPool.ts), on worker threads, which a
 * host (node, CLI) chooses and passes to the app.
 */
import { createHash } from 'node:crypto';
import secp256k1 from 'secp256k1';

/** secp256k1 group order / 2, big-endian: signatures with a larger S are malleable and refused. */
const HALF_ORDER = Uint8Array.from(
  Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex'),
);

/** Whether a 64-byte compact signature's S (its second half) is at most half the group order. */
export function isLowS(sig: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const d = (sig[32 + i] as number) - (HALF_ORDER[i] as number);
    if (d !== 0) return d < 0;
  }
  return true;
}

export function verifySecp256k1(
  pubKey: Uint8Array,
  signBytes: Uint8Array,
  sig: Uint8Array,
): 'ok' | 'high-s' | 'bad' {
  if (sig.length !== 64) return 'bad';
  if (!isLowS(sig)) return 'high-s';
  const digest = createHash('sha256').update(signBytes).digest();
  try {
    return secp256k1.ecdsaVerify(sig, digest, pubKey) ? 'ok' : 'bad';
  } catch {
    return 'bad';
  }
}

export interface SigCheck {
  pubKey: Uint8Array;
  signBytes: Uint8Array;
  signature: Uint8Array;
}

/**
 * Verifies batches of checks: resolves with one verdict per check, in order (true when
 * `verifySecp256k1` would say 'ok'). Never rejects.
 */
export interface SignatureVerifier {
  verify(checks: SigCheck[]): Promise<boolean[]>;
}
