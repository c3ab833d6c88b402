/**
 * The switch built from a node's config.toml `[p2p]` section, in the shape `HearthNode` takes
 * as `NodeOptions.createSwitch`, so the node assembly is one line:
 * `createSwitch: createSwitchFromConfig`.
 */
import type { Logger } from '../../logger.js';
import type { NodeConfig } from '../config/nodeConfig.js';
import type { NodeKey } from '../config/nodeKey.js';
import { createSwitch, type HearthSwitch, type SwitchOptions } from './switch.js';
import type { NodeInfo } from './types.js';

export function switchOptionsFromConfig(args: {
  nodeInfo: NodeInfo;
  nodeKey: NodeKey;
  config: NodeConfig;
  logger: Logger;
}): SwitchOptions {
  const p2p = args.config.p2p;
  return {
    nodeKey: args.nodeKey,
    nodeInfo: args.nodeInfo,
    listenAddress: p2p.laddr,
    persistentPeers: p2p.persistentPeers,
    maxInboundPeers: p2p.maxNumInboundPeers,
    maxOutboundPeers: p2p.maxNumOutboundPeers,
    logger: args.logger,
  };
}

export function createSwitchFromConfig(args: {
  nodeInfo: NodeInfo;
  nodeKey: NodeKey;
  config: NodeConfig;
  logger: Logger;
}): HearthSwitch {
  return createSwitch(switchOptionsFromConfig(args));
}
