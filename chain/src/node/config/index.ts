/** CometBFT-layout node files: config.toml, genesis.json, node_key.json and the home directory. */
export {
  ensureDir,
  fileExists,
  formatJson,
  fsyncDir,
  NodeFileError,
  readJsonFile,
  writeFileAtomicSync,
} from './files.js';
export {
  formatGenesis,
  type GenesisDoc,
  GenesisError,
  type GenesisValidator,
  MAX_CHAIN_ID_LEN,
  parseGenesis,
  readGenesisFile,
  writeGenesisFile,
} from './genesis.js';
export { type HomePaths, homePaths, type InitOptions, type InitResult, initHome, pvPaths } from './home.js';
export {
  ConfigError,
  defaultNodeConfig,
  formatDurationMs,
  formatNodeConfig,
  type NodeConfig,
  parseDurationMs,
  parseDurationNs,
  parseNodeConfig,
  readNodeConfigFile,
  writeNodeConfigFile,
} from './nodeConfig.js';
export {
  loadNodeKey,
  loadOrGenerateNodeKey,
  type NodeKey,
  nodeIdFromPubKey,
  nodeKeyFrom,
  nodeKeyFromJson,
  nodeKeyToJson,
  saveNodeKey,
} from './nodeKey.js';
export { formatTomlValue, parseToml, type TomlDocument, TomlError, type TomlValue } from './toml.js';
