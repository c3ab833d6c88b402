/**
 * What the RPC server needs from the node: the data behind CometBFT v0.38's `rpc/core`
 * routes, in Hearth's CometBFT types (`node/types`) and the ABCI types of cosmjs-types. The node
 * assembly implements this over its block store, state store, indexers, mempool, p2p switch,
 * event bus and the Application; tests implement it in memory.
 *
 * Conventions: a getter returns `undefined` for something the node does not have (the server
 * turns that into CometBFT's error text); a method throws an `Error` whose message the user
 * should see (it becomes a JSON-RPC internal error with that message as `data`). Heights are
 * checked by the server (positive, at most the latest, at least the base) before any getter is
 * called.
 */
import type {
  ResponseCheckTx,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseQuery,
} from 'cosmjs-types/tendermint/abci/types';
import type { BusMessage } from '../events/index.js';
import type { IndexedTx } from '../indexer/index.js';
import type {
  Block,
  BlockId,
  BlockMeta,
  Commit,
  ConsensusParams,
  PublicKey,
  Timestamp,
  Validator,
} from '../types/index.js';

/** p2p DefaultNodeInfo, as /status and /net_info print it. */
export interface NodeInfo {
  protocolVersion: { p2p: bigint; block: bigint; app: bigint };
  /** Node ID: hex of the first 20 bytes of SHA-256 of the node key (lower-case). */
  id: string;
  listenAddr: string;
  /** The chain ID. */
  network: string;
  /** Software version; must start with "0.38." for CosmJS to pick its Comet38Client. */
  version: string;
  /** Channel IDs the node speaks (printed as upper-case hex). */
  channels: Uint8Array;
  moniker: string;
  other: { txIndex: string; rpcAddress: string };
}

export interface SyncInfo {
  latestBlockHash: Uint8Array;
  latestAppHash: Uint8Array;
  latestBlockHeight: bigint;
  latestBlockTime: Timestamp;
  earliestBlockHash: Uint8Array;
  earliestAppHash: Uint8Array;
  earliestBlockHeight: bigint;
  earliestBlockTime: Timestamp;
  catchingUp: boolean;
}

export interface ValidatorInfo {
  address: Uint8Array;
  pubKey: PublicKey;
  votingPower: bigint;
}

export interface NodeStatus {
  nodeInfo: NodeInfo;
  syncInfo: SyncInfo;
  validatorInfo: ValidatorInfo;
}

export interface PeerInfo {
  nodeInfo: NodeInfo;
  isOutbound: boolean;
  remoteIp: string;
  /** How long the connection has been up, in nanoseconds (connection_status.Duration). */
  connectedForNs?: bigint;
}

export interface NetInfo {
  listening: boolean;
  listeners: string[];
  peers: PeerInfo[];
}

/** A block with its ID (what the block store hands out). */
export interface BlockWithId {
  block: Block;
  blockId: BlockId;
}

export interface AbciQueryRequest {
  path: string;
  data: Uint8Array;
  height: bigint;
  prove: boolean;
}

export interface SearchOptions {
  page?: number;
  perPage?: number;
  orderBy?: string;
}

export interface UnconfirmedTxs {
  /** Txs in the mempool. */
  total: number;
  /** Their total size in bytes. */
  totalBytes: bigint;
  /** Up to the requested number of txs, in mempool order (empty for num_unconfirmed_txs). */
  txs: Uint8Array[];
}

/**
 * An event subscription: iterate to receive messages; iteration ends after an unsubscribe and
 * throws the reason after any other cancellation (buffer overflow, node stopping). The node's
 * `events.Subscription` fits.
 */
export type RpcSubscription = AsyncIterable<BusMessage>;

export interface RpcBackend {
  // --- info
  status(): Promise<NodeStatus>;
  netInfo(): Promise<NetInfo>;
  /** Resolves when the node is healthy; throws (with the reason) otherwise. */
  health(): Promise<void>;
  /** The genesis document exactly as the node's genesis.json holds it (JSON text). */
  genesisJson(): Promise<string>;

