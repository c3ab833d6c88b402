/**
 * Helpers for the network fault tests and the network benchmark: a localnet started through
 * its programmatic API (localnet/src), nodes killed and restarted by pid, CometBFT v0.38 RPC
 * reads (block, commit, block_results, validators, abci_query), and bank sends signed here.
 *
 * Every tx is encoded with the chain's `encodeProto` (a writer that keeps 64-bit values intact;
 * cosmjs-types' default writer corrupts values >= 2^31) and signed with SIGN_MODE_DIRECT over
 * the native secp256k1 binding, exactly as a CosmJS wallet would sign the same SignDoc.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Bip39, EnglishMnemonic, Slip10, Slip10Curve, stringToPath } from '@cosmjs/crypto';
import { addressFromBech32, addressToBech32, secp256k1Address } from '@hearth/chain/app/types/address';
import { encodeProto } from '@hearth/chain/codec/protoWriter';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { QueryAccountRequest, QueryAccountResponse } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { MsgMultiSend, MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import {
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
} from 'cosmjs-types/cosmos/slashing/v1beta1/query';
import { QueryValidatorRequest, QueryValidatorResponse } from 'cosmjs-types/cosmos/staking/v1beta1/query';
import type { Validator } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { AuthInfo, SignDoc, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import type { Any } from 'cosmjs-types/google/protobuf/any';
import secp256k1 from 'secp256k1';
import {
  HEARTH_BIN,
  isHearthNode,
  type LocalnetManifest,
  logFile,
  NODE_FLAGS,
  nodePorts,
  REPO_ROOT,
  readManifest,
  startLocalnet,
  stopLocalnet,
  takenPorts,
  writeManifest,
} from '../../localnet/src/index.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// RPC

export class RpcError extends Error {
  override readonly name = 'RpcError';
}

/** A keep-alive connection the server closed while this process was busy: safe to resend. */
function staleConnection(e: unknown): boolean {
  const code = (e as { cause?: { code?: string } }).cause?.code;
  return e instanceof TypeError && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET');
}

/**
 * One JSON-RPC call over HTTP POST (keep-alive), bounded in time. Sent once more when the
 * pooled connection turns out to be closed (every method used here may be repeated: a
 * repeated broadcast is answered "already exists in cache").
 */
export async function rpc<T = unknown>(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  timeoutMs = 5000,
): Promise<T> {
  const post = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  let res: Response;
  try {
    res = await post();
  } catch (e) {
    if (!staleConnection(e)) throw e;
    res = await post();
  }
  const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
  if (body.error) throw new RpcError(`${method}: ${body.error.message} ${body.error.data ?? ''}`.trim());
  if (body.result === undefined) throw new RpcError(`${method}: no result`);
  return body.result;
}

export async function height(url: string, timeoutMs = 2000): Promise<bigint> {
  const s = await rpc<{ sync_info: { latest_block_height: string } }>(url, 'status', {}, timeoutMs);
  return BigInt(s.sync_info.latest_block_height);
}

export interface CommitSig {
  flag: number;
  address: string;
}

export interface BlockInfo {
  height: bigint;
  hash: string;
  appHash: string;
  /** Header time as printed (RFC 3339). */
  time: string;
  proposer: string;
  /** The block's txs, base64 as the RPC prints them. */
  txs: string[];
  evidence: { type: string; value: { vote_a?: { validator_address?: string } | null } }[];
  lastCommit: CommitSig[];
}

interface RawSig {
  block_id_flag: number;
  validator_address: string;
}

export async function block(url: string, h: bigint, timeoutMs = 5000): Promise<BlockInfo> {
  const r = await rpc<{
    block_id: { hash: string };
    block: {
      header: { height: string; app_hash: string; time: string; proposer_address: string };
      data: { txs: string[] | null };
      evidence: { evidence: BlockInfo['evidence'] | null };
      last_commit: { signatures: RawSig[] } | null;
    };
  }>(url, 'block', { height: h.toString() }, timeoutMs);
  return {
    height: BigInt(r.block.header.height),
    hash: r.block_id.hash,
    appHash: r.block.header.app_hash,
    time: r.block.header.time,
    proposer: r.block.header.proposer_address,
    txs: r.block.data.txs ?? [],
    evidence: r.block.evidence.evidence ?? [],
    lastCommit: (r.block.last_commit?.signatures ?? []).map((s) => ({
      flag: s.block_id_flag,
      address: s.validator_address,
    })),
  };
}

