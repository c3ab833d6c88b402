/**
 * The CometBFT v0.38-compatible RPC server (`rpc/jsonrpc/server`): JSON-RPC 2.0 over HTTP POST
 * on `/` (single and batch), URI GET on `/<method>?arg=value`, the route list on GET `/`, and
 * JSON-RPC over a websocket on `/websocket`, where `subscribe` pushes events as
 * `{jsonrpc, id: <subscribe id>, result: {query, data: {type, value}, events}}`.
 *
 * Limits, as CometBFT's `[rpc]` config: request bodies and websocket messages up to
 * `maxBodyBytes` (1 000 000), `maxOpenConnections` sockets (900; extra connections are
 * refused), `maxSubscriptionClients` (100) websocket clients with subscriptions, each with up to
 * `maxSubscriptionsPerClient` (5).
 *
 * Deliberate differences from CometBFT (JSON-RPC 2.0 rules where CometBFT is looser): a batch
 * always gets an array back; in a batch, an element that is not a valid request gets its own
 * -32600 error instead of failing the whole body; an empty batch gets -32600; a parse error
 * carries `"id": null`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { parseQuery } from '../events/index.js';
import type { RpcBackend } from './backend.js';
import { eventDataToJson, type Json } from './encode.js';
import {
  internalError,
  invalidParams,
  invalidRequest,
  methodNotFound,
  parseError,
  type RpcError,
  serverError,
  toRpcError,
} from './errors.js';
import { stringifyJson } from './jsonText.js';
import { type Counter, formatAddress, type MetricsRegistry, parseListenAddress } from './metrics.js';
import { jsonParamsToArgs, uriParamsToArgs } from './params.js';
import { type CallContext, MAX_QUERY_LENGTH, ROUTES, type WsSession } from './routes.js';

export interface RpcLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface RpcServerOptions {
  backend: RpcBackend;
  /** `tcp://host:port` (CometBFT `laddr`, default tcp://127.0.0.1:26657); port 0 picks one. */
  listen?: string;
  /** Largest request body or websocket message (CometBFT `max_body_bytes`, 1 000 000). */
  maxBodyBytes?: number;
  /** Open sockets at once, 0 for no limit (CometBFT `max_open_connections`, 900). */
  maxOpenConnections?: number;
  /** Websocket clients with subscriptions (CometBFT `max_subscription_clients`, 100). */
  maxSubscriptionClients?: number;
  /** Subscriptions per websocket client (CometBFT `max_subscriptions_per_client`, 5). */
  maxSubscriptionsPerClient?: number;
  /** broadcast_tx_commit's wait (CometBFT `timeout_broadcast_tx_commit`, 10 s). */
  broadcastTxCommitTimeoutMs?: number;
  /** Websocket keep-alive ping period; a client that misses a pong is dropped (27 s as CometBFT). */
  wsPingIntervalMs?: number;
  /** Bytes queued for a websocket client before its subscriptions count as too slow (8 MiB). */
  wsMaxBufferedBytes?: number;
  logger?: RpcLogger;
  /** If given, request counts by method and outcome are registered there. */
  metrics?: MetricsRegistry;
}

export interface RpcServer {
  /** The bound address, `tcp://host:port`. */
  address: string;
  close(): Promise<void>;
}

type JsonRpcId = string | number | null;

interface RpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: Json;
  error?: Json;
}

/** The id URI GET responses carry (CometBFT's dummyID). */
const URI_ID = -1;

const noop = () => {};
const silent: RpcLogger = { debug: noop, info: noop, warn: noop, error: noop };

function errorResponse(id: JsonRpcId, e: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: e.toJson() };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Settings {
  backend: RpcBackend;
  maxBodyBytes: number;
  maxSubscriptionClients: number;
  maxSubscriptionsPerClient: number;
  broadcastTxCommitTimeoutMs: number;
  wsPingIntervalMs: number;
  wsMaxBufferedBytes: number;
  logger: RpcLogger;
  requests?: Counter;
}

function clientIdOf(socket: Socket): string {
  const host = socket.remoteFamily === 'IPv6' ? `[${socket.remoteAddress}]` : socket.remoteAddress;
  return `${host ?? 'unknown'}:${socket.remotePort ?? 0}`;
}

