/**
 * Generates a localnet in DIR: one CometBFT-layout home per validator (DIR/node{i}), one shared
 * genesis (same genesis_time, chain id, validators and funded dev accounts in every home) and a
 * config.toml per node with its ports, persistent peers and ~1 s block timeouts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { localnetAppState, validateAppState } from '@hearth/chain/app/app';
import { validateGenTxs } from '@hearth/chain/app/modules/genutil/genesis';
import { genTxRawToJson } from '@hearth/chain/app/modules/genutil/genTx';
import {
  type GenesisDoc,
  type GenesisValidator,
  type InitResult,
  initHome,
  type NodeConfig,
  writeGenesisFile,
  writeNodeConfigFile,
} from '@hearth/chain/node/config/index';
import { bytesToHex, timestampFromDate } from '@hearth/chain/node/types/index';
import { addGenesisAccount, buildGenTx } from '@hearth/cli/commands/genesis';
import { BECH32_PREFIX, DENOM, type DevAccount, GAS_PRICE } from './accounts.js';
import { DEV_NETWORK_NOTICE, type LocalnetManifest } from './manifest.js';
import { LOOPBACK, type NodePorts, nodePorts } from './ports.js';

export interface LocalnetSpec {
  dir: string;
  chainId: string;
  validators: number;
  basePort: number;
}

export interface GeneratedNode {
  index: number;
  moniker: string;
  home: string;
  nodeId: string;
  /** Consensus address, upper-case hex. */
  validatorAddress: string;
  ports: NodePorts;
}

type AppState = Record<string, unknown>;

/** Each validator's self-delegation in its gentx: 100,000 HTH, i.e. voting power 100,000. */
export const SELF_DELEGATION = 100_000_000_000n;

/**
 * How the genesis validator set is made, Cosmos SDK style: each node's operator account
 * (`validator-{i}`, funded above) signs a gentx — MsgCreateValidator with the node's ed25519
 * consensus key and a self-delegation — exactly as `hearth genesis gentx` does; they are
 * collected into app_state.genutil.gen_txs as `hearth genesis collect-gentxs` does, and
 * genesis.validators stays empty: the app derives the set from staking at InitChain.
 */
export async function gentxValidators(
  chainId: string,
  nodes: readonly InitResult[],
  appState: AppState,
  operators: readonly DevAccount[],
): Promise<{ validators: GenesisValidator[]; appState: AppState }> {
  const genTxs = await Promise.all(
    nodes.map(async (n, i) => {
      const operator = operators[i];
      if (!operator) throw new Error(`no operator account for node${i}`);
      const pubKey = n.privValidator.pubKey;
      if (pubKey.type !== 'ed25519') throw new Error(`node${i}'s consensus key is not ed25519`);
      const wallet = await DirectSecp256k1HdWallet.fromMnemonic(operator.mnemonic, { prefix: BECH32_PREFIX });
      const raw = await buildGenTx({
        wallet,
        chainId,
        consensusPubKey: pubKey.key,
        amount: { denom: DENOM, amount: SELF_DELEGATION },
        moniker: `node${i}`,
        commissionRate: '0.10',
        commissionMaxRate: '0.20',
        commissionMaxChangeRate: '0.01',
        minSelfDelegation: '1',
      });
      return genTxRawToJson(raw);
    }),
  );
  const withGenTxs = { ...appState, genutil: { gen_txs: genTxs } };
  validateGenTxs(withGenTxs);
  return { validators: [], appState: withGenTxs };
}

/** The config.toml of node i: loopback listeners, all other nodes as persistent peers. */
export function localnetNodeConfig(
  base: NodeConfig,
  index: number,
  ports: NodePorts,
  peers: readonly string[],
): NodeConfig {
  return {
    ...base,
    moniker: `node${index}`,
    proxyApp: `tcp://${LOOPBACK}:${ports.abci}`,
    rpc: { ...base.rpc, laddr: `tcp://${LOOPBACK}:${ports.rpc}` },
    p2p: { ...base.p2p, laddr: `tcp://${LOOPBACK}:${ports.p2p}`, persistentPeers: [...peers] },
    consensus: {
      ...base.consensus,
      // About one block per second: the commit timeout sets the pace, the others only matter
      // when a proposer is slow or down.
      timeoutProposeMs: 2000,
      timeoutProposeDeltaMs: 500,
      timeoutPrevoteMs: 500,
      timeoutPrevoteDeltaMs: 500,
      timeoutPrecommitMs: 500,
      timeoutPrecommitDeltaMs: 500,
      timeoutCommitMs: 1000,
      createEmptyBlocks: true,
      createEmptyBlocksIntervalMs: 0,
    },
    instrumentation: { prometheus: true, prometheusListenAddr: `tcp://${LOOPBACK}:${ports.prometheus}` },
    hearth: { ...base.hearth, minimumGasPrices: GAS_PRICE },
  };
}

/** Writes every node home into spec.dir (which must hold no earlier localnet) and returns the manifest. */
export async function generateLocalnet(
  spec: LocalnetSpec,
  accounts: readonly DevAccount[],
): Promise<LocalnetManifest> {
  const genesisTime = timestampFromDate(new Date());
  mkdirSync(spec.dir, { recursive: true });
  const inits = Array.from({ length: spec.validators }, (_, i) =>
    initHome(join(spec.dir, `node${i}`), { moniker: `node${i}`, chainId: spec.chainId, genesisTime }),
  );
  const nodes: GeneratedNode[] = inits.map((r, i) => ({
    index: i,
    moniker: `node${i}`,
    home: r.paths.home,
    nodeId: r.nodeKey.id,
    validatorAddress: bytesToHex(r.privValidator.address).toUpperCase(),
    ports: nodePorts(spec.basePort, i),
  }));

  // Dev accounts first: the gentxs spend from the operators' genesis balances.
  let appState: AppState = localnetAppState();
  for (const a of accounts)
    appState = addGenesisAccount(appState, a.address, [{ denom: DENOM, amount: a.funds }]);
  const operators = accounts.filter((a) => a.name.startsWith('validator-'));
  const v = await gentxValidators(spec.chainId, inits, appState, operators);
  validateAppState(v.appState);
  const template = inits[0]!.genesis;
  const genesis: GenesisDoc = {
    ...template,
    genesisTime,
    chainId: spec.chainId,
    validators: v.validators,
    appStateJson: JSON.stringify(v.appState, null, 2),
  };

  for (const [i, r] of inits.entries()) {
    writeGenesisFile(r.paths.genesisFile, genesis);
    const peers = nodes.filter((n) => n.index !== i).map((n) => `${n.nodeId}@${LOOPBACK}:${n.ports.p2p}`);
    writeNodeConfigFile(r.paths.configFile, localnetNodeConfig(r.config, i, nodes[i]!.ports, peers));
  }

  return {
    comment: DEV_NETWORK_NOTICE,
    chainId: spec.chainId,
    denom: DENOM,
    bech32Prefix: BECH32_PREFIX,
    gasPrice: GAS_PRICE,
    basePort: spec.basePort,
    supervisorPid: null,
    nodes: nodes.map((n) => ({
      moniker: n.moniker,
      rpc: `http://${LOOPBACK}:${n.ports.rpc}`,
      p2p: `tcp://${LOOPBACK}:${n.ports.p2p}`,
      nodeId: n.nodeId,
      prometheus: `http://${LOOPBACK}:${n.ports.prometheus}/metrics`,
      home: n.home,
      validatorAddress: n.validatorAddress,
      pid: null,
    })),
    accounts: accounts.map((a) => ({ name: a.name, address: a.address, mnemonic: a.mnemonic })),
  };
}
