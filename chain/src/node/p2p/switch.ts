/**
 * The switch (CometBFT p2p/switch.go + transport.go, v0.38): owns the listener and every peer
 * connection, upgrades sockets (secret connection, then NodeInfo exchange), applies the peer
 * filters (self, duplicates, bans, inbound/outbound limits), keeps persistent peers connected
 * with capped exponential backoff plus jitter, and routes each channel's messages to the
 * reactor that registered it.
 *
 * Misbehaviour — a protocol error on the connection (bad crypto, malformed/oversize packets,
 * unknown channel, a lying NodeInfo) or a reactor's `receive` throwing — disconnects the peer and
 * bans its ID (and its IP, unless loopback: a localnet runs every node on 127.0.0.1) for
 * `banDurationMs`. Banned persistent peers are redialled once the ban ends. Honest failures
 * (closed sockets, timeouts, another chain id) only disconnect.
 *
 * Nothing here throws out of a socket callback; each failure is logged with the peer's ID (or
 * address, before the ID is known).
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import type { NodeKey } from '../config/nodeKey.js';
import {
  errorMessage,
  P2PConnectionClosedError,
  P2PIncompatiblePeerError,
  P2PProtocolError,
  P2PUnexpectedPeerIdError,
} from './errors.js';
import { MConnection } from './mconnection.js';
import { exchangeNodeInfo } from './nodeInfo.js';
import { SecretConnection } from './secretConnection.js';
import type { ChannelDescriptor, NodeInfo, P2PSwitch, Peer, Reactor } from './types.js';

export interface SwitchOptions {
  nodeKey: NodeKey;
  /**
   * What we announce. `id` is replaced by the node key's ID, `listenAddr` by the address
   * actually bound, and `channels` by the registered reactors' channels.
   */
  nodeInfo: NodeInfo;
  /** `tcp://host:port` (port 0 picks a free one); omit to accept no inbound connections. */
  listenAddress?: string;
  /** `id@host:port` entries, kept connected. */
  persistentPeers?: readonly string[];
  /** Default 40. */
  maxInboundPeers?: number;
  /** Default 10; persistent peers do not count (CometBFT max_num_outbound_peers). */
  maxOutboundPeers?: number;
  /** Default 10 minutes. */
  banDurationMs?: number;
  /** Ban the IP of a misbehaving peer even when it is loopback. Default false. */
  banLoopbackIps?: boolean;
  /** Default 3 s. */
  dialTimeoutMs?: number;
  /** Secret connection plus NodeInfo exchange; default 20 s (CometBFT). */
  handshakeTimeoutMs?: number;
  /** Default 60 s. */
  pingIntervalMs?: number;
  /** Default 45 s. */
  pongTimeoutMs?: number;
  /** First redial delay; doubles per failed attempt. Default 1 s. */
  redialBaseMs?: number;
  /** Cap of the redial delay. Default 60 s. */
  redialMaxMs?: number;
  /** Per-connection send limit in bytes/s; 0 (default) = none. */
  sendRateBytesPerSec?: number;
  logger?: Logger;
}

export interface PeerAddress {
  id: string;
  host: string;
  port: number;
}

/** Counters for the metrics endpoint; byte counts are message payload bytes per channel. */
export interface P2PSwitchMetrics {
  peers: number;
  inboundPeers: number;
  outboundPeers: number;
  bytesSent: Record<number, number>;
  bytesReceived: Record<number, number>;
  messagesReceived: Record<number, number>;
  /** Peers banned since start. */
  bans: number;
  /** Connections that failed the secret handshake or NodeInfo exchange. */
  handshakeFailures: number;
  /** Connections refused by a filter (limits, bans, self, duplicates). */
  rejectedConnections: number;
}

export interface HearthSwitch extends P2PSwitch {
  metrics(): P2PSwitchMetrics;
  isBanned(id: string): boolean;
  /** Dials `id@host:port` once (no redial unless it is a persistent peer). */
  dial(address: string): Promise<void>;
}

