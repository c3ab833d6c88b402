import { type RequestCheckTx, ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FakeNetwork, recordingPeer } from '../blocksync/testkit.js';
import { DecodeError } from '../types/index.js';
import { Mempool } from './mempool.js';
import {
  decodeMempoolTxs,
  encodeMempoolTxs,
  MEMPOOL_CHANNEL,
  MempoolMessageError,
  MempoolReactor,
} from './reactor.js';

const enc = new TextEncoder();

/** Accepts every tx except those starting with "bad". */
class FakeApp {
  checks = 0;
  async checkTx(req: RequestCheckTx): Promise<ResponseCheckTx> {
    this.checks++;
    const bad = new TextDecoder().decode(req.tx).startsWith('bad');
    return ResponseCheckTx.fromPartial({ code: bad ? 1 : 0, gasWanted: 1n });
  }
}

/** A node whose reactor relays peer txs at once unless `relayIntervalMs` says otherwise. */
function makeNode(opts: { maxTxBytes?: number; maxTxs?: number; relayIntervalMs?: number } = {}) {
  const app = new FakeApp();
  const { relayIntervalMs = 0, ...pool } = opts;
  const mempool = new Mempool({ app, ...pool });
  const reactor = new MempoolReactor({ mempool, relayIntervalMs });
  return { app, mempool, reactor };
}

/** Mempool messages sent in `net`, as [from, to, txs]. */
function mempoolSends(net: FakeNetwork): [string, string, string[]][] {
  const out: [string, string, string[]][] = [];
  for (const [from, node] of net.nodes) {
    for (const [to, peer] of node.peers) {
      for (const m of peer.sentLog) {
        if (m.channel !== MEMPOOL_CHANNEL) continue;
        out.push([from, to, decodeMempoolTxs(m.msg, 1000).map((t) => new TextDecoder().decode(t))]);
      }
    }
  }
  return out.sort();
}

/** Four nodes, each connected to every other. */
function fullMesh(relayIntervalMs: number) {
  const net = new FakeNetwork();
  const nodes = {
    a: makeNode({ relayIntervalMs }),
    b: makeNode({ relayIntervalMs }),
    c: makeNode({ relayIntervalMs }),
    d: makeNode({ relayIntervalMs }),
  };
  for (const [id, n] of Object.entries(nodes)) net.addNode(id, [n.reactor]);
  const ids = Object.keys(nodes);
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) net.connect(ids[i]!, ids[j]!);
  return { net, ...nodes };
}

const txsOf = (m: Mempool) =>
  m
    .unconfirmed()
    .map((t) => new TextDecoder().decode(t))
    .sort();

describe('mempool wire messages', () => {
  it('round-trips txs and refuses malformed messages', () => {
    const txs = [enc.encode('a'), new Uint8Array(300).fill(7), enc.encode('ccc')];
    expect(decodeMempoolTxs(encodeMempoolTxs(txs), 1000)).toEqual(txs);
    expect(() => decodeMempoolTxs(Uint8Array.of(0x0a, 0x05, 0x0a), 1000)).toThrow(/remain/);
    expect(() => decodeMempoolTxs(new Uint8Array(0), 1000)).toThrow(/no known content/);
    expect(() => decodeMempoolTxs(encodeMempoolTxs([]), 1000)).toThrow(/empty txs/);
    expect(() => decodeMempoolTxs(encodeMempoolTxs([new Uint8Array(0)]), 1000)).toThrow(/empty tx/);
    expect(() => decodeMempoolTxs(encodeMempoolTxs([new Uint8Array(11)]), 10)).toThrow(/over the 10-byte/);
  });

  it('never crashes on random bytes: decodes or throws an Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const txs = decodeMempoolTxs(bytes, 100);
          expect(txs.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e instanceof DecodeError || e instanceof MempoolMessageError, String(e)).toBe(true);
        }
      }),
    );
  });
});

