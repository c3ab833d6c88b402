/**
 * The node's chain: state, block store, application, mempool, indexers and event bus behind the
 * `ConsensusChain` interface consensus drives. It builds and checks proposal blocks against
 * the state, executes decided blocks through ABCI (FinalizeBlock, Commit) in CometBFT v0.38's
 * order, and performs the ABCI handshake and block replay on start (consensus/replay.go).
 *
 * Execution order for a decided block, chosen so that a crash at any point is recoverable:
 * save the block (with its seen commit) → FinalizeBlock → save the FinalizeBlock response →
 * app Commit → mempool update → save the state → index and publish events.
 */

import type {
  CommitInfo,
  ExtendedCommitInfo,
  Misbehavior,
  ResponseFinalizeBlock,
  ValidatorUpdate,
} from 'cosmjs-types/tendermint/abci/types';
import { MisbehaviorType } from 'cosmjs-types/tendermint/abci/types';
import type { ConsensusParams as AbciConsensusParams } from 'cosmjs-types/tendermint/types/params';
import type { Application } from '../abci/application.js';
import type { Logger } from '../logger.js';
import type { BlockStore } from './blockstore/index.js';
import type { GenesisDoc } from './config/genesis.js';
import type { ConsensusChain } from './consensus/service.js';
import type { DuplicateVoteEvidence as CoreEvidence } from './consensus/types.js';
import type { EventBus } from './events/index.js';
import { evidenceListSize } from './evidence/index.js';
import { type BlockIndexer, indexFinalizedBlock, type TxIndexer } from './indexer/index.js';
import type { Mempool } from './mempool/index.js';
import { applyInitChainResponse, type State, type StateStore, updateState } from './state/index.js';
import {
  BLOCK_PROTOCOL,
  type Block,
  type BlockId,
  BlockIdFlag,
  blockIdEquals,
  bytesEqual,
  type Commit,
  commitHash,
  compareTimestamps,
  consensusParamsHash,
  dataHash,
  type Evidence,
  encodeBlock,
  evidenceHash,
  type Header,
  headerHash,
  makeBlockParts,
  PartSet,
  type Timestamp,
  timestampEquals,
  txHash as txHashOf,
  type ValidatorSet,
  validateBlock,
} from './types/index.js';

const MAX_HEADER_BYTES = 626n;

/** The LastCommit of the first block: CometBFT carries an empty commit there, not none. */
const emptyCommit = (): Commit => ({
  height: 0n,
  round: 0,
  blockId: { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } },
  signatures: [],
});
const MAX_OVERHEAD_FOR_BLOCK = 11n;
const MAX_COMMIT_OVERHEAD_BYTES = 94n;
const MAX_COMMIT_SIG_BYTES = 109n;

/** MaxDataBytes (types/block.go): what is left for txs in a block of `maxBytes`. */
export function maxDataBytes(maxBytes: bigint, evidenceBytes: bigint, valsCount: number): bigint {
  const limit = maxBytes < 0n ? 104_857_600n : maxBytes;
  const left =
    limit -
    MAX_OVERHEAD_FOR_BLOCK -
    MAX_HEADER_BYTES -
    (MAX_COMMIT_OVERHEAD_BYTES + MAX_COMMIT_SIG_BYTES * BigInt(valsCount)) -
    evidenceBytes;
  if (left < 0n)
    throw new Error(`block.max_bytes ${maxBytes} is too small for the header, commit and evidence`);
  return left;
}

/**
 * BFT time (types/block.go MedianTime): the voting-power-weighted median of the timestamps of
 * the commit's signatures, so no minority of validators can move block time.
 */
export function medianTime(commit: Commit, validators: ValidatorSet): Timestamp {
  const weighted: { t: Timestamp; w: bigint }[] = [];
  let total = 0n;
  commit.signatures.forEach((sig, i) => {
    if (sig.blockIdFlag === BlockIdFlag.Absent) return;
    const v = validators.getByIndex(i);
    if (!v) return;
    weighted.push({ t: sig.timestamp, w: v.votingPower });
    total += v.votingPower;
  });
  weighted.sort((a, b) => compareTimestamps(a.t, b.t));
  let median = total / 2n;
  for (const { t, w } of weighted) {
    if (median <= w) return t;
    median -= w;
  }
  throw new Error('medianTime: commit has no signatures');
}

