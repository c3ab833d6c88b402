// Unmodified CosmJS 0.39 (@cosmjs/tendermint-rpc, @cosmjs/stargate) against the RPC server over
// the capture-backed fake backend: it must pick its CometBFT 0.38 client and decode every answer.
import { StargateClient } from '@cosmjs/stargate';
import { Comet38Client, connectComet } from '@cosmjs/tendermint-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToBytes, blockFromJson, blockIdFromJson } from '../types/index.js';
import { capture } from './testdata/fakeBackend.js';
import { type Harness, startHarness } from './testdata/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('CosmJS Comet38Client', () => {
  it('connectComet selects the 0.38 client and decodes status', async () => {
    const client = await connectComet(h.url);
    try {
      expect(client).toBeInstanceOf(Comet38Client);
      const status = await client.status();
      expect(status.nodeInfo.version).toBe('0.38.0-alpha.1');
      expect(status.nodeInfo.network).toBe('dockerchain');
      expect(status.syncInfo.latestBlockHeight).toBe(232);
      expect(hex(status.validatorInfo.address)).toBe('2DD9F44FD9067555C322243C3C913BA7B51D2BE0');
      expect(status.validatorInfo.votingPower).toBe(10n);
    } finally {
      client.disconnect();
    }
  });

  it('block, blockResults, commit, validators, blockchain, genesis, abciInfo', async () => {
    const client = await Comet38Client.connect(h.url);
    try {
      const block = await client.block(10);
      expect(block.block.header.height).toBe(10);
      expect(hex(block.blockId.hash)).toBe(capture('block_at_height_10').response.result.block_id.hash);
      expect(block.block.lastCommit?.signatures).toHaveLength(1);
      const first = await client.block(1);
      expect(first.block.header.lastBlockId).toBeNull();

      const results = await client.blockResults(10);
      expect(results.height).toBe(10);
      expect(results.results).toEqual([]);

      const commit = await client.commit(10);
      expect(commit.canonical).toBe(true);
      expect(commit.commit.height).toBe(10);
      expect(hex(commit.commit.signatures[0]!.validatorAddress!)).toBe(
        '2DD9F44FD9067555C322243C3C913BA7B51D2BE0',
      );

      const vals = await client.validators({ height: 10 });
      expect(vals.blockHeight).toBe(10);
      expect(vals.total).toBe(1);
      expect(vals.validators[0]!.votingPower).toBe(10n);
      expect((await client.validatorsAll(10)).validators).toHaveLength(1);

      h.backend.latest = 214n;
      try {
        const chain = await client.blockchain(1, 10);
        expect(chain.lastHeight).toBe(214);
        expect(chain.blockMetas.map((m) => m.header.height)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      } finally {
        h.backend.latest = 232n;
      }

      const genesis = await client.genesis();
      expect(genesis.chainId).toBe('dockerchain');
      expect(genesis.validators[0]!.votingPower).toBe(10n);

      const info = await client.abciInfo();
      expect(info.lastBlockHeight).toBe(198);
      expect(info.data).toBe('{"size":0}');
      expect((await client.health()) === null).toBe(true);
      expect((await client.numUnconfirmedTxs()).total).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it('tx, txSearch, blockSearch, abciQuery, broadcastTxSync/Async', async () => {
    const client = await Comet38Client.connect(h.url);
    try {
      const search = await client.txSearch({ query: 'tx.height > 1', prove: true, per_page: 10 });
      expect(search.totalCount).toBe(9);
      expect(search.txs.map((t) => t.height)).toEqual([223, 225, 227, 243, 245, 247, 249, 251, 253]);
      expect(search.txs[0]!.proof?.proof.total).toBe(1);
      expect(search.txs[0]!.result.events[0]!.attributes[1]).toEqual({ key: 'key', value: 'async-key' });

      const one = await client.tx({ hash: search.txs[3]!.hash, prove: true });
      expect(Buffer.from(one.tx).toString()).toBe('tx0=value');
      expect(one.height).toBe(243);

      const blocks = await client.blockSearch({ query: 'block.height > 1', order_by: 'asc' });
      expect(blocks.totalCount).toBe(4);
      expect(blocks.blocks.map((b) => b.block.header.height)).toEqual([2, 3, 4, 5]);

      const query = await client.abciQuery({ path: '/key', data: Buffer.from('tx0') });
      expect(Buffer.from(query.value).toString()).toBe('value');
      expect(query.height).toBe(254);
      expect(query.log).toBe('exists');

      const sync = await client.broadcastTxSync({ tx: Buffer.from('sync-key=value') });
      expect(sync.code).toBe(0);
      expect(hex(sync.hash)).toBe(capture('broadcast_tx_sync').response.result.hash);
      const async = await client.broadcastTxAsync({ tx: Buffer.from('async-key=value') });
      expect(hex(async.hash)).toBe(capture('broadcast_tx_async').response.result.hash);
    } finally {
      h.backend.mempool.length = 0;
      client.disconnect();
    }
  });

  it('broadcastTxCommit returns the delivered result', async () => {
    const client = await Comet38Client.connect(h.url);
    const r = capture('broadcast_tx_commit').response.result;
    h.backend.commitBroadcastTxs = {
      height: BigInt(r.height),
      result: {
        code: 0,
        data: new Uint8Array(),
        log: '',
        info: '',
        gasWanted: 0n,
        gasUsed: 0n,
        events: [],
        codespace: '',
      },
    };
    try {
      const res = await client.broadcastTxCommit({ tx: Buffer.from('commit-key=value') });
      expect(res.height).toBe(227);
      expect(hex(res.hash)).toBe(r.hash);
      expect(res.checkTx.code).toBe(0);
    } finally {
      h.backend.commitBroadcastTxs = undefined;
      h.backend.mempool.length = 0;
      client.disconnect();
    }
  });

  it('subscribeNewBlock over the websocket receives NewBlock events', async () => {
    const client = await connectComet(h.url.replace('http://', 'ws://'));
    try {
      expect(client).toBeInstanceOf(Comet38Client);
      const received = new Promise<number>((resolve, reject) => {
        client.subscribeNewBlock().subscribe({
          next: (e) => resolve(e.header.height),
          error: reject,
          complete: () => reject(new Error('stream completed')),
        });
      });
      for (let i = 0; i < 200 && h.backend.numClients() === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(h.backend.numClients()).toBe(1);
      const v = capture('subscribe_newblock_0').response.result.data.value;
      h.backend.bus.publishNewBlock({
        block: blockFromJson(v.block),
        blockId: blockIdFromJson(v.block_id),
        resultFinalizeBlock: {
          events: [],
          txResults: [],
          validatorUpdates: [],
          appHash: base64ToBytes(v.result_finalize_block.app_hash),
        },
      });
      expect(await received).toBe(235);
    } finally {
      client.disconnect();
    }
  });
});

describe('CosmJS StargateClient', () => {
  it('reads chain id, height, blocks and txs through the RPC', async () => {
    const client = await StargateClient.connect(h.url);
    try {
      expect(await client.getChainId()).toBe('dockerchain');
      expect(await client.getHeight()).toBe(232);
      const block = await client.getBlock(10);
      expect(block.header.height).toBe(10);
      expect(block.id).toBe(capture('block_at_height_10').response.result.block_id.hash);
      const txs = await client.searchTx('tx.height >= 245');
      expect(txs.map((t) => t.height)).toEqual([245, 247, 249, 251, 253]);
      const hash = capture('tx_search_no_prove').response.result.txs[0].hash;
      const tx = await client.getTx(hash);
      expect(tx?.height).toBe(223);
      expect(tx?.hash).toBe(hash);
      expect(await client.getTx('00'.repeat(32))).toBeNull();
    } finally {
      client.disconnect();
    }
  });
});
