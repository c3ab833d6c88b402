/**
 * Tx and block indexing with CometBFT v0.38 kv-indexer semantics, over any `StoreDb` (LevelDB
 * through `openLevelDb`, or `MemoryDb` in tests), plus the RPC's pagination rules.
 */
export * from './blockIndexer.js';
export * from './indexBlock.js';
export * from './pagination.js';
export * from './txIndexer.js';
