import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import type { Peer } from '../p2p/types.js';
import type { State } from '../state/index.js';
import {
  type Block,
  type BlockId,
  blockIdEquals,
  type Commit,
  DecodeError,
  dataHash,
  INT64_MAX,
} from '../types/index.js';
import { type BlockSyncMessage, decodeBlockSyncMessage, encodeBlockSyncMessage } from './messages.js';
import { BlockPool } from './pool.js';
import { BLOCKSYNC_CHANNEL, BlockSyncReactor } from './reactor.js';
import {
  chainStores,
  FakeNetwork,
  generateChain,
  nextState,
  recordingPeer,
  type TestChain,
} from './testkit.js';

const N = 30;
const chain: TestChain = generateChain(N, { validators: 4, txsPerBlock: 2 });

const msgs = (peer: { sent: { msg: Uint8Array }[] }): BlockSyncMessage[] =>
  peer.sent.map((m) => decodeBlockSyncMessage(m.msg));

describe('block sync messages', () => {
  it('round-trip every kind, with heights up to 2^63-1', () => {
    const all: BlockSyncMessage[] = [
      { kind: 'blockRequest', height: INT64_MAX },
      { kind: 'blockRequest', height: 2n ** 31n },
      { kind: 'noBlockResponse', height: 7n },
      { kind: 'blockResponse', block: chain.blocks[2]! },
      { kind: 'statusRequest' },
      { kind: 'statusResponse', base: 2n ** 32n, height: INT64_MAX },
      { kind: 'statusResponse', base: 0n, height: 0n },
    ];
    for (const m of all) expect(decodeBlockSyncMessage(encodeBlockSyncMessage(m))).toEqual(m);
  });

  it('refuse malformed messages', () => {
    const req = encodeBlockSyncMessage({ kind: 'blockRequest', height: 1n });
    const two = new Uint8Array([...req, ...encodeBlockSyncMessage({ kind: 'statusRequest' })]);
    expect(() => decodeBlockSyncMessage(two)).toThrow(/more than one/);
    expect(() => decodeBlockSyncMessage(new Uint8Array(0))).toThrow(/no known message/);
    expect(() => decodeBlockSyncMessage(Uint8Array.of(0x1a, 0x00))).toThrow(/without a block/);
    expect(() =>
      decodeBlockSyncMessage(encodeBlockSyncMessage({ kind: 'statusResponse', base: 5n, height: 4n })),
    ).toThrow(/above height/);
    expect(() =>
      decodeBlockSyncMessage(encodeBlockSyncMessage({ kind: 'blockRequest', height: -1n })),
    ).toThrow(/negative/);
    expect(() => decodeBlockSyncMessage(req, req.length - 1)).toThrow(/limit/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        try {
          decodeBlockSyncMessage(bytes);
        } catch (e) {
          expect(e instanceof DecodeError, String(e)).toBe(true);
        }
      }),
    );
  });
});

describe('BlockPool', () => {
  it('requests a bounded window from peers that hold the heights, least-loaded first', () => {
    const pool = new BlockPool({ startHeight: 1n, windowSize: 5 });
    pool.setPeerRange('a', 1n, 3n);
    pool.setPeerRange('b', 2n, 100n);
    const reqs = pool.makeRequests(0);
    expect(reqs.map((r) => `${r.peerId}${r.height}`)).toEqual(['a1', 'b2', 'a3', 'b4', 'b5']);
    expect(pool.makeRequests(0)).toEqual([]);
    // b says it has no block 4: the height goes back and nobody else holds it yet.
    pool.noBlock('b', 4n);
    expect(pool.makeRequests(0)).toEqual([]);
    pool.setPeerRange('c', 1n, 10n);
    expect(pool.makeRequests(0)).toEqual([{ peerId: 'c', height: 4n }]);
    // Timeouts unassign and go elsewhere.
    expect(pool.timedOut(15_000).length).toBe(5);
    const again = pool.makeRequests(15_000);
    expect(again.find((r) => r.height === 1n)?.peerId).not.toBe('a');
  });

  it('classifies unrequested and late blocks', () => {
    const pool = new BlockPool({ startHeight: 1n, windowSize: 3 });
    pool.setPeerRange('a', 1n, 10n);
    pool.makeRequests(0);
    expect(pool.addBlock('z', chain.blocks[0]!)).toBe('unrequested');
    expect(pool.addBlock('a', chain.blocks[0]!)).toBe('added');
    expect(pool.addBlock('a', chain.blocks[0]!)).toBe('duplicate');
    expect(pool.addBlock('a', chain.blocks[7]!)).toBe('unrequested');
  });
});