/** The commit for height h (the signatures of h's own precommits), as /commit prints it. */
export async function commit(url: string, h: bigint): Promise<{ hash: string; sigs: CommitSig[] }> {
  const r = await rpc<{ signed_header: { commit: { block_id: { hash: string }; signatures: RawSig[] } } }>(
    url,
    'commit',
    { height: h.toString() },
  );
  return {
    hash: r.signed_header.commit.block_id.hash,
    sigs: r.signed_header.commit.signatures.map((s) => ({
      flag: s.block_id_flag,
      address: s.validator_address,
    })),
  };
}

export interface BlockResults {
  /** Upper-case hex (the RPC prints this one as base64, as CometBFT's []byte). */
  appHash: string;
  codes: number[];
}

export async function blockResults(url: string, h: bigint, timeoutMs = 10_000): Promise<BlockResults> {
  const r = await rpc<{ app_hash: string; txs_results: { code?: number }[] | null }>(
    url,
    'block_results',
    { height: h.toString() },
    timeoutMs,
  );
  return {
    appHash: Buffer.from(r.app_hash, 'base64').toString('hex').toUpperCase(),
    codes: (r.txs_results ?? []).map((t) => t.code ?? 0),
  };
}

export async function validatorSet(url: string): Promise<{ address: string; power: bigint }[]> {
  const r = await rpc<{ validators: { address: string; voting_power: string }[] }>(url, 'validators', {
    per_page: '100',
  });
  return r.validators.map((v) => ({ address: v.address, power: BigInt(v.voting_power) }));
}

/** `abci_query` of a gRPC-over-ABCI path; the raw response value (throws on a non-zero code). */
export async function abciQuery(url: string, path: string, data: Uint8Array): Promise<Uint8Array> {
  const r = await rpc<{ response: { code: number; log: string; value: string | null } }>(url, 'abci_query', {
    path,
    data: Buffer.from(data).toString('hex'),
  });
  if (r.response.code !== 0)
    throw new RpcError(`abci_query ${path}: code ${r.response.code} ${r.response.log}`);
  return Buffer.from(r.response.value ?? '', 'base64');
}

/** Account number and sequence of an existing account (BaseAccount). */
export async function account(url: string, address: string): Promise<{ number: bigint; sequence: bigint }> {
  const value = await abciQuery(
    url,
    '/cosmos.auth.v1beta1.Query/Account',
    encodeProto(QueryAccountRequest, { address }),
  );
  const any = QueryAccountResponse.decode(value).account;
  if (any?.typeUrl !== '/cosmos.auth.v1beta1.BaseAccount')
    throw new Error(`account ${address}: unexpected ${any?.typeUrl ?? 'nothing'}`);
  const acc = BaseAccount.decode(any.value);
  return { number: acc.accountNumber, sequence: acc.sequence };
}

export async function stakingValidator(url: string, operator: string): Promise<Validator> {
  const value = await abciQuery(
    url,
    '/cosmos.staking.v1beta1.Query/Validator',
    encodeProto(QueryValidatorRequest, { validatorAddr: operator }),
  );
  const v = QueryValidatorResponse.decode(value).validator;
  if (!v) throw new Error(`no validator ${operator}`);
  return v;
}

export async function signingInfo(url: string, consAddress: string) {
  const value = await abciQuery(
    url,
    '/cosmos.slashing.v1beta1.Query/SigningInfo',
    encodeProto(QuerySigningInfoRequest, { consAddress }),
  );
  const info = QuerySigningInfoResponse.decode(value).valSigningInfo;
  if (!info) throw new Error(`no signing info for ${consAddress}`);
  return info;
}

/** A node's Prometheus metrics (unlabelled samples only), scraped from its /metrics URL. */
export async function scrapeMetrics(url: string, timeoutMs = 5000): Promise<Map<string, number>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Polls `f` until it yields a value; the last error is kept for the timeout message. */
export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await sleep(150);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and txs

