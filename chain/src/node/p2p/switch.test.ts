import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../logger.js';
import { defaultNodeConfig } from '../config/nodeConfig.js';
import { type NodeKey, nodeKeyFrom } from '../config/nodeKey.js';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import { createSwitchFromConfig, switchOptionsFromConfig } from './fromConfig.js';
import { encodeNodeInfo } from './nodeInfo.js';
import { SecretConnection } from './secretConnection.js';
import {
  createSwitch,
  type HearthSwitch,
  parseListenAddress,
  parsePeerAddress,
  type SwitchOptions,
} from './switch.js';
import { listen, sleep, waitFor } from './testHelpers.js';
import type { ChannelDescriptor, NodeInfo, Peer, Reactor } from './types.js';

const CHAIN = 'hearth-test-1';
const TEST_CH = 0x30;

class TestReactor implements Reactor {
  readonly name = 'test';
  readonly channels: ChannelDescriptor[] = [
    { id: TEST_CH, priority: 5, sendQueueCapacity: 100, recvMessageCapacity: 1 << 20 },
  ];
  added: string[] = [];
  removed: [string, string][] = [];
  got: [string, string][] = [];
  addPeer(peer: Peer): void {
    this.added.push(peer.id);
  }
  removePeer(peer: Peer, reason: string): void {
    this.removed.push([peer.id, reason]);
  }
  receive(_ch: number, peer: Peer, msg: Uint8Array): void {
    const text = new TextDecoder().decode(msg);
    if (text.startsWith('bad')) throw new Error(`invalid message ${text}`);
    this.got.push([peer.id, text]);
  }
}

interface TestNode {
  sw: HearthSwitch;
  key: NodeKey;
  reactor: TestReactor;
  logs: string[];
}

