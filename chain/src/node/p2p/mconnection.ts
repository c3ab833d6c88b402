/**
 * Several logical channels over one byte stream, after CometBFT's MConnection
 * (p2p/conn/connection.go, v0.38). A message is cut into PacketMsgs of at most 1024 data bytes
 * and reassembled on the other side up to its channel's `recvMessageCapacity`. Each channel has
 * a bounded send queue (`send` returns false when it is full); when several channels have data,
 * the one with the least `recentlySent / priority` goes next, and `recentlySent` decays by 0.8
 * every 2 s, so a busy low-priority channel cannot starve a high-priority one. Pings go out every
 * `pingIntervalMs`; no pong within `pongTimeoutMs` ends the connection.
 *
 * Any malformed packet, unknown channel or oversize message ends the connection with a
 * `P2PProtocolError`; `onError` is called exactly once unless `stop()` came first.
 */
import { P2PConnectionClosedError, P2PProtocolError } from './errors.js';
import {
  decodePacketBody,
  encodePacket,
  encodePacketMsgs,
  MAX_PACKET_MSG_PAYLOAD_SIZE,
  PACKET_OVERHEAD,
  type Packet,
  type PacketMsgPart,
  packetMsgWireSize,
  readLengthPrefix,
} from './packet.js';
import type { ByteTransport } from './secretConnection.js';
import type { ChannelDescriptor } from './types.js';

export interface MConnectionOptions {
  channels: readonly ChannelDescriptor[];
  /** A whole message arrived. Throwing ends the connection with that error. */
  onReceive(channelId: number, msg: Uint8Array): void;
  /** The connection failed (protocol error, closed transport, pong timeout). Called once. */
  onError(err: Error): void;
  /** Default 60 s (CometBFT). */
  pingIntervalMs?: number;
  /** Default 45 s (CometBFT). */
  pongTimeoutMs?: number;
  /** Largest data payload per packet; default 1024. */
  maxPacketPayloadSize?: number;
  /** Sending stops for a while once this many bytes went out in the last second; 0 = no limit. */
  sendRateBytesPerSec?: number;
  /** Payload bytes per channel, for metrics. */
  onBytes?(direction: 'sent' | 'received', channelId: number, n: number): void;
}

const FLUSH_BATCH_BYTES = 64 * 1024;
const DECAY_PERIOD_MS = 2000;
const DECAY_FACTOR = 0.8;

class SendChannel {
  readonly queue: Uint8Array[] = [];
  /** Bytes of `queue[0]` already packetized. */
  offset = 0;
  recentlySent = 0;
  constructor(readonly desc: ChannelDescriptor) {}
  get pending(): boolean {
    return this.queue.length > 0;
  }
}

class RecvChannel {
  parts: Uint8Array[] = [];
  size = 0;
  constructor(readonly desc: ChannelDescriptor) {}
}

export interface MConnectionStatus {
  /** Messages waiting per channel (including one being sent). */
  sendQueueSizes: Record<number, number>;
  recentlySent: Record<number, number>;
  pingsSent: number;
  pongsReceived: number;
}

export class MConnection {
  private readonly send_ = new Map<number, SendChannel>();
  private readonly sendOrder: SendChannel[] = [];
  private readonly recv = new Map<number, RecvChannel>();
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly maxPayload: number;
  private readonly maxPacketSize: number;
  private rxBuf: Uint8Array = new Uint8Array(0);
  private flushScheduled = false;
  private waitingDrain = false;
  private rateTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private lastDecay = Date.now();
  private rateWindowStart = Date.now();
  private rateWindowBytes = 0;
  private started = false;
  private stopped = false;
  private pingsSent = 0;
  private pongsReceived = 0;

