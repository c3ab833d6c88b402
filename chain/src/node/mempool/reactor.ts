/**
 * Mempool gossip (after CometBFT v0.38 `mempool/reactor.go`) on channel 0x30.
 *
 * Wire format: `tendermint.mempool.Message { oneof sum { Txs txs = 1; } }` with
 * `Txs { repeated bytes txs = 1; }`. Txs admitted in one turn of the event loop are sent
 * together, up to 64 KiB (and never more than one max-size tx) per message; CometBFT sends one
 * per message but takes any number, as we do.
 *
 * Every tx the mempool admits is queued for every connected peer except the peers known to
 * hold it; a new peer is first sent the whole mempool. A tx from RPC goes out at once. A tx from
 * a peer is relayed on the next relay tick (every `relayIntervalMs` on average, at a random
 * moment each time), and meanwhile every peer that sends a copy is noted as holding it: in a
 * mesh where the tx's origin reached every peer itself, the node that relays first reaches the
 * others before they relay, and they skip it — about half the duplicate copies CometBFT v0.38
 * sends, at the price of up to 1.5 intervals more per relay hop. Txs committed or evicted before
 * their tick are not relayed at all. A peer's queue
 * is bounded: when the switch's own queue is full the txs wait here, and beyond `maxBacklog`
 * the oldest are dropped (the peer can still get them from someone else, or in a block).
 *
 * Misbehaviour (throws, so the switch disconnects the peer): an undecodable message, an empty
 * tx list, an empty tx or a tx over the mempool's max tx size. A duplicate tx (TxInCache), a
 * full mempool or a tx the app refuses is normal and only logged.
 */
import { ExactWriter, lengthDelimitedSize, varintSize } from '../../codec/exactWriter.js';
import { txHashOf } from '../../crypto/txHash.js';
import type { Logger } from '../../logger.js';
import type { ChannelDescriptor, Peer, Reactor } from '../p2p/types.js';
import { DecodeError, ProtoReader } from '../types/index.js';
import { type Mempool, MempoolError, type MempoolTx } from './mempool.js';

export const MEMPOOL_CHANNEL = 0x30;

/** Bytes a `Message{txs: Txs{txs: [tx]}}` adds around the txs (tags and length varints). */
const MESSAGE_OVERHEAD = 32;
/**
 * Tx bytes per gossip message at most. CometBFT sends one tx per message; several per message
 * (the `Txs` message is a list, and CometBFT's receiver takes every tx in it) save the per-message
 * encoding, framing and decoding that dominate gossip under load.
 */
const MAX_BATCH_BYTES = 64 * 1024;

export class MempoolMessageError extends Error {
  override readonly name = 'MempoolMessageError';
}

/** Encodes `tendermint.mempool.Message{txs: {txs}}`. */
export function encodeMempoolTxs(txs: readonly Uint8Array[]): Uint8Array {
  let inner = 0;
  for (const tx of txs) inner += lengthDelimitedSize(tx.length);
  const w = new ExactWriter(lengthDelimitedSize(inner));
  w.byte(0x0a); // Message.txs
  w.varint(inner);
  for (const tx of txs) {
    w.byte(0x0a); // Txs.txs
    w.varint(tx.length);
    w.bytes(tx);
  }
  return w.finish();
}

/**
 * Decodes `tendermint.mempool.Message`; throws a DecodeError for malformed bytes and a
 * MempoolMessageError for a message without txs or with a tx over `maxTxBytes`.
 */
export function decodeMempoolTxs(bytes: Uint8Array, maxTxBytes: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('mempool Message: expected bytes');
  const r = new ProtoReader(bytes, 'mempool.Message');
  let txs: Uint8Array[] | undefined;
  for (let f = r.next(); f !== 0; f = r.next()) {
    if (f !== 1) {
      r.skip();
      continue;
    }
    const inner = new ProtoReader(r.bytes(), 'mempool.Txs');
    const list: Uint8Array[] = [];
    for (let g = inner.next(); g !== 0; g = inner.next()) {
      if (g !== 1) {
        inner.skip();
        continue;
      }
      const tx = inner.bytes();
      if (tx.length === 0) throw new MempoolMessageError('mempool message carries an empty tx');
      if (tx.length > maxTxBytes) {
        throw new MempoolMessageError(`tx of ${tx.length} bytes is over the ${maxTxBytes}-byte limit`);
      }
      list.push(Uint8Array.from(tx));
    }
    txs = list;
  }
  if (txs === undefined) throw new MempoolMessageError('mempool message has no known content');
  if (txs.length === 0) throw new MempoolMessageError('empty txs message');
  return txs;
}