function addMs(t: Timestamp, ms: number): Timestamp {
  const nanos = t.nanos + ms * 1_000_000;
  return { seconds: t.seconds + BigInt(Math.floor(nanos / 1e9)), nanos: nanos % 1e9 };
}

/** node/types consensus params in the ABCI (cosmjs-types) form that InitChain carries. */
export function paramsToAbci(p: State['consensusParams']): AbciConsensusParams {
  return {
    block: { maxBytes: p.block.maxBytes, maxGas: p.block.maxGas },
    evidence: {
      maxAgeNumBlocks: p.evidence.maxAgeNumBlocks,
      maxAgeDuration: {
        seconds: p.evidence.maxAgeDuration / 1_000_000_000n,
        nanos: Number(p.evidence.maxAgeDuration % 1_000_000_000n),
      },
      maxBytes: p.evidence.maxBytes,
    },
    validator: { pubKeyTypes: [...p.validator.pubKeyTypes] },
    version: { app: p.version.app },
    abci: { voteExtensionsEnableHeight: p.abci.voteExtensionsEnableHeight },
  };
}

export interface NodeChainDeps {
  app: Application;
  genesis: GenesisDoc;
  stateStore: StateStore;
  blockStore: BlockStore;
  mempool: Mempool;
  txIndexer?: TxIndexer;
  blockIndexer?: BlockIndexer;
  eventBus?: EventBus;
  logger: Logger;
  /** Told of each applied block, by consensus or block sync (the node's metrics). Must not throw. */
  onApplied?: (applied: AppliedBlock) => void;
}

/** What the node's metrics learn of an applied block. */
export interface AppliedBlock {
  block: Block;
  /** The validators that signed `block.lastCommit` (empty for the first block). */
  lastValidators: ValidatorSet;
  /** The validators of the next height. */
  validators: ValidatorSet;
  /** The previous block's time; undefined for the chain's first block. */
  previousTime: Timestamp | undefined;
  /** How long the app's FinalizeBlock took, in ms; undefined when a stored response was replayed. */
  finalizeMs: number | undefined;
}

/** What the chain needs of the evidence pool (`node/evidence`). */
export interface ChainEvidencePool {
  pendingEvidence(maxBytes: bigint): Evidence[];
  checkEvidence(list: readonly Evidence[]): Promise<void>;
  update(state: State, committed: readonly Evidence[]): Promise<void>;
}

export class NodeChain implements ConsensusChain {
  private state!: State;
  private readonly d: NodeChainDeps;
  /** The indexing of applied blocks, in order (see applyBlock). */
  private indexing: Promise<void> = Promise.resolve();
  private evidencePool: ChainEvidencePool | undefined;

  /** Proposals then carry pending evidence, and blocks' evidence is checked and recorded. */
  setEvidencePool(pool: ChainEvidencePool): void {
    this.evidencePool = pool;
  }

  constructor(deps: NodeChainDeps) {
    this.d = deps;
  }

  get chainId(): string {
    return this.d.genesis.chainId;
  }

  /** The current consensus state (after the last committed block). */
  get current(): State {
    return this.state;
  }

  // --- start-up -----------------------------------------------------------------------------