const ID_RE = /^[0-9a-f]{40}$/;

/** Parses `id@host:port` (an optional `tcp://` prefix is allowed). */
export function parsePeerAddress(text: string): PeerAddress {
  const s = text.trim().replace(/^tcp:\/\//, '');
  const at = s.indexOf('@');
  const id = s.slice(0, at).toLowerCase();
  const hostPort = s.slice(at + 1);
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(hostPort);
  if (at <= 0 || !ID_RE.test(id) || !m) {
    throw new Error(`invalid peer address ${JSON.stringify(text)}; want <40-hex-node-id>@<host>:<port>`);
  }
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`invalid port in peer address ${JSON.stringify(text)}`);
  return { id, host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

/** Parses `tcp://host:port` for listening (port 0 allowed). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535)
    throw new Error(`invalid listen address ${JSON.stringify(text)}; want tcp://host:port`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
}

class SwitchPeer implements Peer {
  readonly data = new Map<string, unknown>();
  readonly connectedAt = Date.now();
  stopped = false;
  private readonly remoteChannels: Set<number>;
  constructor(
    readonly id: string,
    readonly nodeInfo: NodeInfo,
    readonly isOutbound: boolean,
    readonly remoteAddr: string,
    readonly ip: string,
    readonly mconn: MConnection,
  ) {
    this.remoteChannels = new Set(nodeInfo.channels);
  }
  send(channel: number, msg: Uint8Array): boolean {
    // A message on a channel the peer did not announce would get us banned by it.
    if (this.stopped || !this.remoteChannels.has(channel)) return false;
    return this.mconn.send(channel, msg);
  }
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      s.destroy();
      reject(new P2PConnectionClosedError(`dial timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    s.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
    s.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(s);
    });
  });
}

class Switch implements HearthSwitch {
  private readonly log: Logger;
  private readonly reactors: Reactor[] = [];
  private readonly reactorByChannel = new Map<number, Reactor>();
  private readonly channels: ChannelDescriptor[] = [];
  private readonly peersById = new Map<string, SwitchPeer>();
  private readonly persistent = new Map<string, PeerAddress>();
  private readonly dialing = new Set<string>();
  private readonly handshaking = new Set<Socket>();
  private inboundHandshaking = 0;
  private readonly bannedIds = new Map<string, number>();
  private readonly bannedIps = new Map<string, number>();
  private readonly redialTimers = new Map<string, NodeJS.Timeout>();
  private readonly redialAttempts = new Map<string, number>();
  private server: Server | undefined;
  private info: NodeInfo;
  private started = false;
  private stopped = false;
  private readonly counters = {
    bytesSent: new Map<number, number>(),
    bytesReceived: new Map<number, number>(),
    messagesReceived: new Map<number, number>(),
    bans: 0,
    handshakeFailures: 0,
    rejectedConnections: 0,
  };
  private readonly o: Required<
    Omit<SwitchOptions, 'listenAddress' | 'logger' | 'persistentPeers' | 'nodeInfo' | 'nodeKey'>
  >;

  constructor(private readonly opts: SwitchOptions) {
    this.log = opts.logger ?? silentLogger;
    if (!ID_RE.test(opts.nodeKey.id))
      throw new Error('switch: node key id must be 40 lower-case hex characters');
    if (typeof opts.nodeInfo.network !== 'string' || opts.nodeInfo.network === '') {
      throw new Error('switch: nodeInfo.network (the chain id) is required');
    }
    this.info = { ...opts.nodeInfo, id: opts.nodeKey.id, channels: [...opts.nodeInfo.channels] };
    this.o = {
      maxInboundPeers: opts.maxInboundPeers ?? 40,
      maxOutboundPeers: opts.maxOutboundPeers ?? 10,
      banDurationMs: opts.banDurationMs ?? 10 * 60_000,
      banLoopbackIps: opts.banLoopbackIps ?? false,
      dialTimeoutMs: opts.dialTimeoutMs ?? 3000,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 20_000,
      pingIntervalMs: opts.pingIntervalMs ?? 60_000,
      pongTimeoutMs: opts.pongTimeoutMs ?? 45_000,
      redialBaseMs: opts.redialBaseMs ?? 1000,
      redialMaxMs: opts.redialMaxMs ?? 60_000,
      sendRateBytesPerSec: opts.sendRateBytesPerSec ?? 0,
    };
    for (const [k, v] of Object.entries(this.o)) {
      if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0))
        throw new Error(`switch: ${k} must be a non-negative number`);
    }
    for (const text of opts.persistentPeers ?? []) {
      if (text.trim() === '') continue;
      const a = parsePeerAddress(text);
      if (a.id === opts.nodeKey.id) {
        this.log.warn('ignoring persistent peer with our own node id', { peer: text });
        continue;
      }
      this.persistent.set(a.id, a);
    }
    if (opts.listenAddress !== undefined) parseListenAddress(opts.listenAddress);
  }

  get nodeInfo(): NodeInfo {
    return this.info;
  }

  addReactor(reactor: Reactor): void {
    if (this.started) throw new Error(`switch: reactor ${reactor.name} added after start`);
    for (const ch of reactor.channels) {
      const other = this.reactorByChannel.get(ch.id);
      if (other)
        throw new Error(
          `switch: channel 0x${ch.id.toString(16)} of ${reactor.name} is taken by ${other.name}`,
        );
    }
    for (const ch of reactor.channels) {
      this.reactorByChannel.set(ch.id, reactor);
      this.channels.push(ch);
    }
    this.reactors.push(reactor);
  }

  peers(): Peer[] {
    return [...this.peersById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  broadcast(channel: number, msg: Uint8Array): number {
    let n = 0;
    for (const p of this.peersById.values()) if (p.send(channel, msg)) n++;
    return n;
  }

  stopPeerForError(peer: Peer, reason: string): void {
    const p = this.peersById.get(peer.id);
    if (p !== peer) return;
    this.removePeer(p, reason, true);
  }

  isBanned(id: string): boolean {
    return this.banned(this.bannedIds, id);
  }

  listenAddress(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) return '';
    return `tcp://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  metrics(): P2PSwitchMetrics {
    const rec = (m: Map<number, number>) => Object.fromEntries([...m.entries()].sort((a, b) => a[0] - b[0]));
    let inbound = 0;
    for (const p of this.peersById.values()) if (!p.isOutbound) inbound++;
    return {
      peers: this.peersById.size,
      inboundPeers: inbound,
      outboundPeers: this.peersById.size - inbound,
      bytesSent: rec(this.counters.bytesSent),
      bytesReceived: rec(this.counters.bytesReceived),
      messagesReceived: rec(this.counters.messagesReceived),
      bans: this.counters.bans,
      handshakeFailures: this.counters.handshakeFailures,
      rejectedConnections: this.counters.rejectedConnections,
    };
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('switch already started');
    this.started = true;
    if (this.reactors.length > 0) {
      this.info = { ...this.info, channels: [...this.reactorByChannel.keys()].sort((a, b) => a - b) };
    }
    if (this.opts.listenAddress !== undefined) {
      const { host, port } = parseListenAddress(this.opts.listenAddress);
      const server = createServer((socket) => {
        try {
          this.onInbound(socket);
        } catch (e) {
          this.log.error('inbound connection handling failed', { err: errorMessage(e) });
          socket.destroy();
        }
      });
      server.on('error', (e) => this.log.error('p2p listener error', { err: errorMessage(e) }));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.server = server;
      this.info = { ...this.info, listenAddr: this.listenAddress() };
    }
    for (const a of [...this.persistent.values()].sort((x, y) => (x.id < y.id ? -1 : 1)))
      void this.dialAddress(a);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.redialTimers.values()) clearTimeout(t);
    this.redialTimers.clear();
    for (const s of this.handshaking) s.destroy();
    for (const p of [...this.peersById.values()]) this.removePeer(p, 'switch stopping', false);
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async dial(address: string): Promise<void> {
    await this.dialAddress(parsePeerAddress(address));
  }

  // ---- bans ----

  private banned(m: Map<string, number>, key: string): boolean {
    const until = m.get(key);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    m.delete(key);
    return false;
  }

  private ban(id: string | undefined, ip: string, reason: string): void {
    const until = Date.now() + this.o.banDurationMs;
    if (id !== undefined) this.bannedIds.set(id, until);
    const banIp = ip !== '' && (this.o.banLoopbackIps || !isLoopback(ip));
    if (banIp) this.bannedIps.set(ip, until);
    this.counters.bans++;
    this.log.warn('banned peer', {
      peer: id ?? '(unauthenticated)',
      ip,
      ipBanned: banIp,
      reason,
      ms: this.o.banDurationMs,
    });
  }

  // ---- connections ----

  private onInbound(socket: Socket): void {
    socket.on('error', () => {});
    const ip = socket.remoteAddress ?? '';
    const addr = `${ip}:${socket.remotePort ?? 0}`;
    if (this.stopped) {
      socket.destroy();
      return;
    }
    if (this.banned(this.bannedIps, ip)) {
      this.counters.rejectedConnections++;
      this.log.debug('refused inbound connection from a banned IP', { addr });
      socket.destroy();
      return;
    }
    if (this.countInbound() + this.inboundHandshaking >= this.o.maxInboundPeers) {
      this.counters.rejectedConnections++;
      this.log.info('refused inbound connection: max inbound peers reached', {
        addr,
        max: this.o.maxInboundPeers,
      });
      socket.destroy();
      return;
    }
    this.inboundHandshaking++;
    this.upgrade(socket, false, undefined)
      .catch(() => {})
      .finally(() => {
        this.inboundHandshaking--;
      });
  }

  private countInbound(): number {
    let n = 0;
    for (const p of this.peersById.values()) if (!p.isOutbound) n++;
    return n;
  }

  /** Outbound peers the limit applies to (persistent peers are exempt, as in CometBFT). */
  private countOutboundNonPersistent(withDialing: boolean): number {
    let n = 0;
    for (const p of this.peersById.values()) if (p.isOutbound && !this.persistent.has(p.id)) n++;
    if (withDialing) for (const id of this.dialing) if (!this.persistent.has(id)) n++;
    return n;
  }

  private async dialAddress(a: PeerAddress): Promise<void> {
    if (this.stopped || this.dialing.has(a.id) || this.peersById.has(a.id)) return;
    if (a.id === this.info.id) return;
    if (this.isBanned(a.id)) {
      this.log.debug('not dialling a banned peer', { peer: a.id });
      this.scheduleRedial(a.id);
      return;
    }
    if (!this.persistent.has(a.id) && this.countOutboundNonPersistent(true) >= this.o.maxOutboundPeers) {
      this.log.info('not dialling: max outbound peers reached', { peer: a.id, max: this.o.maxOutboundPeers });
      this.scheduleRedial(a.id);
      return;
    }
    this.dialing.add(a.id);
    try {
      const socket = await connectTcp(a.host, a.port, this.o.dialTimeoutMs);
      if (this.stopped) {
        socket.destroy();
        return;
      }
      await this.upgrade(socket, true, a.id);
    } catch (e) {
      this.log.info('dial failed', {
        peer: a.id,
        addr: `${a.host}:${a.port}`,
        attempt: (this.redialAttempts.get(a.id) ?? 0) + 1,
        err: errorMessage(e),
      });
    } finally {
      this.dialing.delete(a.id);
    }
    if (!this.peersById.has(a.id)) this.scheduleRedial(a.id);
  }

  private scheduleRedial(id: string): void {
    if (this.stopped || !this.persistent.has(id) || this.redialTimers.has(id)) return;
    const attempt = this.redialAttempts.get(id) ?? 0;
    this.redialAttempts.set(id, attempt + 1);
    const cap = Math.min(this.o.redialMaxMs, this.o.redialBaseMs * 2 ** Math.min(attempt, 30));
    // Jitter spreads out peers that lost each other at the same moment.
    let delay = cap / 2 + (Math.random() * cap) / 2;
    const banUntil = this.bannedIds.get(id);
    if (banUntil !== undefined) delay = Math.max(delay, banUntil - Date.now() + 1);
    const t = setTimeout(() => {
      this.redialTimers.delete(id);
      const a = this.persistent.get(id);
      if (a && !this.peersById.has(id)) void this.dialAddress(a);
    }, delay);
    t.unref();
    this.redialTimers.set(id, t);
  }

  /** Secret connection + NodeInfo, then the peer filters. Rejects after logging. */
  private async upgrade(socket: Socket, outbound: boolean, expectedId: string | undefined): Promise<void> {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const ip = socket.remoteAddress ?? '';
    const remoteAddr = `${ip}:${socket.remotePort ?? 0}`;
    this.handshaking.add(socket);
    const timer = setTimeout(
      () =>
        socket.destroy(
          new P2PConnectionClosedError(`handshake timed out after ${this.o.handshakeTimeoutMs} ms`),
        ),
      this.o.handshakeTimeoutMs,
    );
    let sc: SecretConnection | undefined;
    let remoteInfo: NodeInfo;
    try {
      sc = await SecretConnection.handshake(socket, {
        privKey: this.opts.nodeKey.privKey,
        ...(expectedId !== undefined ? { expectedId } : {}),
      });
      remoteInfo = await exchangeNodeInfo(sc, this.info);
    } catch (e) {
      this.counters.handshakeFailures++;
      sc?.close(e as Error);
      socket.destroy();
      const peer = sc?.remoteId || expectedId || '(unknown)';
      const fields = { peer, addr: remoteAddr, outbound, err: errorMessage(e) };
      if (e instanceof P2PProtocolError) {
        this.log.warn('peer handshake violated the protocol', fields);
        this.ban(sc?.remoteId || undefined, ip, errorMessage(e));
      } else if (e instanceof P2PIncompatiblePeerError) {
        this.log.warn('refused incompatible peer', fields);
      } else if (e instanceof P2PUnexpectedPeerIdError) {
        this.log.warn('dialled peer has another node id', fields);
      } else {
        this.log.info('peer handshake failed', fields);
      }
      throw e;
    } finally {
      clearTimeout(timer);
      this.handshaking.delete(socket);
    }
    this.admit(sc, remoteInfo, outbound, ip, remoteAddr);
  }

  private refuse(sc: SecretConnection, why: string, fields: Record<string, unknown>): void {
    this.counters.rejectedConnections++;
    this.log.info(`refused peer: ${why}`, fields);
    sc.close(new P2PConnectionClosedError(why));
  }

  private admit(
    sc: SecretConnection,
    info: NodeInfo,
    outbound: boolean,
    ip: string,
    remoteAddr: string,
  ): void {
    const id = sc.remoteId;
    const fields = { peer: id, addr: remoteAddr, outbound };
    if (this.stopped) {
      this.refuse(sc, 'switch stopped', fields);
      return;
    }
    if (id === this.info.id) {
      this.refuse(sc, 'connection to ourselves', fields);
      return;
    }
    if (this.isBanned(id)) {
      this.refuse(sc, 'peer is banned', fields);
      return;
    }
    const existing = this.peersById.get(id);
    if (existing) {
      // Both ends keep the connection dialled by the lower node ID, so a simultaneous dial
      // leaves exactly one connection instead of zero.
      const newDialer = outbound ? this.info.id : id;
      const oldDialer = existing.isOutbound ? this.info.id : id;
      if (newDialer === oldDialer || oldDialer < newDialer) {
        this.refuse(sc, 'duplicate connection', fields);
        return;
      }
      this.removePeer(existing, 'replaced by a duplicate connection', false);
    }
    if (!outbound && this.countInbound() >= this.o.maxInboundPeers) {
      this.refuse(sc, 'max inbound peers', fields);
      return;
    }
    if (
      outbound &&
      !this.persistent.has(id) &&
      this.countOutboundNonPersistent(false) >= this.o.maxOutboundPeers
    ) {
      this.refuse(sc, 'max outbound peers', fields);
      return;
    }

    let peer: SwitchPeer | undefined;
    const mconn = new MConnection(sc, {
      channels: this.channels,
      pingIntervalMs: this.o.pingIntervalMs,
      pongTimeoutMs: this.o.pongTimeoutMs,
      sendRateBytesPerSec: this.o.sendRateBytesPerSec,
      onReceive: (ch, msg) => {
        if (peer) this.route(peer, ch, msg);
      },
      onError: (err) => {
        if (peer) this.removePeer(peer, errorMessage(err), err instanceof P2PProtocolError);
      },
      onBytes: (dir, ch, n) => {
        const m = dir === 'sent' ? this.counters.bytesSent : this.counters.bytesReceived;
        m.set(ch, (m.get(ch) ?? 0) + n);
      },
    });
    peer = new SwitchPeer(id, info, outbound, remoteAddr, ip, mconn);
    this.peersById.set(id, peer);
    this.redialAttempts.delete(id);
    this.log.info('peer connected', { ...fields, moniker: info.moniker });
    for (const r of this.reactors) {
      try {
        r.addPeer(peer);
      } catch (e) {
        this.log.error('reactor failed to add peer', { peer: id, reactor: r.name, err: errorMessage(e) });
        this.removePeer(peer, `reactor ${r.name} failed to add the peer`, false);
        return;
      }
      if (peer.stopped) return;
    }
    mconn.start();
  }

  private route(peer: SwitchPeer, ch: number, msg: Uint8Array): void {
    if (peer.stopped) return;
    const m = this.counters.messagesReceived;
    m.set(ch, (m.get(ch) ?? 0) + 1);
    const r = this.reactorByChannel.get(ch);
    if (!r) {
      this.removePeer(peer, `message on unrouted channel 0x${ch.toString(16)}`, true);
      return;
    }
    try {
      r.receive(ch, peer, msg);
    } catch (e) {
      this.removePeer(
        peer,
        `reactor ${r.name} rejected a message on channel 0x${ch.toString(16)}: ${errorMessage(e)}`,
        true,
      );
    }
  }

  private removePeer(peer: SwitchPeer, reason: string, ban: boolean): void {
    if (peer.stopped) return;
    peer.stopped = true;
    if (this.peersById.get(peer.id) === peer) this.peersById.delete(peer.id);
    peer.mconn.stop();
    if (ban) this.ban(peer.id, peer.ip, reason);
    else this.log.info('peer disconnected', { peer: peer.id, addr: peer.remoteAddr, reason });
    for (const r of this.reactors) {
      try {
        r.removePeer(peer, reason);
      } catch (e) {
        this.log.error('reactor failed to remove peer', {
          peer: peer.id,
          reactor: r.name,
          err: errorMessage(e),
        });
      }
    }
    if (!this.peersById.has(peer.id)) this.scheduleRedial(peer.id);
  }
}

/** Builds a switch; nothing listens or dials until `start()`. Throws on bad options. */
export function createSwitch(opts: SwitchOptions): HearthSwitch {
  return new Switch(opts);
}
