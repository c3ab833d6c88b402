/**
 * The node's home directory in CometBFT's layout:
 *   config/config.toml  config/genesis.json  config/priv_validator_key.json  config/node_key.json
 *   data/priv_validator_state.json  data/cs.wal/  data/blockstore.db  data/state.db
 * `initHome` is what `hearth init` does: it creates what is missing and never overwrites.
 */
import { isAbsolute, join } from 'node:path';
import type { Ed25519PrivateKey } from '../privval/ed25519.js';
import { FilePV, type FilePVPaths } from '../privval/filePV.js';
import { defaultConsensusParams } from '../state/params.js';
import { addressFromPubKey, type Timestamp, timestampFromDate } from '../types/index.js';
import { ensureDir, fileExists } from './files.js';
import { type GenesisDoc, readGenesisFile, writeGenesisFile } from './genesis.js';
import { defaultNodeConfig, type NodeConfig, readNodeConfigFile, writeNodeConfigFile } from './nodeConfig.js';
import { loadOrGenerateNodeKey, type NodeKey } from './nodeKey.js';

export interface HomePaths {
  home: string;
  configDir: string;
  dataDir: string;
  configFile: string;
  genesisFile: string;
  privValidatorKeyFile: string;
  privValidatorStateFile: string;
  nodeKeyFile: string;
  walDir: string;
  blockStoreDb: string;
  stateDb: string;
}

/** Resolves the file locations, honouring the paths set in config.toml (relative to home). */
export function homePaths(home: string, config: NodeConfig = defaultNodeConfig()): HomePaths {
  const at = (p: string) => (isAbsolute(p) ? p : join(home, p));
  const dataDir = at(config.dbDir);
  const walFile = at(config.consensus.walFile);
  return {
    home,
    configDir: join(home, 'config'),
    dataDir,
    configFile: join(home, 'config', 'config.toml'),
    genesisFile: at(config.genesisFile),
    privValidatorKeyFile: at(config.privValidatorKeyFile),
    privValidatorStateFile: at(config.privValidatorStateFile),
    nodeKeyFile: at(config.nodeKeyFile),
    // CometBFT's wal_file names the head file inside the WAL directory (data/cs.wal/wal).
    walDir: walFile.endsWith('/wal') ? walFile.slice(0, -4) : walFile,
    blockStoreDb: join(dataDir, 'blockstore.db'),
    stateDb: join(dataDir, 'state.db'),
  };
}

/** Where FilePV keeps its two files. */
export function pvPaths(paths: HomePaths): FilePVPaths {
  return { keyFile: paths.privValidatorKeyFile, stateFile: paths.privValidatorStateFile };
}

export interface InitOptions {
  moniker: string;
  chainId: string;
  /** Voting power of this node's validator in a new genesis (default 10, like CometBFT). */
  power?: bigint;
  genesisTime?: Timestamp;
  /** Raw JSON text for app_state (the CLI supplies the application's default genesis). */
  appStateJson?: string;
  /** Use this key instead of a random one (deterministic localnets, tests). */
  validatorKey?: Ed25519PrivateKey;
}

export interface InitResult {
  paths: HomePaths;
  config: NodeConfig;
  genesis: GenesisDoc;
  privValidator: FilePV;
  nodeKey: NodeKey;
  /** Which files were created now (existing ones are kept). */
  created: string[];
}

/** `hearth init`: writes config.toml, genesis.json, priv_validator_key.json (+ state) and node_key.json where missing. */
export function initHome(home: string, opts: InitOptions): InitResult {
  const created: string[] = [];
  let paths = homePaths(home);
  let config: NodeConfig;
  ensureDir(paths.configDir);
  if (fileExists(paths.configFile)) config = readNodeConfigFile(paths.configFile);
  else {
    config = defaultNodeConfig(opts.moniker);
    writeNodeConfigFile(paths.configFile, config);
    created.push(paths.configFile);
  }
  paths = homePaths(home, config);
  ensureDir(paths.dataDir);

  let privValidator: FilePV;
  if (fileExists(paths.privValidatorKeyFile)) privValidator = FilePV.load(pvPaths(paths));
  else {
    privValidator = FilePV.generate(pvPaths(paths), opts.validatorKey);
    privValidator.save();
    created.push(paths.privValidatorKeyFile, paths.privValidatorStateFile);
  }
  const nodeKeyExisted = fileExists(paths.nodeKeyFile);
  const nodeKey = loadOrGenerateNodeKey(paths.nodeKeyFile);
  if (!nodeKeyExisted) created.push(paths.nodeKeyFile);

  let genesis: GenesisDoc;
  if (fileExists(paths.genesisFile)) genesis = readGenesisFile(paths.genesisFile);
  else {
    const pubKey = privValidator.pubKey;
    genesis = {
      genesisTime: opts.genesisTime ?? timestampFromDate(new Date()),
      chainId: opts.chainId,
      initialHeight: 1n,
      consensusParams: defaultConsensusParams(),
      validators: [{ address: addressFromPubKey(pubKey), pubKey, power: opts.power ?? 10n, name: '' }],
      appHash: new Uint8Array(0),
      ...(opts.appStateJson === undefined ? {} : { appStateJson: opts.appStateJson }),
    };
    writeGenesisFile(paths.genesisFile, genesis);
    created.push(paths.genesisFile);
  }
  return { paths, config, genesis, privValidator, nodeKey, created };
}
