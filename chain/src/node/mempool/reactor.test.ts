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

function makeNode(opts: { maxTxBytes?: number; maxTxs?: number } = {}) {
  const app = new FakeApp();
  const mempool = new Mempool({ app, ...opts });
  const reactor = new MempoolReactor({ mempool });
  return { app, mempool, reactor };
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