export interface MempoolReactorOptions {
  mempool: Mempool;
  logger?: Logger;
  /** Gossip admitted txs to peers (CometBFT `mempool.broadcast`, default true). */
  broadcast?: boolean;
  /** Txs waiting for one peer beyond the switch's queue; the oldest are dropped past it (default 10000). */
  maxBacklog?: number;
  /** How often to retry sending txs that a full peer queue refused, in ms (default 100). */
  retryIntervalMs?: number;
  /** Mean time between relays of txs received from peers, in ms (default 100; 0 relays at once). */
  relayIntervalMs?: number;
}

interface PeerState {
  peer: Peer;
  backlog: Uint8Array[];
  dropped: number;
}

function keyOf(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('latin1');
}

export interface MempoolReactorMetrics {
  /** Txs received from peers. */
  received: number;
  /** Txs received that the mempool admitted. */
  admitted: number;
  /** Tx messages handed to peers' queues. */
  sent: number;
  /** Txs dropped from a full per-peer backlog. */
  dropped: number;
}

export class MempoolReactor implements Reactor {
  readonly name = 'mempool';
  readonly channels: readonly ChannelDescriptor[];
  readonly metrics: MempoolReactorMetrics = { received: 0, admitted: 0, sent: 0, dropped: 0 };
  private readonly mempool: Mempool;
  private readonly logger: Logger | undefined;
  private readonly broadcast: boolean;
  private readonly maxBacklog: number;
  private readonly retryIntervalMs: number;
  private readonly peers = new Map<string, PeerState>();
  /** Peers a tx in flight through CheckTx came from, by tx hash. */
  private readonly senders = new Map<string, Set<string>>();
  /** Peer txs admitted and waiting for the relay tick, with the peers known to hold them. */
  private readonly relays = new Map<string, { tx: MempoolTx; holders: Set<string> }>();
  private relayTimer: NodeJS.Timeout | undefined;
  private readonly relayIntervalMs: number;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushQueued = false;
  /** Tx bytes per gossip message at most (a single larger tx still goes alone). */
  private readonly batchBytes: number;

  constructor(opts: MempoolReactorOptions) {
    this.mempool = opts.mempool;
    this.logger = opts.logger;
    this.broadcast = opts.broadcast ?? true;
    this.maxBacklog = opts.maxBacklog ?? 10_000;
    this.retryIntervalMs = opts.retryIntervalMs ?? 100;
    this.relayIntervalMs = opts.relayIntervalMs ?? 100;
    if (!(this.relayIntervalMs >= 0 && Number.isFinite(this.relayIntervalMs))) {
      throw new RangeError(`mempool reactor relayIntervalMs must be ≥ 0, got ${this.relayIntervalMs}`);
    }
    // A peer accepts a mempool message of one max-size tx (its channel capacity, as
    // CometBFT's): a batch never exceeds that, taking the peer's limit to be ours.
    this.batchBytes = Math.min(MAX_BATCH_BYTES, this.mempool.maxTxBytes);
    if (!Number.isSafeInteger(this.maxBacklog) || this.maxBacklog < 1) {
      throw new RangeError(`mempool reactor maxBacklog must be a positive integer, got ${this.maxBacklog}`);
    }
    this.channels = [
      {
        id: MEMPOOL_CHANNEL,
        priority: 5,
        sendQueueCapacity: 100,
        recvMessageCapacity: this.mempool.maxTxBytes + MESSAGE_OVERHEAD,
      },
    ];
    if (this.broadcast) this.unsubscribe = this.mempool.onNewTx((t) => this.onNewTx(t));
  }