export interface Key {
  priv: Uint8Array;
  pub: Uint8Array;
  address: string;
}

export function keyFromPrivate(priv: Uint8Array): Key {
  if (!secp256k1.privateKeyVerify(priv)) throw new Error('not a valid secp256k1 private key');
  const pub = secp256k1.publicKeyCreate(priv, true);
  return { priv, pub, address: addressToBech32(secp256k1Address(pub)) };
}

/** A key that is the same on every run: sha256(seed) as the private key. */
export function deterministicKey(seed: string): Key {
  return keyFromPrivate(new Uint8Array(createHash('sha256').update(seed).digest()));
}

/** The key CosmJS' DirectSecp256k1HdWallet derives from a mnemonic (m/44'/118'/0'/0/0). */
export async function keyFromMnemonic(mnemonic: string): Promise<Key> {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic));
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath("m/44'/118'/0'/0/0"));
  return keyFromPrivate(privkey);
}

export function msgSend(from: string, to: string, amount: bigint, denom: string): Any {
  return {
    typeUrl: '/cosmos.bank.v1beta1.MsgSend',
    value: encodeProto(MsgSend, {
      fromAddress: from,
      toAddress: to,
      amount: [{ denom, amount: amount.toString() }],
    }),
  };
}

export function msgMultiSend(from: string, outputs: readonly string[], each: bigint, denom: string): Any {
  const coin = (n: bigint) => [{ denom, amount: n.toString() }];
  return {
    typeUrl: '/cosmos.bank.v1beta1.MsgMultiSend',
    value: encodeProto(MsgMultiSend, {
      inputs: [{ address: from, coins: coin(each * BigInt(outputs.length)) }],
      outputs: outputs.map((address) => ({ address, coins: coin(each) })),
    }),
  };
}

export interface SignOptions {
  chainId: string;
  accountNumber: bigint;
  sequence: bigint;
  gasLimit: bigint;
  /** Fee amount in `denom`. */
  fee: bigint;
  denom: string;
  memo?: string;
}

/** TxRaw bytes of `messages` signed by `key` (SIGN_MODE_DIRECT). */
export function signTx(key: Key, messages: Any[], o: SignOptions): Uint8Array {
  const bodyBytes = encodeProto(TxBody, {
    messages,
    memo: o.memo ?? '',
    timeoutHeight: 0n,
    unordered: false,
    extensionOptions: [],
    nonCriticalExtensionOptions: [],
  });
  const authInfoBytes = encodeProto(AuthInfo, {
    signerInfos: [
      {
        publicKey: {
          typeUrl: '/cosmos.crypto.secp256k1.PubKey',
          value: encodeProto(PubKey, { key: key.pub }),
        },
        modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
        sequence: o.sequence,
      },
    ],
    fee: {
      amount: [{ denom: o.denom, amount: o.fee.toString() }],
      gasLimit: o.gasLimit,
      payer: '',
      granter: '',
    },
  });
  const signDoc = encodeProto(SignDoc, {
    bodyBytes,
    authInfoBytes,
    chainId: o.chainId,
    accountNumber: o.accountNumber,
  });
  const { signature } = secp256k1.ecdsaSign(createHash('sha256').update(signDoc).digest(), key.priv);
  return encodeProto(TxRaw, { bodyBytes, authInfoBytes, signatures: [signature] });
}

/** The CometBFT tx hash: upper-case hex SHA-256 of the tx bytes. */
export function txHash(tx: Uint8Array): string {
  return createHash('sha256').update(tx).digest('hex').toUpperCase();
}

export interface BroadcastResult {
  code: number;
  log: string;
  hash: string;
}

export async function broadcastSync(
  url: string,
  tx: Uint8Array,
  timeoutMs = 10_000,
): Promise<BroadcastResult> {
  const r = await rpc<{ code: number; log: string; hash: string }>(
    url,
    'broadcast_tx_sync',
    { tx: Buffer.from(tx).toString('base64') },
    timeoutMs,
  );
  return { code: r.code, log: r.log, hash: r.hash };
}

