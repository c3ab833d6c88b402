/**
 * The RPC's view of a running node: `RpcBackend` over the block store, the state store, the
 * indexers, the mempool, the event bus and the application.
 */
import { readFileSync } from 'node:fs';
import type { ResponseCheckTx } from 'cosmjs-types/tendermint/abci/types';
import type { Application } from '../abci/application.js';
import type { BlockStore } from './blockstore/index.js';
import type { NodeChain } from './chain.js';
import type { GenesisDoc, NodeConfig, NodeKey } from './config/index.js';
import type { EventBus } from './events/index.js';
import type { BlockIndexer, TxIndexer } from './indexer/index.js';
import type { Mempool } from './mempool/index.js';
import type {
  AbciQueryRequest,
  BlockWithId,
  NetInfo,
  NodeStatus,
  RpcBackend,
  RpcSubscription,
  SearchOptions,
  UnconfirmedTxs,
} from './rpc/backend.js';
import type { StateStore } from './state/index.js';
import {
  BLOCK_PROTOCOL,
  type BlockMeta,
  type Commit,
  type ConsensusParams,
  goZeroTime,
  type PublicKey,
  type Validator,
} from './types/index.js';

/** The version this node reports: CosmJS picks its client by the "0.38." prefix. */
export const COMET_COMPAT_VERSION = '0.38.17';

/** CometBFT's channel IDs (consensus, mempool, evidence, block sync, ...), as /status prints them. */
const CHANNELS = Uint8Array.from([0x40, 0x20, 0x21, 0x22, 0x23, 0x38, 0x30, 0x60, 0x61, 0x00]);

export interface NodeRpcBackendDeps {
  app: Application;
  chain: NodeChain;
  blockStore: BlockStore;
  stateStore: StateStore;
  txIndexer: TxIndexer;
  blockIndexer: BlockIndexer;
  mempool: Mempool;
  eventBus: EventBus;
  genesis: GenesisDoc;
  genesisFile: string;
  config: NodeConfig;
  nodeKey: NodeKey;
  validator: { address: Uint8Array; pubKey: PublicKey };
  rpcAddress: () => string;
  /** Gossip an accepted tx to peers (p2p), if any. */
  gossipTx?: (tx: Uint8Array) => void;
  peers?: () => NetInfo['peers'];
  catchingUp?: () => boolean;
}

export class NodeRpcBackend implements RpcBackend {
  constructor(private readonly d: NodeRpcBackendDeps) {}

  private nodeInfo() {
    const d = this.d;
    return {
      protocolVersion: { p2p: 8n, block: BLOCK_PROTOCOL, app: d.chain.current.version.consensus.app },
      id: d.nodeKey.id,
      listenAddr: d.config.p2p.laddr,
      network: d.genesis.chainId,
      version: COMET_COMPAT_VERSION,
      channels: CHANNELS,
      moniker: d.config.moniker,
      other: { txIndex: 'on', rpcAddress: d.rpcAddress() },
    };
  }

  async status(): Promise<NodeStatus> {
    const d = this.d;
    const latest = d.blockStore.height();
    const base = d.blockStore.base();
    const latestMeta = latest > 0n ? await d.blockStore.loadBlockMeta(latest) : undefined;
    const baseMeta = base > 0n ? await d.blockStore.loadBlockMeta(base) : undefined;
    const state = d.chain.current;
    const self = state.validators.getByAddress(d.validator.address);
    return {
      nodeInfo: this.nodeInfo(),
      syncInfo: {
        latestBlockHash: latestMeta?.blockId.hash ?? new Uint8Array(),
        latestAppHash: state.appHash,
        latestBlockHeight: latest,
        latestBlockTime: latestMeta?.header.time ?? goZeroTime(),
        earliestBlockHash: baseMeta?.blockId.hash ?? new Uint8Array(),
        earliestAppHash: baseMeta?.header.appHash ?? new Uint8Array(),
        earliestBlockHeight: base,
        earliestBlockTime: baseMeta?.header.time ?? goZeroTime(),
        catchingUp: d.catchingUp?.() ?? false,
      },
      validatorInfo: {
        address: d.validator.address,
        pubKey: d.validator.pubKey,
        votingPower: self?.validator.votingPower ?? 0n,
      },
    };
  }

