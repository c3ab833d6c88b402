/**
 * Helpers for the proof-of-stake end-to-end test: a 4-validator localnet made with the
 * localnet's own programmatic API (dev accounts, gentx validators, per-node configs, detached
 * node processes), unmodified CosmJS signing clients for its dev accounts, the CosmJS query
 * extensions, node restarts by hand (optionally as a double-signer), an extra node that joins
 * as a new validator, and the CometBFT RPC reads the tests check (commits, validator sets,
 * block results, evidence).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64, fromBech32, toBech32, toHex } from '@cosmjs/encoding';
import { DirectSecp256k1HdWallet, decodeTxRaw, type EncodeObject, Registry } from '@cosmjs/proto-signing';
import {
  type BankExtension,
  type DeliverTxResponse,
  type DistributionExtension,
  defaultRegistryTypes,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  type StakingExtension,
  setupBankExtension,
  setupDistributionExtension,
  setupSlashingExtension,
  setupStakingExtension,
} from '@cosmjs/stargate';
import { Comet38Client } from '@cosmjs/tendermint-rpc';
import { localnetSlashingParams, type SlashingParams } from '@hearth/chain/app/modules/slashing/params';
import { localnetStakingParams, type StakingParams } from '@hearth/chain/app/modules/staking/params';
import { readNodeConfigFile, writeNodeConfigFile } from '@hearth/chain/node/config/index';
import { MsgUnjail } from 'cosmjs-types/cosmos/slashing/v1beta1/tx';
import { generateDevAccounts } from '../../localnet/src/accounts.js';
import {
  HEARTH_BIN,
  NODE_FLAGS,
  REPO_ROOT,
  startLocalnet,
  stopLocalnet,
} from '../../localnet/src/localnet.js';
import { type LocalnetManifest, readManifest, writeManifest } from '../../localnet/src/manifest.js';
import { nodePorts, takenPorts } from '../../localnet/src/ports.js';
import { isHearthNode, terminate } from '../../localnet/src/processes.js';
import { generateLocalnet, localnetNodeConfig } from '../../localnet/src/setup.js';
import { hearth, rpcCall, tempHome, waitFor } from './helpers.js';

export const DEC_ONE = 10n ** 18n;
export const POWER_REDUCTION = 10n ** 6n;

/** Not re-exported by @cosmjs/stargate's index. */
type SlashingExtension = ReturnType<typeof setupSlashingExtension>;

export type Queries = QueryClient &
  StakingExtension &
  DistributionExtension &
  SlashingExtension &
  BankExtension;

export interface Actor {
  readonly name: string;
  readonly address: string;
  readonly client: SigningStargateClient;
}

export interface NodeProc {
  readonly home: string;
  readonly rpc: string;
  pid: number | null;
  child: ChildProcess | null;
}

const silent = { out: () => {}, err: () => {} };

/** The proof-of-stake params the localnet is meant to run with (`localnetDposAppState`). */
export function localnetDposParams(): { staking: StakingParams; slashing: SlashingParams } {
  return { staking: localnetStakingParams(), slashing: localnetSlashingParams() };
}

/** `hearthvaloper…` of an account address (same bytes, other prefix). */
export function valoperOf(address: string): string {
  return toBech32('hearthvaloper', fromBech32(address).data);
}

/** Upper-case hex consensus address of an ed25519 consensus key: first 20 bytes of SHA-256. */
export function consAddressHex(ed25519Key: Uint8Array): string {
  return toHex(createHash('sha256').update(ed25519Key).digest().subarray(0, 20)).toUpperCase();
}

/** The ed25519 key inside a staking Validator's `consensusPubkey` Any (field 1, 32 bytes). */
export function ed25519KeyOfAny(any: { typeUrl: string; value: Uint8Array } | undefined): Uint8Array {
  if (any?.typeUrl !== '/cosmos.crypto.ed25519.PubKey')
    throw new Error(`not an ed25519 consensus key: ${any?.typeUrl}`);
  if (any.value.length !== 34 || any.value[0] !== 0x0a || any.value[1] !== 32)
    throw new Error(`malformed ed25519 PubKey bytes (${any.value.length} bytes)`);
  return any.value.slice(2);
}