  constructor(
    private readonly transport: ByteTransport,
    private readonly opts: MConnectionOptions,
  ) {
    for (const d of opts.channels) {
      if (!Number.isInteger(d.id) || d.id < 0 || d.id > 255)
        throw new Error(`channel id ${d.id} is outside 0..255`);
      if (this.send_.has(d.id)) throw new Error(`channel 0x${d.id.toString(16)} is declared twice`);
      if (!(d.priority > 0)) throw new Error(`channel 0x${d.id.toString(16)}: priority must be positive`);
      if (!(d.sendQueueCapacity > 0))
        throw new Error(`channel 0x${d.id.toString(16)}: send queue capacity must be positive`);
      if (!(d.recvMessageCapacity > 0))
        throw new Error(`channel 0x${d.id.toString(16)}: receive capacity must be positive`);
      const sc = new SendChannel(d);
      this.send_.set(d.id, sc);
      this.sendOrder.push(sc);
      this.recv.set(d.id, new RecvChannel(d));
    }
    this.pingIntervalMs = opts.pingIntervalMs ?? 60_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 45_000;
    this.maxPayload = opts.maxPacketPayloadSize ?? MAX_PACKET_MSG_PAYLOAD_SIZE;
    this.maxPacketSize = this.maxPayload + PACKET_OVERHEAD;
  }

  /** Starts reading and the ping timer. Messages queued before `start` go out then. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.transport.onClose((err) => this.fail(err));
    this.pingTimer = setInterval(() => this.sendPing(), this.pingIntervalMs);
    this.pingTimer.unref();
    this.transport.setDataHandler((data) => this.onData(data));
    this.scheduleFlush();
  }

  /** Ends the connection without calling `onError`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    this.transport.close(new P2PConnectionClosedError('connection stopped locally'));
  }

  get isRunning(): boolean {
    return this.started && !this.stopped;
  }

  /** Queues `msg`; false if the channel is unknown, its queue is full, or the connection is down. */
  send(channelId: number, msg: Uint8Array): boolean {
    if (this.stopped) return false;
    const ch = this.send_.get(channelId);
    if (!ch || ch.queue.length >= ch.desc.sendQueueCapacity) return false;
    ch.queue.push(msg);
    if (this.started) this.scheduleFlush();
    return true;
  }

  canSend(channelId: number): boolean {
    const ch = this.send_.get(channelId);
    return !this.stopped && ch !== undefined && ch.queue.length < ch.desc.sendQueueCapacity;
  }