  async netInfo(): Promise<NetInfo> {
    const peers = this.d.peers?.() ?? [];
    return { listening: true, listeners: [this.d.config.p2p.laddr], peers };
  }

  async health(): Promise<void> {}

  async genesisJson(): Promise<string> {
    return readFileSync(this.d.genesisFile, 'utf8');
  }

  latestHeight(): bigint {
    return this.d.blockStore.height();
  }

  baseHeight(): bigint {
    return this.d.blockStore.base();
  }

  private async withId(
    block: Awaited<ReturnType<BlockStore['loadBlock']>>,
  ): Promise<BlockWithId | undefined> {
    if (!block) return undefined;
    const meta = await this.d.blockStore.loadBlockMeta(block.header.height);
    return meta ? { block, blockId: meta.blockId } : undefined;
  }

  async block(height: bigint): Promise<BlockWithId | undefined> {
    return this.withId(await this.d.blockStore.loadBlock(height));
  }

  async blockByHash(hash: Uint8Array): Promise<BlockWithId | undefined> {
    return this.withId(await this.d.blockStore.loadBlockByHash(hash));
  }

  blockMeta(height: bigint): Promise<BlockMeta | undefined> {
    return this.d.blockStore.loadBlockMeta(height);
  }

  blockResults(height: bigint) {
    return this.d.stateStore.loadFinalizeBlockResponse(height);
  }

  async commit(height: bigint): Promise<Commit | undefined> {
    // The canonical commit is the LastCommit of the next block; the latest only has the seen one.
    if (height < this.d.blockStore.height()) return this.d.blockStore.loadBlockCommit(height);
    return undefined;
  }

  seenCommit(height: bigint): Promise<Commit | undefined> {
    return this.d.blockStore.loadSeenCommit(height);
  }

  async validators(height: bigint): Promise<Validator[] | undefined> {
    const set = await this.d.stateStore.loadValidators(height);
    return set?.validators;
  }

  async consensusParams(height: bigint): Promise<ConsensusParams | undefined> {
    return this.d.stateStore.loadConsensusParams(height);
  }

  abciInfo() {
    return this.d.app.info({
      version: COMET_COMPAT_VERSION,
      blockVersion: BLOCK_PROTOCOL,
      p2pVersion: 8n,
      abciVersion: '2.0.0',
    });
  }

  abciQuery(req: AbciQueryRequest) {
    return this.d.app.query(req);
  }

  tx(hash: Uint8Array) {
    return this.d.txIndexer.get(hash);
  }

  txSearch(query: string, opts: SearchOptions) {
    return this.d.txIndexer.search(query, opts);
  }

  blockSearch(query: string, opts: SearchOptions) {
    return this.d.blockIndexer.search(query, opts);
  }

  async broadcastTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    const res = await this.d.mempool.checkTx(tx);
    if (res.code === 0) this.d.gossipTx?.(tx);
    return res;
  }

  async broadcastTxAsync(tx: Uint8Array): Promise<void> {
    // As CometBFT: the hash is returned at once; the outcome of CheckTx is not reported.
    void this.d.mempool.checkTx(tx).then(
      (res) => {
        if (res.code === 0) this.d.gossipTx?.(tx);
      },
      () => {},
    );
  }

  checkTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    return this.d.app.checkTx({ tx, type: 0 });
  }

  async unconfirmedTxs(limit: number): Promise<UnconfirmedTxs> {
    const m = this.d.mempool;
    return { total: m.size(), totalBytes: BigInt(m.sizeBytes()), txs: limit > 0 ? m.unconfirmed(limit) : [] };
  }

  subscribe(clientId: string, query: string): RpcSubscription {
    return this.d.eventBus.subscribe(clientId, query);
  }

  unsubscribe(clientId: string, query: string): void {
    this.d.eventBus.unsubscribe(clientId, query);
  }

  unsubscribeAll(clientId: string): void {
    this.d.eventBus.unsubscribeAll(clientId);
  }

  numClientSubscriptions(clientId: string): number {
    return this.d.eventBus.numClientSubscriptions(clientId);
  }

  numClients(): number {
    return this.d.eventBus.numClients();
  }
}