/** Runs one decoded JSON-RPC request object; undefined for a notification (no reply). */
async function runRequest(
  s: Settings,
  req: unknown,
  clientId: string,
  ws: WsSession | undefined,
): Promise<RpcResponse | undefined> {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    return errorResponse(null, invalidRequest('request must be a JSON object'));
  }
  const r = req as Record<string, unknown>;
  const rawId = r.id;
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number') {
    return errorResponse(null, invalidRequest('id must be a string or a number'));
  }
  // A request without an id is a notification: CometBFT neither runs nor answers it.
  if (rawId === undefined || rawId === null) return undefined;
  const id = rawId;
  if (r.jsonrpc !== undefined && r.jsonrpc !== '2.0') {
    return errorResponse(id, invalidRequest('jsonrpc must be "2.0"'));
  }
  if (typeof r.method !== 'string') return errorResponse(id, invalidRequest('method must be a string'));
  const method = r.method;
  const route = Object.hasOwn(ROUTES, method) ? ROUTES[method] : undefined;
  if (route === undefined || (route.wsOnly === true && ws === undefined)) {
    s.requests?.inc(1, { method: 'unknown', outcome: 'method_not_found' });
    return errorResponse(id, methodNotFound());
  }
  let params: ReturnType<typeof jsonParamsToArgs>;
  try {
    params = jsonParamsToArgs(route.params, r.params);
  } catch (e) {
    s.requests?.inc(1, { method, outcome: 'invalid_params' });
    return errorResponse(id, invalidParams(`error converting json params to arguments: ${message(e)}`));
  }
  const ctx = callContext(s, clientId, id, ws);
  try {
    const result = await route.handler(ctx, params);
    s.requests?.inc(1, { method, outcome: 'ok' });
    return { jsonrpc: '2.0', id, result };
  } catch (e) {
    s.requests?.inc(1, { method, outcome: 'error' });
    return errorResponse(id, toRpcError(e));
  }
}

function callContext(s: Settings, clientId: string, id: string | number, ws?: WsSession): CallContext {
  const ctx: CallContext = {
    backend: s.backend,
    clientId,
    requestId: id,
    broadcastTxCommitTimeoutMs: s.broadcastTxCommitTimeoutMs,
    maxSubscriptionClients: s.maxSubscriptionClients,
    maxSubscriptionsPerClient: s.maxSubscriptionsPerClient,
  };
  if (ws !== undefined) ctx.ws = ws;
  return ctx;
}

/**
 * A JSON-RPC body (single or batch) to the reply text, or undefined when nothing is to be sent
 * (only notifications). `parseFailed` tells HTTP to use status 500 as CometBFT does.
 */
async function runBody(
  s: Settings,
  text: string,
  clientId: string,
  ws: WsSession | undefined,
): Promise<{ body: string | undefined; parseFailed: boolean }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const res = errorResponse(null, parseError(`error unmarshaling request: ${message(e)}`));
    return { body: stringifyJson(res), parseFailed: true };
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) {
      return { body: stringifyJson(errorResponse(null, invalidRequest('empty batch'))), parseFailed: false };
    }
    const out: RpcResponse[] = [];
    for (const item of parsed) {
      const res = await runRequest(s, item, clientId, ws);
      if (res !== undefined) out.push(res);
    }
    return { body: out.length === 0 ? undefined : stringifyJson(out), parseFailed: false };
  }
  const res = await runRequest(s, parsed, clientId, ws);
  return { body: res === undefined ? undefined : stringifyJson(res), parseFailed: false };
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listRoutesHtml(host: string): string {
  const names = Object.keys(ROUTES).sort();
  const noArgs = names.filter((n) => ROUTES[n]!.params.length === 0);
  const withArgs = names.filter((n) => ROUTES[n]!.params.length > 0);
  const link = (path: string) => `<a href="//${host}/${path}">//${host}/${path}</a></br>`;
  const lines = ['<html><body>', '<br>Available endpoints:<br>'];
  for (const n of noArgs) lines.push(link(n));
  lines.push('<br>Endpoints that require arguments:<br>');
  for (const n of withArgs) {
    lines.push(link(`${n}?${ROUTES[n]!.params.map((p) => `${p.name}=_`).join('&')}`));
  }
  lines.push('</body></html>');
  return lines.join('\n');
}