/** `hearthvaloper...` / `hearthvalcons...` forms. */
export function valoperOf(accountAddress: string): string {
  return addressToBech32(addressFromBech32(accountAddress), 'hearthvaloper');
}
export function valconsOf(hexAddress: string): string {
  return addressToBech32(Buffer.from(hexAddress, 'hex'), 'hearthvalcons');
}

// ---------------------------------------------------------------------------------------------
// The localnet

const quietIo = { out: () => {}, err: () => {} };

export interface LocalNetOptions {
  dir: string;
  validators: number;
  basePort: number;
}

/**
 * A detached localnet whose nodes this process may kill and restart by pid. `close()` stops
 * every node (those restarted by hand included) and removes the directory.
 */
export class LocalNet {
  private readonly started = new Set<number>();

  private constructor(
    readonly dir: string,
    public manifest: LocalnetManifest,
  ) {
    for (const n of manifest.nodes) if (n.pid !== null) this.started.add(n.pid);
  }

  static async start(o: LocalNetOptions): Promise<LocalNet> {
    try {
      await startLocalnet(
        o.dir,
        {
          validators: o.validators,
          basePort: o.basePort,
          chainId: 'hearth-localnet-1',
          detach: true,
          explicit: { validators: true, basePort: true, chainId: true },
          firstBlockTimeoutMs: 90_000,
        },
        quietIo,
      );
    } catch (e) {
      rmSync(o.dir, { recursive: true, force: true });
      throw e;
    }
    const m = readManifest(o.dir);
    if (!m) throw new Error(`no localnet.json in ${o.dir} after start`);
    return new LocalNet(o.dir, m);
  }

  get size(): number {
    return this.manifest.nodes.length;
  }

  rpc(i: number): string {
    return this.node(i).rpc;
  }

  node(i: number) {
    const n = this.manifest.nodes[i];
    if (!n) throw new Error(`no node ${i} in a ${this.size}-node localnet`);
    return n;
  }

  running(i: number): boolean {
    const n = this.node(i);
    return n.pid !== null && isHearthNode(n.pid, n.home);
  }