/** A protobuf LegacyDec as the SDK sends it (18-digit scaled integer string) to a scaled bigint. */
export function decAtomics(text: string): bigint {
  if (!/^[0-9]+$/.test(text)) throw new Error(`not a scaled decimal: ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** trunc(amount × fraction) for a scaled 18-digit fraction. */
export const mulDecTrunc = (amount: bigint, fraction: bigint): bigint => (amount * fraction) / DEC_ONE;

/** Sum of `<n>uhth` entries in a comma-separated coins string ("" is zero). */
export function coinsAmount(text: string | undefined, denom: string): bigint {
  if (!text) return 0n;
  let sum = 0n;
  for (const part of text.split(',')) {
    const m = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]*)$/.exec(part.trim());
    if (!m) throw new Error(`not a coin: ${JSON.stringify(part)}`);
    if (m[2] === denom) sum += BigInt(m[1]!);
  }
  return sum;
}

export type EventAttrs = Record<string, string>;

/** The events of one type that a delivered tx emitted, attributes as a map. */
export function txEvents(res: DeliverTxResponse, type: string): EventAttrs[] {
  return res.events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

/** Fails with the tx's log unless it succeeded. */
export function expectOk(res: DeliverTxResponse, what: string): DeliverTxResponse {
  if (res.code !== 0) throw new Error(`${what} failed (code ${res.code}): ${res.rawLog}`);
  return res;
}

/** One node's RPC reads. */
export class Rpc {
  constructor(readonly url: string) {}

  async height(): Promise<number> {
    const s = await rpcCall<{ sync_info: { latest_block_height: string } }>(this.url, 'status');
    return Number(s.sync_info.latest_block_height);
  }

  async blockTimeNs(height: number): Promise<bigint> {
    const b = await rpcCall<{ block: { header: { time: string } } }>(this.url, 'block', {
      height: String(height),
    });
    return rfc3339ToNs(b.block.header.time);
  }

  /** Consensus addresses (hex) whose precommit for the block at `height` is in its commit. */
  async commitSigners(height: number): Promise<string[]> {
    const c = await rpcCall<{
      signed_header: { commit: { signatures: { block_id_flag: number; validator_address: string }[] } };
    }>(this.url, 'commit', { height: String(height) });
    return c.signed_header.commit.signatures
      .filter((s) => s.block_id_flag === 2)
      .map((s) => s.validator_address.toUpperCase());
  }

  /** The validator set at `height` (latest when omitted): address (hex) → voting power. */
  async validators(height?: number): Promise<Map<string, bigint>> {
    const r = await rpcCall<{ validators: { address: string; voting_power: string }[] }>(
      this.url,
      'validators',
      {
        ...(height === undefined ? {} : { height: String(height) }),
        per_page: '100',
      },
    );
    return new Map(r.validators.map((v) => [v.address.toUpperCase(), BigInt(v.voting_power)]));
  }

  /** FinalizeBlock events (begin and end block) of one type in block `height`. */
  async blockEvents(height: number, type: string): Promise<EventAttrs[]> {
    const r = await rpcCall<{
      finalize_block_events: { type: string; attributes: { key: string; value: string }[] }[] | null;
    }>(this.url, 'block_results', { height: String(height) });
    return (r.finalize_block_events ?? [])
      .filter((e) => e.type === type)
      .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
  }

  /** Every tx event of one type in block `height`. */
  async txEventsAt(height: number, type: string): Promise<EventAttrs[]> {
    const r = await rpcCall<{
      txs_results: { events: { type: string; attributes: { key: string; value: string }[] }[] }[] | null;
    }>(this.url, 'block_results', { height: String(height) });
    return (r.txs_results ?? []).flatMap((t) =>
      t.events
        .filter((e) => e.type === type)
        .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value]))),
    );
  }

  /** Duplicate-vote evidence in block `height`: the double-signer (hex), its power and the vote height. */
  async duplicateVotes(height: number): Promise<{ address: string; power: bigint; height: number }[]> {
    const b = await rpcCall<{
      block: {
        evidence: {
          evidence: {
            type: string;
            value: { vote_a: { height: string; validator_address: string }; validator_power: string };
          }[];
        };
      };
    }>(this.url, 'block', { height: String(height) });
    return b.block.evidence.evidence
      .filter((e) => e.type === 'tendermint/DuplicateVoteEvidence')
      .map((e) => ({
        address: e.value.vote_a.validator_address.toUpperCase(),
        power: BigInt(e.value.validator_power),
        height: Number(e.value.vote_a.height),
      }));
  }

  async waitForHeight(height: number, ms = 60_000): Promise<void> {
    await waitFor(
      `height ${height} on ${this.url}`,
      async () => ((await this.height()) >= height ? true : undefined),
      ms,
    );
  }
}

/** RFC 3339 with up to 9 fractional digits to Unix nanoseconds. */
export function rfc3339ToNs(text: string): bigint {
  const m = /^(.*T[0-9:]+)(?:\.([0-9]{1,9}))?Z$/.exec(text);
  if (!m) throw new Error(`not an RFC 3339 UTC time: ${text}`);
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 UTC time: ${text}`);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export const timestampNs = (t: { seconds: bigint; nanos: number } | undefined): bigint =>
  t === undefined ? 0n : t.seconds * 1_000_000_000n + BigInt(t.nanos);

/** The default CosmJS registry plus MsgUnjail (not among CosmJS' defaults). */
export function stakingRegistry(): Registry {
  const registry = new Registry(defaultRegistryTypes);
  registry.register('/cosmos.slashing.v1beta1.MsgUnjail', MsgUnjail);
  return registry;
}

export function unjailMsg(validatorAddr: string): EncodeObject {
  return { typeUrl: '/cosmos.slashing.v1beta1.MsgUnjail', value: MsgUnjail.fromPartial({ validatorAddr }) };
}

/** A base port whose ranges for `nodes` nodes are all free on 127.0.0.1 (45000 and up). */
export async function freeBasePort(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const base = 45_000 + 500 * Math.floor(Math.random() * 38);
    const ports = Array.from({ length: nodes }, (_, i) => Object.values(nodePorts(base, i))).flat();
    if ((await takenPorts(ports)).length === 0) return base;
  }
  throw new Error('no free port range from 45000 on 127.0.0.1');
}

