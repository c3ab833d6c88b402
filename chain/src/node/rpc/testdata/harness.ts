/** Test helpers: a server over the fake backend, HTTP calls, and a websocket client with a message queue. */
import WebSocket from 'ws';
import { type RpcServer, type RpcServerOptions, startRpcServer } from '../server.js';
import { FakeBackend } from './fakeBackend.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON responses are untyped.
export type Json = any;

export interface Harness {
  backend: FakeBackend;
  server: RpcServer;
  /** http://host:port */
  url: string;
  post(
    body: string | Json,
    headers?: Record<string, string>,
  ): Promise<{ status: number; text: string; json: Json }>;
  get(pathAndQuery: string): Promise<{ status: number; text: string; json: Json }>;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<RpcServerOptions> = {}): Promise<Harness> {
  const backend = await FakeBackend.create({});
  const server = await startRpcServer({ backend, listen: 'tcp://127.0.0.1:0', ...opts });
  const url = server.address.replace('tcp://', 'http://');
  const parse = (text: string): Json => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  return {
    backend,
    server,
    url,
    async post(body, headers = {}) {
      const res = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, text, json: parse(text) };
    },
    async get(pathAndQuery) {
      const res = await fetch(`${url}${pathAndQuery}`);
      const text = await res.text();
      return { status: res.status, text, json: parse(text) };
    },
    async close() {
      await server.close();
      backend.bus.stop();
    },
  };
}

/** A websocket client that queues incoming JSON messages. */
export class WsClient {
  private readonly queue: Json[] = [];
  private readonly waiters: ((m: Json) => void)[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.queue.push(msg);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      });
    });
  }

  static connect(httpUrl: string): Promise<WsClient> {
    const ws = new WebSocket(`${httpUrl.replace('http://', 'ws://')}/websocket`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  send(msg: Json | string): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The next message; fails the test if none arrives within `ms`. */
  next(ms = 5000): Promise<Json> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(deliver);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no websocket message within ${ms} ms`));
      }, ms);
      const deliver = (msg: Json) => {
        clearTimeout(timer);
        resolve(msg);
      };
      this.waiters.push(deliver);
    });
  }

  /** Sends a request and returns the next message (its reply when nothing else is pending). */
  async call(id: string | number, method: string, params: Json = {}): Promise<Json> {
    this.send({ jsonrpc: '2.0', id, method, params });
    return this.next();
  }

  close(): void {
    this.ws.close();
  }
}
