/** Block sync: fetch committed blocks from peers, verify each against the tracked validator set, apply, then hand over to consensus. */
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
