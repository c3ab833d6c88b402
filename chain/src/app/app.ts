/**
 * HearthApp: the ABCI 2.0 application. It owns the multistore and the modules, and implements
 * `Application` so that Hearth's own node and a real CometBFT (through the socket server) drive
 * the identical code path.
 *
 * States, as in the SDK's baseapp: the *working* state (the multistore's uncommitted tree) that
 * InitChain and FinalizeBlock write, and the *check* state, a branch over it that CheckTx and
 * simulations write and that is reset at every Commit.
 */

import { escrowV1, marketV1, providerV1 } from '@hearth/sdk';
import { SimulateRequest, SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import type { Timestamp } from 'cosmjs-types/google/protobuf/timestamp';
import {
  type ExecTxResult,
  type Misbehavior,
  type RequestCheckTx,
  type RequestCommit,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  ResponseProcessProposal_ProposalStatus,
  type ResponseQuery,
  type ValidatorUpdate,
  type VoteInfo,
} from 'cosmjs-types/tendermint/abci/types';
import { ConsensusParams } from 'cosmjs-types/tendermint/types/params';
import { BaseApplication } from '../abci/application.js';
import { encodeProto } from '../codec/protoWriter.js';
import type { SigCheck, SignatureVerifier } from '../crypto/secp256k1.js';
import type { CacheMultiStore, CommitMultiStore, MultiStore } from '../store/types.js';
import { prepareSignatureChecks, SignatureCache } from './baseapp/ante.js';
import { MsgRouter, QueryRouter } from './baseapp/router.js';
import {
  DecodedTxCache,
  type RunMode,
  resolveTx,
  runTx,
  type TxResult,
  type TxRunner,
  txKeyOf,
} from './baseapp/runTx.js';
import { decodeTx, type TxLimits } from './baseapp/txDecoder.js';
import { AuthKeeper } from './modules/auth/keeper.js';
import { StoreKey as AuthStoreKey, FeeCollectorName } from './modules/auth/keys.js';
import { authModule } from './modules/auth/module.js';
import { BankKeeper } from './modules/bank/keeper.js';
import { StoreKey as BankStoreKey } from './modules/bank/keys.js';
import { bankModule } from './modules/bank/module.js';
import { localnetEscrowParams } from './modules/escrow/params.js';
import type { DeliverGenTx } from './modules/genutil/genesis.js';
import {
  createMarketplace,
  MARKETPLACE_MODULE_PERMISSIONS,
  MARKETPLACE_STORE_KEYS,
} from './modules/market/marketplace.js';
import { localnetMarketParams } from './modules/market/params.js';
import { localnetProviderParams } from './modules/provider/params.js';
import {
  createDpos,
  DPOS_MODULE_PERMISSIONS,
  DPOS_STORE_KEYS,
  evidenceParamsFrom,
  localnetDposAppState,
} from './modules/staking/wiring.js';
import { addressToBech32, moduleAddress } from './types/address.js';
import { type BlockHeader, Context } from './types/context.js';
import type { DecCoin } from './types/decimal.js';
import {
  ErrInvalidHeight,
  ErrInvalidRequest,
  ErrUnknownRequest,
  QueryError,
  SdkError,
  toSdkError,
} from './types/errors.js';
import { GenesisError, obj } from './types/json.js';
import { fromUtf8, readU64BE, u64BE, utf8 } from './types/keys.js';
import { parseDecCoins } from './types/legacyDec.js';
import type { AppModule, Invariant } from './types/module.js';
import { snakeKeys } from './types/tsproto.js';

export const APP_NAME = 'hearth';
export const APP_VERSION = '0.1.0';
/** The application protocol version reported to consensus (block header `version.app`). */
export const APP_PROTOCOL_VERSION = 1n;

const ConsensusStoreKey = 'consensus';
const ConsensusParamsKey = Uint8Array.of(0x00);
const LastBlockKey = Uint8Array.of(0x01);
const ChainIdKey = Uint8Array.of(0x02);

/** Every module store this app keeps; the set is fixed for the life of a database. */
export const APP_STORE_NAMES: readonly string[] = [
  AuthStoreKey,
  BankStoreKey,
  ConsensusStoreKey,
  ...DPOS_STORE_KEYS,
  ...MARKETPLACE_STORE_KEYS,
].sort();

export const DEFAULT_TX_LIMITS: TxLimits = { maxTxBytes: 1024 * 1024, maxMsgs: 64, maxSignatures: 16 };

export interface HearthAppOptions {
  store: CommitMultiStore;
  /** Node policy for CheckTx, e.g. "0.025uhth"; empty accepts any fee. */
  minGasPrices?: string;
  txLimits?: Partial<TxLimits>;
  /** Run every module invariant after each block and halt if one breaks (tests, simulations). */
  checkInvariants?: boolean;
  /**
   * Where signatures are checked ahead of the ante handler: the host passes a
   * SignatureVerifierPool to use worker threads. Without one there is no pre-verification
   * (it would only move the same work around) and the ante handler verifies inline.
   */
  sigVerifier?: SignatureVerifier;
}

/** Module account permissions: every module account the app has. */
export const MODULE_ACCOUNT_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  [FeeCollectorName]: [],
  ...DPOS_MODULE_PERMISSIONS,
  ...MARKETPLACE_MODULE_PERMISSIONS,
};