/** A server node holding the whole test chain. */
async function server(net: FakeNetwork, id: string, serve?: (b: Block) => Block, c: TestChain = chain) {
  const stores = await chainStores(c, c.blocks.length);
  const blockStore = {
    base: () => stores.blockStore.base(),
    height: () => stores.blockStore.height(),
    loadBlock: async (h: bigint) => {
      const b = await stores.blockStore.loadBlock(h);
      return b === undefined || serve === undefined ? b : serve(b);
    },
  };
  const node = net.addNode(id, []);
  const reactor = new BlockSyncReactor({
    blockStore,
    chainState: () => stores.state,
    applyBlock: async () => {
      throw new Error('a server never applies');
    },
    onCaughtUp: () => {},
  });
  node.reactors.push(reactor);
  (node as unknown as { byChannel: Map<number, unknown> }).byChannel.set(BLOCKSYNC_CHANNEL, {
    reactor,
    desc: reactor.channels[0],
  });
  return reactor;
}

/** A node at genesis that syncs with a fake clock. */
async function syncer(
  net: FakeNetwork,
  id: string,
  opts: { requestTimeoutMs?: number; upTo?: number; chain?: TestChain } = {},
) {
  const stores = await chainStores(opts.chain ?? chain, opts.upTo ?? 0);
  let state: State = stores.state;
  const clock = { t: 1_000 };
  const applied: { height: bigint; blockId: BlockId; commit: Commit }[] = [];
  const caughtUp: bigint[] = [];
  let fake: ReturnType<FakeNetwork['addNode']> | undefined;
  const reactor = new BlockSyncReactor({
    blockStore: stores.blockStore,
    chainState: () => state,
    applyBlock: async (block, blockId, commit) => {
      applied.push({ height: block.header.height, blockId, commit });
      state = nextState(
        state,
        block,
        blockId,
        (opts.chain ?? chain).updates.get(Number(block.header.height)),
      );
    },
    onCaughtUp: (h) => caughtUp.push(h),
    onPeerError: (peer, reason) => fake?.stopPeerForError(peer, reason),
    sync: true,
    windowSize: 8,
    now: () => clock.t,
    ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
  });
  fake = net.addNode(id, [reactor]);
  return { reactor, applied, caughtUp, clock, state: () => state };
}

function expectChainApplied(applied: { height: bigint; blockId: BlockId; commit: Commit }[], upTo: number) {
  expect(applied.map((a) => a.height)).toEqual(Array.from({ length: upTo }, (_, i) => BigInt(i + 1)));
  for (const a of applied) {
    const i = Number(a.height) - 1;
    expect(blockIdEquals(a.blockId, chain.blockIds[i]!)).toBe(true);
    expect(a.commit).toEqual(chain.seenCommits[i]);
  }
}

describe('BlockSyncReactor serving', () => {
  it('answers block and status requests from the block store', async () => {
    const stores = await chainStores(chain, 5);
    const reactor = new BlockSyncReactor({
      blockStore: stores.blockStore,
      chainState: () => stores.state,
      applyBlock: async () => {},
      onCaughtUp: () => {},
    });
    const p = recordingPeer('p');
    reactor.addPeer(p);
    reactor.receive(BLOCKSYNC_CHANNEL, p, encodeBlockSyncMessage({ kind: 'blockRequest', height: 3n }));
    reactor.receive(BLOCKSYNC_CHANNEL, p, encodeBlockSyncMessage({ kind: 'blockRequest', height: 9n }));
    reactor.receive(BLOCKSYNC_CHANNEL, p, encodeBlockSyncMessage({ kind: 'statusRequest' }));
    await new Promise((r) => setTimeout(r, 10));
    const got = msgs(p);
    expect(got[0]).toEqual({ kind: 'statusResponse', base: 1n, height: 5n });
    expect(got).toContainEqual({ kind: 'blockResponse', block: chain.blocks[2] });
    expect(got).toContainEqual({ kind: 'noBlockResponse', height: 9n });
    expect(got.filter((m) => m.kind === 'statusResponse')).toHaveLength(2);
    expect(() => reactor.receive(BLOCKSYNC_CHANNEL, p, Uint8Array.of(0x0a))).toThrow();
  });
});