/** Reads a request body up to `max` bytes; undefined when it is larger. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

async function handleHttp(s: Settings, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const clientId = clientIdOf(req.socket);

  if (path === '/') {
    const body = await readBody(req, s.maxBodyBytes);
    if (body === undefined) {
      res.setHeader('connection', 'close');
      const e = invalidRequest('error reading request body: http: request body too large');
      send(res, 400, stringifyJson(errorResponse(null, e)));
      return;
    }
    if (body.length === 0) {
      send(res, 200, listRoutesHtml(req.headers.host ?? 'localhost'), 'text/html; charset=utf-8');
      return;
    }
    const out = await runBody(s, body.toString('utf8'), clientId, undefined);
    if (out.body === undefined) {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
      return;
    }
    send(res, out.parseFailed ? 500 : 200, out.body);
    return;
  }

  if (path === '/websocket') {
    send(res, 400, 'Bad Request: expected a websocket upgrade\n', 'text/plain; charset=utf-8');
    return;
  }

  const method = path.slice(1);
  const route = Object.hasOwn(ROUTES, method) ? ROUTES[method] : undefined;
  if (route === undefined) {
    send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
    return;
  }
  // Drain any body: URI calls take their arguments from the query string only.
  req.resume();
  if (route.wsOnly === true) {
    send(res, 404, stringifyJson(errorResponse(URI_ID, methodNotFound())));
    return;
  }
  let params: ReturnType<typeof uriParamsToArgs>;
  try {
    params = uriParamsToArgs(route.params, url.searchParams);
  } catch (e) {
    s.requests?.inc(1, { method, outcome: 'invalid_params' });
    const err = invalidParams(`error converting http params to arguments: ${message(e)}`);
    send(res, 500, stringifyJson(errorResponse(URI_ID, err)));
    return;
  }
  try {
    const result = await route.handler(callContext(s, clientId, URI_ID), params);
    s.requests?.inc(1, { method, outcome: 'ok' });
    send(res, 200, stringifyJson({ jsonrpc: '2.0', id: URI_ID, result }));
  } catch (e) {
    s.requests?.inc(1, { method, outcome: 'error' });
    send(res, 500, stringifyJson(errorResponse(URI_ID, toRpcError(e))));
  }
}

/** One websocket connection: its JSON-RPC calls and its subscriptions. */
class WsConnection implements WsSession {
  readonly clientId: string;
  private alive = true;
  private closed = false;
  private readonly subscriptions = new Set<string>();
  private pinger: NodeJS.Timeout | undefined;
  /** Serialises request handling so replies keep request order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly s: Settings,
    private readonly ws: WebSocket,
    socket: Socket,
    private readonly onClose: (c: WsConnection) => void,
  ) {
    this.clientId = clientIdOf(socket);
    ws.on('message', (data, isBinary) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      void isBinary;
      this.queue = this.queue.then(() => this.handle(text));
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.shutdown());
    ws.on('error', (e) => {
      s.logger.debug('websocket error', { client: this.clientId, err: e.message });
      this.shutdown();
    });
    if (s.wsPingIntervalMs > 0) {
      this.pinger = setInterval(() => {
        if (!this.alive) {
          s.logger.info('websocket client missed a pong; closing', { client: this.clientId });
          ws.terminate();
          return;
        }
        this.alive = false;
        try {
          ws.ping();
        } catch {
          ws.terminate();
        }
      }, s.wsPingIntervalMs);
      this.pinger.unref();
    }
  }

  private async handle(text: string): Promise<void> {
    try {
      const out = await runBody(this.s, text, this.clientId, this);
      if (out.body !== undefined) this.sendText(out.body);
    } catch (e) {
      this.s.logger.error('websocket request failed', { client: this.clientId, err: message(e) });
    }
  }

  private sendText(text: string): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(text);
    return true;
  }

  async subscribe(query: string, requestId: string | number): Promise<void> {
    const b = this.s.backend;
    const mine = b.numClientSubscriptions(this.clientId);
    if (mine === 0 && b.numClients() >= this.s.maxSubscriptionClients) {
      throw internalError(`max_subscription_clients ${this.s.maxSubscriptionClients} reached`);
    }
    if (mine >= this.s.maxSubscriptionsPerClient) {
      throw internalError(`max_subscriptions_per_client ${this.s.maxSubscriptionsPerClient} reached`);
    }
    if (query.length > MAX_QUERY_LENGTH) throw internalError('maximum query length exceeded');
    try {
      parseQuery(query);
    } catch (e) {
      throw internalError(`failed to parse query: ${message(e)}`);
    }
    const sub = b.subscribe(this.clientId, query);
    this.subscriptions.add(query);
    this.s.logger.info('subscribed', { client: this.clientId, query });
    void this.pump(sub, query, requestId);
  }

  private async pump(
    sub: AsyncIterable<import('../events/index.js').BusMessage>,
    query: string,
    id: string | number,
  ) {
    try {
      for await (const msg of sub) {
        if (this.closed) break;
        if (this.ws.bufferedAmount > this.s.wsMaxBufferedBytes) {
          this.sendText(
            stringifyJson(errorResponse(id, serverError('subscription was canceled (reason: slow client)'))),
          );
          this.s.logger.warn('slow websocket client; subscription cancelled', {
            client: this.clientId,
            query,
          });
          try {
            this.s.backend.unsubscribe(this.clientId, query);
          } catch {
            // Already gone.
          }
          break;
        }
        const result = { query: msg.query, data: eventDataToJson(msg.data), events: msg.events };
        this.sendText(stringifyJson({ jsonrpc: '2.0', id, result }));
      }
    } catch (e) {
      if (!this.closed) {
        const err = serverError(`subscription was canceled (reason: ${message(e)})`);
        this.sendText(stringifyJson(errorResponse(id, err)));
      }
    } finally {
      this.subscriptions.delete(query);
    }
  }

  unsubscribe(query: string): void {
    try {
      parseQuery(query);
    } catch (e) {
      throw internalError(`failed to parse query: ${message(e)}`);
    }
    this.s.backend.unsubscribe(this.clientId, query);
  }

  unsubscribeAll(): void {
    this.s.backend.unsubscribeAll(this.clientId);
  }

  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pinger !== undefined) clearInterval(this.pinger);
    if (this.s.backend.numClientSubscriptions(this.clientId) > 0) {
      try {
        this.s.backend.unsubscribeAll(this.clientId);
      } catch {
        // Nothing left to release.
      }
    }
    this.onClose(this);
  }

  terminate(): void {
    this.shutdown();
    this.ws.terminate();
  }
}

export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const { host, port } = parseListenAddress(opts.listen ?? 'tcp://127.0.0.1:26657');
  const positive = (v: number | undefined, d: number, name: string, allowZero = false): number => {
    const x = v ?? d;
    if (!Number.isSafeInteger(x) || x < (allowZero ? 0 : 1)) {
      throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${x}`);
    }
    return x;
  };
  const s: Settings = {
    backend: opts.backend,
    maxBodyBytes: positive(opts.maxBodyBytes, 1_000_000, 'maxBodyBytes'),
    maxSubscriptionClients: positive(opts.maxSubscriptionClients, 100, 'maxSubscriptionClients', true),
    maxSubscriptionsPerClient: positive(opts.maxSubscriptionsPerClient, 5, 'maxSubscriptionsPerClient', true),
    broadcastTxCommitTimeoutMs: positive(
      opts.broadcastTxCommitTimeoutMs,
      10_000,
      'broadcastTxCommitTimeoutMs',
    ),
    wsPingIntervalMs: positive(opts.wsPingIntervalMs, 27_000, 'wsPingIntervalMs', true),
    wsMaxBufferedBytes: positive(opts.wsMaxBufferedBytes, 8 * 1024 * 1024, 'wsMaxBufferedBytes'),
    logger: opts.logger ?? silent,
  };
  if (opts.metrics !== undefined) {
    s.requests = opts.metrics.counter('cometbft_rpc_requests_total', 'RPC requests by method and outcome.', [
      'method',
      'outcome',
    ]);
  }
  const maxOpen = positive(opts.maxOpenConnections, 900, 'maxOpenConnections', true);

  const server: Server = createServer((req, res) => {
    handleHttp(s, req, res).catch((e) => {
      s.logger.error('rpc request failed', { err: message(e) });
      if (!res.headersSent) send(res, 500, stringifyJson(errorResponse(null, internalError(message(e)))));
      else res.destroy();
    });
  });
  if (maxOpen > 0) server.maxConnections = maxOpen;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: s.maxBodyBytes });
  const connections = new Set<WsConnection>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WsConnection(s, ws, socket, (c) => connections.delete(c));
      connections.add(conn);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = formatAddress(server.address() as AddressInfo);
  s.logger.info('RPC server listening', { address });

  return {
    address,
    close: async () => {
      for (const c of [...connections]) c.terminate();
      await new Promise<void>((resolve) => {
        wss.close(() => resolve());
      });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
