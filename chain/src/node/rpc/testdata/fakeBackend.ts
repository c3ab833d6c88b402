/**
 * An in-memory `RpcBackend` for tests, filled from the CometBFT v0.38 captures in
 * `comet38RpcCaptures.json` (decoded through node/types), with a real EventBus and real tx/block
 * indexers over a MemoryDb. Tests tweak its public fields to steer the mempool and queries.
 */
import {
  type Event as AbciEvent,
  type ExecTxResult,
  ResponseCheckTx,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseQuery,
} from 'cosmjs-types/tendermint/abci/types';
import { MemoryDb } from '../../../store/db.js';
import { EventBus } from '../../events/index.js';
import { BlockIndexer, TxIndexer } from '../../indexer/index.js';
import {
  base64ToBytes,
  blockFromJson,
  blockIdFromJson,
  bytesToHex,
  type Commit,
  type ConsensusParams,
  commitFromJson,
  consensusParamsFromJson,
  headerFromJson,
  hexToBytes,
  parseRfc3339,
  publicKeyFromJson,
  txHash,
  type Validator,
  validatorFromJson,
} from '../../types/index.js';
import {
  type AbciQueryRequest,
  type BlockWithId,
  eventSourceFromBus,
  type NetInfo,
  type NodeStatus,
  type RpcBackend,
  type SearchOptions,
  type UnconfirmedTxs,
} from '../backend.js';
import capturesFile from './comet38RpcCaptures.json' with { type: 'json' };

// biome-ignore lint/suspicious/noExplicitAny: captured JSON is untyped.
type Json = any;

export const captures: Record<string, { request: Json; response: Json }> = capturesFile.captures;

export function capture(name: string): { request: Json; response: Json } {
  const c = captures[name];
  if (c === undefined) throw new Error(`no capture named ${name}`);
  return c;
}

export function eventsFromJson(j: Json): AbciEvent[] {
  return (j ?? []).map((e: Json) => ({
    type: e.type,
    attributes: (e.attributes ?? []).map((a: Json) => ({
      key: a.key,
      value: a.value ?? '',
      index: a.index === true,
    })),
  }));
}

/** ExecTxResult / ResponseCheckTx from its JSON form (either style). */
export function execTxResultFromJson(j: Json): ExecTxResult {
  return {
    code: j.code ?? 0,
    data: base64ToBytes(j.data),
    log: j.log ?? '',
    info: j.info ?? '',
    gasWanted: BigInt(j.gas_wanted ?? '0'),
    gasUsed: BigInt(j.gas_used ?? '0'),
    events: eventsFromJson(j.events),
    codespace: j.codespace ?? '',
  };
}

function statusFromJson(r: Json): NodeStatus {
  const n = r.node_info;
  const y = r.sync_info;
  return {
    nodeInfo: {
      protocolVersion: {
        p2p: BigInt(n.protocol_version.p2p),
        block: BigInt(n.protocol_version.block),
        app: BigInt(n.protocol_version.app),
      },
      id: n.id,
      listenAddr: n.listen_addr,
      network: n.network,
      version: n.version,
      channels: hexToBytes(n.channels),
      moniker: n.moniker,
      other: { txIndex: n.other.tx_index, rpcAddress: n.other.rpc_address },
    },
    syncInfo: {
      latestBlockHash: hexToBytes(y.latest_block_hash),
      latestAppHash: hexToBytes(y.latest_app_hash),
      latestBlockHeight: BigInt(y.latest_block_height),
      latestBlockTime: parseRfc3339(y.latest_block_time),
      earliestBlockHash: hexToBytes(y.earliest_block_hash),
      earliestAppHash: hexToBytes(y.earliest_app_hash),
      earliestBlockHeight: BigInt(y.earliest_block_height),
      earliestBlockTime: parseRfc3339(y.earliest_block_time),
      catchingUp: y.catching_up,
    },
    validatorInfo: {
      address: hexToBytes(r.validator_info.address),
      pubKey: publicKeyFromJson(r.validator_info.pub_key),
      votingPower: BigInt(r.validator_info.voting_power),
    },
  };
}

