/**
 * The node's Prometheus metrics, under CometBFT v0.38's names (`cometbft_<subsystem>_<name>`),
 * so dashboards and alerts written for CometBFT validators work unchanged: consensus (height,
 * txs, validators, missing and byzantine validators, block interval), state (FinalizeBlock time),
 * block sync, p2p and mempool. Figures other components keep (mempool size and counters, peers,
 * block sync) are read when scraped; per-block figures are recorded as each block is applied,
 * whether consensus or block sync applied it. The RPC server adds `cometbft_rpc_requests_total`.
 */
import type { AppliedBlock } from './chain.js';
import type { MempoolStats } from './mempool/index.js';
import type { MetricsRegistry } from './rpc/metrics.js';
import { BlockIdFlag, timestampToNanos } from './types/index.js';

export interface NodeMetricSources {
  mempool: { size(): number; sizeBytes(): number; readonly stats: MempoolStats };
  /** Connected peers (0 before p2p starts). */
  peers(): number;
  /** Whether block sync is catching up. */
  syncing(): boolean;
}

/** Registers the node's metrics; returns what to call for each applied block. */
export function registerNodeMetrics(
  r: MetricsRegistry,
  src: NodeMetricSources,
): (applied: AppliedBlock) => void {
  const height = r.gauge('cometbft_consensus_height', 'Height of the chain.');
  const latest = r.gauge('cometbft_consensus_latest_block_height', 'The latest block height.');
  const numTxs = r.gauge('cometbft_consensus_num_txs', 'Number of transactions.');
  const totalTxs = r.counter('cometbft_consensus_total_txs', 'Total number of transactions committed.');
  const validators = r.gauge('cometbft_consensus_validators', 'Number of validators.');
  const validatorsPower = r.gauge('cometbft_consensus_validators_power', 'Total power of all validators.');
  const missing = r.gauge('cometbft_consensus_missing_validators', 'Number of validators who did not sign.');
  const missingPower = r.gauge(
    'cometbft_consensus_missing_validators_power',
    'Total power of the missing validators.',
  );
  const byzantine = r.gauge(
    'cometbft_consensus_byzantine_validators',
    'Number of validators who tried to double sign.',
  );
  const byzantinePower = r.gauge(
    'cometbft_consensus_byzantine_validators_power',
    'Total power of the byzantine validators.',
  );
  const interval = r.histogram(
    'cometbft_consensus_block_interval_seconds',
    'Time between this and the last block.',
    [],
    [0.3, 0.5, 1, 1.5, 2, 5, 10],
  );
  const processing = r.histogram(
    'cometbft_state_block_processing_time',
    'Time spent processing FinalizeBlock, in ms.',
    [],
    [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
  );
  r.gaugeFunc(
    'cometbft_blocksync_syncing',
    'Whether or not a node is block syncing. 1 if yes, 0 if no.',
    () => (src.syncing() ? 1 : 0),
  );
  r.gaugeFunc('cometbft_p2p_peers', 'Number of peers.', () => src.peers());
  const m = src.mempool;
  r.gaugeFunc('cometbft_mempool_size', 'Size of the mempool (number of uncommitted transactions).', () =>
    m.size(),
  );
  r.gaugeFunc('cometbft_mempool_size_bytes', 'Size of the mempool in bytes.', () => m.sizeBytes());
  r.counterFunc('cometbft_mempool_failed_txs', 'Number of failed transactions.', () => m.stats.failed);
  r.counterFunc('cometbft_mempool_rejected_txs', 'Number of rejected transactions.', () => m.stats.rejected);
  r.counterFunc('cometbft_mempool_evicted_txs', 'Number of evicted transactions.', () => m.stats.evicted);
  r.counterFunc(
    'cometbft_mempool_recheck_times',
    'Number of times transactions are rechecked in the mempool.',
    () => m.stats.rechecked,
  );

  return ({ block, lastValidators, validators: next, previousTime, finalizeMs }) => {
    const h = Number(block.header.height);
    height.set(h + 1);
    latest.set(h);
    numTxs.set(block.data.txs.length);
    totalTxs.inc(block.data.txs.length);
    validators.set(next.size);
    validatorsPower.set(Number(next.totalVotingPower()));
    // As CometBFT's recordMetrics: who is absent from the LastCommit this block carries.
    let absent = 0;
    let absentPower = 0n;
    block.lastCommit?.signatures.forEach((sig, i) => {
      if (sig.blockIdFlag !== BlockIdFlag.Absent) return;
      absent++;
      absentPower += lastValidators.getByIndex(i)?.votingPower ?? 0n;
    });
    missing.set(absent);
    missingPower.set(Number(absentPower));
    let cheats = 0;
    let cheatPower = 0n;
    for (const e of block.evidence) {
      if (e.kind !== 'duplicateVote') continue;
      cheats++;
      cheatPower += e.duplicateVote.validatorPower;
    }
    byzantine.set(cheats);
    byzantinePower.set(Number(cheatPower));
    // Header times, so every node observes the same intervals.
    if (previousTime)
      interval.observe(Number(timestampToNanos(block.header.time) - timestampToNanos(previousTime)) / 1e9);
    if (finalizeMs !== undefined) processing.observe(finalizeMs);
  };
}
