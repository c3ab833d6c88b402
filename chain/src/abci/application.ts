/**
 * The ABCI 2.0 application interface (CometBFT v0.38, `abci/types/application.go`), on the
 * cosmjs-types `tendermint.abci` message types.
 *
 * The node (embedded mode) and the socket server (CometBFT mode) both drive the state machine
 * only through this interface, so both run the identical code path. Callers serialize calls:
 * an `Application` is never entered twice at once.
 */
import {
  type RequestApplySnapshotChunk,
  type RequestCheckTx,
  type RequestCommit,
  type RequestExtendVote,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestListSnapshots,
  type RequestLoadSnapshotChunk,
  type RequestOfferSnapshot,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type RequestVerifyVoteExtension,
  type ResponseApplySnapshotChunk,
  ResponseApplySnapshotChunk_Result,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseExtendVote,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
  ResponseOfferSnapshot_Result,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  ResponseProcessProposal_ProposalStatus,
  type ResponseQuery,
  type ResponseVerifyVoteExtension,
  ResponseVerifyVoteExtension_VerifyStatus,
} from 'cosmjs-types/tendermint/abci/types';

export interface Application {
  // Info/query connection
  /** Where the app is: last committed height and app hash (drives handshake/replay). */
  info(req: RequestInfo): Promise<ResponseInfo>;
  query(req: RequestQuery): Promise<ResponseQuery>;

  // Mempool connection
  checkTx(req: RequestCheckTx): Promise<ResponseCheckTx>;

  // Consensus connection
  initChain(req: RequestInitChain): Promise<ResponseInitChain>;
  prepareProposal(req: RequestPrepareProposal): Promise<ResponsePrepareProposal>;
  processProposal(req: RequestProcessProposal): Promise<ResponseProcessProposal>;
  extendVote(req: RequestExtendVote): Promise<ResponseExtendVote>;
  verifyVoteExtension(req: RequestVerifyVoteExtension): Promise<ResponseVerifyVoteExtension>;
  finalizeBlock(req: RequestFinalizeBlock): Promise<ResponseFinalizeBlock>;
  commit(req: RequestCommit): Promise<ResponseCommit>;

  // State sync connection
  listSnapshots(req: RequestListSnapshots): Promise<ResponseListSnapshots>;
  offerSnapshot(req: RequestOfferSnapshot): Promise<ResponseOfferSnapshot>;
  loadSnapshotChunk(req: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk>;
  applySnapshotChunk(req: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk>;
}

/**
 * Not part of ABCI, offered by apps that can use it: work on a new tx that may run before its
 * CheckTx and outside the lock that serializes the ABCI methods (Hearth's app verifies
 * signatures on worker threads). It only reads state; a failure is CheckTx's to report, so
 * callers ignore it.
 */
export interface TxPreVerifier {
  preVerifyTx(tx: Uint8Array): Promise<void>;
}

/** The app's `preVerifyTx`, bound, when it has one. */
export function preVerifierOf(app: object): ((tx: Uint8Array) => Promise<void>) | undefined {
  const f = (app as Partial<TxPreVerifier>).preVerifyTx;
  return typeof f === 'function' ? f.bind(app) : undefined;
}

/** The names of the `Application` methods, i.e. the ABCI calls that reach the app. */
export type AbciMethod = keyof Application;

export const ABCI_METHODS: readonly AbciMethod[] = [
  'info',
  'query',
  'checkTx',
  'initChain',
  'prepareProposal',
  'processProposal',
  'extendVote',
  'verifyVoteExtension',
  'finalizeBlock',
  'commit',
  'listSnapshots',
  'offerSnapshot',
  'loadSnapshotChunk',
  'applySnapshotChunk',
];

/**
 * Defaults for the calls where ABCI defines a meaningful "do nothing" answer. The calls that
 * make up a state machine (info, query, checkTx, initChain, finalizeBlock, commit) stay
 * abstract: a silent default there would hide a missing implementation.
 */
export abstract class BaseApplication implements Application {
  abstract info(req: RequestInfo): Promise<ResponseInfo>;
  abstract query(req: RequestQuery): Promise<ResponseQuery>;
  abstract checkTx(req: RequestCheckTx): Promise<ResponseCheckTx>;
  abstract initChain(req: RequestInitChain): Promise<ResponseInitChain>;
  abstract finalizeBlock(req: RequestFinalizeBlock): Promise<ResponseFinalizeBlock>;
  abstract commit(req: RequestCommit): Promise<ResponseCommit>;

  /** Proposes the mempool's txs unchanged, in order, stopping before the total size would
   * exceed `maxTxBytes` (the same default as CometBFT's BaseApplication). */
  async prepareProposal(req: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    const txs: Uint8Array[] = [];
    let total = 0n;
    for (const tx of req.txs) {
      total += BigInt(tx.length);
      if (total > req.maxTxBytes) break;
      txs.push(tx);
    }
    return { txs };
  }

  async processProposal(_req: RequestProcessProposal): Promise<ResponseProcessProposal> {
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
  }

  /** No vote extensions. */
  async extendVote(_req: RequestExtendVote): Promise<ResponseExtendVote> {
    return { voteExtension: new Uint8Array(0) };
  }

  async verifyVoteExtension(_req: RequestVerifyVoteExtension): Promise<ResponseVerifyVoteExtension> {
    return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
  }

  /** No snapshots to serve. */
  async listSnapshots(_req: RequestListSnapshots): Promise<ResponseListSnapshots> {
    return { snapshots: [] };
  }

  /** Snapshots are not supported: reject each one offered (state sync then tries others and
   * finally gives up), never accept one we cannot restore. */
  async offerSnapshot(_req: RequestOfferSnapshot): Promise<ResponseOfferSnapshot> {
    return { result: ResponseOfferSnapshot_Result.REJECT };
  }

  async loadSnapshotChunk(_req: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk> {
    return { chunk: new Uint8Array(0) };
  }

  /** No snapshot is ever accepted, so a chunk arriving is a protocol error: abort restoration. */
  async applySnapshotChunk(_req: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> {
    return { result: ResponseApplySnapshotChunk_Result.ABORT, refetchChunks: [], rejectSenders: [] };
  }
}
