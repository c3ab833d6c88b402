import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDb } from '../../store/db.js';
import {
  addressOfKey,
  chainStores,
  FakeNetwork,
  fakeBlockId,
  generateChain,
  recordingPeer,
  signVote,
} from '../blocksync/testkit.js';
import { blockIdKey, DecodeError, type Evidence } from '../types/index.js';
import { EvidencePool } from './pool.js';
import {
  decodeEvidenceMessage,
  EVIDENCE_CHANNEL,
  EvidenceMessageError,
  EvidenceReactor,
  encodeEvidenceMessage,
} from './reactor.js';

const chain = generateChain(5, { validators: 3 });

function evidenceAt(height: number, keyIndex = 0): Evidence {
  const key = chain.keys[keyIndex]!;
  const set = chain.states[height - 1]!.validators;
  const { index, validator } = set.getByAddress(addressOfKey(key))!;
  const v1 = signVote(chain.chainId, key, index, {
    height: BigInt(height),
    blockId: fakeBlockId(`p${height}`),
  });
  const v2 = signVote(chain.chainId, key, index, {
    height: BigInt(height),
    blockId: fakeBlockId(`q${height}`),
  });
  const [voteA, voteB] = blockIdKey(v1.blockId) < blockIdKey(v2.blockId) ? [v1, v2] : [v2, v1];
  return {
    kind: 'duplicateVote',
    duplicateVote: {
      voteA,
      voteB,
      totalVotingPower: set.totalVotingPower(),
      validatorPower: validator.votingPower,
      timestamp: chain.blocks[height - 1]!.header.time,
    },
  };
}

async function node(net: FakeNetwork, id: string) {
  const stores = await chainStores(chain, 5);
  const pool = await EvidencePool.open({ db: new MemoryDb(), ...stores, chainState: () => stores.state });
  let fake: ReturnType<FakeNetwork['addNode']> | undefined;
  const reactor = new EvidenceReactor({
    pool,
    onPeerError: (peer, reason) => fake?.stopPeerForError(peer, reason),
  });
  fake = net.addNode(id, [reactor]);
  return { pool, reactor };
}

describe('EvidenceList messages', () => {
  it('round-trip and refuse garbage or evidence failing basic checks', () => {
    const ev = evidenceAt(2);
    expect(decodeEvidenceMessage(encodeEvidenceMessage([ev]))).toEqual([ev]);
    expect(() => decodeEvidenceMessage(Uint8Array.of(0x0a, 0x09, 0x01))).toThrow();
    if (ev.kind !== 'duplicateVote') throw new Error('kind');
    const swapped: Evidence = {
      kind: 'duplicateVote',
      duplicateVote: { ...ev.duplicateVote, voteA: ev.duplicateVote.voteB, voteB: ev.duplicateVote.voteA },
    };
    expect(() => decodeEvidenceMessage(encodeEvidenceMessage([swapped]))).toThrow(/invalid order/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeEvidenceMessage(bytes);
        } catch (e) {
          expect(e instanceof DecodeError || e instanceof EvidenceMessageError, String(e)).toBe(true);
        }
      }),
    );
  });
});

describe('EvidenceReactor', () => {
  it('gossips evidence across 3 nodes', async () => {
    const net = new FakeNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const c = await node(net, 'c');
    net.connect('a', 'b');
    net.connect('b', 'c');
    expect(await a.pool.addEvidence(evidenceAt(3))).toBe(true);
    await net.settle();
    expect(b.pool.pendingEvidence(-1)).toEqual([evidenceAt(3)]);
    expect(c.pool.pendingEvidence(-1)).toEqual([evidenceAt(3)]);
    // Evidence pending before a peer connects reaches it too.
    await c.pool.addEvidence(evidenceAt(4, 1));
    const d = await node(net, 'd');
    net.connect('d', 'c');
    await net.settle();
    expect(d.pool.size()).toBe(2);
    expect(net.bans).toEqual([]);
  });

  it('bans a peer sending evidence with a forged signature or garbage', async () => {
    const net = new FakeNetwork();
    const a = await node(net, 'a');
    await node(net, 'b');
    await node(net, 'c');
    net.connect('a', 'b');
    net.connect('a', 'c');
    const ev = evidenceAt(2);
    if (ev.kind !== 'duplicateVote') throw new Error('kind');
    const forged: Evidence = {
      kind: 'duplicateVote',
      duplicateVote: {
        ...ev.duplicateVote,
        voteB: { ...ev.duplicateVote.voteB!, signature: new Uint8Array(64).fill(1) },
      },
    };
    net
      .node('b')
      .peers.get('a')!
      .send(EVIDENCE_CHANNEL, encodeEvidenceMessage([forged]));
    net.node('c').peers.get('a')!.send(EVIDENCE_CHANNEL, Uint8Array.of(0x0a, 0x7f));
    await net.settle();
    expect(net.bans.map((x) => `${x.by}<-${x.peer}`).sort()).toEqual(['a<-b', 'a<-c']);
    expect(a.pool.size()).toBe(0);
  });

  it('re-sends to peers that have not shown they have it, a bounded number of times', async () => {
    const stores = await chainStores(chain, 5);
    const pool = await EvidencePool.open({ db: new MemoryDb(), ...stores, chainState: () => stores.state });
    const reactor = new EvidenceReactor({ pool, maxSends: 2 });
    const p = recordingPeer('p');
    const q = recordingPeer('q');
    reactor.addPeer(p);
    reactor.addPeer(q);
    // q sends the evidence to us: it has it, so it is never sent back to q.
    reactor.receive(EVIDENCE_CHANNEL, q, encodeEvidenceMessage([evidenceAt(2)]));
    await new Promise((r) => setImmediate(r));
    expect(pool.size()).toBe(1);
    reactor.gossip();
    reactor.gossip();
    expect(p.sent).toHaveLength(2);
    expect(q.sent).toHaveLength(0);
    // Held back from a peer below the evidence height.
    const r = recordingPeer('r');
    const lagging = new EvidenceReactor({ pool, peerHeight: () => 1n });
    lagging.addPeer(r);
    expect(r.sent).toHaveLength(0);
    reactor.stop();
    lagging.stop();
  });
});