  status(): MConnectionStatus {
    const sendQueueSizes: Record<number, number> = {};
    const recentlySent: Record<number, number> = {};
    for (const ch of this.sendOrder) {
      sendQueueSizes[ch.desc.id] = ch.queue.length;
      recentlySent[ch.desc.id] = ch.recentlySent;
    }
    return { sendQueueSizes, recentlySent, pingsSent: this.pingsSent, pongsReceived: this.pongsReceived };
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    this.transport.close(err);
    try {
      this.opts.onError(err);
    } catch {
      // The owner's error handler must not take the event loop down with it.
    }
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.rateTimer);
  }

  private sendPing(): void {
    if (this.stopped) return;
    this.transport.write(encodePacket({ type: 'ping' }));
    this.pingsSent++;
    if (this.pongTimer === undefined) {
      this.pongTimer = setTimeout(
        () => this.fail(new P2PConnectionClosedError(`no pong within ${this.pongTimeoutMs} ms`)),
        this.pongTimeoutMs,
      );
      this.pongTimer.unref();
    }
  }

  // ---- sending ----

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waitingDrain || this.rateTimer !== undefined || this.stopped) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private pickChannel(): SendChannel | undefined {
    let best: SendChannel | undefined;
    let bestRatio = Number.POSITIVE_INFINITY;
    for (const ch of this.sendOrder) {
      if (!ch.pending) continue;
      const ratio = ch.recentlySent / ch.desc.priority;
      if (ratio < bestRatio) {
        best = ch;
        bestRatio = ratio;
      }
    }
    return best;
  }

  private decay(now: number): void {
    const periods = Math.floor((now - this.lastDecay) / DECAY_PERIOD_MS);
    if (periods <= 0) return;
    const f = DECAY_FACTOR ** Math.min(periods, 100);
    for (const ch of this.sendOrder) ch.recentlySent *= f;
    this.lastDecay += periods * DECAY_PERIOD_MS;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.stopped) return;
    const now = Date.now();
    this.decay(now);
    const limit = this.opts.sendRateBytesPerSec ?? 0;
    if (limit > 0 && now - this.rateWindowStart >= 1000) {
      this.rateWindowStart = now;
      this.rateWindowBytes = 0;
    }
    const parts: PacketMsgPart[] = [];
    let bytes = 0;
    while (bytes < FLUSH_BATCH_BYTES) {
      if (limit > 0 && this.rateWindowBytes >= limit) break;
      const ch = this.pickChannel();
      if (!ch) break;
      const msg = ch.queue[0] as Uint8Array;
      const end = Math.min(msg.length, ch.offset + this.maxPayload);
      const data = msg.subarray(ch.offset, end);
      const eof = end === msg.length;
      if (eof) {
        ch.queue.shift();
        ch.offset = 0;
      } else ch.offset = end;
      const part: PacketMsgPart = { channelId: ch.desc.id, eof, data };
      parts.push(part);
      const size = packetMsgWireSize(part);
      bytes += size;
      this.rateWindowBytes += size;
      ch.recentlySent += data.length;
      this.opts.onBytes?.('sent', ch.desc.id, data.length);
    }
    if (parts.length > 0) this.transport.write(encodePacketMsgs(parts));
    if (this.stopped || !this.sendOrder.some((c) => c.pending)) return;
    if (limit > 0 && this.rateWindowBytes >= limit) {
      this.rateTimer = setTimeout(
        () => {
          this.rateTimer = undefined;
          this.scheduleFlush();
        },
        Math.max(1, this.rateWindowStart + 1000 - Date.now()),
      );
      this.rateTimer.unref();
    } else if (this.transport.needsDrain) {
      this.waitingDrain = true;
      this.transport.onDrain(() => {
        this.waitingDrain = false;
        this.scheduleFlush();
      });
    } else this.scheduleFlush();
  }

  // ---- receiving ----

  private onData(data: Uint8Array): void {
    if (this.stopped) return;
    let buf: Uint8Array;
    if (this.rxBuf.length === 0) buf = data;
    else {
      buf = new Uint8Array(this.rxBuf.length + data.length);
      buf.set(this.rxBuf, 0);
      buf.set(data, this.rxBuf.length);
    }
    let off = 0;
    try {
      while (off < buf.length && !this.stopped) {
        const prefix = readLengthPrefix(buf, off, this.maxPacketSize);
        if (!prefix) break;
        const [len, used] = prefix;
        if (buf.length - off - used < len) break;
        const body = buf.subarray(off + used, off + used + len);
        off += used + len;
        this.handlePacket(decodePacketBody(body));
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.rxBuf = off === buf.length ? new Uint8Array(0) : buf.slice(off);
  }

  private handlePacket(p: Packet): void {
    if (p.type === 'ping') {
      this.transport.write(encodePacket({ type: 'pong' }));
      return;
    }
    if (p.type === 'pong') {
      this.pongsReceived++;
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
      return;
    }
    const ch = this.recv.get(p.channelId);
    if (!ch) throw new P2PProtocolError(`message on unknown channel 0x${p.channelId.toString(16)}`);
    if (p.data.length > this.maxPayload) {
      throw new P2PProtocolError(`packet payload of ${p.data.length} bytes exceeds ${this.maxPayload}`);
    }
    if (ch.size + p.data.length > ch.desc.recvMessageCapacity) {
      throw new P2PProtocolError(
        `message on channel 0x${p.channelId.toString(16)} exceeds its limit of ${ch.desc.recvMessageCapacity} bytes`,
      );
    }
    if (p.data.length > 0) {
      ch.parts.push(p.data);
      ch.size += p.data.length;
    }
    this.opts.onBytes?.('received', p.channelId, p.data.length);
    if (!p.eof) return;
    const msg = ch.parts.length === 1 ? (ch.parts[0] as Uint8Array) : Buffer.concat(ch.parts);
    ch.parts = [];
    ch.size = 0;
    this.opts.onReceive(p.channelId, new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
  }
}