/** The account that may sign params updates: the (future) governance module's. */
export const GOV_AUTHORITY = moduleAddress('gov');

const noGenTxDelivery: DeliverGenTx = () => {
  throw new Error('gentxs are delivered by a running app only');
};

/**
 * The keepers and modules, wired. `modules` is in genesis order: auth, bank, the proof-of-stake
 * modules, the marketplace, and genutil last (it delivers the gentxs once every module has its
 * params). Block hooks run in their own fixed order (`beginBlock`, `endBlock`).
 */
export function createModules(deliverGenTx: DeliverGenTx = noGenTxDelivery) {
  const auth = new AuthKeeper(MODULE_ACCOUNT_PERMISSIONS);
  const bank = new BankKeeper(auth);
  const dpos = createDpos(auth, bank, deliverGenTx);
  const marketplace = createMarketplace({
    bank,
    auth,
    distribution: dpos.distribution,
    authority: GOV_AUTHORITY,
  });
  const genutil = dpos.modules.filter((m) => m.name === 'genutil');
  const modules: AppModule[] = [
    authModule(auth),
    bankModule(bank),
    ...dpos.modules.filter((m) => m.name !== 'genutil'),
    ...marketplace.modules,
    ...genutil,
  ];
  const byName = new Map(modules.map((m) => [m.name, m]));
  return {
    auth,
    bank,
    dpos,
    marketplace,
    modules,
    /** Block start: mint, distribution (by the last commit's votes), slashing, staking. */
    beginBlock(
      ctx: Context,
      votes: readonly VoteInfo[],
      misbehavior: readonly Misbehavior[],
      params?: ConsensusParams,
    ) {
      dpos.beginBlock(ctx, votes, misbehavior, evidenceParamsFrom(params));
    },
    /** Block end: staking's validator-set changes, then escrow settlement, provider faults, market expiries. */
    endBlock(ctx: Context): ValidatorUpdate[] {
      const updates = dpos.endBlock(ctx);
      for (const name of marketplace.endBlockOrder) byName.get(name)?.endBlock?.(ctx);
      return updates;
    },
  };
}

/** The genesis `app_state` of a new chain: every module's defaults. */
export function defaultAppState(): Record<string, unknown> {
  return Object.fromEntries(createModules().modules.map((m) => [m.name, m.defaultGenesis()]));
}

/**
 * The `app_state` of a localnet: every module's defaults, with the short durations that make
 * demos and tests take seconds (20 s unbonding, a 20-block liveness window, marketplace
 * heartbeats, bid and order lifetimes of a few blocks).
 */
