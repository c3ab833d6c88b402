/**
 * p2p: secret connection, multiplexed connection, NodeInfo handshake and the switch.
 *
 * Node wiring: `NodeOptions.createSwitch = createSwitchFromConfig` (config.toml [p2p] laddr,
 * persistent_peers, max_num_inbound/outbound_peers). The switch replaces nodeInfo.channels by
 * its reactors' channels at start, so add every reactor before `start()`. Metrics:
 * `sw.metrics()` (peers, per-channel bytes and messages, bans, handshake failures, refusals).
 */
export * from './errors.js';
export { createSwitchFromConfig, switchOptionsFromConfig } from './fromConfig.js';
export { MConnection, type MConnectionOptions, type MConnectionStatus } from './mconnection.js';
export {
  checkNodeInfo,
  decodeNodeInfo,
  encodeNodeInfo,
  MAX_NODE_INFO_SIZE,
  versionsCompatible,
} from './nodeInfo.js';
export { type ByteTransport, SecretConnection, type SecretConnectionOptions } from './secretConnection.js';
export {
  createSwitch,
  type HearthSwitch,
  type P2PSwitchMetrics,
  type PeerAddress,
  parseListenAddress,
  parsePeerAddress,
  type SwitchOptions,
} from './switch.js';
export * from './types.js';