  /** Loads the state, runs InitChain at genesis and replays stored blocks the app lacks. */
  async handshake(): Promise<State> {
    const { app, genesis, stateStore, blockStore, logger } = this.d;
    let state = await stateStore.loadFromGenesis(genesis);
    const info = await app.info({
      version: '0.38.17',
      blockVersion: BLOCK_PROTOCOL,
      p2pVersion: 8n,
      abciVersion: '2.0.0',
    });
    let appHeight = info.lastBlockHeight;
    const storeHeight = blockStore.height();
    logger.info('ABCI handshake', {
      app_height: appHeight,
      store_height: storeHeight,
      state_height: state.lastBlockHeight,
    });
    if (appHeight > storeHeight) {
      throw new Error(
        `the app is at height ${appHeight} but the block store only reaches ${storeHeight}: wrong data directory?`,
      );
    }
    if (appHeight === 0n && state.lastBlockHeight === 0n) {
      const res = await app.initChain({
        time: genesis.genesisTime,
        chainId: genesis.chainId,
        consensusParams: paramsToAbci(state.consensusParams),
        validators: genesis.validators.map(
          (v): ValidatorUpdate => ({
            pubKey: v.pubKey.type === 'ed25519' ? { ed25519: v.pubKey.key } : { secp256k1: v.pubKey.key },
            power: v.power,
          }),
        ),
        appStateBytes: new TextEncoder().encode(genesis.appStateJson ?? '{}'),
        initialHeight: genesis.initialHeight,
      });
      state = applyInitChainResponse(state, genesis, res);
      await stateStore.save(state);
      logger.info('InitChain done', { chain_id: genesis.chainId, validators: state.validators.size });
    }
    // Blocks the app has not executed, up to what the state already reflects: execute on the app only.
    while (appHeight < state.lastBlockHeight) {
      const h = appHeight + 1n;
      const block = await blockStore.loadBlock(h);
      const stored = await stateStore.loadFinalizeBlockResponse(h);
      if (!block || !stored) throw new Error(`cannot replay block ${h}: it is missing from the stores`);
      const lastVals = (await stateStore.loadValidators(h - 1n)) ?? state.lastValidators;
      const res = await app.finalizeBlock(this.finalizeRequest(block, headerHash(block.header), lastVals));
      if (!bytesEqual(res.appHash, stored.appHash)) {
        throw new Error(
          `replaying block ${h} gave app hash ${hex(res.appHash)}, the chain recorded ${hex(stored.appHash)}`,
        );
      }
      await app.commit({});
      appHeight = h;
      logger.info('replayed block on the app', { height: h });
    }
    // A block stored but not yet reflected in the state (crash during execution): apply it fully.
    if (storeHeight === state.lastBlockHeight + 1n) {
      const block = await blockStore.loadBlock(storeHeight);
      const meta = await blockStore.loadBlockMeta(storeHeight);
      if (!block || !meta) throw new Error(`block ${storeHeight} is missing from the block store`);
      this.state = state;
      const alreadyExecuted = appHeight === storeHeight;
      state = await this.applyBlock(block, meta.blockId, alreadyExecuted);
      logger.info('applied the last stored block', { height: storeHeight });
    } else if (storeHeight > state.lastBlockHeight + 1n) {
      throw new Error(
        `the block store (${storeHeight}) is more than one block ahead of the state (${state.lastBlockHeight})`,
      );
    }
    this.state = state;
    return state;
  }

  // --- ConsensusChain -------------------------------------------------------------------------

  validatorsAt(height: bigint): ValidatorSet {
    const next = this.state.lastBlockHeight + 1n;
    if (height === next) return this.state.validators;
    if (height === next + 1n) return this.state.nextValidators;
    if (height === this.state.lastBlockHeight && this.state.lastValidators.size > 0)
      return this.state.lastValidators;
    throw new Error(`no validator set at hand for height ${height} (next height is ${next})`);
  }

  minVoteTime(_height: bigint): Timestamp {
    return addMs(this.state.lastBlockTime, 1);
  }

  private blockTime(lastCommit: Commit | undefined): Timestamp {
    const s = this.state;
    if (s.lastBlockHeight === 0n || !lastCommit) return this.d.genesis.genesisTime;
    return medianTime(lastCommit, s.lastValidators);
  }

  /** The commit of the last block, as the next block carries it. */
  private async lastCommit(): Promise<Commit | undefined> {
    if (this.state.lastBlockHeight === 0n) return undefined;
    return this.d.blockStore.loadSeenCommit(this.state.lastBlockHeight);
  }

