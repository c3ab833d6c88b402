// The RPC server against real CometBFT v0.38 captures (testdata/comet38RpcCaptures.json, see its
// `origin`): for each method, the request as captured must produce the captured response.
import { ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToBytes, blockFromJson, blockIdFromJson, txHash } from '../types/index.js';
import { capture, execTxResultFromJson } from './testdata/fakeBackend.js';
import { type Harness, type Json, startHarness, WsClient } from './testdata/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const SIMPLE = [
  'status',
  'net_info',
  'genesis',
  'abci_info',
  'abci_query_with_existing_key',
  'abci_query_with_non_existent_key',
  'block_at_height_0',
  'block_at_height_1',
  'block_at_height_10',
  'block_by_hash',
  'block_results_at_height_10',
  'commit_at_height_10',
  'consensus_params',
  'broadcast_tx_async',
  'broadcast_tx_sync',
  'tx_search_no_prove',
  'tx_search_with_prove',
  'block_search',
];

describe('JSON-RPC POST reproduces the CometBFT captures', () => {
  it.each(SIMPLE)('%s', async (name) => {
    const c = capture(name);
    const res = await h.post(c.request);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(c.response);
  });

  it('blockchain_from_1_to_10 (captured at height 214)', async () => {
    const c = capture('blockchain_from_1_to_10');
    h.backend.latest = 214n;
    try {
      const res = await h.post(c.request);
      expect(res.json).toEqual(c.response);
      expect(res.json.result.block_metas.map((m: Json) => m.header.height)).toEqual([
        '10',
        '9',
        '8',
        '7',
        '6',
        '5',
        '4',
        '3',
        '2',
        '1',
      ]);
    } finally {
      h.backend.latest = 232n;
    }
  });

  it('broadcast_tx_commit waits for the Tx event and reports check_tx, tx_result and height', async () => {
    const c = capture('broadcast_tx_commit');
    const r = c.response.result;
    h.backend.checkTxResult = ResponseCheckTx.fromPartial({ gasWanted: 1n });
    h.backend.commitBroadcastTxs = { height: BigInt(r.height), result: execTxResultFromJson(r.tx_result) };
    try {
      const res = await h.post(c.request);
      expect(res.json).toEqual(c.response);
      expect(h.backend.numClients()).toBe(0);
    } finally {
      h.backend.checkTxResult = ResponseCheckTx.fromPartial({});
      h.backend.commitBroadcastTxs = undefined;
    }
  });
});