describe('MempoolReactor', () => {
  it('propagates txs across a line of 3 nodes and never echoes a tx to its sender', async () => {
    const net = new FakeNetwork();
    const a = makeNode();
    const b = makeNode();
    const c = makeNode();
    net.addNode('a', [a.reactor]);
    net.addNode('b', [b.reactor]);
    net.addNode('c', [c.reactor]);
    net.connect('a', 'b');
    net.connect('b', 'c');
    await a.mempool.checkTx(enc.encode('tx1'));
    await c.mempool.checkTx(enc.encode('tx2'));
    await net.settle();
    for (const n of [a, b, c]) expect(txsOf(n.mempool)).toEqual(['tx1', 'tx2']);
    // b got tx1 from a: it forwards to c only; a's app checked tx1 once (its own submission).
    const bToA = net
      .node('b')
      .peers.get('a')!
      .sentLog.map((m) => decodeMempoolTxs(m.msg, 100));
    expect(bToA.flat().map((t) => new TextDecoder().decode(t))).toEqual(['tx2']);
    expect(a.app.checks).toBe(2);
    expect(net.bans).toEqual([]);
  });

  it('sends the whole mempool to a newly connected peer', async () => {
    const net = new FakeNetwork();
    const a = makeNode();
    const b = makeNode();
    for (const t of ['x', 'y', 'z']) await a.mempool.checkTx(enc.encode(t));
    net.addNode('a', [a.reactor]);
    net.addNode('b', [b.reactor]);
    net.connect('a', 'b');
    await net.settle();
    expect(txsOf(b.mempool)).toEqual(['x', 'y', 'z']);
  });

  it('does not punish duplicates, app refusals or a full mempool', async () => {
    const net = new FakeNetwork();
    const a = makeNode();
    const b = makeNode({ maxTxs: 1 });
    net.addNode('a', [a.reactor]);
    net.addNode('b', [b.reactor]);
    net.connect('a', 'b');
    await b.mempool.checkTx(enc.encode('dup'));
    const checkTx = vi.spyOn(b.mempool, 'checkTx');
    const peerA = net.node('b').peers.get('a')!;
    b.reactor.receive(MEMPOOL_CHANNEL, peerA, encodeMempoolTxs([enc.encode('dup')]));
    b.reactor.receive(MEMPOOL_CHANNEL, peerA, encodeMempoolTxs([enc.encode('bad-tx')]));
    b.reactor.receive(MEMPOOL_CHANNEL, peerA, encodeMempoolTxs([enc.encode('overflow')]));
    await net.settle();
    expect(net.bans).toEqual([]);
    expect(txsOf(b.mempool)).toEqual(['dup']);
    // The copy of a held tx is dropped by the reactor: no CheckTx, no duplicate error per copy.
    expect(checkTx.mock.calls.map((c) => new TextDecoder().decode(c[0]))).toEqual(['bad-tx', 'overflow']);
  });

  it('disconnects a peer sending an oversize tx or garbage', async () => {
    const net = new FakeNetwork();
    const a = makeNode({ maxTxBytes: 100 });
    const b = makeNode({ maxTxBytes: 50 });
    const c = makeNode({ maxTxBytes: 100 });
    net.addNode('a', [a.reactor]);
    net.addNode('b', [b.reactor]);
    net.addNode('c', [c.reactor]);
    net.connect('a', 'b');
    net.connect('c', 'b');
    // a holds a 60-byte tx that b's limit (50) refuses: b drops the connection to a.
    await a.mempool.checkTx(new Uint8Array(60).fill(65));
    net.node('c').peers.get('b')!.send(MEMPOOL_CHANNEL, Uint8Array.of(0xff, 0xff));
    await net.settle();
    expect(net.bans.map((x) => `${x.by}<-${x.peer}`).sort()).toEqual(['b<-a', 'b<-c']);
    expect(b.mempool.size()).toBe(0);
  });

  it('batches the txs admitted in one turn, within the byte budget and the peer limit', async () => {
    const a = makeNode({ maxTxBytes: 300 });
    const peer = recordingPeer('p');
    a.reactor.addPeer(peer);
    // 10 txs of 100 bytes admitted together: a 300-byte budget takes two per message (2 x 102
    // bytes encoded; a third would pass 300).
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => a.mempool.checkTx(new Uint8Array(100).fill(48 + i))),
    );
    await new Promise((r) => setImmediate(r));
    const batches = peer.sent.map((m) => decodeMempoolTxs(m.msg, 300));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2, 2, 2]);
    expect(batches.flat().map((t) => t[0])).toEqual(Array.from({ length: 10 }, (_, i) => 48 + i));
    // Every message fits the receiving channel's limit (one max-size tx plus overhead).
    const limit = a.reactor.channels[0]!.recvMessageCapacity;
    for (const m of peer.sent) expect(m.msg.length).toBeLessThanOrEqual(limit);
    // A max-size tx still goes, alone.
    peer.sent.length = 0;
    await a.mempool.checkTx(new Uint8Array(300).fill(1));
    await new Promise((r) => setImmediate(r));
    expect(peer.sent.map((m) => decodeMempoolTxs(m.msg, 300).length)).toEqual([1]);
    expect(peer.sent[0]!.msg.length).toBeLessThanOrEqual(limit);
    a.reactor.stop();
  });

  it('relays peer txs on a tick, skipping the peers that sent a copy meanwhile', async () => {
    // At once (CometBFT v0.38's behaviour): b, c and d each relay a's tx to the other two.
    const now = fullMesh(0);
    await now.a.mempool.checkTx(enc.encode('tx1'));
    await now.net.settle();
    expect(mempoolSends(now.net)).toHaveLength(3 + 6);

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const m = fullMesh(20);
      // b, c and d are admitted in that order; their ticks fall 10, 20 and 29.8 ms later.
      vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.5).mockReturnValueOnce(0.99);
      await m.a.mempool.checkTx(enc.encode('tx1'));
      await m.net.settle();
      expect(mempoolSends(m.net).map(([f, t]) => f + t)).toEqual(['ab', 'ac', 'ad']);
      for (const step of [11, 10, 10]) {
        await vi.advanceTimersByTimeAsync(step);
        await m.net.settle();
      }
      // b relays first, to c and d; c then knows b has it and sends to d only; d sends nothing.
      expect(mempoolSends(m.net).map(([f, t]) => f + t)).toEqual(['ab', 'ac', 'ad', 'bc', 'bd', 'cd']);
      for (const n of [m.a, m.b, m.c, m.d]) expect(txsOf(n.mempool)).toEqual(['tx1']);
      expect(m.net.bans).toEqual([]);

      // A tx committed before its tick is not relayed at all.
      const before = mempoolSends(m.net).length;
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      await m.a.mempool.checkTx(enc.encode('tx2'));
      await m.net.settle();
      for (const n of [m.b, m.c, m.d]) {
        await n.mempool.lock();
        await n.mempool.update(1n, [enc.encode('tx2')], [{ code: 0 }]);
        n.mempool.unlock();
      }
      await vi.advanceTimersByTimeAsync(40);
      await m.net.settle();
      expect(mempoolSends(m.net).length - before).toBe(3);
      for (const n of [m.a, m.b, m.c, m.d]) n.reactor.stop();
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });

  it('keeps txs a full peer queue refused and sends them later, bounded', async () => {
    const a = makeNode();
    const reactor = new MempoolReactor({ mempool: a.mempool, maxBacklog: 3 });
    const peer = recordingPeer('p');
    reactor.addPeer(peer);
    peer.accept = false;
    for (const t of ['1', '2', '3', '4', '5']) await a.mempool.checkTx(enc.encode(t));
    expect(reactor.backlogOf('p')).toBe(3);
    expect(reactor.metrics.dropped).toBe(2);
    peer.accept = true;
    reactor.flush();
    expect(reactor.backlogOf('p')).toBe(0);
    // The backlog goes out in one message.
    expect(peer.sent.map((m) => decodeMempoolTxs(m.msg, 10).map((t) => new TextDecoder().decode(t)))).toEqual(
      [['3', '4', '5']],
    );
    reactor.stop();
    a.reactor.stop();
  });
});
