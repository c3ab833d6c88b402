/**
 * An in-process p2p network for tests: switches that implement the P2PSwitch contract and
 * deliver messages asynchronously to each other's reactors. A reactor that throws gets the
 * sending peer disconnected, as the real switch does. Links can be cut and restored.
 */
import type { NodeInfo, P2PSwitch, Peer, Reactor } from '../../src/node/p2p/types.js';

class MemoryPeer implements Peer {
  readonly data = new Map<string, unknown>();
  readonly connectedAt = Date.now();
  open = true;
  constructor(
    readonly id: string,
    readonly nodeInfo: NodeInfo,
    readonly isOutbound: boolean,
    readonly remoteAddr: string,
    private readonly deliver: (channel: number, msg: Uint8Array) => void,
  ) {}
  send(channel: number, msg: Uint8Array): boolean {
    if (!this.open) return false;
    const copy = Uint8Array.from(msg);
    setImmediate(() => this.open && this.deliver(channel, copy));
    return true;
  }
}

export class MemoryNetwork {
  readonly switches = new Map<string, MemorySwitch>();
  private readonly cut = new Set<string>();

  createSwitch = (args: { nodeInfo: NodeInfo }): P2PSwitch => {
    const sw = new MemorySwitch(this, args.nodeInfo);
    this.switches.set(args.nodeInfo.id, sw);
    return sw;
  };

  private linkKey(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  /** Connects every pair of started switches that are not cut off from each other. */
  connectAll(): void {
    const started = [...this.switches.values()].filter((s) => s.running);
    for (const a of started) {
      for (const b of started) {
        if (a.nodeInfo.id < b.nodeInfo.id && !this.cut.has(this.linkKey(a.nodeInfo.id, b.nodeInfo.id)))
          a.connect(b);
      }
    }
  }

  /** Cuts (or restores) the link between two nodes. */
  setLink(a: string, b: string, up: boolean): void {
    const k = this.linkKey(a, b);
    if (up) this.cut.delete(k);
    else {
      this.cut.add(k);
      this.switches.get(a)?.disconnect(b, 'link cut');
    }
    this.connectAll();
  }
}

export class MemorySwitch implements P2PSwitch {
  running = false;
  readonly reactors: Reactor[] = [];
  readonly peerMap = new Map<string, MemoryPeer>();
  readonly errors: string[] = [];

  constructor(
    private readonly net: MemoryNetwork,
    readonly nodeInfo: NodeInfo,
  ) {}

  addReactor(r: Reactor): void {
    this.reactors.push(r);
  }

  peers(): Peer[] {
    return [...this.peerMap.values()];
  }

  broadcast(channel: number, msg: Uint8Array): number {
    let n = 0;
    for (const p of this.peerMap.values()) if (p.send(channel, msg)) n++;
    return n;
  }

  stopPeerForError(peer: Peer, reason: string): void {
    this.errors.push(`${peer.id}: ${reason}`);
    this.disconnect(peer.id, reason);
  }

  listenAddress(): string {
    return `memory://${this.nodeInfo.id}`;
  }

  async start(): Promise<void> {
    this.running = true;
    this.net.connectAll();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const id of [...this.peerMap.keys()]) this.disconnect(id, 'stopped');
    this.net.switches.delete(this.nodeInfo.id);
  }

  private receiveFrom(fromId: string, channel: number, msg: Uint8Array): void {
    const peer = this.peerMap.get(fromId);
    if (!peer) return;
    const reactor = this.reactors.find((r) => r.channels.some((c) => c.id === channel));
    if (!reactor) {
      this.stopPeerForError(peer, `unknown channel ${channel}`);
      return;
    }
    try {
      reactor.receive(channel, peer, msg);
    } catch (e) {
      this.stopPeerForError(peer, (e as Error).message);
    }
  }

  connect(other: MemorySwitch): void {
    if (this.peerMap.has(other.nodeInfo.id)) return;
    const toOther = new MemoryPeer(other.nodeInfo.id, other.nodeInfo, true, 'memory', (ch, m) =>
      other.receiveFrom(this.nodeInfo.id, ch, m),
    );
    const toThis = new MemoryPeer(this.nodeInfo.id, this.nodeInfo, false, 'memory', (ch, m) =>
      this.receiveFrom(other.nodeInfo.id, ch, m),
    );
    this.peerMap.set(other.nodeInfo.id, toOther);
    other.peerMap.set(this.nodeInfo.id, toThis);
    for (const r of this.reactors) r.addPeer(toOther);
    for (const r of other.reactors) r.addPeer(toThis);
  }

  disconnect(id: string, reason: string): void {
    const peer = this.peerMap.get(id);
    if (!peer) return;
    peer.open = false;
    this.peerMap.delete(id);
    for (const r of this.reactors) r.removePeer(peer, reason);
    this.net.switches.get(id)?.disconnect(this.nodeInfo.id, reason);
  }
}
