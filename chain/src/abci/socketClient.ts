/**
 * ABCI 2.0 socket client (CometBFT v0.38 protocol, the counterpart of `socketServer.ts`):
 * an `Application` whose calls travel over one TCP or unix-socket connection to an external
 * app, as CometBFT's socket client does.
 *
 * Calls may be issued concurrently; they are written in call order and their responses are
 * matched in the same order (the protocol has no request ids). Each call is followed by a
 * Flush so the server writes its answer without waiting.
 */
import { connect, type Socket } from 'node:net';
import {
  type Request,
  type RequestApplySnapshotChunk,
  type RequestCheckTx,
  Request as RequestCodec,
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
  type Response,
  type ResponseApplySnapshotChunk,
  type ResponseCheckTx,
  Response as ResponseCodec,
  type ResponseCommit,
  type ResponseEcho,
  type ResponseExtendVote,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
  type ResponseVerifyVoteExtension,
} from 'cosmjs-types/tendermint/abci/types';
import { encodeProto } from '../codec/protoWriter.js';
import { formatAbciAddress, parseAbciAddress } from './address.js';
import type { Application } from './application.js';
import { type RequestKind, responseKind } from './dispatch.js';
import { DEFAULT_MAX_MESSAGE_BYTES, encodeFrame, FrameDecoder } from './framing.js';
import { type AbciLogger, errorMessage, silentLogger } from './logger.js';

/** The server answered a call with `Response{exception}`. */
export class AbciExceptionError extends Error {
  override name = 'AbciExceptionError';
  constructor(
    readonly method: RequestKind,
    readonly remoteError: string,
  ) {
    super(`ABCI ${method} failed on the server: ${remoteError}`);
  }
}

/** The connection is gone or the peer broke the protocol; every pending call fails with it. */
export class AbciConnectionError extends Error {
  override name = 'AbciConnectionError';
}

export interface AbciSocketClientOptions {
  logger?: AbciLogger;
  /** Largest response accepted, in bytes. Default: CometBFT v0.38's 100 MiB. */
  maxMessageBytes?: number;
}