  async createProposalBlock(height: bigint, _round: number, proposer: Uint8Array): Promise<Block> {
    const s = this.state;
    if (height !== s.lastBlockHeight + 1n)
      throw new Error(`cannot propose height ${height} at state ${s.lastBlockHeight}`);
    const lastCommit = await this.lastCommit();
    const evidence = this.evidencePool?.pendingEvidence(s.consensusParams.evidence.maxBytes) ?? [];
    const maxBytes = maxDataBytes(
      s.consensusParams.block.maxBytes,
      evidenceListSize(evidence),
      s.validators.size,
    );
    const candidates = this.d.mempool.reap(maxBytes, s.consensusParams.block.maxGas);
    const time = this.blockTime(lastCommit);
    const prepared = await this.d.app.prepareProposal({
      maxTxBytes: maxBytes,
      txs: candidates,
      localLastCommit: this.extendedCommitInfo(lastCommit),
      misbehavior: this.misbehaviorOf(evidence),
      height,
      time,
      nextValidatorsHash: s.nextValidators.hash(),
      proposerAddress: proposer,
    });
    let total = 0n;
    for (const tx of prepared.txs) total += BigInt(tx.length);
    if (total > maxBytes)
      throw new Error(`PrepareProposal returned ${total} bytes of txs, more than ${maxBytes}`);
    const commit = lastCommit ?? emptyCommit();
    const header: Header = {
      version: { block: BLOCK_PROTOCOL, app: s.version.consensus.app },
      chainId: s.chainId,
      height,
      time,
      lastBlockId: s.lastBlockId,
      lastCommitHash: commitHash(commit),
      dataHash: dataHash(prepared.txs),
      validatorsHash: s.validators.hash(),
      nextValidatorsHash: s.nextValidators.hash(),
      consensusHash: consensusParamsHash(s.consensusParams),
      appHash: s.appHash,
      lastResultsHash: s.lastResultsHash,
      evidenceHash: evidenceHash(evidence),
      proposerAddress: proposer,
    };
    return { header, data: { txs: prepared.txs }, evidence, lastCommit: commit };
  }

  /** What is wrong with `block` as the next block of the state (state/validation.go), if anything. */
  blockProblem(block: Block): string | undefined {
    const s = this.state;
    const h = block.header;
    const lastCommit = block.lastCommit ?? emptyCommit();
    try {
      validateBlock(block);
    } catch (e) {
      return (e as Error).message;
    }
    if (h.chainId !== s.chainId) return `wrong chain id ${h.chainId}`;
    if (h.height !== s.lastBlockHeight + 1n) return `wrong height ${h.height}`;
    if (h.version.block !== BLOCK_PROTOCOL || h.version.app !== s.version.consensus.app)
      return 'wrong version';
    if (!blockIdEquals(h.lastBlockId, s.lastBlockId)) return 'wrong last block id';
    if (!bytesEqual(h.appHash, s.appHash)) return 'wrong app hash';
    if (!bytesEqual(h.consensusHash, consensusParamsHash(s.consensusParams))) return 'wrong consensus hash';
    if (!bytesEqual(h.lastResultsHash, s.lastResultsHash)) return 'wrong last results hash';
    if (!bytesEqual(h.validatorsHash, s.validators.hash())) return 'wrong validators hash';
    if (!bytesEqual(h.nextValidatorsHash, s.nextValidators.hash())) return 'wrong next validators hash';
    if (!bytesEqual(h.dataHash, dataHash(block.data.txs))) return 'wrong data hash';
    if (!bytesEqual(h.evidenceHash, evidenceHash(block.evidence))) return 'wrong evidence hash';
    if (!s.validators.hasAddress(h.proposerAddress)) return 'proposer is not a validator';
    if (s.lastBlockHeight === 0n) {
      if (lastCommit.signatures.length > 0) return 'the first block must have an empty last commit';
      if (!timestampEquals(h.time, this.d.genesis.genesisTime))
        return 'the first block must have the genesis time';
    } else {
      try {
        s.lastValidators.verifyCommit(s.chainId, s.lastBlockId, s.lastBlockHeight, lastCommit);
      } catch (e) {
        return `invalid last commit: ${(e as Error).message}`;
      }
      if (!timestampEquals(h.time, medianTime(lastCommit, s.lastValidators)))
        return 'block time is not the median time of the last commit';
    }
    if (!bytesEqual(h.lastCommitHash, commitHash(lastCommit))) return 'wrong last commit hash';
    const size = BigInt(encodeBlock(block).length);
    if (s.consensusParams.block.maxBytes > 0n && size > s.consensusParams.block.maxBytes)
      return `block of ${size} bytes is too big`;
    return undefined;
  }

