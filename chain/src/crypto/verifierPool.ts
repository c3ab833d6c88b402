/**
 * secp256k1 verification on worker threads, so that a node's other core(s) check signatures
 * while the main thread runs ante handlers and blocks. Hosts (the node, `hearth start`) create
 * one and hand it to the app; the state machine itself starts no threads.
 *
 * The pool only ever answers "this signature verifies over these bytes with this key"; what
 * the app does with a `true` is remember it in its SignatureCache, under a fingerprint of
 * everything the sign bytes depended on. Consensus results never depend on the pool: a tx
 * with no matching cache entry is verified inline by the ante handler, so a pool that is
 * slow, absent or wrong about a `false` changes timing only.
 *
 * Checks are queued and sent in batches (one transferable buffer per batch) to the least busy
 * worker; a batch is flushed when it is full or on the next turn of the event loop. Workers
 * hold the process open only while they have work.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { isLowS, type SigCheck, type SignatureVerifier, verifySecp256k1 } from './secp256k1.js';

export interface SignatureVerifierPoolOptions {
  /** Worker threads (default: one per core but the main thread's, at least 1). 0 verifies inline. */
  threads?: number;
  /** Checks per message to a worker at most (default 32). */
  batchSize?: number;
  /** How long a check may wait for others to share its message (default 1 ms). */
  maxDelayMs?: number;
}

/**
 * The worker: reads packed checks (u32 sign-bytes length, sign bytes, 64-byte signature,
 * u8 key length, key), answers one byte per check (1 = verifies). The low-S rule is applied
 * by the caller before a check is queued.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const secp = require(workerData.bindings);
parentPort.on('message', (m) => {
  const u8 = new Uint8Array(m.buf);
  const dv = new DataView(m.buf);
  const out = new Uint8Array(m.count);
  let off = 0;
  for (let i = 0; i < m.count; i++) {
    const n = dv.getUint32(off); off += 4;
    const signBytes = u8.subarray(off, off + n); off += n;
    const sig = u8.subarray(off, off + 64); off += 64;
    const k = u8[off]; off += 1;
    const key = u8.subarray(off, off + k); off += k;
    try {
      const digest = createHash('sha256').update(signBytes).digest();
      out[i] = secp.ecdsaVerify(sig, digest, key) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id: m.id, out }, [out.buffer]);
});
`;

interface Pending {
  checks: SigCheck[];
  resolve: (ok: boolean[]) => void;
  /** Checks already put into batches. */
  sent: number;
  /** Verdicts received so far. */
  done: number;
  results: boolean[];
}

interface Batch {
  id: number;
  parts: { pending: Pending; from: number; count: number; offset: number }[];
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Batch>;
}

/**
 * What a check sends: its signature, or none (a zeroed one, which never verifies) when it has
 * the wrong length or a high S; its key, or none when it is empty or too long for the one-byte
 * length. Either way the worker answers false, as inline verification would.
 */
function onWire(c: SigCheck): { signBytes: Uint8Array; signature: Uint8Array | undefined; key: Uint8Array } {
  const keyOk = c.pubKey.length > 0 && c.pubKey.length < 256;
  const sigOk = keyOk && c.signature.length === 64 && isLowS(c.signature);
  return {
    signBytes: c.signBytes,
    signature: sigOk ? c.signature : undefined,
    key: keyOk ? c.pubKey : new Uint8Array(),
  };
}

export class SignatureVerifierPool implements SignatureVerifier {
  private readonly slots: Slot[] = [];
  private readonly batchSize: number;
  private readonly maxDelayMs: number;
  private queue: Pending[] = [];
  private queued = 0;
  /** The pending flush of a partial batch, if any. */
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  /** Checks answered by workers and inline, for metrics and tests. */
  readonly stats = { workerChecks: 0, inlineChecks: 0 };

  constructor(opts: SignatureVerifierPoolOptions = {}) {
    this.batchSize = Math.max(1, opts.batchSize ?? 32);
    this.maxDelayMs = Math.max(0, opts.maxDelayMs ?? 1);
    const threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    if (threads <= 0) return;
    if (threads > 64) throw new RangeError(`at most 64 signature threads, got ${threads}`);
    let bindings: string;
    try {
      // The native binding itself: the package's index falls back to a pure-JS implementation
      // ~30x slower, which would make the workers a loss rather than a gain.
      bindings = join(dirname(createRequire(import.meta.url).resolve('secp256k1')), 'bindings.js');
    } catch {
      return;
    }
    for (let i = 0; i < threads; i++) this.spawn(bindings);
  }

