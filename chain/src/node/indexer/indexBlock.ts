/**
 * Indexes one finalized block: its txs with their ExecTxResults (tx indexer) and its
 * block-level FinalizeBlock events (block indexer). The node calls this after Commit, as
 * CometBFT's IndexerService does on NewBlockEvents + Tx events; either indexer may be
 * disabled (undefined).
 */
import type { ExecTxResult, ResponseFinalizeBlock } from 'cosmjs-types/tendermint/abci/types';
import type { BlockIndexer } from './blockIndexer.js';
import { IndexerError, type TxIndexer } from './txIndexer.js';

export async function indexFinalizedBlock(
  indexers: { txs?: TxIndexer; blocks?: BlockIndexer },
  height: bigint,
  txs: readonly Uint8Array[],
  res: Pick<ResponseFinalizeBlock, 'events' | 'txResults'>,
): Promise<void> {
  if (res.txResults.length !== txs.length) {
    throw new IndexerError(`block ${height} has ${txs.length} txs but ${res.txResults.length} tx results`);
  }
  // Block events first: a reader that finds a tx by height can then find its block's events.
  await indexers.blocks?.index(height, res.events);
  await indexers.txs?.index(
    txs.map((tx, index) => ({ height, index, tx, result: res.txResults[index] as ExecTxResult })),
  );
}
