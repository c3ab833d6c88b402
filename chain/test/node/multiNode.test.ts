/**
 * Four validators in one process over the in-memory network: they agree on every block, keep
 * committing with one of them stopped, halt with two stopped and resume without a fork.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_STORE_NAMES, defaultAppState, HearthApp } from '../../src/app/app.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { initHome, readGenesisFile, writeGenesisFile } from '../../src/node/config/index.js';
import { HearthNode } from '../../src/node/node.js';
import { Ed25519PrivateKey } from '../../src/node/privval/index.js';
import { bytesEqual } from '../../src/node/types/index.js';
import { openCommitMultiStore } from '../../src/store/index.js';
import { MemoryNetwork } from './memoryNetwork.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function makeHomes(n: number): string[] {
  const hs = Array.from({ length: n }, (_, i) => {
    const h = mkdtempSync(join(tmpdir(), `hearth-multi-${i}-`));
    homes.push(h);
    initHome(h, {
      moniker: `node${i}`,
      chainId: 'hearth-multi-1',
      appStateJson: JSON.stringify(defaultAppState()),
      validatorKey: Ed25519PrivateKey.fromSeed(new Uint8Array(32).fill(i + 1)),
      genesisTime: { seconds: 1_800_000_000n, nanos: 0 },
    });
    return h;
  });
  // One genesis with every node's validator.
  const docs = hs.map((h) => readGenesisFile(join(h, 'config', 'genesis.json')));
  const genesis = { ...docs[0]!, validators: docs.map((d) => d.validators[0]!) };
  for (const h of hs) writeGenesisFile(join(h, 'config', 'genesis.json'), genesis);
  return hs;
}

async function start(
  home: string,
  net: MemoryNetwork,
  lines?: string[],
  syncFirst = false,
  equivocate = false,
): Promise<HearthNode> {
  const store = await openCommitMultiStore(join(home, 'data', 'application.db'), {
    storeNames: APP_STORE_NAMES,
    keepRecent: 0,
  });
  const app = new HearthApp({ store, minGasPrices: '0.025uhth' });
  const node = await HearthNode.start({
    home,
    app,
    logger: lines
      ? createLogger({ level: 'info', write: (l) => lines.push(l) })
      : process.env.HEARTH_TEST_LOG
        ? createLogger({ level: 'info', module: home.slice(-8) })
        : silentLogger,
    createSwitch: net.createSwitch,
    unsafeTestEquivocate: equivocate,
    configure: (c) => ({
      ...c,
      rpc: { ...c.rpc, laddr: 'tcp://127.0.0.1:0' },
      // The in-memory network connects everyone; a listed peer only tells the node to block-sync first.
      p2p: {
        ...c.p2p,
        persistentPeers: syncFirst ? ['0000000000000000000000000000000000000000@127.0.0.1:1'] : [],
      },
      instrumentation: { ...c.instrumentation, prometheus: false },
      consensus: {
        ...c.consensus,
        timeoutCommitMs: 100,
        timeoutProposeMs: 400,
        timeoutPrevoteMs: 200,
        timeoutPrecommitMs: 200,
      },
    }),
  });
  const stop = node.stop.bind(node);
  node.stop = async () => {
    await stop();
    await store.close();
  };
  return node;
}

async function waitAll(nodes: HearthNode[], h: bigint, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (nodes.some((n) => n.blockStore.height() < h)) {
    if (Date.now() > until)
      throw new Error(`height ${h} not reached: ${nodes.map((n) => n.blockStore.height()).join(',')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function expectSameChain(nodes: HearthNode[], upTo: bigint): Promise<void> {
  for (let h = 1n; h <= upTo; h++) {
    const metas = await Promise.all(nodes.map((n) => n.blockStore.loadBlockMeta(h)));
    for (const m of metas)
      expect(bytesEqual(m!.blockId.hash, metas[0]!.blockId.hash), `block ${h}`).toBe(true);
    const results = await Promise.all(nodes.map((n) => n.stateStore.loadFinalizeBlockResponse(h)));
    for (const r of results) expect(bytesEqual(r!.appHash, results[0]!.appHash), `app hash ${h}`).toBe(true);
  }
}

describe('four validators over the in-memory network', () => {
  it('agree on every block, tolerate one down, halt with two down and resume without a fork', async () => {
    const net = new MemoryNetwork();
    const hs = makeHomes(4);
    const nodes = await Promise.all(hs.map((h) => start(h, net)));
    await waitAll(nodes, 8n);
    await expectSameChain(nodes, 8n);
    // Late precommits are added to the commit during the commit timeout: with every validator up,
    // the canonical commits carry (nearly) all four signatures, not just the first 2/3+.
    let full = 0;
    for (let h = 2n; h <= 7n; h++) {
      const c = (await nodes[0]!.blockStore.loadBlockCommit(h))!;
      if (c.signatures.filter((sig) => sig.blockIdFlag === 2).length === 4) full++;
    }
    expect(full, 'commits with all four signatures among heights 2..7').toBeGreaterThanOrEqual(5);

    // One down: 3 of 4 (75% > 2/3) keep committing.
    await nodes[3]!.stop();
    const live = nodes.slice(0, 3);
    const h1 = live[0]!.blockStore.height();
    await waitAll(live, h1 + 3n);
    await expectSameChain(live, h1 + 3n);

    // Two down: 2 of 4 cannot commit.
    await nodes[2]!.stop();
    const pair = nodes.slice(0, 2);
    await new Promise((r) => setTimeout(r, 300));
    const stalled = pair[0]!.blockStore.height();
    await new Promise((r) => setTimeout(r, 1500));
    expect(pair[0]!.blockStore.height()).toBeLessThanOrEqual(stalled + 1n);

    // Bring one back (it stopped at the halted height): the chain resumes with no fork.
    nodes[2] = await start(hs[2]!, net);
    const three = nodes.slice(0, 3);
    const target = pair[0]!.blockStore.height() + 3n;
    await waitAll(three, target, 60_000);
    await expectSameChain(three, target);

    // The one stopped long ago block-syncs the blocks it missed, then rejoins consensus.
    const syncLog: string[] = [];
    nodes[3] = await start(hs[3]!, net, syncLog, true);
    const later = nodes[0]!.blockStore.height() + 3n;
    await waitAll(nodes, later, 60_000);
    await expectSameChain(nodes, later);
    expect(
      syncLog.some((l) => /blocksync caught up/.test(l)),
      'it caught up through block sync',
    ).toBe(true);
    await Promise.all(nodes.map((n) => n.stop()));
  }, 120_000);

  it('a validator restarted in the middle of a height replays its WAL and signs again without conflicts', async () => {
    const net = new MemoryNetwork();
    const hs = makeHomes(4);
    const lines: string[] = [];
    const nodes = await Promise.all(hs.map((h, i) => start(h, net, i === 0 ? lines : undefined)));
    await waitAll(nodes, 3n);
    const address = nodes[0]!.privValidator.address;
    for (let round = 0; round < 4; round++) {
      // Stop at an arbitrary moment inside a height, then restart from the same home.
      await new Promise((r) => setTimeout(r, 37 + round * 53));
      await nodes[0]!.stop();
      nodes[0] = await start(hs[0]!, net, lines);
    }
    const from = nodes[0]!.blockStore.height();
    await waitAll(nodes, from + 4n, 60_000);
    await expectSameChain(nodes, from + 4n);
    // Its precommits are in the commits again (any of the last few: one commit may miss a late vote).
    let signed = false;
    for (let h = from + 1n; h <= from + 3n; h++) {
      const commit = (await nodes[1]!.blockStore.loadBlockCommit(h))!;
      signed ||= commit.signatures.some(
        (sig) => sig.blockIdFlag === 2 && Buffer.from(sig.validatorAddress).equals(Buffer.from(address)),
      );
    }
    expect(signed).toBe(true);
    // No refused signature (conflicting data, step regression) nor any other error.
    expect(lines.filter((l) => / ERROR /.test(l))).toEqual([]);
    expect(lines.some((l) => /replayed the consensus WAL/.test(l))).toBe(true);
    await Promise.all(nodes.map((n) => n.stop()));
  }, 120_000);

  it('a validator that double-signs is caught: the evidence lands in a committed block', async () => {
    const net = new MemoryNetwork();
    const hs = makeHomes(4);
    const nodes = await Promise.all(hs.map((h, i) => start(h, net, undefined, false, i === 3)));
    const culprit = nodes[3]!.privValidator.address;
    const until = Date.now() + 60_000;
    let found: bigint | undefined;
    while (found === undefined && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      const top = nodes[0]!.blockStore.height();
      for (let h = 1n; h <= top && found === undefined; h++) {
        const block = await nodes[0]!.blockStore.loadBlock(h);
        if (
          block?.evidence.some(
            (e) =>
              e.kind === 'duplicateVote' &&
              Buffer.from(e.duplicateVote.voteA?.validatorAddress ?? []).equals(Buffer.from(culprit)),
          )
        )
          found = h;
      }
    }
    expect(found, 'a block carrying the duplicate-vote evidence').toBeDefined();
    await Promise.all(nodes.map((n) => n.stop()));
  }, 90_000);
});