function spawnDetached(home: string, extra: readonly string[], gasPrice: string): ChildProcess {
  const fd = openSync(join(home, 'node.log'), 'a', 0o644);
  try {
    writeSync(fd, `\n=== staking e2e: hearth start ${extra.join(' ')} at ${new Date().toISOString()} ===\n`);
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, HEARTH_BIN, 'start', '--home', home, '--minimum-gas-prices', gasPrice, ...extra],
      { cwd: REPO_ROOT, detached: true, stdio: ['ignore', fd, fd] },
    );
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

async function stopPid(pid: number | null, home: string, signal: NodeJS.Signals): Promise<void> {
  if (pid === null || !isHearthNode(pid, home)) return;
  if (signal === 'SIGKILL') {
    process.kill(pid, 'SIGKILL');
    await waitFor(`pid ${pid} to exit`, async () => (isHearthNode(pid, home) ? undefined : true));
    return;
  }
  await terminate([pid], (p) => isHearthNode(p, home));
}

export interface StakingNet {
  readonly dir: string;
  readonly manifest: LocalnetManifest;
  readonly params: { staking: StakingParams; slashing: SlashingParams };
  readonly denom: string;
  readonly gasPrice: GasPrice;
  readonly comet: Comet38Client;
  readonly q: Queries;
  /** RPC of node0, the node every query and tx goes through. */
  readonly rpc: Rpc;
  readonly nodes: NodeProc[];
  actor(name: string): Promise<Actor>;
  /** valoper of node i's operator (`validator-i`). */
  valoper(i: number): string;
  /** Consensus address (hex) of node i. */
  consAddress(i: number): string;
  stopNode(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node i again (appending to its node.log), e.g. with `--unsafe-test-equivocate`. */
  restartNode(i: number, extra?: readonly string[]): void;
  /** A fresh node home (hearth init) on the localnet's genesis and peers, started; see joinNode. */
  joinNode(): Promise<NodeProc & { consPubKey: Uint8Array; consAddress: string }>;
  balance(address: string): Promise<bigint>;
  stop(): Promise<void>;
}

/**
 * Generates a 4-validator localnet in a temp dir exactly as `pnpm localnet start` does (same
 * functions, unchanged genesis), starts it detached and connects CosmJS to node0. `params` are
 * the values the localnet is meant to use; the test checks the chain reports them.
 */
export async function startStakingNet(validators = 4): Promise<StakingNet> {
  const root = tempHome('hearth-staking-e2e-');
  const dir = join(root, 'net');
  const basePort = await freeBasePort(validators + 1);
  const chainId = 'hearth-localnet-1';
  const accounts = await generateDevAccounts(validators);
  const generated = await generateLocalnet({ dir, chainId, validators, basePort }, accounts);
  writeManifest(dir, generated);
  const params = localnetDposParams();
  const extras: NodeProc[] = [];
  let comet: Comet38Client | undefined;
  const clients: SigningStargateClient[] = [];
  const stopAll = async () => {
    for (const c of clients) c.disconnect();
    comet?.disconnect();
    await stopLocalnet(dir, silent).catch(() => {});
    for (const n of [...nodes, ...extras]) await stopPid(n.pid, n.home, 'SIGTERM').catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
  const nodes: NodeProc[] = [];
  try {
    await startLocalnet(
      dir,
      {
        validators,
        basePort,
        chainId,
        detach: true,
        explicit: { validators: true, basePort: true, chainId: true },
      },
      silent,
    );
    const manifest = readManifest(dir);
    if (!manifest) throw new Error('localnet.json vanished');
    for (const n of manifest.nodes) nodes.push({ home: n.home, rpc: n.rpc, pid: n.pid, child: null });
    comet = await Comet38Client.connect(manifest.nodes[0]!.rpc);
    const q = QueryClient.withExtensions(
      comet,
      setupStakingExtension,
      setupDistributionExtension,
      setupSlashingExtension,
      setupBankExtension,
    );
    const gasPrice = GasPrice.fromString(manifest.gasPrice);
    const registry = stakingRegistry();
    const c = comet;
    const syncManifest = () => {
      const m = readManifest(dir);
      if (m)
        writeManifest(dir, { ...m, nodes: m.nodes.map((n, i) => ({ ...n, pid: nodes[i]?.pid ?? null })) });
    };
    const net: StakingNet = {
      dir,
      manifest,
      params,
      denom: manifest.denom,
      gasPrice,
      comet: c,
      q,
      rpc: new Rpc(manifest.nodes[0]!.rpc),
      nodes,
      async actor(name) {
        const a = manifest.accounts.find((x) => x.name === name);
        if (!a) throw new Error(`no dev account ${name}`);
        const wallet = await DirectSecp256k1HdWallet.fromMnemonic(a.mnemonic, {
          prefix: manifest.bech32Prefix,
        });
        const client = await SigningStargateClient.connectWithSigner(manifest.nodes[0]!.rpc, wallet, {
          gasPrice,
          registry,
          broadcastPollIntervalMs: 200,
        });
        clients.push(client);
        return { name, address: a.address, client };
      },
      valoper(i) {
        const a = manifest.accounts.find((x) => x.name === `validator-${i}`);
        if (!a) throw new Error(`no operator for node${i}`);
        return valoperOf(a.address);
      },
      consAddress: (i) => manifest.nodes[i]!.validatorAddress.toUpperCase(),
      async stopNode(i, signal = 'SIGTERM') {
        const n = nodes[i]!;
        await stopPid(n.pid, n.home, signal);
        n.pid = null;
        n.child = null;
        syncManifest();
      },
      restartNode(i, extra = []) {
        const n = nodes[i]!;
        if (n.pid !== null && isHearthNode(n.pid, n.home)) throw new Error(`node${i} is still running`);
        const child = spawnDetached(n.home, extra, manifest.gasPrice);
        n.child = child;
        n.pid = child.pid ?? null;
        syncManifest();
      },
      async joinNode() {
        const index = validators;
        const home = join(root, `joiner${index}`);
        const out = JSON.parse(
          await hearth(['init', `joiner${index}`, '--chain-id', chainId, '--home', home]),
        ) as {
          node_id: string;
          validator_address: string;
        };
        copyFileSync(
          join(manifest.nodes[0]!.home, 'config', 'genesis.json'),
          join(home, 'config', 'genesis.json'),
        );
        const ports = nodePorts(basePort, index);
        const configFile = join(home, 'config', 'config.toml');
        const peers = manifest.nodes.map((n) => `${n.nodeId}@${n.p2p.replace(/^tcp:\/\//, '')}`);
        writeNodeConfigFile(
          configFile,
          localnetNodeConfig(readNodeConfigFile(configFile), index, ports, peers),
        );
        const key = JSON.parse(readFileSync(join(home, 'config', 'priv_validator_key.json'), 'utf8')) as {
          pub_key: { type: string; value: string };
        };
        if (key.pub_key.type !== 'tendermint/PubKeyEd25519')
          throw new Error(`unexpected key ${key.pub_key.type}`);
        const consPubKey = fromBase64(key.pub_key.value);
        const consAddress = consAddressHex(consPubKey);
        if (consAddress !== out.validator_address.toUpperCase())
          throw new Error(`hearth init printed ${out.validator_address}, the key hashes to ${consAddress}`);
        const child = spawnDetached(home, [], manifest.gasPrice);
        const proc = {
          home,
          rpc: `http://127.0.0.1:${ports.rpc}`,
          pid: child.pid ?? null,
          child,
          consPubKey,
          consAddress,
        };
        extras.push(proc);
        return proc;
      },
      async balance(address) {
        return BigInt((await q.bank.balance(address, manifest.denom)).amount);
      },
      stop: stopAll,
    };
    return net;
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The fee a committed tx paid, read back from the tx bytes. */
export async function feeOf(client: SigningStargateClient, hash: string, denom: string): Promise<bigint> {
  const tx = await client.getTx(hash);
  if (!tx) throw new Error(`tx ${hash} not found`);
  return (decodeTxRaw(tx.tx).authInfo.fee?.amount ?? [])
    .filter((c) => c.denom === denom)
    .reduce((s, c) => s + BigInt(c.amount), 0n);
}

/** Tail of a node's log, for failure messages. */
export function logTail(home: string, lines = 30): string {
  try {
    return readFileSync(join(home, 'node.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
