/**
 * A tx's hash (SHA-256 of its bytes, as CometBFT names txs), memoized by the bytes object: one
 * tx passes through the mempool, pre-verification, CheckTx and FinalizeBlock as the same
 * object, and each needs its hash. The returned bytes are shared: do not modify them. (A caller
 * that changed a tx's bytes in place after hashing them would get a stale hash; nothing does:
 * txs are received into fresh arrays and never written.)
 */
import { hash } from 'node:crypto';

const hashes = new WeakMap<Uint8Array, Uint8Array>();

export function txHashOf(tx: Uint8Array): Uint8Array {
  let h = hashes.get(tx);
  if (h === undefined) {
    const b = hash('sha256', tx, 'buffer');
    h = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    hashes.set(tx, h);
  }
  return h;
}