describe('other routes', () => {
  it('broadcast_tx_commit returns at once with height 0 when CheckTx rejects', async () => {
    h.backend.checkTxResult = ResponseCheckTx.fromPartial({
      code: 5,
      log: 'insufficient funds',
      codespace: 'sdk',
    });
    try {
      const res = await h.post({
        jsonrpc: '2.0',
        id: 1,
        method: 'broadcast_tx_commit',
        params: { tx: 'AQID' },
      });
      expect(res.json.result.height).toBe('0');
      expect(res.json.result.check_tx).toMatchObject({
        code: 5,
        log: 'insufficient funds',
        codespace: 'sdk',
      });
      expect(res.json.result.tx_result).toEqual({
        code: 0,
        data: null,
        log: '',
        info: '',
        gas_wanted: '0',
        gas_used: '0',
        events: [],
        codespace: '',
      });
    } finally {
      h.backend.checkTxResult = ResponseCheckTx.fromPartial({});
    }
  });

  it('broadcast_tx_commit times out with CometBFT’s message', async () => {
    const t = await startHarness({ broadcastTxCommitTimeoutMs: 50 });
    try {
      const res = await t.post({
        jsonrpc: '2.0',
        id: 2,
        method: 'broadcast_tx_commit',
        params: { tx: 'AQID' },
      });
      expect(res.json.error).toEqual({
        code: -32603,
        message: 'Internal error',
        data: 'timed out waiting for tx to be included in a block',
      });
      expect(t.backend.numClients()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('mempool errors from broadcast become internal errors', async () => {
    h.backend.mempoolError = 'mempool is full';
    try {
      const res = await h.post({
        jsonrpc: '2.0',
        id: 3,
        method: 'broadcast_tx_sync',
        params: { tx: 'AQID' },
      });
      expect(res.json.error).toEqual({ code: -32603, message: 'Internal error', data: 'mempool is full' });
    } finally {
      h.backend.mempoolError = undefined;
    }
  });

  it('tx by hash, with and without proof', async () => {
    const captured = capture('tx_search_with_prove').response.result.txs[3];
    const hash = Buffer.from(captured.hash, 'hex').toString('base64');
    const res = await h.post({ jsonrpc: '2.0', id: 4, method: 'tx', params: { hash, prove: true } });
    expect(res.json.result).toEqual(captured);
    const plain = await h.post({ jsonrpc: '2.0', id: 5, method: 'tx', params: { hash } });
    const { proof: _, ...withoutProof } = captured;
    expect(plain.json.result).toEqual(withoutProof);
    const missing = await h.post({ jsonrpc: '2.0', id: 6, method: 'tx', params: { hash: 'AAAA' } });
    expect(missing.json.error.data).toBe('tx (000000) not found');
  });

  it('tx_search paging and order errors', async () => {
    const desc = await h.post({
      jsonrpc: '2.0',
      id: 7,
      method: 'tx_search',
      params: { query: 'tx.height > 1', order_by: 'desc', per_page: '2', page: '2' },
    });
    expect(desc.json.result.total_count).toBe('9');
    expect(desc.json.result.txs.map((t: Json) => t.height)).toEqual(['249', '247']);
    const bad = await h.post({
      jsonrpc: '2.0',
      id: 8,
      method: 'tx_search',
      params: { query: 'tx.height > 1', order_by: 'sideways' },
    });
    expect(bad.json.error.data).toBe('expected order_by to be either `asc` or `desc` or empty');
    const page = await h.post({
      jsonrpc: '2.0',
      id: 9,
      method: 'tx_search',
      params: { query: 'tx.height > 1', page: '7' },
    });
    expect(page.json.error.data).toBe('page should be within [1, 1] range, given 7');
    const q = await h.post({ jsonrpc: '2.0', id: 10, method: 'tx_search', params: { query: 'tx.height >' } });
    expect(q.json.error.code).toBe(-32603);
    expect(q.json.error.data).toMatch(/offset/);
  });

  it('validators paginate over the set', async () => {
    const res = await h.post({ jsonrpc: '2.0', id: 11, method: 'validators', params: { height: '10' } });
    expect(res.json.result).toEqual({
      block_height: '10',
      validators: [
        {
          address: '2DD9F44FD9067555C322243C3C913BA7B51D2BE0',
          pub_key: {
            type: 'tendermint/PubKeyEd25519',
            value: 'bNNlGls5R25wC3Sd8720F/3+7IZBhXcD22MNFtPk/v0=',
          },
          voting_power: '10',
          proposer_priority: '0',
        },
      ],
      count: '1',
      total: '1',
    });
    const latestPlusOne = await h.post({ jsonrpc: '2.0', id: 12, method: 'validators', params: {} });
    expect(latestPlusOne.json.result.block_height).toBe('233');
    const tooHigh = await h.post({ jsonrpc: '2.0', id: 13, method: 'validators', params: { height: '234' } });
    expect(tooHigh.json.error.data).toBe(
      'height 234 must be less than or equal to the current blockchain height 233',
    );
    const page2 = await h.post({ jsonrpc: '2.0', id: 14, method: 'validators', params: { page: '2' } });
    expect(page2.json.error.data).toBe('page should be within [1, 1] range, given 2');
  });

  it('commit at the latest height is the non-canonical seen commit', async () => {
    h.backend.latest = 10n;
    try {
      const res = await h.post({ jsonrpc: '2.0', id: 15, method: 'commit', params: {} });
      expect(res.json.result.canonical).toBe(false);
      expect(res.json.result.signed_header).toEqual(
        capture('commit_at_height_10').response.result.signed_header,
      );
    } finally {
      h.backend.latest = 232n;
    }
  });

  it('heights below the base are refused', async () => {
    h.backend.base = 5n;
    try {
      const res = await h.post({ jsonrpc: '2.0', id: 16, method: 'block', params: { height: '2' } });
      expect(res.json.error.data).toBe('height 2 is not available, lowest height is 5');
    } finally {
      h.backend.base = 1n;
    }
  });

  it('block_results for a height without results', async () => {
    const res = await h.post({ jsonrpc: '2.0', id: 17, method: 'block_results', params: { height: '11' } });
    expect(res.json.error.data).toBe('could not find results for height #11');
  });

  it('genesis_chunked returns the genesis in base64 chunks', async () => {
    const res = await h.post({ jsonrpc: '2.0', id: 18, method: 'genesis_chunked', params: { chunk: '0' } });
    expect(res.json.result.chunk).toBe('0');
    expect(res.json.result.total).toBe('1');
    expect(JSON.parse(Buffer.from(res.json.result.data, 'base64').toString())).toEqual(
      capture('genesis').response.result.genesis,
    );
    const bad = await h.post({ jsonrpc: '2.0', id: 19, method: 'genesis_chunked', params: { chunk: '1' } });
    expect(bad.json.error.data).toBe('there are 0 chunks, 1 is invalid');
  });

  it('mempool counts and listing, check_tx, health', async () => {
    h.backend.mempool.length = 0;
    h.backend.mempool.push(Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5));
    const n = await h.post({ jsonrpc: '2.0', id: 20, method: 'num_unconfirmed_txs' });
    expect(n.json.result).toEqual({ n_txs: '2', total: '2', total_bytes: '5', txs: null });
    const u = await h.post({ jsonrpc: '2.0', id: 21, method: 'unconfirmed_txs', params: { limit: '1' } });
    expect(u.json.result).toEqual({ n_txs: '1', total: '2', total_bytes: '5', txs: ['AQID'] });
    h.backend.mempool.length = 0;
    h.backend.checkTxResult = ResponseCheckTx.fromPartial({ gasWanted: 2n ** 63n - 1n, gasUsed: 2n ** 31n });
    try {
      const c = await h.post({ jsonrpc: '2.0', id: 22, method: 'check_tx', params: { tx: 'AQID' } });
      expect(c.json.result).toEqual({
        code: 0,
        data: null,
        log: '',
        info: '',
        gas_wanted: '9223372036854775807',
        gas_used: '2147483648',
        events: [],
        codespace: '',
      });
      expect(h.backend.mempool).toHaveLength(0);
    } finally {
      h.backend.checkTxResult = ResponseCheckTx.fromPartial({});
    }
    expect((await h.post({ jsonrpc: '2.0', id: 23, method: 'health' })).json).toEqual({
      jsonrpc: '2.0',
      id: 23,
      result: {},
    });
    h.backend.healthy = false;
    try {
      const bad = await h.post({ jsonrpc: '2.0', id: 24, method: 'health' });
      expect(bad.json.error.data).toBe('node is not healthy');
    } finally {
      h.backend.healthy = true;
    }
  });

  it('abci_query passes path, data, height and prove to the app', async () => {
    await h.post({
      jsonrpc: '2.0',
      id: 25,
      method: 'abci_query',
      params: { path: '/store/bank/key', data: 'ABCD', height: '9', prove: true },
    });
    expect(h.backend.lastQuery).toEqual({
      path: '/store/bank/key',
      data: Uint8Array.of(0xab, 0xcd),
      height: 9n,
      prove: true,
    });
  });
});

describe('JSON-RPC errors', () => {
  it('malformed JSON is a parse error (HTTP 500)', async () => {
    const res = await h.post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe(-32700);
    expect(res.json.error.message).toBe('Parse error');
    expect(res.json.error.data).toMatch(/^error unmarshaling request: /);
    expect(res.json.id).toBeNull();
  });

  it('unknown methods and websocket-only methods are not found', async () => {
    for (const method of ['no_such_method', 'subscribe', 'toString', '__proto__']) {
      const res = await h.post({ jsonrpc: '2.0', id: 'x', method, params: { query: "tm.event='Tx'" } });
      expect(res.json).toEqual({
        jsonrpc: '2.0',
        id: 'x',
        error: { code: -32601, message: 'Method not found' },
      });
    }
  });

  it('malformed params are invalid params with a reason', async () => {
    const cases: [Json, RegExp][] = [
      [{ height: true }, /^error converting json params to arguments: height: expected an integer/],
      [{ height: '1.5' }, /height: invalid integer/],
      [{ height: '99999999999999999999' }, /out of int64 range/],
      ['10', /unknown type for JSON params/],
      [['1', '2'], /expected at most 1 parameters/],
    ];
    for (const [params, data] of cases) {
      const res = await h.post({ jsonrpc: '2.0', id: 1, method: 'block', params });
      expect(res.status).toBe(200);
      expect(res.json.error.code).toBe(-32602);
      expect(res.json.error.message).toBe('Invalid params');
      expect(res.json.error.data).toMatch(data);
    }
    const tx = await h.post({
      jsonrpc: '2.0',
      id: 1,
      method: 'broadcast_tx_sync',
      params: { tx: 'not base64!' },
    });
    expect(tx.json.error.data).toMatch(/tx: expected base64 bytes/);
    const missing = await h.post({ jsonrpc: '2.0', id: 1, method: 'broadcast_tx_sync', params: {} });
    expect(missing.json.error).toEqual({ code: -32602, message: 'Invalid params', data: 'tx: missing' });
    const hex = await h.post({ jsonrpc: '2.0', id: 1, method: 'abci_query', params: { data: 'xyz' } });
    expect(hex.json.error.data).toMatch(/data: invalid hex/);
  });

  it('positional params work', async () => {
    const res = await h.post({ jsonrpc: '2.0', id: 1, method: 'block', params: ['10'] });
    expect(res.json.result).toEqual(capture('block_at_height_10').response.result);
  });

  it('invalid request objects', async () => {
    const bad = await h.post({ jsonrpc: '2.0', id: { a: 1 }, method: 'status' });
    expect(bad.json.error).toMatchObject({ code: -32600, message: 'Invalid Request' });
    const noMethod = await h.post({ jsonrpc: '2.0', id: 3 });
    expect(noMethod.json).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32600, message: 'Invalid Request', data: 'method must be a string' },
    });
    const version = await h.post({ jsonrpc: '1.0', id: 4, method: 'health' });
    expect(version.json.error.code).toBe(-32600);
    const scalar = await h.post('42');
    expect(scalar.json.error.code).toBe(-32600);
  });

  it('oversize bodies are refused before parsing (HTTP 400)', async () => {
    const t = await startHarness({ maxBodyBytes: 1000 });
    try {
      const big = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'broadcast_tx_sync',
        params: { tx: 'A'.repeat(2000) },
      });
      const res = await t.post(big);
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({
        code: -32600,
        message: 'Invalid Request',
        data: 'error reading request body: http: request body too large',
      });
      const ok = await t.post({ jsonrpc: '2.0', id: 1, method: 'health' });
      expect(ok.json.result).toEqual({});
    } finally {
      await t.close();
    }
  });
});

