/**
 * ABCI 2.0 socket server, speaking CometBFT v0.38's protocol (`abci/server/socket_server.go`,
 * framing in `abci/types/messages.go`) so the application can run under a real CometBFT node.
 *
 * - Each connection is read frame by frame; requests are answered strictly in order.
 * - Responses are buffered and written when a Flush request arrives (answered with
 *   ResponseFlush) or when the buffer passes `flushThresholdBytes`.
 * - Every call into the application, from any connection, runs under one mutex: CometBFT opens
 *   four connections (consensus, mempool, query, snapshot) but the app is not reentrant.
 * - A frame that cannot be parsed or decoded gets `Response{exception}` and the connection is
 *   closed (the stream can no longer be trusted). A request of an unknown kind, or an
 *   application error, gets `Response{exception}` and the connection keeps serving, as in
 *   CometBFT's server.
 * - Responses are encoded with `SafeBinaryWriter` (64-bit fields).
 */
import { lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Request, type Response, Response as ResponseCodec } from 'cosmjs-types/tendermint/abci/types';
import { encodeProto } from '../codec/protoWriter.js';
import { type AbciAddress, formatAbciAddress, parseAbciAddress } from './address.js';
import { type Application, preVerifierOf } from './application.js';
import { dispatchRequest, type RequestKind, requestKind, UnknownRequestError } from './dispatch.js';
import { DEFAULT_MAX_MESSAGE_BYTES, encodeFrame, FrameDecoder } from './framing.js';
import { type AbciLogger, errorMessage, silentLogger } from './logger.js';
import { AsyncMutex } from './mutex.js';

export interface AbciServerOptions {
  app: Application;
  /** `tcp://host:port` (port 0 picks a free port), `host:port`, or `unix:///path.sock`. */
  address: string;
  logger?: AbciLogger;
  /** Largest request accepted, in bytes. Default: CometBFT v0.38's 100 MiB. */
  maxMessageBytes?: number;
  /** Write buffered responses once they exceed this many bytes, even before a Flush. */
  flushThresholdBytes?: number;
  /** Shares the app lock with other callers of the same app (e.g. an in-process node). */
  mutex?: AsyncMutex;
}

export interface AbciServer {
  /** The address actually bound (with the real port when 0 was asked for). */
  readonly address: string;
  /** Stops accepting, drops open connections and resolves once the listener is closed. */
  close(): Promise<void>;
}

const DEFAULT_FLUSH_THRESHOLD = 1 << 20;

export async function startAbciServer(options: AbciServerOptions): Promise<AbciServer> {
  const { app } = options;
  if (app === null || typeof app !== 'object') throw new TypeError('startAbciServer: app is required');
  const logger = options.logger ?? silentLogger;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  new FrameDecoder(maxMessageBytes); // validates the limit up front
  const flushThreshold = options.flushThresholdBytes ?? DEFAULT_FLUSH_THRESHOLD;
  const mutex = options.mutex ?? new AsyncMutex();
  const target = parseAbciAddress(options.address);

  const sockets = new Set<Socket>();
  let nextConnId = 1;
  const server = createServer((socket) => {
    const connId = nextConnId++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const conn = new Connection(socket, connId, {
      app,
      preVerify: preVerifierOf(app),
      logger,
      mutex,
      maxMessageBytes,
      flushThreshold,
    });
    conn.serve().catch((err: unknown) => {
      // serve() handles its own errors; this is a last line of defence against a crash.
      logger.error('abci connection failed', { conn: connId, err: errorMessage(err) });
      socket.destroy();
    });
  });

  if (target.protocol === 'unix') await removeStaleSocket(target.path);
  await listen(server, target);
  const bound = boundAddress(server, target);
  logger.info('abci server listening', { address: bound });

  let closing: Promise<void> | undefined;
  return {
    address: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }).then(() => logger.info('abci server closed', { address: bound }));
      return closing;
    },
  };
}

interface ConnectionContext {
  app: Application;
  /** The app's lock-free preparation of new txs (see TxPreVerifier), if it has one. */
  preVerify: ((tx: Uint8Array) => Promise<void>) | undefined;
  logger: AbciLogger;
  mutex: AsyncMutex;
  maxMessageBytes: number;
  flushThreshold: number;
}

class Connection {
  private readonly decoder: FrameDecoder;
  private out: Uint8Array[] = [];
  private outBytes = 0;

  constructor(
    private readonly socket: Socket,
    private readonly id: number,
    private readonly ctx: ConnectionContext,
  ) {
    this.decoder = new FrameDecoder(ctx.maxMessageBytes);
  }

  async serve(): Promise<void> {
    const { logger } = this.ctx;
    logger.debug('abci connection opened', { conn: this.id, remote: this.socket.remoteAddress });
    try {
      // Async iteration pauses the socket while a chunk's requests are processed, which is
      // both the in-order guarantee and the backpressure.
      for await (const chunk of this.socket as AsyncIterable<Buffer>) {
        let frames: Uint8Array[];
        try {
          frames = this.decoder.push(chunk);
        } catch (err) {
          await this.fail(`malformed frame: ${errorMessage(err)}`);
          return;
        }
        // Decode the chunk's requests first so that the new txs among them (CometBFT
        // pipelines CheckTx on the mempool connection) start their lock-free preparation
        // together; each CheckTx then waits for its own, in order.
        const requests = frames.map((body) => this.decodeRequest(body));
        const prepared = requests.map((req) => this.prepare(req));
        for (let i = 0; i < requests.length; i++) {
          if (!(await this.handleRequest(requests[i] as Request | Error, prepared[i]))) return;
        }
      }
      if (!this.decoder.idle) logger.debug('abci connection closed mid-frame', { conn: this.id });
    } catch (err) {
      logger.debug('abci connection error', { conn: this.id, err: errorMessage(err) });
    } finally {
      this.socket.destroy();
      logger.debug('abci connection closed', { conn: this.id });
    }
  }

