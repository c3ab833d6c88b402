/**
 * The Hearth node: builds the subsystems in a visible order — files and keys, stores, the app
 * handshake, mempool and indexers, consensus, RPC — and stops them in reverse. The application
 * is reached only through the ABCI `Application` interface, serialized by one mutex as
 * CometBFT's local client does.
 */
import { join } from 'node:path';
import { type Application, preVerifierOf } from '../abci/application.js';
import { AsyncMutex } from '../abci/mutex.js';
import type { Logger } from '../logger.js';
import { openLevelDb, type StoreDb } from '../store/db.js';
import { BlockStore } from './blockstore/index.js';
import { BlockSyncReactor } from './blocksync/index.js';
import { NodeChain } from './chain.js';
import {
  type GenesisDoc,
  type HomePaths,
  homePaths,
  loadNodeKey,
  type NodeConfig,
  type NodeKey,
  pvPaths,
  readGenesisFile,
  readNodeConfigFile,
} from './config/index.js';
import { ConsensusReactor } from './consensus/reactor.js';
import { ConsensusService, type ConsensusSigner, decodeWalRecord } from './consensus/service.js';
import { EventBus } from './events/index.js';
import { EvidencePool, EvidenceReactor } from './evidence/index.js';
import { BlockIndexer, TxIndexer } from './indexer/index.js';
import { Mempool, type TxInfo } from './mempool/index.js';
import { MempoolReactor } from './mempool/reactor.js';
import { registerNodeMetrics } from './nodeMetrics.js';
import { createSwitchFromConfig } from './p2p/index.js';
import type { NodeInfo as P2PNodeInfo, P2PSwitch } from './p2p/types.js';
import { FilePV } from './privval/index.js';
import { MetricsRegistry, type RpcServer, startMetricsServer, startRpcServer } from './rpc/index.js';
import { COMET_COMPAT_VERSION, NodeRpcBackend } from './rpcBackend.js';
import { StateStore } from './state/index.js';
import { MAX_BLOCK_SIZE_BYTES } from './types/index.js';
import { ConsensusWal } from './wal/index.js';

export interface NodeOptions {
  home: string;
  app: Application & { mempoolTxInfo?: (tx: Uint8Array) => TxInfo | undefined };
  logger: Logger;
  /** Overrides applied on top of config.toml (tests, localnet). */
  configure?: (c: NodeConfig) => NodeConfig;
  /** TEST ONLY: make this validator double-sign prevotes (see ConsensusServiceOptions.unsafeEquivocate). */
  unsafeTestEquivocate?: boolean;
  /** Builds the p2p switch; without one the node runs alone (a single validator). */
  createSwitch?: (args: {
    nodeInfo: P2PNodeInfo;
    nodeKey: NodeKey;
    config: NodeConfig;
    logger: Logger;
  }) => P2PSwitch;
}

/** App methods that only read state and may run while another holds the app. */
const LOCK_FREE_APP_METHODS = new Set<string | symbol>(['mempoolTxInfo', 'preVerifyTx']);

/** Wraps every Application method in one mutex: the app is never entered twice at once. */
export function serializeApp<A extends Application>(app: A): A {
  const mutex = new AsyncMutex();
  return new Proxy(app, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || LOCK_FREE_APP_METHODS.has(prop))
        return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => mutex.runExclusive(() => v.apply(target, args));
    },
  });
}

export class HearthNode {
  private constructor(
    readonly config: NodeConfig,
    readonly paths: HomePaths,
    readonly genesis: GenesisDoc,
    readonly nodeKey: NodeKey,
    readonly privValidator: FilePV,
    readonly app: Application,
    readonly chain: NodeChain,
    readonly mempool: Mempool,
    readonly eventBus: EventBus,
    readonly blockStore: BlockStore,
    readonly stateStore: StateStore,
    readonly txIndexer: TxIndexer,
    readonly blockIndexer: BlockIndexer,
    readonly consensus: ConsensusService,
    readonly rpc: RpcServer,
    readonly metrics: MetricsRegistry,
    /** Resolves if the node hits an error it cannot continue after (the caller should stop it). */
    readonly fatal: Promise<Error>,
    private readonly closers: (() => Promise<void> | void)[],
    readonly logger: Logger,
  ) {}