describe('batches and notifications', () => {
  it('answers every request of a batch, in order, skipping notifications', async () => {
    const res = await h.post([
      { jsonrpc: '2.0', id: 1, method: 'health' },
      { jsonrpc: '2.0', method: 'health' },
      { jsonrpc: '2.0', id: 'two', method: 'nope' },
      { jsonrpc: '2.0', id: 3, method: 'block', params: { height: '0' } },
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 'two', error: { code: -32601, message: 'Method not found' } },
      { jsonrpc: '2.0', id: 3, error: capture('block_at_height_0').response.error },
    ]);
  });

  it('a batch of one still gets an array', async () => {
    const res = await h.post([{ jsonrpc: '2.0', id: 1, method: 'health' }]);
    expect(res.json).toEqual([{ jsonrpc: '2.0', id: 1, result: {} }]);
  });

  it('empty batch is an invalid request; notifications alone get an empty body', async () => {
    const empty = await h.post('[]');
    expect(empty.json.error.code).toBe(-32600);
    const note = await h.post({ jsonrpc: '2.0', method: 'health' });
    expect(note.status).toBe(200);
    expect(note.text).toBe('');
  });
});

describe('URI GET', () => {
  it('ints unquoted, strings quoted, bytes as 0x hex; id is -1', async () => {
    const block = await h.get('/block?height=10');
    expect(block.status).toBe(200);
    expect(block.json).toEqual({
      jsonrpc: '2.0',
      id: -1,
      result: capture('block_at_height_10').response.result,
    });
    const quoted = await h.get('/block?height="10"');
    expect(quoted.json.result.block.header.height).toBe('10');
    const hash = capture('block_by_hash').response.result.block_id.hash;
    const byHash = await h.get(`/block_by_hash?hash=0x${hash}`);
    expect(byHash.json.result).toEqual(capture('block_by_hash').response.result);
    const query = await h.get('/abci_query?data=0x747830');
    expect(query.json.result).toEqual(capture('abci_query_with_existing_key').response.result);
    const raw = await h.get('/abci_query?path=%22%2Fstore%22&data=%22tx0%22&prove=true');
    expect(raw.json.result).toEqual(capture('abci_query_with_existing_key').response.result);
    expect(h.backend.lastQuery).toMatchObject({ path: '/store', prove: true });
    const search = await h.get(
      `/tx_search?query=${encodeURIComponent('"tx.height > 1"')}&per_page=10&order_by="asc"`,
    );
    expect(search.json.result).toEqual(capture('tx_search_no_prove').response.result);
    const status = await h.get('/status');
    expect(status.json.result).toEqual(capture('status').response.result);
  });

  it('bad URI params are invalid params (HTTP 500)', async () => {
    for (const q of [
      '/block?height=abc',
      '/block?height=0x10',
      '/tx_search?query=tx.height>1',
      '/block_by_hash?hash=0xZZ',
    ]) {
      const res = await h.get(q);
      expect(res.status).toBe(500);
      expect(res.json.id).toBe(-1);
      expect(res.json.error.code).toBe(-32602);
      expect(res.json.error.data).toMatch(/^error converting http params to arguments: /);
    }
    const internal = await h.get('/block?height=0');
    expect(internal.status).toBe(500);
    expect(internal.json.error).toEqual(capture('block_at_height_0').response.error);
  });

  it('GET / lists the routes; unknown paths and websocket-only routes are 404', async () => {
    const list = await h.get('/');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Available endpoints:');
    expect(list.text).toContain('/block_search?query=_&amp;page=_'.replace('&amp;', '&'));
    expect(list.text).toContain('/status');
    expect((await h.get('/nope')).status).toBe(404);
    const sub = await h.get('/subscribe?query="tm.event=\'Tx\'"');
    expect(sub.status).toBe(404);
    expect(sub.json.error.code).toBe(-32601);
  });
});