export class FakeBackend implements RpcBackend {
  readonly bus: EventBus;
  readonly blocks = new Map<bigint, BlockWithId>();
  /** Blocks findable by hash only (the block_by_hash capture comes from another run of the chain). */
  readonly extraBlocks: BlockWithId[] = [];
  readonly metas = new Map<bigint, Json>();
  readonly commits = new Map<bigint, Commit>();
  readonly results = new Map<bigint, ResponseFinalizeBlock>();
  readonly txIndexer = new TxIndexer(new MemoryDb());
  readonly blockIndexer = new BlockIndexer(new MemoryDb());
  latest = 232n;
  base = 1n;
  validatorSet: Validator[];
  params: ConsensusParams;
  /** What CheckTx answers (broadcast_tx_sync/commit, check_tx). */
  checkTxResult: ResponseCheckTx = ResponseCheckTx.fromPartial({});
  /** When set, an accepted broadcast tx is "committed" right away: a Tx event is published. */
  commitBroadcastTxs: { height: bigint; result: ExecTxResult } | undefined;
  /** Error message the mempool throws on broadcast, if any. */
  mempoolError: string | undefined;
  readonly mempool: Uint8Array[] = [];
  readonly queries = new Map<string, ResponseQuery>();
  healthy = true;

  private constructor(opts: { maxClients?: number; maxSubscriptionsPerClient?: number }) {
    this.bus = new EventBus({
      maxClients: opts.maxClients ?? 1000,
      maxSubscriptionsPerClient: opts.maxSubscriptionsPerClient ?? 1000,
    });
    const genesis = capture('genesis').response.result.genesis;
    this.validatorSet = genesis.validators.map(validatorFromJson);
    this.params = consensusParamsFromJson(capture('consensus_params').response.result.consensus_params);
  }

  static async create(
    opts: { maxClients?: number; maxSubscriptionsPerClient?: number } = {},
  ): Promise<FakeBackend> {
    const b = new FakeBackend(opts);
    const addBlock = (r: Json) => {
      const block = blockFromJson(r.block);
      b.blocks.set(block.header.height, { block, blockId: blockIdFromJson(r.block_id) });
    };
    addBlock(capture('block_at_height_1').response.result);
    addBlock(capture('block_at_height_10').response.result);
    for (const r of capture('block_search').response.result.blocks) addBlock(r);
    const other = capture('block_by_hash').response.result;
    b.extraBlocks.push({ block: blockFromJson(other.block), blockId: blockIdFromJson(other.block_id) });
    for (const m of capture('blockchain_from_1_to_10').response.result.block_metas) {
      b.metas.set(BigInt(m.header.height), m);
    }
    const signed = capture('commit_at_height_10').response.result.signed_header;
    b.commits.set(10n, commitFromJson(signed.commit));
    b.results.set(10n, ResponseFinalizeBlock.fromPartial({}));
    const txs = capture('tx_search_with_prove').response.result.txs.map((t: Json) => ({
      height: BigInt(t.height),
      index: t.index,
      tx: base64ToBytes(t.tx),
      result: execTxResultFromJson(t.tx_result),
    }));
    await b.txIndexer.index(txs);
    // One-tx blocks for the proofs (the captured proofs all have total 1).
    const template = b.blocks.get(10n)!;
    for (const t of txs) {
      const header = { ...template.block.header, height: t.height };
      b.blocks.set(t.height, {
        block: { ...template.block, header, data: { txs: [t.tx] } },
        blockId: template.blockId,
      });
    }
    for (let h = 1n; h <= 5n; h++) await b.blockIndexer.index(h, []);
    for (const name of ['abci_query_with_existing_key', 'abci_query_with_non_existent_key']) {
      const c = capture(name);
      const r = c.response.result.response;
      b.queries.set(
        c.request.params.data,
        ResponseQuery.fromPartial({
          code: r.code,
          log: r.log,
          info: r.info,
          index: BigInt(r.index),
          key: base64ToBytes(r.key),
          value: base64ToBytes(r.value),
          height: BigInt(r.height),
          codespace: r.codespace,
        }),
      );
    }
    return b;
  }