export function localnetAppState(): Record<string, unknown> {
  const state = defaultAppState() as Record<string, Record<string, unknown>>;
  for (const [name, section] of Object.entries(localnetDposAppState())) {
    state[name] = { ...state[name], ...(section as Record<string, unknown>) };
  }
  state.provider = {
    ...state.provider,
    params: snakeKeys(providerV1.Params.toJSON(localnetProviderParams())),
  };
  state.market = { ...state.market, params: snakeKeys(marketV1.Params.toJSON(localnetMarketParams())) };
  state.escrow = { ...state.escrow, params: snakeKeys(escrowV1.Params.toJSON(localnetEscrowParams())) };
  return state;
}

/** Checks an `app_state` object without opening any state; throws a GenesisError naming the field. */
export function validateAppState(appState: unknown): void {
  const { modules } = createModules();
  const state = obj(appState, 'app_state');
  for (const m of modules) m.validateGenesis(state[m.name] ?? m.defaultGenesis());
  const known = new Set(modules.map((m) => m.name));
  for (const k of Object.keys(state))
    if (!known.has(k)) throw new GenesisError(`app_state.${k}`, 'no such module in this app');
}

const toNs = (t: Timestamp): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos);

export class HearthApp extends BaseApplication {
  readonly store: CommitMultiStore;
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly modules: AppModule[];
  private readonly wiring: ReturnType<typeof createModules>;
  readonly msgRouter = new MsgRouter();
  readonly queryRouter = new QueryRouter();
  readonly sigCache = new SignatureCache();
  readonly minGasPrices: DecCoin[];
  private readonly runner: TxRunner;
  private readonly checkInvariantsEachBlock: boolean;
  private checkState: CacheMultiStore;
  private checkHeader: BlockHeader;
  private consensusParams: ConsensusParams | undefined;
  /** Set between FinalizeBlock and Commit. */
  private pendingHeight: bigint | undefined;
  private readonly sigVerifier: SignatureVerifier | undefined;
  /** Signature pre-verification started by ProcessProposal, awaited by FinalizeBlock. */
  private proposalVerification: Promise<void> = Promise.resolve();

  constructor(opts: HearthAppOptions) {
    super();
    this.store = opts.store;
    this.minGasPrices = parseDecCoins(opts.minGasPrices ?? '');
    this.checkInvariantsEachBlock = opts.checkInvariants ?? false;
    this.sigVerifier = opts.sigVerifier;
    // Gentxs are delivered through the same tx pipeline as every other tx (bound below).
    const wiring = createModules((ctx, tx) => {
      const r = runTx(this.runner, ctx.store as CacheMultiStore, ctx.header, 'finalize', tx);
      return { code: r.code, log: r.log };
    });
    this.wiring = wiring;
    this.auth = wiring.auth;
    this.bank = wiring.bank;
    this.modules = wiring.modules;
    for (const m of this.modules) {
      this.msgRouter.register(m);
      this.queryRouter.register(m);
    }
    this.runner = {
      router: this.msgRouter,
      limits: { ...DEFAULT_TX_LIMITS, ...opts.txLimits },
      decoded: new DecodedTxCache(),
      ante: {
        auth: this.auth,
        bank: this.bank,
        minGasPrices: this.minGasPrices,
        maxBlockGas: () => this.consensusParams?.block?.maxGas ?? -1n,
        sigCache: this.sigCache,
      },
    };
    this.checkState = this.store.cacheMultiStore();
    this.checkHeader = this.loadCheckHeader();
  }

  // --- state helpers ----------------------------------------------------------------------

  private readCtx(store: MultiStore = this.store): Context {
    return new Context(store, { chainId: '', height: 0n, timeNs: 0n, proposer: new Uint8Array() }, 'query');
  }

  /** The header CheckTx runs under: the next height, at the last block's time. */
  private loadCheckHeader(): BlockHeader {
    const kv = this.store.getKVStore(ConsensusStoreKey);
    const chainIdBytes = kv.get(ChainIdKey);
    const last = kv.get(LastBlockKey);
    const paramsBytes = kv.get(ConsensusParamsKey);
    this.consensusParams = paramsBytes ? ConsensusParams.decode(paramsBytes) : undefined;
    const height = last ? readU64BE(last) : 0n;
    const timeNs = last ? readU64BE(last, 8) : 0n;
    return {
      chainId: chainIdBytes ? fromUtf8(chainIdBytes) : '',
      height: height + 1n,
      timeNs,
      proposer: new Uint8Array(),
    };
  }

