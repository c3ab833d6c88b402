import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Ed25519PrivateKey } from '../privval/ed25519.js';
import { FilePV } from '../privval/filePV.js';
import { defaultConsensusParams } from '../state/params.js';
import { addressFromPubKey, bytesToHex } from '../types/index.js';
import { formatGenesis, type GenesisDoc, parseGenesis, readGenesisFile } from './genesis.js';
import { homePaths, initHome, pvPaths } from './home.js';
import {
  defaultNodeConfig,
  formatDurationMs,
  formatNodeConfig,
  parseDurationMs,
  parseDurationNs,
  parseNodeConfig,
  readNodeConfigFile,
} from './nodeConfig.js';
import { loadNodeKey, nodeKeyFrom, nodeKeyToJson, saveNodeKey } from './nodeKey.js';
import cometGenesis from './testdata/cometGenesis.json' with { type: 'json' };
import { formatTomlValue, parseToml } from './toml.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hearth-cfg-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('TOML', () => {
  it('reads tables, strings, integers, floats, booleans and multi-line arrays', () => {
    const doc = parseToml(`# comment
title = "a \\"quoted\\" \\u00e9 \\n" # trailing
lit = 'C:\\path'
[rpc]
n = 1_000_000
neg = -5
f = 0.5
yes = true
list = [
  "a", # first
  "b",
]
"quoted key" = []
[a.b]
x = 1
`);
    expect(doc.get('')!.get('title')).toBe('a "quoted" é \n');
    expect(doc.get('')!.get('lit')).toBe('C:\\path');
    expect(Object.fromEntries(doc.get('rpc')!)).toEqual({
      n: 1_000_000,
      neg: -5,
      f: 0.5,
      yes: true,
      list: ['a', 'b'],
      'quoted key': [],
    });
    expect(doc.get('a.b')!.get('x')).toBe(1);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unterminated string', 'a = 1\nb = "x\n', /line 2: unterminated string/],
    ['duplicate key', 'a = 1\na = 2\n', /line 2: key "a" defined twice/],
    ['duplicate table', '[x]\n[y]\n[x]\n', /line 3: table \[x\] defined twice/],
    ['inline table', 'a = { b = 1 }', /line 1: inline tables are not supported/],
    ['array of tables', '\n\n[[peers]]\n', /line 3: arrays of tables/],
    ['dotted key', 'a.b = 1', /dotted keys/],
    ['bad value', 'a = yes', /invalid value "yes"/],
    ['missing value', 'a = \n', /missing value/],
    ['junk after value', 'a = 1 2', /unexpected "2" after value/],
    ['no equals', 'a 1', /expected = after key "a"/],
    ['huge integer', 'a = 9007199254740993', /too large/],
    ['date', 'a = 1979-05-27', /dates are not supported/],
    ['bad escape', 'a = "\\q"', /invalid escape/],
  ];
  it.each(bad)('refuses %s with the line number', (_name, text, message) => {
    expect(() => parseToml(text)).toThrow(message);
  });

  it('writes any string, integer and boolean so that it reads back', () => {
    const value = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(value, fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 3 }), (v, arr) => {
        const doc = parseToml(`k = ${formatTomlValue(v)}\nl = ${formatTomlValue(arr)}\n`);
        expect(doc.get('')!.get('k')).toEqual(v);
        expect(doc.get('')!.get('l')).toEqual(arr);
      }),
    );
  });
});