  // --- blocks
  /** Height of the latest stored block (0 before the first). */
  latestHeight(): bigint;
  /** Lowest stored block height (1 unless pruned; 0 when the store is empty). */
  baseHeight(): bigint;
  block(height: bigint): Promise<BlockWithId | undefined>;
  blockByHash(hash: Uint8Array): Promise<BlockWithId | undefined>;
  blockMeta(height: bigint): Promise<BlockMeta | undefined>;
  /** The stored FinalizeBlock response of `height`. */
  blockResults(height: bigint): Promise<ResponseFinalizeBlock | undefined>;
  /** The canonical commit for `height` (carried by block height+1). */
  commit(height: bigint): Promise<Commit | undefined>;
  /** The commit this node saw for the latest block (not yet carried by a block). */
  seenCommit(height: bigint): Promise<Commit | undefined>;

  // --- state
  /** The validator set that signs block `height`, in set order; `height` may be latest+1. */
  validators(height: bigint): Promise<Validator[] | undefined>;
  /** Consensus params in force at `height`; `height` may be latest+1. */
  consensusParams(height: bigint): Promise<ConsensusParams | undefined>;

  // --- application
  abciInfo(): Promise<ResponseInfo>;
  abciQuery(req: AbciQueryRequest): Promise<ResponseQuery>;

  // --- indexer
  tx(hash: Uint8Array): Promise<IndexedTx | undefined>;
  /** tx_search; throws QuerySyntaxError / PaginationError / IndexerError for bad input. */
  txSearch(query: string, opts: SearchOptions): Promise<{ txs: IndexedTx[]; totalCount: number }>;
  /** block_search (heights, newest first by default). */
  blockSearch(query: string, opts: SearchOptions): Promise<{ heights: bigint[]; totalCount: number }>;

  // --- mempool
  /** CheckTx and, if accepted, add to the mempool and gossip. Throws for mempool errors (full, already in cache, too large). */
  broadcastTx(tx: Uint8Array): Promise<ResponseCheckTx>;
  /** Enqueue without waiting for CheckTx; throws for mempool errors detectable at once. */
  broadcastTxAsync(tx: Uint8Array): Promise<void>;
  /** CheckTx without adding to the mempool. */
  checkTx(tx: Uint8Array): Promise<ResponseCheckTx>;
  unconfirmedTxs(limit: number): Promise<UnconfirmedTxs>;

  // --- events
  /**
   * Subscribes `clientId` to `query` (CometBFT query language). Throws with CometBFT's
   * messages ("already subscribed", "max_subscription_clients N reached", a query syntax error).
   */
  subscribe(clientId: string, query: string): RpcSubscription;
  /** Throws "subscription not found" if the client has no such subscription. */
  unsubscribe(clientId: string, query: string): void;
  unsubscribeAll(clientId: string): void;
  /** Subscriptions the client holds (for the per-client limit). */
  numClientSubscriptions(clientId: string): number;
  /** Clients holding at least one subscription (for the global limit). */
  numClients(): number;
}

/**
 * The version string `status` should report in `node_info.version`: CosmJS's `connectComet`
 * picks its CometBFT 0.38 client only for versions starting with "0.38.".
 */
export const COMETBFT_COMPAT_VERSION = '0.38.17';

/** The subscription part of `RpcBackend`, served by the node's event bus (`events.EventBus`). */
export type RpcEventSource = Pick<
  RpcBackend,
  'subscribe' | 'unsubscribe' | 'unsubscribeAll' | 'numClientSubscriptions' | 'numClients'
>;

/** Adapts an event bus (anything with EventBus's methods) to the subscription part of `RpcBackend`. */
export function eventSourceFromBus(bus: {
  subscribe(clientId: string, query: string): RpcSubscription;
  unsubscribe(clientId: string, query: string): void;
  unsubscribeAll(clientId: string): void;
  numClientSubscriptions(clientId: string): number;
  numClients(): number;
}): RpcEventSource {
  return {
    subscribe: (clientId, query) => bus.subscribe(clientId, query),
    unsubscribe: (clientId, query) => bus.unsubscribe(clientId, query),
    unsubscribeAll: (clientId) => bus.unsubscribeAll(clientId),
    numClientSubscriptions: (clientId) => bus.numClientSubscriptions(clientId),
    numClients: () => bus.numClients(),
  };
}
