/**
 * A FIFO of bytes with awaitable exact reads, for the handshake phases (which read fixed sizes
 * in turn) before a connection switches to push-driven framing.
 */
import { P2PConnectionClosedError } from './errors.js';

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private waiter: { n: number; resolve: (b: Uint8Array) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  get length(): number {
    return this.size;
  }

  push(chunk: Uint8Array): void {
    if (this.failure || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.wake();
  }

  /** Resolves with exactly `n` bytes; rejects if the queue fails first. One read at a time. */
  read(n: number): Promise<Uint8Array> {
    if (this.waiter) return Promise.reject(new Error('ByteQueue: concurrent reads'));
    if (this.size >= n) return Promise.resolve(this.take(n));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
    });
  }

  /** Everything still buffered, emptying the queue. */
  drain(): Uint8Array {
    return this.take(this.size);
  }

  /** Fails the pending read and every later one. */
  fail(err: Error = new P2PConnectionClosedError('connection closed')): void {
    if (this.failure) return;
    this.failure = err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(err);
  }

  private wake(): void {
    const w = this.waiter;
    if (w && this.size >= w.n) {
      this.waiter = undefined;
      w.resolve(this.take(w.n));
    }
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0] as Uint8Array;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.size -= n;
    return out;
  }
}