  /** Signals node i's process and waits until it is gone. */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 30_000): Promise<void> {
    const n = this.node(i);
    if (n.pid === null || !isHearthNode(n.pid, n.home)) throw new Error(`${n.moniker} is not running`);
    process.kill(n.pid, signal);
    const pid = n.pid;
    await waitFor(
      `${n.moniker} (pid ${pid}) to exit after ${signal}`,
      async () => (isHearthNode(pid, n.home) ? undefined : true),
      timeoutMs,
    );
    this.setPid(i, null);
  }

  /** Byte length of node i's log right now (to read only what follows). */
  logSize(i: number): number {
    try {
      return statSync(logFile(this.node(i).home)).size;
    } catch {
      return 0;
    }
  }

  log(i: number, from = 0): string {
    return readFileSync(logFile(this.node(i).home))
      .subarray(from)
      .toString('utf8');
  }

  /**
   * Starts node i again as the localnet does (same flags, output appended to node.log), plus
   * `extra` flags; resolves once its RPC answers.
   */
  async restart(i: number, extra: string[] = []): Promise<void> {
    const n = this.node(i);
    if (this.running(i)) throw new Error(`${n.moniker} is still running`);
    const fd = openSync(logFile(n.home), 'a', 0o644);
    let pid: number | undefined;
    try {
      writeSync(fd, `\n=== networkKit: hearth start ${extra.join(' ')} at ${new Date().toISOString()} ===\n`);
      const child = spawn(
        process.execPath,
        [
          ...NODE_FLAGS,
          HEARTH_BIN,
          'start',
          '--home',
          n.home,
          '--minimum-gas-prices',
          this.manifest.gasPrice,
          ...extra,
        ],
        { cwd: REPO_ROOT, detached: true, stdio: ['ignore', fd, fd] },
      );
      child.unref();
      pid = child.pid;
    } finally {
      closeSync(fd);
    }
    if (pid === undefined) throw new Error(`could not spawn ${n.moniker}`);
    this.started.add(pid);
    this.setPid(i, pid);
    await waitFor(
      `${n.moniker} RPC after restart`,
      async () => {
        if (!isHearthNode(pid, n.home))
          throw new Error(`${n.moniker} exited; log:\n${this.log(i).slice(-2000)}`);
        await height(n.rpc);
        return true;
      },
      60_000,
    );
  }

  private setPid(i: number, pid: number | null): void {
    this.manifest = {
      ...this.manifest,
      nodes: this.manifest.nodes.map((n, j) => (j === i ? { ...n, pid } : n)),
    };
    writeManifest(this.dir, this.manifest);
  }

  /** Stops every node this localnet ran (SIGTERM, then SIGKILL) and deletes its directory. */
  async close(keepDir = false): Promise<void> {
    try {
      await stopLocalnet(this.dir, quietIo);
    } finally {
      const homes = this.manifest.nodes.map((n) => n.home);
      for (const pid of this.started)
        if (homes.some((h) => isHearthNode(pid, h))) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Where node i of a localnet at `basePort` keeps its files (for messages). */
export function nodeHome(dir: string, i: number): string {
  return join(dir, `node${i}`);
}

/** The first base port from `start` up (in steps of 1000) whose whole range is free on loopback. */
export async function freeBasePort(start: number, validators: number): Promise<number> {
  for (let base = start; base + 100 * validators < 65_000; base += 1000) {
    const ports = Array.from({ length: validators }, (_, i) => Object.values(nodePorts(base, i))).flat();
    if ((await takenPorts(ports)).length === 0) return base;
  }
  throw new Error(`no free port range on 127.0.0.1 from ${start} up`);
}

// ---------------------------------------------------------------------------------------------
// A steady, low tx load

export interface Sender {
  key: Key;
  accountNumber: bigint;
  sequence: bigint;
}

export interface SteadyLoadOptions {
  chainId: string;
  denom: string;
  senders: Sender[];
  to: string;
  /** Txs per second (one at a time, each awaited). */
  rate: number;
  /** RPC URLs to broadcast to, asked before every tx (so a test can take a node out). */
  targets: () => string[];
}

/**
 * Bank sends of 1 uhth from a few accounts at a fixed rate, round-robin over senders and
 * nodes. Sequences are tracked locally; a tx lost with a killed node shows up as a sequence
 * mismatch at the next node, and the sender resumes from the sequence that node expects.
 */
export class SteadyLoad {
  /** Hashes of txs accepted by CheckTx, with the node that accepted them. */
  readonly accepted: { hash: string; node: string }[] = [];
  rejected = 0;
  failures = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: SteadyLoadOptions) {
    if (o.senders.length === 0) throw new Error('SteadyLoad needs at least one sender');
    if (!(o.rate > 0)) throw new Error('SteadyLoad rate must be positive');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.o.rate;
    let k = 0;
    let next = Date.now();
    while (this.running) {
      const s = this.o.senders[k % this.o.senders.length]!;
      const targets = this.o.targets();
      const url = targets[k % Math.max(1, targets.length)];
      k++;
      if (url !== undefined) await this.sendOne(s, url);
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  }

  private async sendOne(s: Sender, url: string): Promise<void> {
    const tx = signTx(s.key, [msgSend(s.key.address, this.o.to, 1n, this.o.denom)], {
      chainId: this.o.chainId,
      accountNumber: s.accountNumber,
      sequence: s.sequence,
      gasLimit: 200_000n,
      fee: 5000n,
      denom: this.o.denom,
    });
    try {
      const r = await broadcastSync(url, tx, 3000);
      if (r.code === 0) {
        this.accepted.push({ hash: r.hash, node: url });
        s.sequence++;
        return;
      }
      this.rejected++;
      const m = /account sequence mismatch, expected ([0-9]+)/.exec(r.log);
      if (m) s.sequence = BigInt(m[1]!);
    } catch (e) {
      // The same bytes again (deterministic signatures) are already known to this node.
      if (/already exists in cache/.test((e as Error).message)) {
        this.accepted.push({ hash: txHash(tx), node: url });
        s.sequence++;
        return;
      }
      this.failures++; // node down or busy: the same sequence goes out next time
    }
  }
}
