/** The store's front door: the contract (types.ts) and the root multistore that implements it. */

export { CacheKV } from './cacheKV.js';
export {
  type OpenOptions,
  openCommitMultiStore,
  openMemoryCommitMultiStore,
  type RootCommitMultiStore,
} from './commitMultiStore.js';
export { MemoryDb } from './db.js';
export { prefixEnd, prefixIterator, reversePrefixIterator } from './prefix.js';
export { multistoreHash } from './proofs.js';
export * from './types.js';