describe('durations', () => {
  it.each([
    ['1s', 1000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['0', 0],
    ['0s', 0],
    ['1000us', 1],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
  it('formats like Go and reads back', () => {
    expect([0, 500, 1000, 90_000, 3_600_000, 3_723_500].map(formatDurationMs)).toEqual([
      '0s',
      '500ms',
      '1s',
      '1m30s',
      '1h0m0s',
      '1h2m3.5s',
    ]);
    fc.assert(
      fc.property(fc.nat(10 ** 9), (ms) => {
        expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
      }),
    );
  });
  it('refuses malformed, negative and sub-millisecond durations', () => {
    for (const t of ['', '1', 's', '1x', '1s2', '.s'])
      expect(() => parseDurationNs(t)).toThrow(/invalid duration/);
    expect(() => parseDurationMs('-1s')).toThrow(/negative/);
    expect(() => parseDurationMs('1500us')).toThrow(/whole number of milliseconds/);
    expect(parseDurationNs('1.000000001s')).toBe(1_000_000_001n);
  });
});

describe('config.toml', () => {
  it('writes the defaults and reads them back', () => {
    const c = defaultNodeConfig('node0');
    const text = formatNodeConfig(c);
    expect(text).toContain('moniker = "node0"');
    expect(text).toContain('timeout_commit = "1s"');
    expect(text).toContain('[mempool]');
    expect(parseNodeConfig(text)).toEqual(c);
  });

  it('round-trips changed values, including peers and durations', () => {
    const c = defaultNodeConfig('välid "one"');
    c.p2p.persistentPeers = ['a1@127.0.0.1:26656', 'b2@10.0.0.2:26756'];
    c.consensus.timeoutCommitMs = 90_500;
    c.consensus.createEmptyBlocks = false;
    c.instrumentation.prometheus = true;
    c.hearth.minimumGasPrices = '0.025uhth';
    c.mempool.maxTxsBytes = 2 ** 40;
    const back = parseNodeConfig(formatNodeConfig(c));
    expect(back).toEqual(c);
    expect(formatNodeConfig(c)).toContain('persistent_peers = "a1@127.0.0.1:26656,b2@10.0.0.2:26756"');
  });

  it('reads a CometBFT config with keys and tables Hearth does not use', () => {
    const text = `proxy_app = "tcp://127.0.0.1:26658"
moniker = "comet"
db_backend = "goleveldb"
[rpc]
laddr = "tcp://0.0.0.0:26657"
cors_allowed_origins = ["*"]
max_body_bytes = 2000000
[p2p]
persistent_peers = ["id1@h:1", "id2@h:2"]
[mempool]
type = "flood"
[consensus]
timeout_propose = "2s"
peer_gossip_sleep_duration = "100ms"
[statesync]
rpc_servers = ""
[tx_index]
indexer = "kv"
`;
    const c = parseNodeConfig(text);
    expect(c.moniker).toBe('comet');
    expect(c.rpc.maxBodyBytes).toBe(2_000_000);
    expect(c.p2p.persistentPeers).toEqual(['id1@h:1', 'id2@h:2']);
    expect(c.consensus.timeoutProposeMs).toBe(2000);
    expect(c.consensus.timeoutPrevoteMs).toBe(1000); // default
  });

  it.each([
    ['[rpc]\nmax_body_bytes = "big"', /rpc.max_body_bytes must be an integer/],
    ['[rpc]\nmax_body_bytes = 0', /rpc.max_body_bytes must be at least 1/],
    ['[consensus]\ntimeout_commit = 5', /consensus.timeout_commit must be a duration string/],
    ['[consensus]\ntimeout_commit = "5 seconds"', /consensus.timeout_commit: invalid duration/],
    ['[consensus]\ncreate_empty_blocks = "yes"', /create_empty_blocks must be true or false/],
    ['moniker = 3', /moniker must be a string/],
    ['[p2p]\npersistent_peers = [1]', /persistent_peers must be a comma-separated string or an array/],
    ['\n\nmoniker = "x', /config.toml line 3: unterminated string/],
  ])('reports %j clearly', (text, message) => {
    expect(() => parseNodeConfig(text)).toThrow(message);
  });

  it('names the file when it is missing', () => {
    expect(() => readNodeConfigFile('/nonexistent/config.toml')).toThrow(
      '/nonexistent/config.toml: config file not found',
    );
  });
});

describe('genesis.json', () => {
  it('parses the CometBFT v0.38 capture', () => {
    const doc = parseGenesis(JSON.stringify(cometGenesis.genesis));
    expect(doc.chainId).toBe('dockerchain');
    expect(doc.initialHeight).toBe(1n);
    expect(doc.genesisTime).toEqual({ seconds: 1684332768n, nanos: 347696215 });
    expect(doc.consensusParams).toEqual(defaultConsensusParams());
    expect(doc.validators).toHaveLength(1);
    expect(bytesToHex(doc.validators[0]!.address)).toBe('2DD9F44FD9067555C322243C3C913BA7B51D2BE0');
    expect(doc.validators[0]!.power).toBe(10n);
    expect(doc.appHash.length).toBe(0);
    expect(doc.appStateJson).toBeUndefined();
    // Writing it out gives the same JSON content.
    expect(JSON.parse(formatGenesis(doc))).toEqual(cometGenesis.genesis);
  });

  it('keeps app_state byte for byte and round-trips the whole document', () => {
    const key = Ed25519PrivateKey.fromSecret('g');
    const appState = '{"b": 1, "2": [12345678901234567890, "x"], "a": {"nested": true}}';
    const doc: GenesisDoc = {
      genesisTime: { seconds: 253402300799n, nanos: 999_999_999 },
      chainId: 'hearth-localnet-1',
      initialHeight: 2n ** 62n,
      consensusParams: { ...defaultConsensusParams(), abci: { voteExtensionsEnableHeight: 2n ** 40n } },
      validators: [
        { address: addressFromPubKey(key.pubKey()), pubKey: key.pubKey(), power: 2n ** 50n, name: 'v0' },
      ],
      appHash: new Uint8Array([0xab, 0xcd]),
      appStateJson: appState,
    };
    const text = formatGenesis(doc);
    expect(text).toContain(`"app_state": ${appState}`);
    expect(text.indexOf('"genesis_time"')).toBeLessThan(text.indexOf('"chain_id"'));
    expect(parseGenesis(text)).toEqual(doc);
    expect(() => formatGenesis({ ...doc, appStateJson: '{oops' })).toThrow(/app_state is not valid JSON/);
  });

  it('completes like ValidateAndComplete: initial height 1, default params, derived address', () => {
    const g = structuredClone(cometGenesis.genesis) as Record<string, unknown>;
    g.initial_height = '0';
    delete g.consensus_params;
    (g.validators as Array<Record<string, unknown>>)[0]!.address = '';
    const doc = parseGenesis(JSON.stringify(g));
    expect(doc.initialHeight).toBe(1n);
    expect(doc.consensusParams).toEqual(defaultConsensusParams());
    expect(bytesToHex(doc.validators[0]!.address)).toBe('2DD9F44FD9067555C322243C3C913BA7B51D2BE0');
  });

  // biome-ignore lint/suspicious/noExplicitAny: tests poke at untyped JSON.
  type Json = any;
  const mutate = (f: (g: Json) => void) => {
    const g: Json = structuredClone(cometGenesis.genesis);
    f(g);
    return JSON.stringify(g);
  };
  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['no chain_id', mutate((g) => delete g.chain_id), /non-empty chain_id/],
    ['long chain_id', mutate((g) => (g.chain_id = 'x'.repeat(51))), /too long \(max: 50\)/],
    ['negative initial height', mutate((g) => (g.initial_height = '-1')), /cannot be negative/],
    ['bad initial height', mutate((g) => (g.initial_height = 'one')), /initial_height: expected an int64/],
    ['bad time', mutate((g) => (g.genesis_time = 'yesterday')), /genesis_time/],
    ['zero power', mutate((g) => (g.validators[0].power = '0')), /no voting power/],
    [
      'wrong address',
      mutate((g) => (g.validators[0].address = '00'.repeat(20))),
      /incorrect address .* should be 2DD9F4/,
    ],
    ['bad key type', mutate((g) => (g.validators[0].pub_key.type = 'x')), /validators\[0\].pub_key/],
    ['short key', mutate((g) => (g.validators[0].pub_key.value = 'AAAA')), /must be 32 bytes/],
    [
      'zero max_bytes',
      mutate((g) => (g.consensus_params.block.max_bytes = '0')),
      /block.MaxBytes cannot be 0/,
    ],
    [
      'unknown key type param',
      mutate((g) => (g.consensus_params.validator.pub_key_types = ['rsa'])),
      /unknown pubkey type/,
    ],
    ['bad app_hash', mutate((g) => (g.app_hash = 'zz')), /app_hash/],
    ['validators not an array', mutate((g) => (g.validators = {})), /validators must be an array/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseGenesis(text)).toThrow(message);
  });

  it('names the file when reading fails', () => {
    const dir = tempDir();
    expect(() => readGenesisFile(join(dir, 'genesis.json'))).toThrow(/genesis.json: genesis file not found/);
    writeFileSync(join(dir, 'genesis.json'), '{}');
    expect(() => readGenesisFile(join(dir, 'genesis.json'))).toThrow(
      /genesis.json: genesis doc must include non-empty chain_id/,
    );
  });
});

describe('node_key.json', () => {
  it('writes the CometBFT layout and derives the node ID from SHA-256(pubkey)[:20]', () => {
    const dir = tempDir();
    const key = Ed25519PrivateKey.fromSecret("it's a secret");
    const nk = nodeKeyFrom(key);
    // The node ID is the lower-case form of the validator address of the same key.
    expect(nk.id).toBe('dc52d5cf8dfd1793d71038b342a29b01ad8a5d63');
    const path = join(dir, 'node_key.json');
    saveNodeKey(path, nk);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(nodeKeyToJson(nk));
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).priv_key)).toEqual(['type', 'value']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadNodeKey(path).id).toBe(nk.id);
    writeFileSync(path, JSON.stringify({ priv_key: { type: 'tendermint/PrivKeyEd25519', value: 'AAAA' } }));
    expect(() => loadNodeKey(path)).toThrow(/node_key.json: ed25519 private key must be 64 bytes/);
    writeFileSync(path, '{}');
    expect(() => loadNodeKey(path)).toThrow(/priv_key is missing/);
  });
});

