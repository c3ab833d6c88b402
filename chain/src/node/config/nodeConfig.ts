/**
 * config/config.toml in CometBFT v0.38's layout, limited to the keys Hearth reads, plus a
 * `[hearth]` table. Unknown keys and tables (the rest of a real CometBFT config) are accepted
 * and ignored, so an operator's existing file loads. Durations are Go duration strings ("1s",
 * "500ms", "1m30s") and are held as whole milliseconds. Errors name the key (and the line, for
 * TOML syntax errors).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from './files.js';
import { formatTomlValue, parseToml, TomlError, type TomlValue } from './toml.js';

export interface NodeConfig {
  moniker: string;
  proxyApp: string;
  logLevel: string;
  /** Paths relative to the home directory, as CometBFT's base config. */
  genesisFile: string;
  privValidatorKeyFile: string;
  privValidatorStateFile: string;
  nodeKeyFile: string;
  dbDir: string;
  rpc: {
    laddr: string;
    maxBodyBytes: number;
    maxOpenConnections: number;
    maxSubscriptionClients: number;
    maxSubscriptionsPerClient: number;
    timeoutBroadcastTxCommitMs: number;
  };
  p2p: {
    laddr: string;
    /** `id@host:port` entries (CometBFT writes them comma-separated in one string). */
    persistentPeers: string[];
    maxNumInboundPeers: number;
    maxNumOutboundPeers: number;
  };
  mempool: { size: number; maxTxsBytes: number; maxTxBytes: number; cacheSize: number };
  consensus: {
    walFile: string;
    timeoutProposeMs: number;
    timeoutProposeDeltaMs: number;
    timeoutPrevoteMs: number;
    timeoutPrevoteDeltaMs: number;
    timeoutPrecommitMs: number;
    timeoutPrecommitDeltaMs: number;
    timeoutCommitMs: number;
    createEmptyBlocks: boolean;
    createEmptyBlocksIntervalMs: number;
  };
  instrumentation: { prometheus: boolean; prometheusListenAddr: string };
  hearth: { minimumGasPrices: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** CometBFT's DefaultConfig values for these keys; Hearth's minimum gas price is 0uhth. */
export function defaultNodeConfig(moniker = 'hearth-node'): NodeConfig {
  return {
    moniker,
    proxyApp: 'tcp://127.0.0.1:26658',
    logLevel: 'info',
    genesisFile: 'config/genesis.json',
    privValidatorKeyFile: 'config/priv_validator_key.json',
    privValidatorStateFile: 'data/priv_validator_state.json',
    nodeKeyFile: 'config/node_key.json',
    dbDir: 'data',
    rpc: {
      laddr: 'tcp://127.0.0.1:26657',
      maxBodyBytes: 1_000_000,
      maxOpenConnections: 900,
      maxSubscriptionClients: 100,
      maxSubscriptionsPerClient: 5,
      timeoutBroadcastTxCommitMs: 10_000,
    },
    p2p: {
      laddr: 'tcp://0.0.0.0:26656',
      persistentPeers: [],
      maxNumInboundPeers: 40,
      maxNumOutboundPeers: 10,
    },
    mempool: { size: 5000, maxTxsBytes: 1_073_741_824, maxTxBytes: 1_048_576, cacheSize: 10_000 },
    consensus: {
      walFile: 'data/cs.wal/wal',
      timeoutProposeMs: 3000,
      timeoutProposeDeltaMs: 500,
      timeoutPrevoteMs: 1000,
      timeoutPrevoteDeltaMs: 500,
      timeoutPrecommitMs: 1000,
      timeoutPrecommitDeltaMs: 500,
      timeoutCommitMs: 1000,
      createEmptyBlocks: true,
      createEmptyBlocksIntervalMs: 0,
    },
    instrumentation: { prometheus: false, prometheusListenAddr: ':26660' },
    hearth: { minimumGasPrices: '0uhth' },
  };
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, in nanoseconds (exact: decimal fractions are scaled, not floated). */
export function parseDurationNs(text: string): bigint {
  const bad = () =>
    new ConfigError(`invalid duration ${JSON.stringify(text)}; use e.g. "1s", "500ms", "1m30s"`);
  if (typeof text !== 'string') throw bad();
  let s = text;
  let sign = 1n;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw bad();
  let total = 0n;
  const re = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (m === null || (m[1] === '' && (m[2] ?? '') === '')) throw bad();
    const unit = UNIT_NS[m[3]!]!;
    const frac = m[2] ?? '';
    total +=
      BigInt(m[1] || '0') * unit + (frac === '' ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length));
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** A duration in whole milliseconds (non-negative). */
export function parseDurationMs(text: string, what = 'duration'): number {
  const ns = parseDurationNs(text);
  if (ns < 0n) throw new ConfigError(`${what} must not be negative, got ${JSON.stringify(text)}`);
  if (ns % 1_000_000n !== 0n)
    throw new ConfigError(`${what} must be a whole number of milliseconds, got ${JSON.stringify(text)}`);
  const ms = ns / 1_000_000n;
  if (ms > BigInt(Number.MAX_SAFE_INTEGER)) throw new ConfigError(`${what} is too long`);
  return Number(ms);
}

/** Formats milliseconds as Go prints durations ("1s", "500ms", "1m30s", "0s"). */
export function formatDurationMs(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new ConfigError(`invalid duration ${ms}ms`);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${sec}s`;
}

// ---------------------------------------------------------------------------------------------

type Table = Map<string, TomlValue>;

function getter(table: Table | undefined, section: string) {
  const name = (k: string) => (section === '' ? k : `${section}.${k}`);
  const raw = (k: string) => table?.get(k);
  return {
    str(k: string, dflt: string): string {
      const v = raw(k);
      if (v === undefined) return dflt;
      if (typeof v !== 'string')
        throw new ConfigError(`${name(k)} must be a string, got ${formatTomlValue(v)}`);
      return v;
    },
    int(k: string, dflt: number, min = 0): number {
      const v = raw(k);
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        throw new ConfigError(`${name(k)} must be an integer, got ${formatTomlValue(v)}`);
      }
      if (v < min) throw new ConfigError(`${name(k)} must be at least ${min}, got ${v}`);
      return v;
    },
    bool(k: string, dflt: boolean): boolean {
      const v = raw(k);
      if (v === undefined) return dflt;
      if (typeof v !== 'boolean')
        throw new ConfigError(`${name(k)} must be true or false, got ${formatTomlValue(v)}`);
      return v;
    },
    duration(k: string, dfltMs: number): number {
      const v = raw(k);
      if (v === undefined) return dfltMs;
      if (typeof v !== 'string') throw new ConfigError(`${name(k)} must be a duration string such as "1s"`);
      try {
        return parseDurationMs(v, name(k));
      } catch (e) {
        throw new ConfigError(`${name(k)}: ${(e as Error).message}`);
      }
    },
    list(k: string, dflt: string[]): string[] {
      const v = raw(k);
      if (v === undefined) return dflt;
      if (typeof v === 'string') {
        return v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '');
      }
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      throw new ConfigError(`${name(k)} must be a comma-separated string or an array of strings`);
    },
  };
}

/** Parses config.toml text; absent keys take the defaults. */
export function parseNodeConfig(text: string): NodeConfig {
  let doc: ReturnType<typeof parseToml>;
  try {
    doc = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigError(`config.toml ${e.message}`);
    throw e;
  }
  const d = defaultNodeConfig();
  const root = getter(doc.get(''), '');
  const rpc = getter(doc.get('rpc'), 'rpc');
  const p2p = getter(doc.get('p2p'), 'p2p');
  const mem = getter(doc.get('mempool'), 'mempool');
  const cs = getter(doc.get('consensus'), 'consensus');
  const ins = getter(doc.get('instrumentation'), 'instrumentation');
  const hearth = getter(doc.get('hearth'), 'hearth');
  return {
    moniker: root.str('moniker', d.moniker),
    proxyApp: root.str('proxy_app', d.proxyApp),
    logLevel: root.str('log_level', d.logLevel),
    genesisFile: root.str('genesis_file', d.genesisFile),
    privValidatorKeyFile: root.str('priv_validator_key_file', d.privValidatorKeyFile),
    privValidatorStateFile: root.str('priv_validator_state_file', d.privValidatorStateFile),
    nodeKeyFile: root.str('node_key_file', d.nodeKeyFile),
    dbDir: root.str('db_dir', d.dbDir),
    rpc: {
      laddr: rpc.str('laddr', d.rpc.laddr),
      maxBodyBytes: rpc.int('max_body_bytes', d.rpc.maxBodyBytes, 1),
      maxOpenConnections: rpc.int('max_open_connections', d.rpc.maxOpenConnections),
      maxSubscriptionClients: rpc.int('max_subscription_clients', d.rpc.maxSubscriptionClients),
      maxSubscriptionsPerClient: rpc.int('max_subscriptions_per_client', d.rpc.maxSubscriptionsPerClient),
      timeoutBroadcastTxCommitMs: rpc.duration(
        'timeout_broadcast_tx_commit',
        d.rpc.timeoutBroadcastTxCommitMs,
      ),
    },
    p2p: {
      laddr: p2p.str('laddr', d.p2p.laddr),
      persistentPeers: p2p.list('persistent_peers', d.p2p.persistentPeers),
      maxNumInboundPeers: p2p.int('max_num_inbound_peers', d.p2p.maxNumInboundPeers),
      maxNumOutboundPeers: p2p.int('max_num_outbound_peers', d.p2p.maxNumOutboundPeers),
    },
    mempool: {
      size: mem.int('size', d.mempool.size),
      maxTxsBytes: mem.int('max_txs_bytes', d.mempool.maxTxsBytes),
      maxTxBytes: mem.int('max_tx_bytes', d.mempool.maxTxBytes),
      cacheSize: mem.int('cache_size', d.mempool.cacheSize),
    },
    consensus: {
      walFile: cs.str('wal_file', d.consensus.walFile),
      timeoutProposeMs: cs.duration('timeout_propose', d.consensus.timeoutProposeMs),
      timeoutProposeDeltaMs: cs.duration('timeout_propose_delta', d.consensus.timeoutProposeDeltaMs),
      timeoutPrevoteMs: cs.duration('timeout_prevote', d.consensus.timeoutPrevoteMs),
      timeoutPrevoteDeltaMs: cs.duration('timeout_prevote_delta', d.consensus.timeoutPrevoteDeltaMs),
      timeoutPrecommitMs: cs.duration('timeout_precommit', d.consensus.timeoutPrecommitMs),
      timeoutPrecommitDeltaMs: cs.duration('timeout_precommit_delta', d.consensus.timeoutPrecommitDeltaMs),
      timeoutCommitMs: cs.duration('timeout_commit', d.consensus.timeoutCommitMs),
      createEmptyBlocks: cs.bool('create_empty_blocks', d.consensus.createEmptyBlocks),
      createEmptyBlocksIntervalMs: cs.duration(
        'create_empty_blocks_interval',
        d.consensus.createEmptyBlocksIntervalMs,
      ),
    },
    instrumentation: {
      prometheus: ins.bool('prometheus', d.instrumentation.prometheus),
      prometheusListenAddr: ins.str('prometheus_listen_addr', d.instrumentation.prometheusListenAddr),
    },
    hearth: { minimumGasPrices: hearth.str('minimum_gas_prices', d.hearth.minimumGasPrices) },
  };
}

/** config.toml text in CometBFT's section order, with short comments. */
export function formatNodeConfig(c: NodeConfig): string {
  const v = formatTomlValue;
  const dur = (ms: number) => v(formatDurationMs(ms));
  return `# This is a TOML config file (CometBFT v0.38 layout), written by Hearth.
# Durations are Go duration strings: "500ms", "1s", "1m30s".

#######################################################################
###                   Main Base Config Options                      ###
#######################################################################

# TCP or UNIX socket address of the ABCI application
proxy_app = ${v(c.proxyApp)}

# A custom human readable name for this node
moniker = ${v(c.moniker)}

# Database directory
db_dir = ${v(c.dbDir)}

# Output level for logging: debug, info, warn or error
log_level = ${v(c.logLevel)}

# Path to the JSON file containing the initial validator set and other meta data
genesis_file = ${v(c.genesisFile)}

# Path to the JSON file containing the private key to use as a validator in the consensus protocol
priv_validator_key_file = ${v(c.privValidatorKeyFile)}

# Path to the JSON file containing the last sign state of a validator
priv_validator_state_file = ${v(c.privValidatorStateFile)}

# Path to the JSON file containing the private key to use for node authentication in the p2p protocol
node_key_file = ${v(c.nodeKeyFile)}

#######################################################################
###                 Advanced Configuration Options                  ###
#######################################################################

[rpc]

# TCP or UNIX socket address for the RPC server to listen on
laddr = ${v(c.rpc.laddr)}

# Maximum number of simultaneous connections (including WebSocket)
max_open_connections = ${v(c.rpc.maxOpenConnections)}

# Maximum number of unique clientIDs that can /subscribe
max_subscription_clients = ${v(c.rpc.maxSubscriptionClients)}

# Maximum number of unique queries a given client can /subscribe to
max_subscriptions_per_client = ${v(c.rpc.maxSubscriptionsPerClient)}

# How long to wait for a tx to be committed during /broadcast_tx_commit
timeout_broadcast_tx_commit = ${dur(c.rpc.timeoutBroadcastTxCommitMs)}

# Maximum size of request body, in bytes
max_body_bytes = ${v(c.rpc.maxBodyBytes)}

[p2p]

# Address to listen for incoming connections
laddr = ${v(c.p2p.laddr)}

# Comma separated list of nodes to keep persistent connections to (id@host:port)
persistent_peers = ${v(c.p2p.persistentPeers.join(','))}

# Maximum number of inbound peers
max_num_inbound_peers = ${v(c.p2p.maxNumInboundPeers)}

# Maximum number of outbound peers to connect to, excluding persistent peers
max_num_outbound_peers = ${v(c.p2p.maxNumOutboundPeers)}

[mempool]

# Maximum number of transactions in the mempool
size = ${v(c.mempool.size)}

# Limit the total size of all txs in the mempool
max_txs_bytes = ${v(c.mempool.maxTxsBytes)}

# Size of the cache (used to filter transactions we saw earlier) in transactions
cache_size = ${v(c.mempool.cacheSize)}

# Maximum size of a single transaction
max_tx_bytes = ${v(c.mempool.maxTxBytes)}

[consensus]

wal_file = ${v(c.consensus.walFile)}

# How long we wait for a proposal block before prevoting nil
timeout_propose = ${dur(c.consensus.timeoutProposeMs)}
# How much timeout_propose increases with each round
timeout_propose_delta = ${dur(c.consensus.timeoutProposeDeltaMs)}
# How long we wait after receiving +2/3 prevotes for "anything"
timeout_prevote = ${dur(c.consensus.timeoutPrevoteMs)}
# How much the timeout_prevote increases with each round
timeout_prevote_delta = ${dur(c.consensus.timeoutPrevoteDeltaMs)}
# How long we wait after receiving +2/3 precommits for "anything"
timeout_precommit = ${dur(c.consensus.timeoutPrecommitMs)}
# How much the timeout_precommit increases with each round
timeout_precommit_delta = ${dur(c.consensus.timeoutPrecommitDeltaMs)}
# How long we wait after committing a block, before starting on the new height
timeout_commit = ${dur(c.consensus.timeoutCommitMs)}

# EmptyBlocks mode and possible interval between empty blocks
create_empty_blocks = ${v(c.consensus.createEmptyBlocks)}
create_empty_blocks_interval = ${dur(c.consensus.createEmptyBlocksIntervalMs)}

[instrumentation]

# When true, Prometheus metrics are served under /metrics on prometheus_listen_addr
prometheus = ${v(c.instrumentation.prometheus)}

# Address to listen for Prometheus collector(s) connections
prometheus_listen_addr = ${v(c.instrumentation.prometheusListenAddr)}

#######################################################################
###                          Hearth Options                         ###
#######################################################################

[hearth]

# The minimum gas prices a validator accepts for processing a transaction, e.g. "0.025uhth"
minimum_gas_prices = ${v(c.hearth.minimumGasPrices)}
`;
}

export function readNodeConfigFile(path: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: ${code === 'ENOENT' ? 'config file not found' : (e as Error).message}`);
  }
  try {
    return parseNodeConfig(text);
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
}

export function writeNodeConfigFile(path: string, c: NodeConfig): void {
  writeFileAtomicSync(path, formatNodeConfig(c), 0o644);
}
