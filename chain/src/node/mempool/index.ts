/** The mempool: CheckTx admission, duplicate cache, sender/priority ordering, reaping and recheck. */
export * from './mempool.js';
export { TxCache } from './txCache.js';