const running: HearthSwitch[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function keyFor(name: string): NodeKey {
  return nodeKeyFrom(Ed25519PrivateKey.fromSecret(`switch-test-${name}`));
}

function info(key: NodeKey, over: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id: key.id,
    listenAddr: '',
    network: CHAIN,
    version: '0.38.17',
    channels: [TEST_CH],
    moniker: 'test',
    rpcAddress: '',
    ...over,
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startNode(
  name: string,
  over: Partial<SwitchOptions> = {},
  infoOver: Partial<NodeInfo> = {},
): Promise<TestNode> {
  const key = keyFor(name);
  const logs: string[] = [];
  const sw = createSwitch({
    nodeKey: key,
    nodeInfo: info(key, infoOver),
    listenAddress: 'tcp://127.0.0.1:0',
    redialBaseMs: 30,
    redialMaxMs: 200,
    dialTimeoutMs: 1000,
    handshakeTimeoutMs: 2000,
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    ...over,
  });
  const reactor = new TestReactor();
  sw.addReactor(reactor);
  await sw.start();
  running.push(sw);
  return { sw, key, reactor, logs };
}

const addrOf = (n: TestNode) => `${n.key.id}@${n.sw.listenAddress().replace('tcp://', '')}`;
const peerIds = (n: TestNode) => n.sw.peers().map((p) => p.id);
const enc = (s: string) => new TextEncoder().encode(s);

function rawConnect(n: TestNode): Promise<Socket> {
  const { host, port } = parseListenAddress(n.sw.listenAddress());
  return new Promise((resolve, reject) => {
    const s = connect(port, host);
    sockets.push(s);
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the remote has closed `s` (reading it, or EOF would never be seen). */
function closed(s: Socket): Promise<void> {
  s.resume();
  return new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));
}

describe('switch', () => {
  it('three nodes with persistent peers form a full mesh and exchange messages', async () => {
    const names = ['a', 'b', 'c'];
    const ports = await Promise.all(names.map(() => freePort()));
    const addr = (i: number) => `${keyFor(names[i] as string).id}@127.0.0.1:${ports[i]}`;
    const nodes = await Promise.all(
      names.map((n, i) =>
        startNode(n, {
          listenAddress: `tcp://127.0.0.1:${ports[i]}`,
          persistentPeers: [0, 1, 2].filter((j) => j !== i).map(addr),
        }),
      ),
    );
    await waitFor(() => nodes.every((n) => n.sw.peers().length === 2), 'a full mesh');
    await sleep(100);
    expect(nodes.map((n) => n.sw.peers().length)).toEqual([2, 2, 2]);
    // Both ends agree on which side dialled each surviving connection.
    for (const x of nodes) {
      for (const p of x.sw.peers()) {
        const y = nodes.find((n) => n.key.id === p.id) as TestNode;
        const back = y.sw.peers().find((q) => q.id === x.key.id) as Peer;
        expect(back.isOutbound).toBe(!p.isOutbound);
        expect(p.nodeInfo.network).toBe(CHAIN);
      }
    }
    for (const [i, n] of nodes.entries()) expect(n.sw.broadcast(TEST_CH, enc(`hi from ${i}`))).toBe(2);
    await waitFor(() => nodes.every((n) => n.reactor.got.length === 2), 'every broadcast');
    for (const [i, n] of nodes.entries()) {
      const texts = n.reactor.got.map(([, t]) => t).sort();
      expect(texts).toEqual([0, 1, 2].filter((j) => j !== i).map((j) => `hi from ${j}`));
      const m = n.sw.metrics();
      expect(m.peers).toBe(2);
      expect(m.messagesReceived[TEST_CH]).toBe(2);
      expect(m.bytesSent[TEST_CH]).toBe(2 * `hi from ${i}`.length);
      expect(m.bytesReceived[TEST_CH]).toBe(2 * 'hi from 0'.length);
    }
    expect(nodes[0]?.sw.nodeInfo.listenAddr).toBe(`tcp://127.0.0.1:${ports[0]}`);
  });

  it('redials a persistent peer that went away when it comes back', async () => {
    const b = await startNode('b');
    const port = parseListenAddress(b.sw.listenAddress()).port;
    const a = await startNode('a', { persistentPeers: [addrOf(b)] });
    await waitFor(() => peerIds(a).length === 1, 'the first connection');
    await b.sw.stop();
    await waitFor(() => peerIds(a).length === 0, 'a to notice');
    expect(a.reactor.removed.map(([id]) => id)).toEqual([b.key.id]);
    await sleep(150); // a few failed redials
    const b2 = await startNode('b', { listenAddress: `tcp://127.0.0.1:${port}` });
    await waitFor(() => peerIds(a).length === 1 && peerIds(b2).length === 1, 'the redial');
    expect(a.reactor.added).toEqual([b.key.id, b.key.id]);
    a.sw.broadcast(TEST_CH, enc('again'));
    await waitFor(() => b2.reactor.got.length === 1, 'a message on the new connection');
  });

  it('bans a peer whose message a reactor rejects, then lets it back after the ban', async () => {
    const b = await startNode('b', { banDurationMs: 1500 });
    const a = await startNode('a', { persistentPeers: [addrOf(b)] });
    await waitFor(() => peerIds(b).length === 1, 'the connection');
    a.sw.broadcast(TEST_CH, enc('good'));
    a.sw.broadcast(TEST_CH, enc('bad vote'));
    await waitFor(() => peerIds(b).length === 0, 'the disconnect');
    expect(b.reactor.got).toEqual([[a.key.id, 'good']]);
    expect(b.sw.isBanned(a.key.id)).toBe(true);
    expect(b.sw.metrics().bans).toBe(1);
    expect(b.reactor.removed[0]?.[1]).toMatch(
      /reactor test rejected a message on channel 0x30: invalid message bad vote/,
    );
    expect(b.logs.some((l) => l.includes('banned peer') && l.includes(a.key.id))).toBe(true);
    await waitFor(() => peerIds(a).length === 0, 'a to notice');
    // a keeps redialling; b refuses it while banned...
    await waitFor(() => b.sw.metrics().rejectedConnections > 0, 'a refused redial');
    expect(peerIds(b)).toEqual([]);
    // ...and takes it back once the ban is over.
    await waitFor(() => peerIds(b).length === 1, 'the reconnection after the ban');
    expect(b.sw.isBanned(a.key.id)).toBe(false);
  });

  it('stopPeerForError disconnects and bans', async () => {
    const b = await startNode('b');
    const a = await startNode('a', { persistentPeers: [addrOf(b)] });
    await waitFor(() => peerIds(b).length === 1, 'the connection');
    b.sw.stopPeerForError(b.sw.peers()[0] as Peer, 'sent an invalid block part');
    expect(peerIds(b)).toEqual([]);
    expect(b.sw.isBanned(a.key.id)).toBe(true);
    expect(b.reactor.removed).toEqual([[a.key.id, 'sent an invalid block part']]);
  });

  it('refuses a node of another chain, with a clear log line and no ban', async () => {
    const a = await startNode('a');
    const c = await startNode('c', { persistentPeers: [addrOf(a)] }, { network: 'other-chain-7' });
    await waitFor(() => a.logs.some((l) => l.includes('refused incompatible peer')), 'the refusal');
    const line = a.logs.find((l) => l.includes('refused incompatible peer')) as string;
    expect(line).toContain('other-chain-7');
    expect(line).toContain(c.key.id);
    expect(peerIds(a)).toEqual([]);
    expect(peerIds(c)).toEqual([]);
    expect(a.sw.isBanned(c.key.id)).toBe(false);
    expect(a.reactor.added).toEqual([]);
  });

  it('refuses an incompatible version and a peer with no common channel', async () => {
    const a = await startNode('a');
    const v = await startNode('v', {}, { version: '1.0.0' });
    await v.sw.dial(addrOf(a));
    await waitFor(() => a.logs.some((l) => l.includes('incompatible version')), 'the version refusal');
    expect(peerIds(v)).toEqual([]);
    const key = keyFor('nochan');
    const other = createSwitch({ nodeKey: key, nodeInfo: info(key, { channels: [0x99] }) });
    running.push(other);
    await other.start(); // no reactors: announces the channels it was given
    await other.dial(addrOf(a));
    await waitFor(() => a.logs.some((l) => l.includes('no channel in common')), 'the channel refusal');
    expect(peerIds(a)).toEqual([]);
  });

  it('survives garbage on the TCP port before and after the handshake', async () => {
    const a = await startNode('a', { handshakeTimeoutMs: 300 });
    // Before: random bytes, a partial key, an immediate hang-up, silence.
    for (const bytes of [randomBytes(5000), randomBytes(20), Buffer.alloc(0), randomBytes(32 + 1044 + 7)]) {
      const s = await rawConnect(a);
      if (bytes.length > 0) s.write(bytes);
      else s.end();
      await closed(s);
    }
    const silent = await rawConnect(a);
    await closed(silent); // the handshake timeout
    expect(a.sw.metrics().handshakeFailures).toBeGreaterThanOrEqual(4);

    // After: authenticated, sends a valid NodeInfo, then garbage packets.
    const evil = keyFor('evil');
    const sc = await SecretConnection.handshake(await rawConnect(a), { privKey: evil.privKey });
    sc.write(encodeNodeInfo(info(evil)));
    await sc.readExact(4);
    await waitFor(() => peerIds(a).includes(evil.id), 'the evil peer to be admitted');
    sc.setDataHandler(() => {});
    sc.write(randomBytes(3000));
    await waitFor(() => a.sw.isBanned(evil.id), 'the ban');
    expect(peerIds(a)).toEqual([]);

    // Authenticated, then garbage instead of NodeInfo.
    const evil2 = keyFor('evil2');
    const sc2 = await SecretConnection.handshake(await rawConnect(a), { privKey: evil2.privKey });
    sc2.write(Buffer.from([0, 0, 0, 5, 0x7b, 0x7b, 0x7b, 0x7b, 0x7b]));
    await waitFor(() => a.sw.isBanned(evil2.id), 'the ban for a malformed NodeInfo');

    // Authenticated, NodeInfo claims to be someone else.
    const evil3 = keyFor('evil3');
    const sc3 = await SecretConnection.handshake(await rawConnect(a), { privKey: evil3.privKey });
    sc3.write(encodeNodeInfo(info(keyFor('victim'))));
    await waitFor(() => a.sw.isBanned(evil3.id), 'the ban for a lying NodeInfo');
    expect(a.sw.isBanned(keyFor('victim').id)).toBe(false);

    // Still serving honest peers.
    const b = await startNode('b', { persistentPeers: [addrOf(a)] });
    await waitFor(() => peerIds(a).includes(b.key.id), 'an honest peer');
    expect(a.reactor.got).toEqual([]);
  });

  it(
    'random bytes from authenticated peers never crash the switch (property)',
    async () => {
      const a = await startNode('a');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 3000 }), async (garbage) => {
          const k = keyFor(`fuzz-${n++}`);
          const sc = await SecretConnection.handshake(await rawConnect(a), { privKey: k.privKey });
          sc.write(encodeNodeInfo(info(k)));
          await sc.readExact(4);
          await waitFor(() => peerIds(a).includes(k.id), 'admission');
          sc.setDataHandler(() => {});
          sc.write(garbage);
          sc.close();
          await waitFor(() => !peerIds(a).includes(k.id), 'the disconnect');
        }),
        { numRuns: process.env.HEARTH_LONG ? 500 : 15 },
      );
      const b = await startNode('b', { persistentPeers: [addrOf(a)] });
      await waitFor(() => peerIds(a).includes(b.key.id), 'an honest peer afterwards');
      b.sw.broadcast(TEST_CH, enc('still alive'));
      await waitFor(() => a.reactor.got.some(([, t]) => t === 'still alive'), 'a message afterwards');
      // Most random byte strings are protocol violations.
      expect(a.sw.metrics().bans).toBeGreaterThan(0);
    },
    process.env.HEARTH_LONG ? 600_000 : 20_000,
  );

  it('enforces max inbound peers', async () => {
    const a = await startNode('a', { maxInboundPeers: 1 });
    const b = await startNode('b', { persistentPeers: [addrOf(a)] });
    await waitFor(() => peerIds(a).length === 1, 'the first inbound peer');
    const c = await startNode('c', { persistentPeers: [addrOf(a)] });
    await waitFor(() => a.sw.metrics().rejectedConnections >= 2, 'refusals');
    expect(peerIds(a)).toEqual([b.key.id]);
    expect(peerIds(c)).toEqual([]);
    expect(a.sw.metrics().inboundPeers).toBe(1);
  });

  it('enforces max outbound peers for non-persistent dials', async () => {
    const b = await startNode('b');
    const c = await startNode('c');
    const a = await startNode('a', { maxOutboundPeers: 1 });
    await a.sw.dial(addrOf(b));
    await a.sw.dial(addrOf(c));
    expect(peerIds(a)).toEqual([b.key.id]);
    expect(a.logs.some((l) => l.includes('max outbound peers reached'))).toBe(true);
    // Persistent peers are exempt.
    const d = await startNode('d');
    const e = await startNode('e');
    const p = await startNode('p', { maxOutboundPeers: 1, persistentPeers: [addrOf(d), addrOf(e)] });
    await waitFor(() => peerIds(p).length === 2, 'both persistent peers');
  });

  it('refuses to connect to itself and to an unexpected node ID', async () => {
    const a = await startNode('a');
    await a.sw.dial(addrOf(a)); // skipped: our own ID
    // Someone holding our node key (a copied home directory) connects.
    const sc = await SecretConnection.handshake(await rawConnect(a), { privKey: a.key.privKey });
    sc.write(encodeNodeInfo(info(a.key)));
    await waitFor(
      () => a.logs.some((l) => l.includes('refused peer: connection to ourselves')),
      'self refusal',
    );
    expect(peerIds(a)).toEqual([]);
    const b = await startNode('b');
    const wrong = `${keyFor('nobody').id}@${b.sw.listenAddress().replace('tcp://', '')}`;
    await a.sw.dial(wrong);
    expect(peerIds(a)).toEqual([]);
    expect(a.logs.some((l) => l.includes('dialled peer has another node id'))).toBe(true);
    await waitFor(() => b.sw.metrics().handshakeFailures === 1, 'b to see the hang-up');
    expect(peerIds(b)).toEqual([]);
  });

  it('keeps one connection when two nodes dial each other repeatedly', async () => {
    const a = await startNode('a');
    const b = await startNode('b');
    await Promise.all([a.sw.dial(addrOf(b)), b.sw.dial(addrOf(a)), a.sw.dial(addrOf(b))]);
    await waitFor(() => peerIds(a).length === 1 && peerIds(b).length === 1, 'one connection');
    await sleep(50);
    expect(peerIds(a)).toEqual([b.key.id]);
    expect(peerIds(b)).toEqual([a.key.id]);
    a.sw.broadcast(TEST_CH, enc('x'));
    await waitFor(() => b.reactor.got.length === 1, 'a message over the kept connection');
  });

  it('bans the IP too when loopback IP bans are on', async () => {
    const b = await startNode('b', { banLoopbackIps: true, banDurationMs: 60_000 });
    const a = await startNode('a');
    await a.sw.dial(addrOf(b));
    await waitFor(() => peerIds(b).length === 1, 'the connection');
    a.sw.broadcast(TEST_CH, enc('bad'));
    await waitFor(() => b.sw.isBanned(a.key.id), 'the ban');
    const c = await startNode('c');
    await c.sw.dial(addrOf(b));
    expect(peerIds(c)).toEqual([]);
    await waitFor(
      () => b.logs.some((l) => l.includes('refused inbound connection from a banned IP')),
      'IP refusal',
    );
  });

  it('does not send on a channel the peer did not announce', async () => {
    const b = await startNode('b');
    const key = keyFor('wide');
    const wide = createSwitch({ nodeKey: key, nodeInfo: info(key) });
    running.push(wide);
    const r = new TestReactor();
    (r.channels as ChannelDescriptor[]).push({
      id: 0x31,
      priority: 1,
      sendQueueCapacity: 10,
      recvMessageCapacity: 100,
    });
    wide.addReactor(r);
    await wide.start();
    await wide.dial(addrOf(b));
    const peer = wide.peers()[0] as Peer;
    expect(peer.send(0x31, enc('x'))).toBe(false);
    expect(peer.send(TEST_CH, enc('y'))).toBe(true);
    await waitFor(() => b.reactor.got.length === 1, 'the message on the common channel');
    expect(peerIds(b)).toEqual([key.id]);
  });

  it('stop() removes every peer from the reactors', async () => {
    const b = await startNode('b');
    const a = await startNode('a', { persistentPeers: [addrOf(b)] });
    await waitFor(() => peerIds(a).length === 1, 'the connection');
    await a.sw.stop();
    expect(a.reactor.removed).toEqual([[b.key.id, 'switch stopping']]);
    expect(a.sw.broadcast(TEST_CH, enc('late'))).toBe(0);
  });

  it('builds from config.toml [p2p] settings', async () => {
    const b = await startNode('b');
    const key = keyFor('cfgnode');
    const config = defaultNodeConfig('cfgnode');
    config.p2p = {
      laddr: 'tcp://127.0.0.1:0',
      persistentPeers: [addrOf(b)],
      maxNumInboundPeers: 7,
      maxNumOutboundPeers: 3,
    };
    const args = { nodeInfo: info(key), nodeKey: key, config, logger: silentLogger };
    expect(switchOptionsFromConfig(args)).toMatchObject({ maxInboundPeers: 7, maxOutboundPeers: 3 });
    const sw = createSwitchFromConfig(args);
    sw.addReactor(new TestReactor());
    running.push(sw);
    await sw.start();
    expect(sw.listenAddress()).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await waitFor(() => sw.peers().length === 1, 'the configured persistent peer');
  });

  it('rejects bad configuration with clear errors', () => {
    const key = keyFor('cfg');
    expect(() => parsePeerAddress('nope')).toThrow(/id.*@.*host.*port/);
    expect(() => parsePeerAddress(`${key.id}@host`)).toThrow(/invalid peer address/);
    expect(parsePeerAddress(`tcp://${key.id.toUpperCase()}@127.0.0.1:26656`)).toEqual({
      id: key.id,
      host: '127.0.0.1',
      port: 26656,
    });
    expect(() => createSwitch({ nodeKey: key, nodeInfo: info(key), persistentPeers: ['x@y:1'] })).toThrow(
      /invalid peer address/,
    );
    expect(() => createSwitch({ nodeKey: key, nodeInfo: info(key, { network: '' }) })).toThrow(/network/);
    expect(() => createSwitch({ nodeKey: key, nodeInfo: info(key), listenAddress: 'udp:/x' })).toThrow(
      /listen address/,
    );
    const sw = createSwitch({ nodeKey: key, nodeInfo: info(key) });
    sw.addReactor(new TestReactor());
    expect(() => sw.addReactor(new TestReactor())).toThrow(/channel 0x30 of test is taken/);
  });
});