describe('initHome', () => {
  it('creates the CometBFT layout once and keeps existing files', () => {
    const home = tempDir();
    const r = initHome(home, { moniker: 'node0', chainId: 'hearth-test-1', appStateJson: '{"bank":{}}' });
    const p = homePaths(home);
    expect(r.created.sort()).toEqual(
      [p.configFile, p.genesisFile, p.privValidatorKeyFile, p.privValidatorStateFile, p.nodeKeyFile].sort(),
    );
    expect(readNodeConfigFile(p.configFile).moniker).toBe('node0');
    const genesis = readGenesisFile(p.genesisFile);
    expect(genesis.chainId).toBe('hearth-test-1');
    expect(genesis.appStateJson).toBe('{"bank":{}}');
    const pv = FilePV.load(pvPaths(p));
    expect(genesis.validators.map((v) => bytesToHex(v.address))).toEqual([bytesToHex(pv.address)]);
    expect(genesis.validators[0]!.power).toBe(10n);
    expect(p.walDir).toBe(join(home, 'data', 'cs.wal'));

    const again = initHome(home, { moniker: 'other', chainId: 'other-chain' });
    expect(again.created).toEqual([]);
    expect(again.config.moniker).toBe('node0');
    expect(again.genesis.chainId).toBe('hearth-test-1');
    expect(again.nodeKey.id).toBe(r.nodeKey.id);
    expect(bytesToHex(again.privValidator.address)).toBe(bytesToHex(pv.address));
  });
});