  static async start(opts: NodeOptions): Promise<HearthNode> {
    const logger = opts.logger;
    const closers: (() => Promise<void> | void)[] = [];
    const fail = async (e: unknown) => {
      for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => {});
      throw e;
    };
    try {
      // 1. Files and keys.
      let config = readNodeConfigFile(homePaths(opts.home).configFile);
      if (opts.configure) config = opts.configure(config);
      const paths = homePaths(opts.home, config);
      const genesis = readGenesisFile(paths.genesisFile);
      const nodeKey = loadNodeKey(paths.nodeKeyFile);
      const privValidator = FilePV.load(pvPaths(paths));
      logger.info('starting node', {
        moniker: config.moniker,
        chain_id: genesis.chainId,
        node_id: nodeKey.id,
      });

      // 2. Stores.
      const open = async (path: string): Promise<StoreDb> => {
        const db = await openLevelDb(path);
        closers.push(() => db.close());
        return db;
      };
      const blockStore = await BlockStore.open(await open(paths.blockStoreDb));
      const stateStore = await StateStore.open(await open(paths.stateDb));
      const indexDb = await open(join(paths.dataDir, 'tx_index.db'));
      const txIndexer = new TxIndexer(indexDb);
      const blockIndexer = new BlockIndexer(indexDb);

      // 3. The application, its mempool and the event bus.
      const app = serializeApp(opts.app);
      const mempool = new Mempool({
        app,
        maxTxs: config.mempool.size,
        maxTxsBytes: config.mempool.maxTxsBytes,
        maxTxBytes: config.mempool.maxTxBytes,
        cacheSize: config.mempool.cacheSize,
        txInfo: opts.app.mempoolTxInfo ? (tx) => opts.app.mempoolTxInfo!(tx) : undefined,
        preCheck: preVerifierOf(opts.app),
      });
      const eventBus = new EventBus({
        maxClients: config.rpc.maxSubscriptionClients,
        maxSubscriptionsPerClient: config.rpc.maxSubscriptionsPerClient,
      });
      closers.push(() => eventBus.stop());

      // Metrics are registered before the services that update them; p2p and block sync are
      // read through these references once they exist.
      const metrics = new MetricsRegistry();
      let swRef: P2PSwitch | undefined;
      let catchingUp = () => false;
      const onApplied = registerNodeMetrics(metrics, {
        mempool,
        peers: () => swRef?.peers().length ?? 0,
        syncing: () => catchingUp(),
      });

      // 4. Handshake: InitChain at genesis, replay of stored blocks the app lacks.
      const chain = new NodeChain({
        app,
        genesis,
        stateStore,
        blockStore,
        mempool,
        txIndexer,
        blockIndexer,
        eventBus,
        logger: logger.child('state'),
        onApplied,
      });
      // Stopping runs the closers in reverse: after consensus stops, before the databases close.
      closers.push(() => chain.indexed());
      const state = await chain.handshake();
      const evidencePool = await EvidencePool.open({
        db: await open(join(paths.dataDir, 'evidence.db')),
        stateStore,
        blockStore,
        chainState: () => chain.current,
        logger: logger.child('evidence'),
      });
      chain.setEvidencePool(evidencePool);

      // 5. Consensus, with its WAL and the privval.
      // A record can carry a whole proposal block (replayed after a crash): size the limit to the
      // largest block CometBFT allows, plus the record's own header.
      const wal = ConsensusWal.open(paths.walDir, { maxRecordBytes: MAX_BLOCK_SIZE_BYTES + 1_048_576 });
      closers.push(() => wal.close());
      const signer: ConsensusSigner = {
        address: privValidator.address,
        pubKey: privValidator.pubKey,
        signVote: (chainId, vote) => privValidator.signVote(chainId, vote),
        signProposal: (chainId, p) => privValidator.signProposal(chainId, p),
      };
      let reportFatal: (e: Error) => void = () => {};
      const fatal = new Promise<Error>((resolve) => {
        reportFatal = resolve;
      });
      let reactor: ConsensusReactor | undefined;
      const consensus = new ConsensusService({
        chain,
        onFatal: (e) => reportFatal(e),
        onNewRound: (height, round) => reactor?.announce(height, round),
        unsafeEquivocate: opts.unsafeTestEquivocate
          ? { signRaw: (b) => privValidator.signRaw(b) }
          : undefined,
        onEquivocation: (a, b) => {
          evidencePool
            .addFromConsensus(a, b)
            .catch((e) => logger.warn('evidence not added', { err: e as Error }));
        },
        signer,
        wal: {
          append: (_height, record) => wal.write({ kind: 'message', payload: record, peerId: '' }),
          sync: () => wal.flushAndSync(),
          endHeight: (height) => wal.writeSync({ kind: 'endHeight', height }),
        },
        timeouts: {
          propose: config.consensus.timeoutProposeMs,
          proposeDelta: config.consensus.timeoutProposeDeltaMs,
          prevote: config.consensus.timeoutPrevoteMs,
          prevoteDelta: config.consensus.timeoutPrevoteDeltaMs,
          precommit: config.consensus.timeoutPrecommitMs,
          precommitDelta: config.consensus.timeoutPrecommitDeltaMs,
          commit: config.consensus.timeoutCommitMs,
        },
        logger: logger.child('consensus'),
      });
      closers.push(() => consensus.stop());

      // 6. RPC and metrics.
      let rpcAddress = config.rpc.laddr;
      const backend = new NodeRpcBackend({
        app,
        chain,
        blockStore,
        stateStore,
        txIndexer,
        blockIndexer,
        mempool,
        eventBus,
        genesis,
        genesisFile: paths.genesisFile,
        config,
        nodeKey,
        validator: { address: privValidator.address, pubKey: privValidator.pubKey },
        rpcAddress: () => rpcAddress,
        catchingUp: () => catchingUp(),
        peers: () =>
          (swRef?.peers() ?? []).map((p) => ({
            nodeInfo: {
              protocolVersion: { p2p: 8n, block: 11n, app: 0n },
              id: p.nodeInfo.id,
              listenAddr: p.nodeInfo.listenAddr,
              network: p.nodeInfo.network,
              version: p.nodeInfo.version,
              channels: Uint8Array.from(p.nodeInfo.channels),
              moniker: p.nodeInfo.moniker,
              other: { txIndex: 'on', rpcAddress: p.nodeInfo.rpcAddress },
            },
            isOutbound: p.isOutbound,
            remoteIp: p.remoteAddr.replace(/:[0-9]+$/, ''),
            connectedForNs: BigInt(Date.now() - p.connectedAt) * 1_000_000n,
          })),
      });
      const rpc = await startRpcServer({
        backend,
        listen: config.rpc.laddr,
        maxBodyBytes: config.rpc.maxBodyBytes,
        maxOpenConnections: config.rpc.maxOpenConnections,
        maxSubscriptionClients: config.rpc.maxSubscriptionClients,
        maxSubscriptionsPerClient: config.rpc.maxSubscriptionsPerClient,
        broadcastTxCommitTimeoutMs: config.rpc.timeoutBroadcastTxCommitMs,
        logger: logger.child('rpc'),
        metrics,
      });
      rpcAddress = rpc.address;
      closers.push(() => rpc.close());
      if (config.instrumentation.prometheus) {
        const m = await startMetricsServer({
          listen: config.instrumentation.prometheusListenAddr,
          registry: metrics,
        });
        closers.push(() => m.close());
      }
      logger.info('RPC listening', { address: rpc.address });

      // 7. p2p and the gossip reactors.
      const walRecords = (wal.searchForEndHeight(state.lastBlockHeight) ?? []).flatMap((r) => {
        if (r.record.kind !== 'message') return [];
        try {
          return [decodeWalRecord(r.record.payload)];
        } catch (e) {
          logger.warn('skipping an unreadable WAL record', { err: e as Error });
          return [];
        }
      });
      let consensusStarted = false;
      const startConsensus = async (height: bigint) => {
        if (consensusStarted) return;
        consensusStarted = true;
        // The WAL since the last committed height restores the round state (locks, own votes)
        // the node had when it stopped; after block sync that height is behind us and unused.
        const records = height === state.lastBlockHeight + 1n ? walRecords : [];
        await consensus.start(height, records);
      };
      const createSwitch = opts.createSwitch ?? createSwitchFromConfig;
      const sw = createSwitch({
        nodeInfo: {
          id: nodeKey.id,
          listenAddr: config.p2p.laddr,
          network: genesis.chainId,
          version: COMET_COMPAT_VERSION,
          channels: [0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x40],
          moniker: config.moniker,
          rpcAddress: rpcAddress,
        },
        nodeKey,
        config,
        logger: logger.child('p2p'),
      });
      swRef = sw;
      reactor = new ConsensusReactor({
        service: consensus,
        chain,
        blockStore,
        logger: logger.child('gossip'),
      });
      const mempoolReactor = new MempoolReactor({ mempool, logger: logger.child('mempool') });
      const evidenceReactor = new EvidenceReactor({
        pool: evidencePool,
        logger: logger.child('evidence'),
        onPeerError: (p, r) => sw.stopPeerForError(p, r),
      });
      // Block sync first when there is anyone to sync from and the chain does not rest on us alone.
      const soleValidator = state.validators.size === 1 && state.validators.hasAddress(privValidator.address);
      const sync = config.p2p.persistentPeers.length > 0 && !soleValidator;
      const blockSync = new BlockSyncReactor({
        blockStore,
        chainState: () => chain.current,
        applyBlock: async (block, blockId, seenCommit) => {
          const problem = chain.blockProblem(block);
          if (problem) throw new Error(`block ${block.header.height}: ${problem}`);
          await evidencePool.checkEvidence(block.evidence);
          await chain.commitBlock(block, blockId, seenCommit, []);
        },
        onCaughtUp: (height) => {
          logger.info('block sync done; switching to consensus', { height });
          startConsensus(height + 1n).catch((e) => reportFatal(e as Error));
        },
        onPeerError: (p, r) => sw.stopPeerForError(p, r),
        onFatal: (e) => reportFatal(e),
        sync,
        logger: logger.child('blocksync'),
      });
      for (const r of [reactor, mempoolReactor, evidenceReactor, blockSync]) sw.addReactor(r);
      await sw.start();
      reactor.start(sw);
      mempoolReactor.start();
      evidenceReactor.start();
      blockSync.start();
      closers.push(async () => {
        reactor?.stop();
        mempoolReactor.stop();
        evidenceReactor.stop();
        blockSync.stop();
        await sw.stop();
      });
      catchingUp = () => blockSync.isSyncing;
      logger.info('p2p listening', {
        address: sw.listenAddress(),
        persistent_peers: config.p2p.persistentPeers.length,
        block_sync: sync,
      });

      // 8. Consensus last: everything it drives is ready (after block sync when syncing).
      if (!sync) await startConsensus(state.lastBlockHeight + 1n);

      return new HearthNode(
        config,
        paths,
        genesis,
        nodeKey,
        privValidator,
        app,
        chain,
        mempool,
        eventBus,
        blockStore,
        stateStore,
        txIndexer,
        blockIndexer,
        consensus,
        rpc,
        metrics,
        fatal,
        closers,
        logger,
      );
    } catch (e) {
      return fail(e);
    }
  }

  /** Stops consensus first (no block half-applied), then the services, then the stores. */
  async stop(): Promise<void> {
    for (const close of [...this.closers].reverse()) {
      try {
        await close();
      } catch (e) {
        this.logger.warn('error while stopping', { err: e as Error });
      }
    }
    this.closers.length = 0;
  }
}