  async validateProposalBlock(block: Block): Promise<boolean> {
    let problem = this.blockProblem(block);
    if (!problem && this.evidencePool) {
      try {
        await this.evidencePool.checkEvidence(block.evidence);
      } catch (e) {
        problem = `invalid evidence: ${(e as Error).message}`;
      }
    }
    if (problem) {
      this.d.logger.warn('rejecting proposal', { height: block.header.height, problem });
      return false;
    }
    const res = await this.d.app.processProposal({
      txs: block.data.txs,
      proposedLastCommit: this.commitInfo(block.lastCommit ?? emptyCommit(), this.state.lastValidators),
      misbehavior: this.misbehavior(block),
      hash: headerHash(block.header),
      height: block.header.height,
      time: block.header.time,
      nextValidatorsHash: block.header.nextValidatorsHash,
      proposerAddress: block.header.proposerAddress,
    });
    return res.status === 1;
  }

  async updateSeenCommit(commit: Commit): Promise<void> {
    // A superset of signatures already checked, but every one must verify all the same.
    this.state.lastValidators.verifyCommit(this.state.chainId, commit.blockId, commit.height, commit);
    await this.d.blockStore.replaceSeenCommit(commit);
  }

  async commitBlock(
    block: Block,
    blockId: BlockId,
    seenCommit: Commit,
    _evidence: CoreEvidence[],
  ): Promise<void> {
    const parts = makeBlockParts(block);
    const partSet = new PartSet(parts.header);
    for (const p of parts.parts) partSet.addPart(p);
    await this.d.blockStore.saveBlock(block, partSet, seenCommit);
    this.state = await this.applyBlock(block, blockId, false);
  }

  // --- execution ------------------------------------------------------------------------------

  private commitInfo(commit: Commit, vals: ValidatorSet): CommitInfo {
    return {
      round: commit.round,
      votes: commit.signatures.map((sig, i) => {
        const v = vals.getByIndex(i);
        return {
          validator: { address: v?.address ?? new Uint8Array(), power: v?.votingPower ?? 0n },
          blockIdFlag: sig.blockIdFlag,
        };
      }),
    };
  }

  private extendedCommitInfo(commit: Commit | undefined): ExtendedCommitInfo {
    if (!commit) return { round: 0, votes: [] };
    const info = this.commitInfo(commit, this.state.lastValidators);
    return {
      round: info.round,
      votes: info.votes.map((v) => ({
        ...v,
        voteExtension: new Uint8Array(),
        extensionSignature: new Uint8Array(),
      })),
    };
  }

  private misbehavior(block: Block): Misbehavior[] {
    return this.misbehaviorOf(block.evidence);
  }

  private misbehaviorOf(evidence: readonly Evidence[]): Misbehavior[] {
    return evidence.flatMap((e): Misbehavior[] => {
      if (e.kind !== 'duplicateVote') return [];
      const ev = e.duplicateVote;
      return [
        {
          type: MisbehaviorType.DUPLICATE_VOTE,
          validator: { address: ev.voteA?.validatorAddress ?? new Uint8Array(), power: ev.validatorPower },
          height: ev.voteA?.height ?? 0n,
          time: ev.timestamp,
          totalVotingPower: ev.totalVotingPower,
        },
      ];
    });
  }