  get chainId(): string {
    return this.checkHeader.chainId;
  }

  /** Runs every invariant against the working state; returns the broken ones. */
  brokenInvariants(): string[] {
    const ctx = this.readCtx();
    const all: Invariant[] = this.modules.flatMap((m) => m.invariants ?? []);
    return all.flatMap((inv) => {
      const why = inv.check(ctx);
      return why === undefined ? [] : [`${inv.name}: ${why}`];
    });
  }

  // --- info and genesis -------------------------------------------------------------------

  override async info(_req: RequestInfo): Promise<ResponseInfo> {
    const last = this.store.lastCommitId();
    return {
      data: APP_NAME,
      version: APP_VERSION,
      appVersion: APP_PROTOCOL_VERSION,
      lastBlockHeight: BigInt(last.version),
      lastBlockAppHash: last.version === 0 ? new Uint8Array() : last.hash,
    };
  }

  /** Checks an `app_state` object: every module's section must parse and add up. */
  validateGenesis(appState: unknown): void {
    const state = obj(appState, 'app_state');
    for (const m of this.modules) m.validateGenesis(state[m.name] ?? m.defaultGenesis());
    const known = new Set(this.modules.map((m) => m.name));
    for (const k of Object.keys(state))
      if (!known.has(k)) throw new GenesisError(`app_state.${k}`, 'no such module in this app');
  }

  defaultGenesis(): Record<string, unknown> {
    return Object.fromEntries(this.modules.map((m) => [m.name, m.defaultGenesis()]));
  }

  exportGenesis(): Record<string, unknown> {
    const ctx = this.readCtx();
    return Object.fromEntries(this.modules.map((m) => [m.name, m.exportGenesis(ctx)]));
  }

  override async initChain(req: RequestInitChain): Promise<ResponseInitChain> {
    if (this.store.lastCommitId().version !== 0)
      throw new Error('InitChain called on a chain that already has blocks');
    if (req.initialHeight !== 1n && req.initialHeight !== 0n) {
      throw new Error(
        `initial_height ${req.initialHeight} is not supported: Hearth chains start at height 1`,
      );
    }
    if (!req.chainId) throw new Error('InitChain: empty chain-id');
    const text = req.appStateBytes.length === 0 ? '{}' : fromUtf8(req.appStateBytes);
    let appState: unknown;
    try {
      appState = JSON.parse(text);
    } catch (e) {
      throw new GenesisError('app_state', `not valid JSON: ${(e as Error).message}`);
    }
    this.validateGenesis(appState);
    const state = appState as Record<string, unknown>;
    const branch = this.store.cacheMultiStore();
    const header: BlockHeader = {
      chainId: req.chainId,
      height: 0n,
      timeNs: toNs(req.time!),
      proposer: new Uint8Array(),
    };
    const ctx = new Context(branch, header, 'genesis');
    const updates: ValidatorUpdate[] = [];
    for (const m of this.modules)
      updates.push(...(m.initGenesis(ctx, state[m.name] ?? m.defaultGenesis()) ?? []));
    const kv = branch.getKVStore(ConsensusStoreKey);
    kv.set(ChainIdKey, utf8(req.chainId));
    if (req.consensusParams) kv.set(ConsensusParamsKey, encodeProto(ConsensusParams, req.consensusParams));
    kv.set(LastBlockKey, new Uint8Array([...u64BE(0n), ...u64BE(header.timeNs)]));
    branch.write();
    this.checkHeader = this.loadCheckHeader();
    this.checkState = this.store.cacheMultiStore();
    const broken = this.brokenInvariants();
    if (broken.length > 0) throw new GenesisError('app_state', `invariants broken: ${broken.join('; ')}`);
    return {
      consensusParams: undefined,
      validators: updates.length > 0 ? updates : req.validators,
      appHash: this.store.workingHash(),
    };
  }