interface Pending {
  kind: RequestKind;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class AbciSocketClient implements Application {
  private readonly decoder: FrameDecoder;
  private readonly pending: Pending[] = [];
  private failure: AbciConnectionError | undefined;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly logger: AbciLogger,
    maxMessageBytes: number,
  ) {
    this.decoder = new FrameDecoder(maxMessageBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(`connection error: ${err.message}`));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.fail('connection closed');
        resolve();
      });
    });
  }

  /** Connects to `tcp://host:port`, `host:port` or `unix:///path`. */
  static connect(address: string, options: AbciSocketClientOptions = {}): Promise<AbciSocketClient> {
    const target = parseAbciAddress(address);
    const logger = options.logger ?? silentLogger;
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    return new Promise((resolve, reject) => {
      const socket =
        target.protocol === 'unix' ? connect(target.path) : connect({ host: target.host, port: target.port });
      const onError = (err: Error) =>
        reject(
          new AbciConnectionError(`cannot connect to ABCI app at ${address}: ${err.message}`, { cause: err }),
        );
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        logger.debug('abci client connected', { address });
        resolve(new AbciSocketClient(socket, formatAbciAddress(target), logger, max));
      });
    });
  }

  echo(message: string): Promise<ResponseEcho> {
    return this.call('echo', { message }) as Promise<ResponseEcho>;
  }

  /** Asks the server to write out everything it has buffered; resolves on ResponseFlush. */
  async flush(): Promise<void> {
    await this.call('flush', {}, false);
  }

  info(req: RequestInfo): Promise<ResponseInfo> {
    return this.call('info', req) as Promise<ResponseInfo>;
  }
  query(req: RequestQuery): Promise<ResponseQuery> {
    return this.call('query', req) as Promise<ResponseQuery>;
  }
  checkTx(req: RequestCheckTx): Promise<ResponseCheckTx> {
    return this.call('checkTx', req) as Promise<ResponseCheckTx>;
  }
  initChain(req: RequestInitChain): Promise<ResponseInitChain> {
    return this.call('initChain', req) as Promise<ResponseInitChain>;
  }
  prepareProposal(req: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    return this.call('prepareProposal', req) as Promise<ResponsePrepareProposal>;
  }
  processProposal(req: RequestProcessProposal): Promise<ResponseProcessProposal> {
    return this.call('processProposal', req) as Promise<ResponseProcessProposal>;
  }
  extendVote(req: RequestExtendVote): Promise<ResponseExtendVote> {
    return this.call('extendVote', req) as Promise<ResponseExtendVote>;
  }
  verifyVoteExtension(req: RequestVerifyVoteExtension): Promise<ResponseVerifyVoteExtension> {
    return this.call('verifyVoteExtension', req) as Promise<ResponseVerifyVoteExtension>;
  }
  finalizeBlock(req: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    return this.call('finalizeBlock', req) as Promise<ResponseFinalizeBlock>;
  }
  commit(req: RequestCommit): Promise<ResponseCommit> {
    return this.call('commit', req) as Promise<ResponseCommit>;
  }
  listSnapshots(req: RequestListSnapshots): Promise<ResponseListSnapshots> {
    return this.call('listSnapshots', req) as Promise<ResponseListSnapshots>;
  }
  offerSnapshot(req: RequestOfferSnapshot): Promise<ResponseOfferSnapshot> {
    return this.call('offerSnapshot', req) as Promise<ResponseOfferSnapshot>;
  }
  loadSnapshotChunk(req: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk> {
    return this.call('loadSnapshotChunk', req) as Promise<ResponseLoadSnapshotChunk>;
  }
  applySnapshotChunk(req: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> {
    return this.call('applySnapshotChunk', req) as Promise<ResponseApplySnapshotChunk>;
  }

  /** Closes the connection; pending calls fail with `AbciConnectionError`. */
  async close(): Promise<void> {
    this.socket.end();
    this.socket.destroySoon();
    await this.closed;
  }

  private call(kind: RequestKind, payload: unknown, withFlush = true): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(encodeProto(RequestCodec, { [kind]: payload } as Request));
    } catch (err) {
      return Promise.reject(new TypeError(`ABCI ${kind}: cannot encode request: ${errorMessage(err)}`));
    }
    const result = new Promise<unknown>((resolve, reject) => this.pending.push({ kind, resolve, reject }));
    if (withFlush) {
      const flushFrame = encodeFrame(encodeProto(RequestCodec, { flush: {} }));
      this.pending.push({ kind: 'flush', resolve: () => {}, reject: () => {} });
      this.socket.write(Buffer.concat([bytes, flushFrame]));
    } else {
      this.socket.write(bytes);
    }
    return result;
  }

  private onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(`malformed frame from server: ${errorMessage(err)}`);
      return;
    }
    for (const body of frames) {
      if (this.failure) return;
      let res: Response;
      try {
        res = ResponseCodec.decode(body);
      } catch (err) {
        this.fail(`cannot decode response: ${errorMessage(err)}`);
        return;
      }
      const waiting = this.pending.shift();
      if (!waiting) {
        this.fail('unexpected response with no request outstanding');
        return;
      }
      const got = responseKind(res);
      if (got === 'exception') {
        const remote = res.exception?.error ?? '';
        this.logger.warn('abci server returned an exception', { method: waiting.kind, err: remote });
        waiting.reject(new AbciExceptionError(waiting.kind, remote));
        continue;
      }
      if (got !== waiting.kind) {
        const err = new AbciConnectionError(
          `expected a ${waiting.kind} response, got ${got ?? 'an empty response'}`,
        );
        waiting.reject(err);
        this.fail(err.message);
        return;
      }
      waiting.resolve(res[got]);
    }
  }

  private fail(reason: string): void {
    if (!this.failure) {
      this.failure = new AbciConnectionError(`ABCI connection to ${this.address}: ${reason}`);
      if (reason !== 'connection closed') this.logger.warn('abci client connection failed', { reason });
      this.socket.destroy();
    }
    const err = this.failure;
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}
