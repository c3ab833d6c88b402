/**
 * DIR/localnet.json: what a client needs to use the localnet (chain id, gas price, node
 * endpoints, funded dev accounts with their mnemonics) plus the pids that `stop` ends. It holds
 * secrets of a throwaway network only; it is written with mode 0600 all the same.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LocalnetError } from './errors.js';

export const MANIFEST_FILE = 'localnet.json';
export const DEV_NETWORK_NOTICE =
  'DEVELOPMENT NETWORK ONLY: these mnemonics are generated for this localnet and stored in clear; never use them or send real value to their addresses';

export interface ManifestNode {
  moniker: string;
  /** CometBFT RPC, e.g. http://127.0.0.1:26657 */
  rpc: string;
  /** p2p listen address, e.g. tcp://127.0.0.1:26656 */
  p2p: string;
  /** p2p node id (hex of the node key's address), for `id@host:port` peers */
  nodeId: string;
  prometheus: string;
  home: string;
  /** Consensus address (hex), as /status and /validators print it */
  validatorAddress: string;
  /** The node process while it runs, null when stopped */
  pid: number | null;
}

export interface ManifestAccount {
  name: string;
  address: string;
  mnemonic: string;
}

export interface LocalnetManifest {
  comment: string;
  chainId: string;
  denom: string;
  bech32Prefix: string;
  /** A gas price every node accepts, e.g. "0.025uhth" */
  gasPrice: string;
  basePort: number;
  /** The foreground `localnet start` that supervises the nodes, null when detached or stopped */
  supervisorPid: number | null;
  nodes: ManifestNode[];
  /** Present once an indexer runs with the localnet */
  indexer?: { api: string };
  accounts: ManifestAccount[];
}

export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

const isPid = (v: unknown) => v === null || (Number.isSafeInteger(v) && (v as number) > 0);

/** Reads DIR/localnet.json; undefined when there is none; a clear error when it is damaged. */
export function readManifest(dir: string): LocalnetManifest | undefined {
  const file = manifestPath(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalnetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const bad = (why: string) =>
    new LocalnetError(`${file} is damaged (${why}); remove the directory and start again`);
  let j: LocalnetManifest;
  try {
    j = JSON.parse(text) as LocalnetManifest;
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (j === null || typeof j !== 'object') throw bad('not a JSON object');
  for (const k of ['chainId', 'denom', 'bech32Prefix', 'gasPrice'] as const)
    if (typeof j[k] !== 'string') throw bad(`${k} is not a string`);
  if (!Number.isSafeInteger(j.basePort)) throw bad('basePort is not an integer');
  if (!isPid(j.supervisorPid)) throw bad('supervisorPid is not a pid');
  if (!Array.isArray(j.nodes) || j.nodes.length === 0) throw bad('no nodes');
  j.nodes.forEach((n, i) => {
    for (const k of ['moniker', 'rpc', 'p2p', 'nodeId', 'home', 'validatorAddress'] as const)
      if (typeof n?.[k] !== 'string') throw bad(`nodes[${i}].${k} is not a string`);
    if (!isPid(n.pid)) throw bad(`nodes[${i}].pid is not a pid`);
  });
  if (!Array.isArray(j.accounts)) throw bad('accounts is not a list');
  return j;
}

/** Writes the manifest atomically (temp file, fsync, rename) with mode 0600. */
export function writeManifest(dir: string, m: LocalnetManifest): void {
  const file = manifestPath(dir);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(m, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