  // --- mempool ----------------------------------------------------------------------------

  override async checkTx(req: RequestCheckTx): Promise<ResponseCheckTx> {
    const mode: RunMode = req.type === 1 ? 'recheck' : 'check';
    return abciTxResult(runTx(this.runner, this.checkState, this.checkHeader, mode, req.tx));
  }

  /**
   * Verifies a tx's signatures with the host's verifier (nothing without one) against the check state,
   * remembering success in the SignatureCache so that the CheckTx that follows skips them. Safe
   * to call without holding the app's lock: it reads state and never writes it, and a stale
   * read only means the cache entry does not match and CheckTx verifies inline.
   */
  async preVerifyTx(tx: Uint8Array): Promise<void> {
    await this.preVerify([tx], this.checkState, this.checkHeader, true);
  }

  /**
   * Pre-verifies the signatures of `txs` against `store` (see preVerifyTx); txs already in the
   * SignatureCache are skipped. Never rejects.
   */
  private async preVerify(
    txs: readonly Uint8Array[],
    store: MultiStore,
    header: BlockHeader,
    remember: boolean,
  ): Promise<void> {
    const verifier = this.sigVerifier;
    if (!verifier) return;
    const ctx = new Context(store, header, 'check');
    const jobs: { key: string; fingerprint: string; from: number; count: number }[] = [];
    const checks: SigCheck[] = [];
    for (const tx of txs) {
      try {
        const key = txKeyOf(tx);
        if (this.sigCache.has(key)) continue;
        const resolved = resolveTx(this.runner, tx, key, remember);
        const prepared = prepareSignatureChecks(ctx, resolved.tx, resolved.signers, this.auth);
        if (!prepared) continue;
        jobs.push({
          key,
          fingerprint: prepared.fingerprint,
          from: checks.length,
          count: prepared.checks.length,
        });
        checks.push(...prepared.checks);
      } catch {
        // Undecodable or invalid: CheckTx / FinalizeBlock reports it.
      }
    }
    if (checks.length === 0) return;
    let ok: boolean[];
    try {
      ok = await verifier.verify(checks);
    } catch {
      return; // a failing verifier only means the ante handler verifies inline
    }
    for (const j of jobs) {
      let all = true;
      for (let i = j.from; i < j.from + j.count; i++) all &&= ok[i] === true;
      if (all) this.sigCache.add(j.key, j.fingerprint);
    }
  }

  /**
   * What the node's mempool orders by: the tx's first signer, that signer's sequence and the fee
   * per unit of gas. Undefined for a tx that does not decode (it never passed CheckTx anyway).
   */
  mempoolTxInfo(tx: Uint8Array): { sender: string; sequence: bigint; priority: bigint } | undefined {
    let resolved: ReturnType<typeof resolveTx>;
    try {
      // Usually a cache hit: CheckTx has just decoded this tx.
      resolved = resolveTx(this.runner, tx, txKeyOf(tx), false);
    } catch {
      return undefined;
    }
    const decoded = resolved.tx;
    const signer = decoded.authInfo.signerInfos[0];
    const sender = resolved.signers[0];
    if (!signer || !sender) return undefined;
    const fee = decoded.authInfo.fee!;
    const amount = fee.amount[0] ? BigInt(fee.amount[0].amount) : 0n;
    return {
      sender: addressToBech32(sender),
      sequence: signer.sequence,
      priority: fee.gasLimit > 0n ? amount / fee.gasLimit : 0n,
    };
  }

  /** Gas estimation: runs the tx (signatures not checked) on a throwaway branch of the check state. */
  simulate(txBytes: Uint8Array): TxResult {
    return runTx(this.runner, this.checkState.cacheMultiStore(), this.checkHeader, 'simulate', txBytes);
  }

  // --- proposals --------------------------------------------------------------------------