  async status(): Promise<NodeStatus> {
    return statusFromJson(capture('status').response.result);
  }
  async netInfo(): Promise<NetInfo> {
    return { listening: true, listeners: ['Listener(@)'], peers: [] };
  }
  async health(): Promise<void> {
    if (!this.healthy) throw new Error('node is not healthy');
  }
  async genesisJson(): Promise<string> {
    return JSON.stringify(capture('genesis').response.result.genesis);
  }
  latestHeight(): bigint {
    return this.latest;
  }
  baseHeight(): bigint {
    return this.base;
  }
  async block(height: bigint): Promise<BlockWithId | undefined> {
    return this.blocks.get(height);
  }
  async blockByHash(hash: Uint8Array): Promise<BlockWithId | undefined> {
    const hex = bytesToHex(hash);
    for (const b of [...this.blocks.values(), ...this.extraBlocks]) {
      if (bytesToHex(b.blockId.hash) === hex) return b;
    }
    return undefined;
  }
  async blockMeta(height: bigint) {
    const m = this.metas.get(height);
    if (m === undefined) return undefined;
    return {
      blockId: blockIdFromJson(m.block_id),
      blockSize: BigInt(m.block_size),
      header: headerFromJson(m.header),
      numTxs: BigInt(m.num_txs),
    };
  }
  async blockResults(height: bigint) {
    return this.results.get(height);
  }
  async commit(height: bigint) {
    return this.commits.get(height);
  }
  async seenCommit(height: bigint) {
    return this.commits.get(height);
  }
  async validators(_height: bigint) {
    return this.validatorSet;
  }
  async consensusParams(_height: bigint) {
    return this.params;
  }
  async abciInfo() {
    const r = capture('abci_info').response.result.response;
    return ResponseInfo.fromPartial({
      data: r.data,
      version: r.version,
      appVersion: BigInt(r.app_version),
      lastBlockHeight: BigInt(r.last_block_height),
      lastBlockAppHash: base64ToBytes(r.last_block_app_hash),
    });
  }
  lastQuery: AbciQueryRequest | undefined;
  async abciQuery(req: AbciQueryRequest) {
    this.lastQuery = req;
    const r = this.queries.get(Buffer.from(req.data).toString('hex'));
    if (r === undefined)
      return ResponseQuery.fromPartial({ code: 1, log: 'unknown key', height: this.latest });
    return r;
  }
  async tx(hash: Uint8Array) {
    return this.txIndexer.get(hash);
  }
  async txSearch(query: string, opts: SearchOptions) {
    return this.txIndexer.search(query, opts);
  }
  async blockSearch(query: string, opts: SearchOptions) {
    return this.blockIndexer.search(query, opts);
  }
  async broadcastTx(tx: Uint8Array) {
    if (this.mempoolError !== undefined) throw new Error(this.mempoolError);
    const res = this.checkTxResult;
    if (res.code === 0) {
      this.mempool.push(tx);
      const commit = this.commitBroadcastTxs;
      if (commit !== undefined) {
        setTimeout(() => {
          this.bus.publishTx({ height: commit.height, index: 0, tx, result: commit.result }, txHash(tx));
        }, 5);
      }
    }
    return res;
  }
  async broadcastTxAsync(tx: Uint8Array) {
    if (this.mempoolError !== undefined) throw new Error(this.mempoolError);
    this.mempool.push(tx);
  }
  async checkTx(_tx: Uint8Array) {
    return this.checkTxResult;
  }
  async unconfirmedTxs(limit: number): Promise<UnconfirmedTxs> {
    return {
      total: this.mempool.length,
      totalBytes: BigInt(this.mempool.reduce((n, t) => n + t.length, 0)),
      txs: this.mempool.slice(0, limit),
    };
  }
  private get events() {
    return eventSourceFromBus(this.bus);
  }
  subscribe(clientId: string, query: string) {
    return this.events.subscribe(clientId, query);
  }
  unsubscribe(clientId: string, query: string): void {
    this.events.unsubscribe(clientId, query);
  }
  unsubscribeAll(clientId: string): void {
    this.events.unsubscribeAll(clientId);
  }
  numClientSubscriptions(clientId: string): number {
    return this.events.numClientSubscriptions(clientId);
  }
  numClients(): number {
    return this.events.numClients();
  }
}