describe('BlockSyncReactor syncing', () => {
  it('fetches, verifies and applies a real chain from 3 peers, then switches to consensus', async () => {
    const net = new FakeNetwork();
    for (const id of ['s1', 's2', 's3']) await server(net, id);
    const s = await syncer(net, 'new');
    s.reactor.startSync();
    for (const id of ['s1', 's2', 's3']) net.connect('new', id);
    await net.settle();
    expectChainApplied(s.applied, N - 1);
    expect(s.state()).toEqual(chain.states[N - 1]);
    expect(s.caughtUp).toEqual([]);
    expect(s.reactor.metrics).toMatchObject({ blocksSynced: N - 1, height: BigInt(N - 1), catchingUp: true });
    // Nothing new for a while at the top: switch to consensus.
    s.clock.t += 1_000;
    await s.reactor.tick();
    expect(s.caughtUp).toEqual([BigInt(N - 1)]);
    expect(s.reactor.metrics.catchingUp).toBe(false);
    expect(net.bans).toEqual([]);
  });

  it('logs progress with height, peers and rate, and exposes counters', async () => {
    const net = new FakeNetwork();
    await server(net, 'srv');
    const stores = await chainStores(chain, 0);
    let state: State = stores.state;
    const clock = { t: 0 };
    const lines: string[] = [];
    const reactor = new BlockSyncReactor({
      blockStore: stores.blockStore,
      chainState: () => state,
      applyBlock: async (block, blockId) => {
        state = nextState(state, block, blockId);
        clock.t += 500;
      },
      onCaughtUp: () => {},
      logger: createLogger({ write: (l) => lines.push(l) }),
      sync: true,
      progressIntervalMs: 2_000,
      now: () => clock.t,
    });
    net.addNode('n', [reactor]);
    reactor.startSync();
    net.connect('n', 'srv');
    await net.settle();
    const progress = lines.filter((l) => l.includes('blocksync progress'));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[0]).toMatch(/height=\d+ max_peer_height=30 peers=1 rate=2\.00/);
    expect(reactor.metrics).toMatchObject({ blocksSynced: N - 1, maxPeerHeight: BigInt(N), peers: 1 });
  });

  it('follows validator set changes while syncing', async () => {
    const rotating = generateChain(12, { validators: 3, rotate: { atHeight: 4 } });
    expect(rotating.states[5]!.validators.hash()).not.toEqual(rotating.states[4]!.validators.hash());
    const net = new FakeNetwork();
    await server(net, 'srv', undefined, rotating);
    const s = await syncer(net, 'new', { chain: rotating });
    s.reactor.startSync();
    net.connect('new', 'srv');
    await net.settle();
    expect(s.applied.map((a) => a.height)).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i + 1)));
    expect(s.state()).toEqual(rotating.states[11]);
    expect(net.bans).toEqual([]);
  });

  it('bans a peer serving blocks with a bad commit and finishes from the others', async () => {
    const net = new FakeNetwork();
    const tamper = (b: Block): Block => {
      if (b.lastCommit === undefined || b.lastCommit.signatures.length === 0) return b;
      const sigs = b.lastCommit.signatures.map((x) => ({ ...x, signature: new Uint8Array(64).fill(9) }));
      return { ...b, lastCommit: { ...b.lastCommit, signatures: sigs } };
    };
    await server(net, 'good1');
    await server(net, 'bad', tamper);
    await server(net, 'good2');
    const s = await syncer(net, 'new');
    s.reactor.startSync();
    for (const id of ['good1', 'bad', 'good2']) net.connect('new', id);
    await net.settle();
    expectChainApplied(s.applied, N - 1);
    expect(net.bans.map((b) => b.peer)).toEqual(['bad']);
  });

  it('bans a peer serving a forged block whose commit belongs to another block', async () => {
    const net = new FakeNetwork();
    // Same header fields but other txs: the block ID differs from what +2/3 signed.
    const forge = (b: Block): Block => {
      const txs = [new TextEncoder().encode('forged')];
      return { ...b, data: { txs }, header: { ...b.header, dataHash: dataHash(txs) } };
    };
    await server(net, 'liar', forge);
    await server(net, 'honest');
    const s = await syncer(net, 'new');
    s.reactor.startSync();
    net.connect('new', 'liar');
    net.connect('new', 'honest');
    await net.settle();
    expectChainApplied(s.applied, N - 1);
    expect(net.bans.map((b) => b.peer)).toEqual(['liar']);
    expect(net.bans[0]!.reason).toMatch(/does not verify/);
  });

  it('re-requests from another peer when one stops answering', async () => {
    const net = new FakeNetwork();
    await server(net, 'mute');
    await server(net, 'ok');
    const s = await syncer(net, 'new', { requestTimeoutMs: 5_000 });
    net.dropIf = (d) => d.from === 'mute' && decodeBlockSyncMessage(d.msg).kind === 'blockResponse';
    s.reactor.startSync();
    net.connect('new', 'mute');
    net.connect('new', 'ok');
    await net.settle();
    expect(s.applied.length).toBeLessThan(N - 1);
    s.clock.t += 5_000;
    await s.reactor.tick();
    await net.settle();
    expectChainApplied(s.applied, N - 1);
    expect(net.bans.map((b) => `${b.peer}: ${b.reason}`)).toEqual([
      'mute: peer did not answer a block request in time',
    ]);
  });

  it('disconnects a peer that sends a block nobody asked it for', async () => {
    const net = new FakeNetwork();
    await server(net, 'srv');
    const s = await syncer(net, 'new');
    s.reactor.startSync();
    net.connect('new', 'srv');
    net
      .node('srv')
      .peers.get('new')!
      .send(BLOCKSYNC_CHANNEL, encodeBlockSyncMessage({ kind: 'blockResponse', block: chain.blocks[20]! }));
    await net.settle();
    expect(net.bans).toEqual([{ by: 'new', peer: 'srv', reason: expect.stringMatching(/not requested/) }]);
  });

  it('switches to consensus after a short wait when no peer is ahead, or with no peers', async () => {
    const net = new FakeNetwork();
    await server(net, 'srv');
    const s = await syncer(net, 'level', { upTo: N - 1 });
    s.reactor.startSync();
    net.connect('level', 'srv');
    await net.settle();
    await s.reactor.tick();
    expect(s.caughtUp).toEqual([]);
    s.clock.t += 3_000;
    await s.reactor.tick();
    expect(s.caughtUp).toEqual([BigInt(N - 1)]);
    expect(s.applied).toEqual([]);

    const alone = await syncer(new FakeNetwork(), 'alone');
    alone.reactor.startSync();
    alone.clock.t += 3_000;
    await alone.reactor.tick();
    expect(alone.caughtUp).toEqual([0n]);
  });

  it('stops and reports when applying a block fails', async () => {
    const net = new FakeNetwork();
    await server(net, 'srv');
    const stores = await chainStores(chain, 0);
    const fatal: Error[] = [];
    const reactor = new BlockSyncReactor({
      blockStore: stores.blockStore,
      chainState: () => stores.state,
      applyBlock: async () => {
        throw new Error('disk full');
      },
      onCaughtUp: () => {},
      onFatal: (e) => fatal.push(e),
      sync: true,
      now: () => 0,
    });
    net.addNode('n', [reactor]);
    reactor.startSync();
    net.connect('n', 'srv');
    await net.settle();
    expect(fatal.map((e) => e.message)).toEqual(['disk full']);
    expect(reactor.isSyncing).toBe(false);
  });
});

// Keeps the Peer type import used when the file is type-checked alone.
export type { Peer };