  private txGas(tx: Uint8Array): bigint | undefined {
    try {
      // Usually decoded already (CheckTx or pre-verification); decoding is pure, so the cached
      // result is the same as decoding again.
      const decoded = this.runner.decoded.get(txKeyOf(tx))?.tx ?? decodeTx(tx, this.runner.limits);
      return decoded.authInfo.fee!.gasLimit;
    } catch {
      return undefined;
    }
  }

  override async prepareProposal(req: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    const maxGas = this.consensusParams?.block?.maxGas ?? -1n;
    const txs: Uint8Array[] = [];
    let bytes = 0n;
    let gas = 0n;
    for (const tx of req.txs) {
      const g = this.txGas(tx);
      if (g === undefined) continue; // undecodable: never proposed
      const size = BigInt(tx.length) + 8n; // protobuf overhead of a tx in Data, as CometBFT counts it
      if (bytes + size > req.maxTxBytes) break;
      if (maxGas >= 0n && gas + g > maxGas) continue;
      txs.push(tx);
      bytes += size;
      gas += g;
    }
    return { txs };
  }

  override async processProposal(req: RequestProcessProposal): Promise<ResponseProcessProposal> {
    // Verify the proposal's signatures on worker threads while consensus votes; FinalizeBlock
    // waits for this and then skips the verified ones.
    const header = { ...this.checkHeader, height: req.height };
    const previous = this.proposalVerification;
    this.proposalVerification = previous.then(() => this.preVerify(req.txs, this.store, header, false));
    const maxGas = this.consensusParams?.block?.maxGas ?? -1n;
    let gas = 0n;
    for (const tx of req.txs) {
      const g = this.txGas(tx);
      if (g === undefined) return { status: ResponseProcessProposal_ProposalStatus.REJECT };
      gas += g;
    }
    if (maxGas >= 0n && gas > maxGas) return { status: ResponseProcessProposal_ProposalStatus.REJECT };
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }

  // --- blocks -----------------------------------------------------------------------------

  override async finalizeBlock(req: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    const expected = BigInt(this.store.lastCommitId().version) + 1n;
    if (req.height !== expected)
      throw new Error(`FinalizeBlock at height ${req.height}, expected ${expected}`);
    if (this.pendingHeight !== undefined)
      throw new Error(`FinalizeBlock ${req.height} before Commit of ${this.pendingHeight}`);
    const header: BlockHeader = {
      chainId: this.checkHeader.chainId,
      height: req.height,
      timeNs: toNs(req.time!),
      proposer: req.proposerAddress,
    };
    // Signatures not verified yet (txs this node never saw in CheckTx, e.g. during block sync)
    // are checked on worker threads first; FinalizeBlock's ante handler then skips them.
    await this.proposalVerification;
    await this.preVerify(req.txs, this.store, header, false);
    const block = this.store.cacheMultiStore();
    const blockEvents: ResponseFinalizeBlock['events'] = [];
    const begin = new Context(block, header, 'finalize');
    this.wiring.beginBlock(begin, req.decidedLastCommit?.votes ?? [], req.misbehavior, this.consensusParams);
    blockEvents.push(...begin.events.events().map((e) => withMode(e, 'BeginBlock')));

    const txResults: ExecTxResult[] = req.txs.map((tx) => {
      const key = txKeyOf(tx);
      const r = runTx(this.runner, block, header, 'finalize', tx, key);
      this.sigCache.delete(key);
      return abciTxResult(r);
    });

    const end = new Context(block, header, 'finalize');
    const validatorUpdates: ValidatorUpdate[] = [];
    validatorUpdates.push(...this.wiring.endBlock(end));
    blockEvents.push(...end.events.events().map((e) => withMode(e, 'EndBlock')));
    block
      .getKVStore(ConsensusStoreKey)
      .set(LastBlockKey, new Uint8Array([...u64BE(req.height), ...u64BE(header.timeNs)]));
    block.write();
    if (this.checkInvariantsEachBlock) {
      const broken = this.brokenInvariants();
      if (broken.length > 0)
        throw new Error(`invariant broken at height ${req.height}: ${broken.join('; ')}`);
    }
    this.pendingHeight = req.height;
    return {
      events: blockEvents,
      txResults,
      validatorUpdates,
      consensusParamUpdates: undefined,
      appHash: this.store.workingHash(),
    };
  }

