import { describe, expect, it } from 'vitest';
import { MetricsError, MetricsRegistry, parseListenAddress, startMetricsServer } from './metrics.js';
import { startHarness } from './testdata/harness.js';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the text exposition format', () => {
    const r = new MetricsRegistry();
    const c = r.counter('cometbft_mempool_failed_txs', 'Failed txs.', ['reason']);
    const g = r.gauge('cometbft_consensus_height', 'Height of the chain.');
    const h = r.histogram('cometbft_state_block_processing_time', 'Time to process a block.', [], [0.1, 1]);
    c.inc(2, { reason: 'full' });
    c.inc(1, { reason: 'say "hi"\n' });
    g.set(42);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(3);
    expect(r.render()).toBe(
      [
        '# HELP cometbft_consensus_height Height of the chain.',
        '# TYPE cometbft_consensus_height gauge',
        'cometbft_consensus_height 42',
        '# HELP cometbft_mempool_failed_txs Failed txs.',
        '# TYPE cometbft_mempool_failed_txs counter',
        'cometbft_mempool_failed_txs{reason="full"} 2',
        'cometbft_mempool_failed_txs{reason="say \\"hi\\"\\n"} 1',
        '# HELP cometbft_state_block_processing_time Time to process a block.',
        '# TYPE cometbft_state_block_processing_time histogram',
        'cometbft_state_block_processing_time_bucket{le="0.1"} 1',
        'cometbft_state_block_processing_time_bucket{le="1"} 2',
        'cometbft_state_block_processing_time_bucket{le="+Inf"} 3',
        'cometbft_state_block_processing_time_sum 3.55',
        'cometbft_state_block_processing_time_count 3',
        '',
      ].join('\n'),
    );
    expect(c.get({ reason: 'full' })).toBe(2);
  });

  it('refuses bad names, duplicate metrics, unknown labels and decreasing counters', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('bad name', 'x')).toThrow(MetricsError);
    expect(() => r.gauge('g', 'x', ['le'])).toThrow(MetricsError);
    const c = r.counter('c', 'x');
    expect(() => r.gauge('c', 'x')).toThrow(/already registered/);
    expect(() => c.inc(-1)).toThrow(/only increase/);
    expect(() => c.inc(1, { nope: 'x' })).toThrow(/unknown label/);
    expect(() => r.histogram('h', 'x', [], [1, 1])).toThrow(/increasing/);
  });

  it('reads gauge and counter functions at each scrape', () => {
    const r = new MetricsRegistry();
    let peers = 3;
    let rechecks = 10;
    r.gaugeFunc('cometbft_p2p_peers', 'Number of peers.', () => peers);
    r.counterFunc('cometbft_mempool_recheck_times', 'Rechecks.', () => rechecks);
    expect(() => r.gaugeFunc('cometbft_p2p_peers', 'again', () => 0)).toThrow(/already registered/);
    const scrape = () => r.render().split('\n');
    expect(scrape()).toEqual([
      '# HELP cometbft_mempool_recheck_times Rechecks.',
      '# TYPE cometbft_mempool_recheck_times counter',
      'cometbft_mempool_recheck_times 10',
      '# HELP cometbft_p2p_peers Number of peers.',
      '# TYPE cometbft_p2p_peers gauge',
      'cometbft_p2p_peers 3',
      '',
    ]);
    peers = 1;
    rechecks = 12;
    expect(scrape()).toContain('cometbft_p2p_peers 1');
    expect(scrape()).toContain('cometbft_mempool_recheck_times 12');
  });

  it('parses listen addresses', () => {
    expect(parseListenAddress('tcp://127.0.0.1:26660')).toEqual({ host: '127.0.0.1', port: 26660 });
    expect(parseListenAddress(':26660')).toEqual({ host: '0.0.0.0', port: 26660 });
    expect(parseListenAddress('tcp://[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['localhost', 'tcp://x:99999', 'unix:///tmp/s'])
      expect(() => parseListenAddress(bad)).toThrow();
  });
});

describe('metrics server', () => {
  it('serves /metrics, 404 elsewhere, and counts RPC requests when given the registry', async () => {
    const registry = new MetricsRegistry();
    const h = await startHarness({ metrics: registry });
    const m = await startMetricsServer({ listen: 'tcp://127.0.0.1:0', registry });
    const base = m.address.replace('tcp://', 'http://');
    try {
      await h.post({ jsonrpc: '2.0', id: 1, method: 'health' });
      await h.post({ jsonrpc: '2.0', id: 2, method: 'block', params: { height: '0' } });
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('cometbft_rpc_requests_total{method="health",outcome="ok"} 1');
      expect(text).toContain('cometbft_rpc_requests_total{method="block",outcome="error"} 1');
      expect((await fetch(`${base}/`)).status).toBe(404);
    } finally {
      await m.close();
      await h.close();
    }
  });
});
