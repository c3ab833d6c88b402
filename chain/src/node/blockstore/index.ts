/** The store of committed blocks, their parts, commits and a hash index (CometBFT store/store.go). */
export { BlockStore, BlockStoreError } from './blockStore.js';
