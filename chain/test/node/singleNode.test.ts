/**
 * A single-validator node in-process: it produces blocks, every block is consistent with the
 * CometBFT v0.38 data structures (header hash = block id, commit signatures verify), and a
 * restart resumes from the stores without forking.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_STORE_NAMES, defaultAppState, HearthApp } from '../../src/app/app.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { initHome } from '../../src/node/config/index.js';
import { HearthNode } from '../../src/node/node.js';
import { bytesEqual, headerHash, timestampToNanos } from '../../src/node/types/index.js';
import { openCommitMultiStore } from '../../src/store/index.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

async function startNode(
  home: string,
  opts: { timeoutCommitMs?: number; finalizeDelayMs?: number } = {},
): Promise<HearthNode> {
  const store = await openCommitMultiStore(join(home, 'data', 'application.db'), {
    storeNames: APP_STORE_NAMES,
    keepRecent: 0,
  });
  const app = new HearthApp({ store, minGasPrices: '0.025uhth' });
  const delay = opts.finalizeDelayMs;
  if (delay) {
    const finalize = app.finalizeBlock.bind(app);
    app.finalizeBlock = async (req) => {
      await new Promise((r) => setTimeout(r, delay));
      return finalize(req);
    };
  }
  const node = await HearthNode.start({
    home,
    app,
    logger: process.env.HEARTH_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger,
    configure: (c) => ({
      ...c,
      rpc: { ...c.rpc, laddr: 'tcp://127.0.0.1:0' },
      p2p: { ...c.p2p, laddr: 'tcp://127.0.0.1:0' },
      instrumentation: { ...c.instrumentation, prometheus: false },
      consensus: { ...c.consensus, timeoutCommitMs: opts.timeoutCommitMs ?? 50, timeoutProposeMs: 500 },
    }),
  });
  const stop = node.stop.bind(node);
  node.stop = async () => {
    await stop();
    await store.close();
  };
  return node;
}

async function waitForHeight(node: HearthNode, h: bigint, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (node.blockStore.height() < h) {
    if (Date.now() > until) throw new Error(`height ${h} not reached (at ${node.blockStore.height()})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh home for a one-validator chain, removed after the file. */
function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'hearth-node-'));
  homes.push(home);
  initHome(home, {
    moniker: 'solo',
    chainId: 'hearth-solo-1',
    appStateJson: JSON.stringify(defaultAppState()),
  });
  return home;
}

describe('single-validator node', () => {
  it('produces valid blocks and resumes after a restart', async () => {
    const home = newHome();
    let node = await startNode(home);
    await waitForHeight(node, 4n);
    // CometBFT's metric names, from the applied blocks and the live components.
    const text = node.metrics.render();
    const value = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      if (!m) throw new Error(`metric ${name} missing from:\n${text}`);
      return Number(m[1]);
    };
    const latest = value('cometbft_consensus_latest_block_height');
    expect(latest).toBeGreaterThanOrEqual(4);
    expect(value('cometbft_consensus_height')).toBe(latest + 1);
    expect(value('cometbft_consensus_validators')).toBe(1);
    expect(value('cometbft_consensus_validators_power')).toBeGreaterThan(0);
    expect(value('cometbft_consensus_missing_validators')).toBe(0);
    expect(value('cometbft_consensus_byzantine_validators')).toBe(0);
    expect(value('cometbft_consensus_block_interval_seconds_count')).toBe(latest - 1);
    expect(value('cometbft_state_block_processing_time_count')).toBe(latest);
    expect(value('cometbft_p2p_peers')).toBe(0);
    expect(value('cometbft_blocksync_syncing')).toBe(0);
    expect(value('cometbft_mempool_size')).toBe(0);
    expect(value('cometbft_mempool_recheck_times')).toBe(0);
    const state = node.chain.current;
    for (let h = 1n; h <= 3n; h++) {
      const block = (await node.blockStore.loadBlock(h))!;
      const meta = (await node.blockStore.loadBlockMeta(h))!;
      expect(bytesEqual(headerHash(block.header), meta.blockId.hash)).toBe(true);
      const commit = (await node.blockStore.loadBlockCommit(h))!;
      state.validators.verifyCommit('hearth-solo-1', meta.blockId, h, commit);
    }
    await node.stop();
    const before = node.blockStore.height();

    node = await startNode(home);
    await waitForHeight(node, before + 2n);
    const resumed = (await node.blockStore.loadBlock(before + 1n))!;
    const prev = (await node.blockStore.loadBlockMeta(before))!;
    expect(bytesEqual(resumed.header.lastBlockId.hash, prev.blockId.hash)).toBe(true);
    await node.stop();
  }, 60_000);

  it('counts the commit timeout from the decision, so block execution does not add to it', async () => {
    // CometBFT: StartTime = CommitTime + timeout_commit, CommitTime taken when +2/3 precommits
    // arrive. A 1.2 s FinalizeBlock under a 1.5 s commit timeout keeps blocks ~1.5 s apart;
    // waiting the full timeout after execution would put them ~2.7 s apart.
    const home = newHome();
    const node = await startNode(home, { timeoutCommitMs: 1500, finalizeDelayMs: 1200 });
    try {
      await waitForHeight(node, 5n, 30_000);
      const ms = async (h: bigint) =>
        Number(timestampToNanos((await node.blockStore.loadBlock(h))!.header.time)) / 1e6;
      const interval = ((await ms(5n)) - (await ms(2n))) / 3;
      expect(interval).toBeGreaterThanOrEqual(1400);
      expect(interval).toBeLessThan(2300);
    } finally {
      await node.stop();
    }
  }, 60_000);
});