  private finalizeRequest(block: Block, hash: Uint8Array, lastVals: ValidatorSet) {
    return {
      txs: block.data.txs,
      decidedLastCommit: this.commitInfo(block.lastCommit ?? emptyCommit(), lastVals),
      misbehavior: this.misbehavior(block),
      hash,
      height: block.header.height,
      time: block.header.time,
      nextValidatorsHash: block.header.nextValidatorsHash,
      proposerAddress: block.header.proposerAddress,
    };
  }

  /**
   * FinalizeBlock (unless the app already ran it), save its response, update the state,
   * Commit, update the mempool, save the state, then index and publish.
   */
  private async applyBlock(block: Block, blockId: BlockId, appAlreadyCommitted: boolean): Promise<State> {
    const { app, stateStore, mempool, logger } = this.d;
    const s = this.state;
    const height = block.header.height;
    let res: ResponseFinalizeBlock;
    let finalizeMs: number | undefined;
    if (appAlreadyCommitted) {
      const stored = await stateStore.loadFinalizeBlockResponse(height);
      if (!stored)
        throw new Error(`the app committed block ${height} but its FinalizeBlock response was not saved`);
      res = stored;
    } else {
      const started = performance.now();
      res = await app.finalizeBlock(this.finalizeRequest(block, blockId.hash, s.lastValidators));
      finalizeMs = performance.now() - started;
      if (res.txResults.length !== block.data.txs.length) {
        throw new Error(
          `FinalizeBlock returned ${res.txResults.length} results for ${block.data.txs.length} txs`,
        );
      }
      await stateStore.saveFinalizeBlockResponse(height, res);
    }
    const next = updateState(s, blockId, block.header, res);
    await mempool.lock();
    try {
      if (!appAlreadyCommitted) await app.commit({});
      await mempool.update(height, block.data.txs, res.txResults);
    } finally {
      mempool.unlock();
    }
    await stateStore.save(next);
    this.state = next;
    if (this.evidencePool) {
      try {
        await this.evidencePool.update(next, block.evidence);
      } catch (e) {
        logger.error('evidence pool update failed', { height, err: e as Error });
      }
    }
    // Indexing runs behind consensus, one block after another, as CometBFT's indexer service
    // does: `tx` and `tx_search` see a block's txs shortly after it is committed.
    const indexers = { txs: this.d.txIndexer, blocks: this.d.blockIndexer };
    this.indexing = this.indexing
      .then(() => indexFinalizedBlock(indexers, height, block.data.txs, res))
      .catch((e: unknown) => logger.error('indexing failed', { height, err: e as Error }));
    this.publish(block, blockId, res);
    try {
      this.d.onApplied?.({
        block,
        lastValidators: s.lastValidators,
        validators: next.validators,
        previousTime: s.lastBlockHeight === 0n ? undefined : s.lastBlockTime,
        finalizeMs,
      });
    } catch (e) {
      logger.warn('onApplied failed', { height, err: e as Error });
    }
    return next;
  }

  /** Resolves once every block applied so far is indexed (the node waits for it when stopping). */
  indexed(): Promise<void> {
    return this.indexing;
  }

  private publish(block: Block, blockId: BlockId, res: ResponseFinalizeBlock): void {
    const bus = this.d.eventBus;
    if (!bus) return;
    const height = block.header.height;
    bus.publishNewBlock({ block, blockId, resultFinalizeBlock: res });
    bus.publishNewBlockHeader({ header: block.header });
    bus.publishNewBlockEvents({ height, events: res.events, numTxs: BigInt(block.data.txs.length) });
    block.data.txs.forEach((tx, index) => {
      bus.publishTx({ height, index, tx, result: res.txResults[index]! }, txHashOf(tx));
    });
    if (res.validatorUpdates.length > 0)
      bus.publishValidatorSetUpdates({ validatorUpdates: res.validatorUpdates });
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}