  private spawn(bindings: string): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bindings } });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.unref();
    worker.on('message', (m: { id?: number; out?: Uint8Array }) => {
      if (m.id === undefined || m.out === undefined) return;
      const batch = slot.inFlight.get(m.id);
      if (!batch) return;
      slot.inFlight.delete(m.id);
      if (slot.inFlight.size === 0) worker.unref();
      this.stats.workerChecks += m.out.length;
      this.settle(batch, m.out);
    });
    const fail = () => {
      // A dead worker: its unanswered checks are verified here, and it is not replaced.
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      for (const batch of slot.inFlight.values()) this.settle(batch, undefined);
      slot.inFlight.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.slots.push(slot);
  }

  /** Number of live worker threads. */
  get threads(): number {
    return this.slots.length;
  }

  /**
   * Resolves with one verdict per check, in order: true when the signature is a valid low-S
   * secp256k1 signature of sha256(signBytes) by pubKey. Never rejects.
   */
  verify(checks: SigCheck[]): Promise<boolean[]> {
    if (checks.length === 0) return Promise.resolve([]);
    if (this.slots.length === 0) return Promise.resolve(this.inline(checks));
    return new Promise((resolve) => {
      this.queue.push({ checks, resolve, sent: 0, done: 0, results: new Array(checks.length).fill(false) });
      this.queued += checks.length;
      // Send a full batch at once; otherwise gather what arrives within `maxDelayMs` (a node
      // receives txs one network event at a time, and a message per tx costs more than the
      // verification it moves: measured under load, ~40 µs a message). A main thread busy in a
      // long chain of promise reactions may not run timers soon, hence the small default batch.
      if (this.queued >= this.batchSize) this.flush();
      else
        this.flushTimer ??= setTimeout(() => {
          this.flushTimer = undefined;
          this.flush();
        }, this.maxDelayMs);
    });
  }

  private inline(checks: SigCheck[]): boolean[] {
    this.stats.inlineChecks += checks.length;
    return checks.map((c) => verifySecp256k1(c.pubKey, c.signBytes, c.signature) === 'ok');
  }

  /** Sends everything queued, in batches of at most `batchSize` checks. */
  private flush(): void {
    if (this.slots.length === 0) {
      // Every worker died or the pool was closed while these waited: verify them here.
      for (const p of this.queue.splice(0)) {
        const rest = p.checks.slice(p.sent);
        this.inline(rest).forEach((ok, i) => {
          p.results[p.sent + i] = ok;
        });
        p.done += rest.length;
        if (p.done === p.checks.length) p.resolve(p.results);
      }
      this.queued = 0;
      return;
    }
    while (this.queue.length > 0) {
      const parts: Batch['parts'] = [];
      let count = 0;
      while (this.queue.length > 0 && count < this.batchSize) {
        const p = this.queue[0] as Pending;
        const start = p.sent;
        const take = Math.min(p.checks.length - start, this.batchSize - count);
        parts.push({ pending: p, from: start, count: take, offset: count });
        count += take;
        p.sent = start + take;
        if (p.sent === p.checks.length) this.queue.shift();
      }
      this.queued -= count;
      this.send(parts, count);
    }
  }

  private send(parts: Batch['parts'], count: number): void {
    // What each check sends, decided once, then sized and packed.
    const wire: ReturnType<typeof onWire>[] = [];
    let bytes = 0;
    for (const part of parts) {
      for (let i = part.from; i < part.from + part.count; i++) {
        const w = onWire(part.pending.checks[i] as SigCheck);
        wire.push(w);
        bytes += 4 + w.signBytes.length + 64 + 1 + w.key.length;
      }
    }
    const buf = new ArrayBuffer(bytes);
    const u8 = new Uint8Array(buf);
    const dv = new DataView(buf);
    let off = 0;
    for (const { signBytes, signature, key } of wire) {
      dv.setUint32(off, signBytes.length);
      off += 4;
      u8.set(signBytes, off);
      off += signBytes.length;
      if (signature) u8.set(signature, off);
      off += 64;
      u8[off] = key.length;
      off += 1;
      u8.set(key, off);
      off += key.length;
    }
    const id = this.nextId++;
    const batch: Batch = { id, parts };
    let slot = this.slots[0] as Slot;
    for (const s of this.slots) if (s.inFlight.size < slot.inFlight.size) slot = s;
    slot.inFlight.set(id, batch);
    slot.worker.ref();
    slot.worker.postMessage({ id, buf, count }, [buf]);
  }

  /** Hands each waiting caller its verdicts; `out` undefined means the worker died: verify here. */
  private settle(batch: Batch, out: Uint8Array | undefined): void {
    for (const part of batch.parts) {
      const p = part.pending;
      for (let i = 0; i < part.count; i++) {
        const j = part.from + i;
        p.results[j] =
          out !== undefined
            ? out[part.offset + i] === 1
            : (this.inline([p.checks[j] as SigCheck])[0] as boolean);
      }
      p.done += part.count;
      if (p.done === p.checks.length) p.resolve(p.results);
    }
  }

  /** Stops the workers; later calls verify inline. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const s of slots) {
      for (const b of s.inFlight.values()) this.settle(b, undefined);
      s.inFlight.clear();
    }
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush(); // what was still queued
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
