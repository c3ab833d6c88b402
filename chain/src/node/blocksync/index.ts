/**
 * Block sync: fetch committed blocks from peers, verify each against the tracked validator set,
 * apply, then hand over to consensus.
 *
 * Wiring in the node:
 *   const bs = new BlockSyncReactor({ blockStore, chainState: () => chain.current,
 *     applyBlock: (block, blockId, seenCommit) => <full state validation of the block (NodeChain's
 *       checkBlock), pool.checkEvidence(block.evidence), chain.commitBlock(block, blockId,
 *       seenCommit, []), evidencePool.update(chain.current, block.evidence)>,
 *     onCaughtUp: (height) => <start consensus at height + 1>,
 *     onPeerError: (p, r) => sw.stopPeerForError(p, r), onFatal: (e) => <halt the node>,
 *     sync: <block sync enabled and we are not the only validator>, logger: log.child('blocksync') });
 *   sw.addReactor(bs); bs.start(); ... bs.stop();
 * `bs.metrics` (blocksSynced, height, maxPeerHeight, catchingUp, peers, badPeers) feeds
 * Prometheus, and `bs.isSyncing` the RPC status `catching_up`.
 */
export { type BlockSyncMessage, decodeBlockSyncMessage, encodeBlockSyncMessage } from './messages.js';
export { type AddBlockResult, BlockPool, type BlockPoolOptions, type PoolPeer } from './pool.js';
export {
  BLOCKSYNC_CHANNEL,
  BlockSyncError,
  type BlockSyncMetrics,
  BlockSyncReactor,
  type BlockSyncReactorOptions,
  blockByteSize,
  verifyPair,
} from './reactor.js';