  /** Starts the retry timer for peers whose queue was full. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.flush(), this.retryIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.relayTimer !== undefined) clearTimeout(this.relayTimer);
    this.relayTimer = undefined;
    this.relays.clear();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  addPeer(peer: Peer): void {
    const st: PeerState = { peer, backlog: [], dropped: 0 };
    this.peers.set(peer.id, st);
    if (!this.broadcast) return;
    for (const t of this.mempool.ordered()) this.enqueue(st, t.tx);
    this.flushPeer(st);
  }

  removePeer(peer: Peer, _reason: string): void {
    this.peers.delete(peer.id);
  }

  receive(channel: number, peer: Peer, msg: Uint8Array): void {
    if (channel !== MEMPOOL_CHANNEL) throw new MempoolMessageError(`unexpected channel ${channel}`);
    const txs = decodeMempoolTxs(msg, this.mempool.maxTxBytes);
    for (const tx of txs) {
      this.metrics.received++;
      // Memoized on the tx object, which the mempool then hashes again.
      const hash = txHashOf(tx);
      if (this.mempool.knows(hash)) {
        // A copy of a tx already held or committed: if it waits for a relay, this peer has it.
        if (this.relays.size > 0) this.relays.get(keyOf(hash))?.holders.add(peer.id);
        continue;
      }
      const key = keyOf(hash);
      let from = this.senders.get(key);
      const first = from === undefined;
      if (from === undefined) {
        from = new Set();
        this.senders.set(key, from);
      }
      from.add(peer.id);
      // A second copy arriving while the first is being checked only needs its sender noted.
      if (!first) continue;
      this.mempool
        .checkTx(tx)
        .then((res) => {
          if (res.code === 0) this.metrics.admitted++;
          else this.logger?.debug('peer tx refused by the app', { peer: peer.id, code: res.code });
        })
        .catch((e: unknown) => {
          // Duplicates and a full mempool are expected in gossip, not the peer's fault.
          if (!(e instanceof MempoolError)) {
            this.logger?.warn('checking a peer tx failed', { peer: peer.id, err: e as Error });
          }
        })
        .finally(() => this.senders.delete(key));
    }
  }

  private onNewTx(t: MempoolTx): void {
    const key = keyOf(t.hash);
    const from = this.senders.get(key);
    if (from !== undefined && this.relayIntervalMs > 0) {
      // Copies still arriving add to `from` (the same set) until the tick.
      this.relays.set(key, { tx: t, holders: from });
      this.scheduleRelay();
      return;
    }
    this.sendToPeers(t.tx, from);
  }

  private scheduleRelay(): void {
    if (this.relayTimer !== undefined) return;
    // Uniform in [0.5, 1.5) intervals: which of two peers relays first changes every time.
    const delay = this.relayIntervalMs * (0.5 + Math.random());
    this.relayTimer = setTimeout(() => {
      this.relayTimer = undefined;
      this.relay();
    }, delay);
    this.relayTimer.unref();
  }

  /** The relay tick: every waiting peer tx still in the mempool, to the peers not known to hold it. */
  private relay(): void {
    const due = [...this.relays.values()];
    this.relays.clear();
    for (const r of due) if (this.mempool.has(r.tx.hash)) this.sendToPeers(r.tx.tx, r.holders);
  }

  private sendToPeers(tx: Uint8Array, holders: ReadonlySet<string> | undefined): void {
    for (const st of this.peers.values()) {
      if (holders?.has(st.peer.id)) continue;
      this.enqueue(st, tx);
    }
    // Txs queued in one turn of the event loop go out together, several per message.
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  private enqueue(st: PeerState, tx: Uint8Array): void {
    st.backlog.push(tx);
    if (st.backlog.length > this.maxBacklog) {
      st.backlog.shift();
      st.dropped++;
      this.metrics.dropped++;
    }
  }

  private flushPeer(st: PeerState): void {
    let sent = 0;
    while (sent < st.backlog.length) {
      // As many txs as fit the batch budget, always at least one.
      let end = sent;
      let bytes = 0;
      while (end < st.backlog.length) {
        const n = (st.backlog[end] as Uint8Array).length;
        const cost = 1 + varintSize(n) + n;
        if (end > sent && bytes + cost > this.batchBytes) break;
        bytes += cost;
        end++;
      }
      if (!st.peer.send(MEMPOOL_CHANNEL, encodeMempoolTxs(st.backlog.slice(sent, end)))) break;
      sent = end;
    }
    if (sent > 0) {
      st.backlog.splice(0, sent);
      this.metrics.sent += sent;
    }
  }

  /** Retries the txs that full peer queues refused (the timer calls this). */
  flush(): void {
    for (const st of this.peers.values()) if (st.backlog.length > 0) this.flushPeer(st);
  }

  /** Txs waiting for `peerId` (tests, metrics). */
  backlogOf(peerId: string): number {
    return this.peers.get(peerId)?.backlog.length ?? 0;
  }
}