  override async commit(_req: RequestCommit): Promise<ResponseCommit> {
    await this.store.commit();
    this.pendingHeight = undefined;
    this.checkHeader = this.loadCheckHeader();
    this.checkState = this.store.cacheMultiStore();
    return { retainHeight: 0n };
  }

  // --- queries ----------------------------------------------------------------------------

  override async query(req: RequestQuery): Promise<ResponseQuery> {
    const latest = this.store.lastCommitId().version;
    const height = req.height === 0n ? BigInt(latest) : req.height;
    const base = {
      code: 0,
      log: '',
      info: '',
      index: 0n,
      key: new Uint8Array(),
      value: new Uint8Array(),
      proofOps: undefined,
      height,
      codespace: '',
    } satisfies ResponseQuery;
    try {
      if (req.height < 0n) throw ErrInvalidRequest.wrap('height must not be negative');
      if (height > BigInt(latest)) {
        throw ErrInvalidHeight.wrap(`cannot query with height in the future; please provide a valid height`);
      }
      if (req.path === '/app/version') return { ...base, value: utf8(APP_VERSION) };
      if (req.path === '/cosmos.tx.v1beta1.Service/Simulate' || req.path === '/app/simulate') {
        return { ...base, value: this.querySimulate(req) };
      }
      const storeMatch = /^\/store\/([a-z_]+)\/key$/.exec(req.path);
      if (storeMatch) {
        const name = storeMatch[1]!;
        if (!APP_STORE_NAMES.includes(name)) throw ErrUnknownRequest.wrap(`no store named ${name}`);
        if (height === 0n) throw ErrInvalidHeight.wrap('no committed state yet');
        const r = await this.store.query(name, req.data, Number(height), req.prove);
        return {
          ...base,
          key: req.data,
          value: r.value ?? new Uint8Array(),
          height: BigInt(r.height),
          proofOps: r.proofOps ? { ops: r.proofOps } : undefined,
        };
      }
      const handler = this.queryRouter.route(req.path);
      if (!handler) throw ErrUnknownRequest.wrap(`no query handler for path ${req.path}`);
      if (height === 0n) throw ErrInvalidHeight.wrap('no committed state yet');
      const view = await this.store.viewAt(Number(height));
      return { ...base, value: handler(this.readCtx(view), req.data) };
    } catch (e) {
      return queryError(base, e);
    }
  }

  private querySimulate(req: RequestQuery): Uint8Array {
    let sim: SimulateRequest;
    try {
      sim = SimulateRequest.decode(req.data);
    } catch {
      throw ErrInvalidRequest.wrap('malformed SimulateRequest');
    }
    if (sim.txBytes.length === 0) throw ErrInvalidRequest.wrap('empty txBytes is not allowed');
    const r = this.simulate(sim.txBytes);
    if (r.code !== 0) throw new SdkError(r.codespace, r.code, r.log);
    return encodeProto(SimulateResponse, {
      gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
      result: { data: r.data, log: r.log, events: r.events, msgResponses: r.msgResponses },
    });
  }
}

/** A tx outcome in the shape ABCI's ExecTxResult and ResponseCheckTx share. */
function abciTxResult(r: TxResult): ExecTxResult {
  return {
    code: r.code,
    data: r.data,
    log: r.log,
    info: '',
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    events: r.events,
    codespace: r.codespace,
  };
}

function withMode(e: ExecTxResult['events'][number], mode: string) {
  return { type: e.type, attributes: [...e.attributes, { key: 'mode', value: mode, index: true }] };
}

function queryError(base: ResponseQuery, e: unknown): ResponseQuery {
  if (e instanceof QueryError) {
    return { ...base, code: e.sdkError.code, codespace: e.sdkError.codespace, log: e.message };
  }
  const err = toSdkError(e);
  return { ...base, code: err.code, codespace: err.codespace, log: err.message };
}
