/**
 * A small Prometheus registry (counters, gauges, histograms with labels) and the metrics HTTP
 * server, as CometBFT's `instrumentation.prometheus_listen_addr` (default :26660) serves
 * `/metrics` in the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Subsystems register their
 * metrics here; CometBFT names them `cometbft_<subsystem>_<name>`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Labels = Readonly<Record<string, string>>;

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricsError extends Error {
  override readonly name = 'MetricsError';
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}

function labelKey(names: readonly string[], labels: Labels): string {
  const given = Object.keys(labels);
  for (const k of given) {
    if (!names.includes(k)) throw new MetricsError(`unknown label ${JSON.stringify(k)}`);
  }
  return JSON.stringify(names.map((n) => labels[n] ?? ''));
}

function renderLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME_RE.test(name)) throw new MetricsError(`invalid metric name ${JSON.stringify(name)}`);
    for (const l of labelNames) {
      if (!LABEL_RE.test(l) || l.startsWith('__') || l === 'le') {
        throw new MetricsError(`invalid label name ${JSON.stringify(l)}`);
      }
    }
  }
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  abstract renderSamples(out: string[]): void;
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    this.renderSamples(out);
  }
}

export class Counter extends Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();

  inc(by = 1, labels: Labels = {}): void {
    if (!(by >= 0)) throw new MetricsError(`counter ${this.name} can only increase, got ${by}`);
    const k = labelKey(this.labelNames, labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels)) ?? 0;
  }

  renderSamples(out: string[]): void {
    if (this.values.size === 0 && this.labelNames.length === 0) out.push(`${this.name} 0`);
    for (const [k, v] of [...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out.push(`${this.name}${renderLabels(this.labelNames, JSON.parse(k))} ${formatNumber(v)}`);
    }
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  private readonly values = new Map<string, number>();

  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(this.labelNames, labels), value);
  }

  inc(by = 1, labels: Labels = {}): void {
    const k = labelKey(this.labelNames, labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  dec(by = 1, labels: Labels = {}): void {
    this.inc(-by, labels);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels)) ?? 0;
  }

  renderSamples(out: string[]): void {
    if (this.values.size === 0 && this.labelNames.length === 0) out.push(`${this.name} 0`);
    for (const [k, v] of [...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out.push(`${this.name}${renderLabels(this.labelNames, JSON.parse(k))} ${formatNumber(v)}`);
    }
  }
}

/**
 * A gauge or counter without labels whose value is read when scraped (Prometheus' GaugeFunc /
 * CounterFunc): for figures another component already keeps, such as the mempool's size or the
 * number of peers, so they are never stale and the hot path pays nothing for them. A counter's
 * source must only ever grow.
 */
class ReadAtScrape extends Metric {
  constructor(
    name: string,
    help: string,
    readonly type: 'gauge' | 'counter',
    private readonly read: () => number,
  ) {
    super(name, help, []);
  }

  renderSamples(out: string[]): void {
    out.push(`${this.name} ${formatNumber(this.read())}`);
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/** Prometheus' default buckets. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]!) || (i > 0 && buckets[i]! <= buckets[i - 1]!)) {
        throw new MetricsError(`histogram ${name}: buckets must be finite and increasing`);
      }
    }
    this.buckets = [...buckets];
  }

  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(this.labelNames, labels);
    let s = this.series.get(k);
    if (s === undefined) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  renderSamples(out: string[]): void {
    for (const [k, s] of [...this.series].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const values: string[] = JSON.parse(k);
      this.buckets.forEach((b, i) => {
        out.push(
          `${this.name}_bucket${renderLabels(this.labelNames, values, ['le', formatNumber(b)])} ${s.counts[i]}`,
        );
      });
      out.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${renderLabels(this.labelNames, values)} ${formatNumber(s.sum)}`);
      out.push(`${this.name}_count${renderLabels(this.labelNames, values)} ${s.count}`);
    }
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  private add<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new MetricsError(`metric ${m.name} already registered`);
    this.metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  /** A gauge whose value `read` returns at each scrape. */
  gaugeFunc(name: string, help: string, read: () => number): void {
    this.add(new ReadAtScrape(name, help, 'gauge', read));
  }

  /** A counter whose running total `read` returns at each scrape (it must never decrease). */
  counterFunc(name: string, help: string, read: () => number): void {
    this.add(new ReadAtScrape(name, help, 'counter', read));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** The text exposition format, metrics sorted by name. */
  render(): string {
    const out: string[] = [];
    for (const name of [...this.metrics.keys()].sort()) this.metrics.get(name)!.render(out);
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }
}

export interface MetricsServerOptions {
  /** `tcp://host:port` or `host:port` (CometBFT's prometheus_listen_addr, default :26660). */
  listen: string;
  registry: MetricsRegistry;
}

export interface MetricsServer {
  /** The bound address, `tcp://host:port` (useful with port 0). */
  address: string;
  close(): Promise<void>;
}

/** Parses `tcp://host:port`, `host:port` or `:port`. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const rest = listen.startsWith('tcp://') ? listen.slice('tcp://'.length) : listen;
  const m = /^(\[[^\]]*\]|[^:]*):([0-9]{1,5})$/.exec(rest);
  const port = m ? Number(m[2]) : Number.NaN;
  if (m === null || port > 65535) {
    throw new Error(`invalid listen address ${JSON.stringify(listen)}: expected tcp://host:port`);
  }
  const rawHost = m[1]!;
  const host = rawHost === '' ? '0.0.0.0' : rawHost.replace(/^\[|\]$/g, '');
  return { host, port };
}

export function formatAddress(addr: AddressInfo): string {
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `tcp://${host}:${addr.port}`;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(opts.listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
      return;
    }
    let body: string;
    try {
      body = opts.registry.render();
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`error rendering metrics: ${e instanceof Error ? e.message : String(e)}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: formatAddress(server.address() as AddressInfo),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
