/**
 * A machine-speed reference for the benchmarks: how many native secp256k1 verifications one
 * core does per second. The shared 2-core machines these run on differ from day to day (the
 * same code has measured 26,000 and 14,000 verifies/s), so each section that reports rates
 * also reports this figure, and runs from different days can be compared through it.
 */
import { createHash } from 'node:crypto';
import secp256k1 from 'secp256k1';

/** Verifications per second of `count` distinct (key, message, signature) triples, 3 passes. */
export function secp256k1VerifyRate(count = 5_000): number {
  const keys = Array.from({ length: count }, (_, i) => {
    const priv = createHash('sha256').update(`machine-speed-key-${i}`).digest();
    return { priv, pub: secp256k1.publicKeyCreate(priv, true) };
  });
  const msgs = keys.map((_, i) => createHash('sha256').update(`m${i}`).digest());
  const sigs = keys.map((k, i) => secp256k1.ecdsaSign(msgs[i]!, k.priv).signature);
  const t0 = performance.now();
  let ok = 0;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < count; i++) if (secp256k1.ecdsaVerify(sigs[i]!, msgs[i]!, keys[i]!.pub)) ok++;
  }
  const secs = (performance.now() - t0) / 1000;
  if (ok !== count * 3) throw new Error('verification failed in the machine-speed reference');
  return ok / secs;
}