  private decodeRequest(body: Uint8Array): Request | Error {
    try {
      return Request.decode(body);
    } catch (err) {
      return new Error(errorMessage(err));
    }
  }

  /** Starts `preVerifyTx` for a new tx's CheckTx, if the app has it. */
  private prepare(req: Request | Error): Promise<void> | undefined {
    const { preVerify } = this.ctx;
    if (req instanceof Error || !req.checkTx || req.checkTx.type !== 0 || !preVerify) return undefined;
    try {
      return preVerify(req.checkTx.tx).catch(() => {});
    } catch {
      return undefined;
    }
  }

  /** Returns false when the connection has been closed. */
  private async handleRequest(req: Request | Error, prepared: Promise<void> | undefined): Promise<boolean> {
    if (req instanceof Error) {
      await this.fail(`cannot decode request: ${req.message}`);
      return false;
    }
    let kind: RequestKind;
    try {
      kind = requestKind(req);
    } catch (err) {
      if (!(err instanceof UnknownRequestError)) throw err;
      this.ctx.logger.warn('abci unknown request', { conn: this.id, err: err.message });
      this.enqueue({ exception: { error: err.message } });
      return true;
    }
    if (kind === 'flush') {
      this.enqueue({ flush: {} });
      await this.flush();
      return !this.socket.destroyed;
    }
    let res: Response;
    try {
      await prepared;
      res =
        kind === 'echo'
          ? await dispatchRequest(this.ctx.app, req, kind)
          : await this.ctx.mutex.runExclusive(() => dispatchRequest(this.ctx.app, req, kind));
    } catch (err) {
      this.ctx.logger.error('abci application error', {
        conn: this.id,
        method: kind,
        err: errorMessage(err),
      });
      res = { exception: { error: `${kind}: ${errorMessage(err)}` } };
    }
    this.enqueue(res, kind);
    if (this.outBytes >= this.ctx.flushThreshold) await this.flush();
    return !this.socket.destroyed;
  }

  private enqueue(res: Response, kind?: RequestKind): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeProto(ResponseCodec, res);
    } catch (err) {
      // The app returned something that is not a valid response (e.g. a 64-bit value out of
      // range, a missing repeated field): report it instead of sending garbage.
      const error = `${kind ?? 'response'}: invalid response from application: ${errorMessage(err)}`;
      this.ctx.logger.error('abci invalid response', { conn: this.id, method: kind, err: errorMessage(err) });
      bytes = encodeProto(ResponseCodec, { exception: { error } });
    }
    if (bytes.length > this.ctx.maxMessageBytes) {
      // The peer would refuse it (same limit on both sides in CometBFT); say why instead.
      const error = `${kind ?? 'response'}: response of ${bytes.length} bytes exceeds the maximum message size of ${this.ctx.maxMessageBytes}`;
      this.ctx.logger.error('abci response too large', { conn: this.id, method: kind, bytes: bytes.length });
      bytes = encodeProto(ResponseCodec, { exception: { error } });
    }
    const frame = encodeFrame(bytes);
    this.out.push(frame);
    this.outBytes += frame.length;
  }

  private flush(): Promise<void> {
    if (this.outBytes === 0 || this.socket.destroyed) return Promise.resolve();
    const data = Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    // Resolve on the write callback (called with an error too, if the socket dies), so a slow
    // reader holds back further processing instead of growing our buffers.
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Answers with an exception, then closes: the byte stream can no longer be trusted. */
  private async fail(error: string): Promise<void> {
    this.ctx.logger.warn('abci protocol error, closing connection', { conn: this.id, err: error });
    this.enqueue({ exception: { error } });
    await this.flush();
    await new Promise<void>((resolve) => this.socket.end(() => resolve()));
  }
}

function listen(server: Server, target: AbciAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) =>
      reject(
        new Error(`abci server cannot listen on ${formatAbciAddress(target)}: ${err.message}`, {
          cause: err,
        }),
      );
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      resolve();
    };
    if (target.protocol === 'unix') server.listen(target.path, done);
    else server.listen(target.port, target.host, done);
  });
}

function boundAddress(server: Server, target: AbciAddress): string {
  const addr = server.address();
  if (target.protocol === 'unix' || addr === null || typeof addr === 'string')
    return formatAbciAddress(target);
  return formatAbciAddress({ protocol: 'tcp', host: addr.address, port: addr.port });
}

/** A unix socket file left by a crashed server blocks listen(); remove it, but only if it
 * really is a socket and nobody answers on it (never delete a regular file or a live socket). */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSocket()) return; // listen() will fail with a clear EADDRINUSE
    const live = await new Promise<boolean>((resolve) => {
      const probe = connect(path);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (!live) await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