describe('websocket', () => {
  it('subscribe to NewBlock pushes events in CometBFT’s shape; unsubscribe stops them', async () => {
    const expected = capture('subscribe_newblock_0').response;
    const c = await WsClient.connect(h.url);
    try {
      const reply = await c.call(expected.id, 'subscribe', { query: "tm.event = 'NewBlock'" });
      expect(reply).toEqual({ jsonrpc: '2.0', id: expected.id, result: {} });
      const v = expected.result.data.value;
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
      expect(await c.next()).toEqual(expected);
      const un = await c.call('u', 'unsubscribe', { query: "tm.event = 'NewBlock'" });
      expect(un).toEqual({ jsonrpc: '2.0', id: 'u', result: {} });
      h.backend.bus.publishNewBlock({
        block: blockFromJson(v.block),
        blockId: blockIdFromJson(v.block_id),
        resultFinalizeBlock: { events: [], txResults: [], validatorUpdates: [], appHash: new Uint8Array() },
      });
      // The next message is the health reply, not an event.
      expect(await c.call('h', 'health')).toEqual({ jsonrpc: '2.0', id: 'h', result: {} });
      const again = await c.call('u2', 'unsubscribe', { query: "tm.event = 'NewBlock'" });
      expect(again.error).toEqual({
        code: -32603,
        message: 'Internal error',
        data: 'subscription not found',
      });
    } finally {
      c.close();
    }
  });

  it('Tx events match the capture, and attribute conditions filter them', async () => {
    const c = await WsClient.connect(h.url);
    try {
      const tx0 = capture('subscribe_txs_0').response;
      const tx1 = capture('subscribe_txs_1').response;
      expect((await c.call(tx0.id, 'subscribe', { query: "tm.event = 'Tx'" })).result).toEqual({});
      expect(
        (
          await c.call('filtered', 'subscribe', {
            query: "tm.event = 'Tx' AND app.key = 'tx1' AND tx.height >= 245",
          })
        ).result,
      ).toEqual({});
      for (const cap of [tx0, tx1]) {
        const t = cap.result.data.value.TxResult;
        const tx = base64ToBytes(t.tx);
        h.backend.bus.publishTx(
          { height: BigInt(t.height), index: t.index ?? 0, tx, result: execTxResultFromJson(t.result) },
          txHash(tx),
        );
      }
      // Two subscriptions push independently: sort the three messages by what they are.
      const got = [await c.next(), await c.next(), await c.next()];
      const filtered = got.find((m) => m.id === 'filtered');
      const plain = got.filter((m) => m.id !== 'filtered');
      expect(plain).toEqual([tx0, tx1]);
      expect(filtered.result.query).toBe("tm.event = 'Tx' AND app.key = 'tx1' AND tx.height >= 245");
      expect(filtered.result.data).toEqual(tx1.result.data);
      expect(await c.call('h', 'health')).toEqual({ jsonrpc: '2.0', id: 'h', result: {} });
      expect((await c.call('all', 'unsubscribe_all')).result).toEqual({});
      expect(h.backend.numClients()).toBe(0);
    } finally {
      c.close();
    }
  });

  it('malformed queries get CometBFT’s error', async () => {
    const c = await WsClient.connect(h.url);
    try {
      const expected = capture('subscribe_malformed').response;
      const reply = await c.call(expected.id, 'subscribe', { query: 'malformed query' });
      expect(reply).toEqual(expected);
      const long = await c.call(2, 'subscribe', { query: `tm.event = '${'x'.repeat(600)}'` });
      expect(long.error.data).toBe('maximum query length exceeded');
      const parse = await c.call(3, 'subscribe', { query: 5 });
      expect(parse.error.code).toBe(-32602);
      c.send('{not json');
      expect((await c.next()).error.code).toBe(-32700);
    } finally {
      c.close();
    }
  });

  it('per-client and global subscription limits; disconnect releases subscriptions', async () => {
    const t = await startHarness({ maxSubscriptionClients: 1, maxSubscriptionsPerClient: 2 });
    const a = await WsClient.connect(t.url);
    const b = await WsClient.connect(t.url);
    try {
      expect((await a.call(1, 'subscribe', { query: "tm.event = 'Tx'" })).result).toEqual({});
      expect((await a.call(2, 'subscribe', { query: "tm.event = 'NewBlock'" })).result).toEqual({});
      const third = await a.call(3, 'subscribe', { query: "tm.event = 'NewBlockHeader'" });
      expect(third.error.data).toBe('max_subscriptions_per_client 2 reached');
      const dup = await a.call(4, 'subscribe', { query: "tm.event = 'Tx'" });
      expect(dup.error.data).toBe('max_subscriptions_per_client 2 reached');
      const other = await b.call(5, 'subscribe', { query: "tm.event = 'Tx'" });
      expect(other.error.data).toBe('max_subscription_clients 1 reached');
      a.close();
      await a.closed;
      for (let i = 0; i < 100 && t.backend.numClients() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(t.backend.numClients()).toBe(0);
      expect((await b.call(6, 'subscribe', { query: "tm.event = 'Tx'" })).result).toEqual({});
    } finally {
      a.close();
      b.close();
      await t.close();
    }
  });

  it('a subscription the bus cancels is reported as a server error', async () => {
    const c = await WsClient.connect(h.url);
    try {
      expect((await c.call('s', 'subscribe', { query: "tm.event = 'NewBlockHeader'" })).result).toEqual({});
      h.backend.bus.stop();
      expect(await c.next()).toEqual({
        jsonrpc: '2.0',
        id: 's',
        error: {
          code: -32000,
          message: 'Server error',
          data: 'subscription was canceled (reason: event bus stopped)',
        },
      });
    } finally {
      c.close();
      await h.close();
      h = await startHarness();
    }
  });

  it('normal routes work over the websocket too, and oversize messages close it', async () => {
    const t = await startHarness({ maxBodyBytes: 2000 });
    const c = await WsClient.connect(t.url);
    try {
      expect((await c.call(1, 'block', { height: '10' })).result).toEqual(
        capture('block_at_height_10').response.result,
      );
      c.send({ jsonrpc: '2.0', id: 2, method: 'broadcast_tx_sync', params: { tx: 'A'.repeat(4000) } });
      expect(await c.closed).toBe(1009);
    } finally {
      c.close();
      await t.close();
    }
  });

  it('upgrades only on /websocket', async () => {
    await expect(WsClient.connect(`${h.url}/other`)).rejects.toThrow();
  });
});

describe('connection limits and keep-alive', () => {
  it('refuses sockets beyond maxOpenConnections', async () => {
    const t = await startHarness({ maxOpenConnections: 1 });
    const held = await WsClient.connect(t.url);
    try {
      await expect(fetch(`${t.url}/health`)).rejects.toThrow();
      held.close();
      await held.closed;
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        ok = await fetch(`${t.url}/health`, { headers: { connection: 'close' } }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ok) await new Promise((r) => setTimeout(r, 20));
      }
      expect(ok).toBe(true);
    } finally {
      held.close();
      await t.close();
    }
  });

  it('drops a websocket client that never answers pings; keeps one that does', async () => {
    const t = await startHarness({ wsPingIntervalMs: 40 });
    const { createConnection } = await import('node:net');
    const port = Number(new URL(t.url).port);
    const silent = createConnection({ host: '127.0.0.1', port });
    const closed = new Promise<void>((resolve) => silent.on('close', () => resolve()));
    silent.on('error', () => {});
    silent.resume(); // read (and drop) the handshake and pings, so the server's FIN is seen
    silent.write(
      'GET /websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const polite = await WsClient.connect(t.url);
    try {
      await closed;
      expect(await polite.call(1, 'health')).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
      expect(polite.closeCode).toBeUndefined();
    } finally {
      silent.destroy();
      polite.close();
      await t.close();
    }
  });

  it('a second subscription to the same query is refused', async () => {
    const c = await WsClient.connect(h.url);
    try {
      expect((await c.call(1, 'subscribe', { query: "tm.event = 'Tx'" })).result).toEqual({});
      const dup = await c.call(2, 'subscribe', { query: "tm.event='Tx'" });
      expect(dup.error).toEqual({ code: -32603, message: 'Internal error', data: 'already subscribed' });
    } finally {
      c.close();
    }
  });

  it('a multi-megabyte body gets the 400 reply, not a reset', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'broadcast_tx_sync',
      params: { tx: 'A'.repeat(5_000_000) },
    });
    const res = await h.post(big);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(-32600);
  });
});
