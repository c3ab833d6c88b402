import { createHash } from 'node:crypto';
import { rm as rmFile, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeepPartial } from 'cosmjs-types/helpers';
import {
  type Request,
  type RequestCheckTx,
  Request as RequestCodec,
  RequestFinalizeBlock,
  type RequestInfo,
  RequestInitChain,
  type RequestProcessProposal,
  type RequestQuery,
  type Response,
  ResponseCheckTx,
  Response as ResponseCodec,
  ResponseCommit,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  type ResponseProcessProposal,
  ResponseProcessProposal_ProposalStatus,
  ResponseQuery,
} from 'cosmjs-types/tendermint/abci/types';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeProto } from '../codec/protoWriter.js';
import { BaseApplication } from './application.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { AbciConnectionError, AbciExceptionError, AbciSocketClient } from './socketClient.js';
import { type AbciServer, type AbciServerOptions, startAbciServer } from './socketServer.js';

// ---------------------------------------------------------------------------------------------
// A kvstore-like test application: txs are `key=value`; the app hash is the SHA-256 of the
// sorted state rendered as `key=value\n` lines. It counts how many calls are inside it at once.

const enc = new TextEncoder();
const dec = new TextDecoder();

function parseTx(tx: Uint8Array): [string, string] | undefined {
  const s = dec.decode(tx);
  const i = s.indexOf('=');
  if (i <= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 1)];
}

function hashState(state: Map<string, string>): Uint8Array {
  const h = createHash('sha256');
  for (const k of [...state.keys()].sort()) h.update(`${k}=${state.get(k)}\n`);
  return new Uint8Array(h.digest());
}

class KVStoreApp extends BaseApplication {
  committed = new Map<string, string>();
  private working: Map<string, string> | undefined;
  height = 0n;
  appHash: Uint8Array = new Uint8Array(0);
  inside = 0;
  maxInside = 0;
  /** setImmediate hops inside each call, to give other connections a chance to interleave. */
  yieldTicks = 0;
  calls: string[] = [];
  /** When set, every call waits for it before answering. */
  gate: Promise<void> | undefined;

  private async enter<T>(name: string, fn: () => T): Promise<T> {
    this.inside++;
    this.maxInside = Math.max(this.maxInside, this.inside);
    this.calls.push(name);
    try {
      for (let i = 0; i < this.yieldTicks; i++) await new Promise((r) => setImmediate(r));
      if (this.gate) await this.gate;
      return fn();
    } finally {
      this.inside--;
    }
  }

  info(_req: RequestInfo) {
    return this.enter('info', () =>
      ResponseInfo.fromPartial({
        data: 'kvstore',
        version: '1.0.0',
        appVersion: 1n,
        lastBlockHeight: this.height,
        lastBlockAppHash: this.appHash,
      }),
    );
  }

  initChain(_req: RequestInitChain) {
    return this.enter('initChain', () => {
      this.appHash = hashState(this.committed);
      return ResponseInitChain.fromPartial({ validators: [], appHash: this.appHash });
    });
  }

  checkTx(req: RequestCheckTx) {
    return this.enter('checkTx', () => {
      const kv = parseTx(req.tx);
      if (!kv)
        return ResponseCheckTx.fromPartial({ code: 1, log: 'tx must be key=value', codespace: 'kvstore' });
      if (kv[0] === 'throw') throw new Error('boom');
      // 2^64 is not an int64: the server must refuse to encode it.
      const gasWanted = kv[0] === 'overflow' ? 2n ** 64n : kv[0] === 'big' ? 2n ** 40n : 1n;
      return ResponseCheckTx.fromPartial({ code: 0, data: enc.encode(kv[0]), gasWanted });
    });
  }

  override processProposal(req: RequestProcessProposal) {
    return this.enter('processProposal', () => ({
      status: req.txs.every((tx) => parseTx(tx) !== undefined)
        ? ResponseProcessProposal_ProposalStatus.ACCEPT
        : ResponseProcessProposal_ProposalStatus.REJECT,
    })) as Promise<ResponseProcessProposal>;
  }

  finalizeBlock(req: RequestFinalizeBlock) {
    return this.enter('finalizeBlock', () => {
      const state = new Map(this.committed);
      const txResults = req.txs.map((tx) => {
        const kv = parseTx(tx);
        if (!kv) return { code: 1, log: 'tx must be key=value', codespace: 'kvstore' };
        state.set(kv[0], kv[1]);
        return {
          code: 0,
          gasUsed: 1n,
          events: [{ type: 'app', attributes: [{ key: 'key', value: kv[0], index: true }] }],
        };
      });
      this.working = state;
      this.height = req.height;
      this.appHash = hashState(state);
      return ResponseFinalizeBlock.fromPartial({ txResults, appHash: this.appHash });
    });
  }

  commit() {
    return this.enter('commit', () => {
      if (this.working) this.committed = this.working;
      this.working = undefined;
      return ResponseCommit.fromPartial({ retainHeight: 0n });
    });
  }

  query(req: RequestQuery) {
    return this.enter('query', () => {
      if (req.path === '/big') return ResponseQuery.fromPartial({ value: new Uint8Array(1000).fill(7) });
      const key = dec.decode(req.data);
      const value = this.committed.get(key);
      if (value === undefined)
        return ResponseQuery.fromPartial({ code: 6, log: 'not found', height: this.height });
      return ResponseQuery.fromPartial({ key: req.data, value: enc.encode(value), height: this.height });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// A raw connection that speaks the wire format directly, as CometBFT's socket client does.

class RawConn {
  readonly received: Buffer[] = [];
  private readonly decoder = new FrameDecoder();
  private readonly frames: Uint8Array[] = [];
  private wake: (() => void) | undefined;
  ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      this.frames.push(...this.decoder.push(chunk));
      this.wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static open(address: string): Promise<RawConn> {
    const port = Number(address.split(':').pop());
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  get receivedBytes(): number {
    return this.received.reduce((n, b) => n + b.length, 0);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends requests back to back in one write, then a Flush unless told not to. */
  send(reqs: DeepPartial<Request>[], flush = true): void {
    const all = flush ? [...reqs, { flush: {} }] : reqs;
    this.write(
      Buffer.concat(
        all.map((r) => encodeFrame(encodeProto(RequestCodec, RequestCodec.fromPartial(r as Request)))),
      ),
    );
  }

  async next(): Promise<Response> {
    while (this.frames.length === 0) {
      if (this.ended) throw new Error('connection closed while waiting for a response');
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
    return ResponseCodec.decode(this.frames.shift() as Uint8Array);
  }

  /** Sends one request plus Flush and returns the answer, checking the Flush answer follows. */
  async call(req: DeepPartial<Request>): Promise<Response> {
    this.send([req]);
    const res = await this.next();
    expect(await this.next()).toEqual(ResponseCodec.fromPartial({ flush: {} }));
    return res;
  }

  close(): void {
    this.socket.destroy();
  }
}

const servers: AbciServer[] = [];
const conns: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function serve(app = new KVStoreApp(), extra: Partial<AbciServerOptions> = {}) {
  const server = await startAbciServer({ app, address: 'tcp://127.0.0.1:0', ...extra });
  servers.push(server);
  return { app, server };
}

async function open(server: AbciServer): Promise<RawConn> {
  const c = await RawConn.open(server.address);
  conns.push(c);
  return c;
}

const tick = () => new Promise((r) => setTimeout(r, 20));

// Framed bytes transcribed from /work/shared/conformance/cometbft-v0.38/abci_socket_framing_derived.json.
const REQ_ECHO_HELLO = '090a070a0568656c6c6f';
const REQ_FLUSH = '021200';
const RES_ECHO_HELLO = '0912070a0568656c6c6f';
const RES_FLUSH = '021a00';
const REQ_INFO = '161a140a07302e33382e3235100b18082205322e302e30';

const initChainReq: RequestInitChain = RequestInitChain.fromPartial({
  time: { seconds: 2n ** 32n, nanos: 0 },
  chainId: 'hearth-test-1',
  validators: [],
  appStateBytes: new Uint8Array(),
  initialHeight: 1n,
});
const finalizeReq = (height: bigint, txs: Uint8Array[]): RequestFinalizeBlock =>
  RequestFinalizeBlock.fromPartial({
    txs,
    height,
    time: { seconds: 1_700_000_000n, nanos: 0 },
    hash: new Uint8Array(32).fill(1),
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  });

describe('ABCI socket server (CometBFT v0.38 wire protocol)', () => {
  it('answers Echo and Flush with exactly the bytes CometBFT expects', async () => {
    const { server } = await serve();
    expect(server.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const c = await open(server);
    c.write(Buffer.from(REQ_ECHO_HELLO + REQ_FLUSH, 'hex'));
    await c.next();
    await c.next();
    expect(Buffer.concat(c.received).toString('hex')).toBe(RES_ECHO_HELLO + RES_FLUSH);
  });

  it('drives a whole block like the consensus, mempool and query connections do', async () => {
    const { server, app } = await serve();
    const c = await open(server);

    // Handshake: Info (CometBFT's own bytes), then InitChain at height 0.
    c.write(Buffer.from(REQ_INFO + REQ_FLUSH, 'hex'));
    const info = await c.next();
    await c.next();
    expect(info.info).toMatchObject({ data: 'kvstore', lastBlockHeight: 0n });
    const init = await c.call({ initChain: initChainReq });
    expect(init.initChain?.appHash).toEqual(hashState(new Map()));

    // Mempool.
    const good = await c.call({ checkTx: { tx: enc.encode('a=1'), type: 0 } });
    expect(good.checkTx).toMatchObject({ code: 0, gasWanted: 1n, data: enc.encode('a') });
    const bad = await c.call({ checkTx: { tx: enc.encode('no-equals-sign'), type: 0 } });
    expect(bad.checkTx).toMatchObject({ code: 1, codespace: 'kvstore', log: 'tx must be key=value' });
    const big = await c.call({ checkTx: { tx: enc.encode('big=1'), type: 0 } });
    expect(big.checkTx?.gasWanted).toBe(2n ** 40n);

    // Proposal: the default PrepareProposal respects maxTxBytes.
    const txs = [enc.encode('a=1'), enc.encode('b=2'), enc.encode('c=3')];
    const prep = await c.call({ prepareProposal: { txs, maxTxBytes: 6n, height: 1n } });
    expect(prep.prepareProposal?.txs).toEqual(txs.slice(0, 2));
    const proc = await c.call({ processProposal: { txs: [...txs, enc.encode('bad')], height: 1n } });
    expect(proc.processProposal?.status).toBe(ResponseProcessProposal_ProposalStatus.REJECT);
    const ok = await c.call({ processProposal: { txs, height: 1n } });
    expect(ok.processProposal?.status).toBe(ResponseProcessProposal_ProposalStatus.ACCEPT);

    // Block.
    const fin = await c.call({ finalizeBlock: finalizeReq(1n, [txs[0]!, enc.encode('junk'), txs[1]!]) });
    expect(fin.finalizeBlock?.txResults.map((r) => r.code)).toEqual([0, 1, 0]);
    expect(fin.finalizeBlock?.txResults[0]?.events[0]?.attributes[0]).toMatchObject({
      key: 'key',
      value: 'a',
    });
    const expectedHash = createHash('sha256').update('a=1\nb=2\n').digest();
    expect(Buffer.from(fin.finalizeBlock?.appHash ?? []).equals(expectedHash)).toBe(true);
    const commit = await c.call({ commit: {} });
    expect(commit.commit).toEqual({ retainHeight: 0n });

    // Query connection.
    const after = await c.call({
      info: { version: '0.38.25', blockVersion: 11n, p2pVersion: 8n, abciVersion: '2.0.0' },
    });
    expect(after.info?.lastBlockHeight).toBe(1n);
    expect(Buffer.from(after.info?.lastBlockAppHash ?? []).equals(expectedHash)).toBe(true);
    const q = await c.call({ query: { path: '/store', data: enc.encode('b'), height: 0n, prove: false } });
    expect(q.query).toMatchObject({ code: 0, value: enc.encode('2'), height: 1n });
    const missing = await c.call({
      query: { path: '/store', data: enc.encode('zz'), height: 0n, prove: false },
    });
    expect(missing.query?.code).toBe(6);

    expect(app.calls).toEqual([
      'info',
      'initChain',
      'checkTx',
      'checkTx',
      'checkTx',
      'processProposal',
      'processProposal',
      'finalizeBlock',
      'commit',
      'info',
      'query',
      'query',
    ]);
  });

  it('answers pipelined requests strictly in order', async () => {
    const { server } = await serve();
    const c = await open(server);
    const reqs: DeepPartial<Request>[] = [];
    for (let i = 0; i < 40; i++) {
      reqs.push(
        i % 3 === 0 ? { echo: { message: `e${i}` } } : { checkTx: { tx: enc.encode(`k${i}=v`), type: 0 } },
      );
    }
    c.send(reqs);
    for (let i = 0; i < 40; i++) {
      const res = await c.next();
      if (i % 3 === 0) expect(res.echo?.message).toBe(`e${i}`);
      else expect(dec.decode(res.checkTx?.data)).toBe(`k${i}`);
    }
    expect((await c.next()).flush).toEqual({});
  });

  it("starts an app's preVerifyTx for each new tx of a chunk at once, and answers CheckTx in order", async () => {
    const log: string[] = [];
    const release: (() => void)[] = [];
    class PreparingApp extends KVStoreApp {
      preVerifyTx(tx: Uint8Array): Promise<void> {
        log.push(`prepare ${dec.decode(tx)}`);
        // The last tx's preparation finishes first, then the others; one fails.
        return new Promise((resolve, reject) =>
          release.push(dec.decode(tx) === 'k1=v' ? () => reject(new Error('bad')) : resolve),
        );
      }
      override checkTx(req: RequestCheckTx) {
        log.push(`check ${dec.decode(req.tx)}`);
        return super.checkTx(req);
      }
    }
    const { server } = await serve(new PreparingApp());
    const c = await open(server);
    c.send(
      [0, 1, 2]
        .map((i) => ({ checkTx: { tx: enc.encode(`k${i}=v`), type: 0 } }))
        .concat([{ checkTx: { tx: enc.encode('k0=v'), type: 1 } }]),
    );
    await tick();
    expect(log).toEqual(['prepare k0=v', 'prepare k1=v', 'prepare k2=v']); // not for the recheck
    release[2]!();
    await tick();
    expect(log).toHaveLength(3); // k0 still preparing: nothing is checked out of order
    release[0]!();
    release[1]!();
    for (let i = 0; i < 4; i++) expect((await c.next()).checkTx?.code).toBe(0);
    expect(log.slice(3)).toEqual(['check k0=v', 'check k1=v', 'check k2=v', 'check k0=v']);
  });

  it('holds responses until Flush', async () => {
    const { server, app } = await serve();
    const c = await open(server);
    c.send([{ checkTx: { tx: enc.encode('a=1'), type: 0 } }], false);
    while (!app.calls.includes('checkTx')) await tick();
    await tick();
    expect(c.receivedBytes).toBe(0);
    c.send([]);
    expect((await c.next()).checkTx?.code).toBe(0);
    expect((await c.next()).flush).toEqual({});
  });

  it('writes without a Flush once the buffer passes the threshold', async () => {
    const { server } = await serve(new KVStoreApp(), { flushThresholdBytes: 512 });
    const c = await open(server);
    c.send([{ query: { path: '/big', data: new Uint8Array(), height: 0n, prove: false } }], false);
    expect((await c.next()).query?.value.length).toBe(1000);
  });

  it('turns an application error into an exception and keeps serving', async () => {
    const { server } = await serve();
    const c = await open(server);
    const res = await c.call({ checkTx: { tx: enc.encode('throw=1'), type: 0 } });
    expect(res.exception?.error).toMatch(/checkTx: boom/);
    expect((await c.call({ echo: { message: 'still here' } })).echo?.message).toBe('still here');
  });

  it('refuses to send a response the app built with an out-of-range 64-bit value', async () => {
    const { server } = await serve();
    const c = await open(server);
    const res = await c.call({ checkTx: { tx: enc.encode('overflow=1'), type: 0 } });
    expect(res.exception?.error).toMatch(/invalid response from application.*uint64|int64/);
  });

  it('answers an empty (unknown) request with an exception and keeps serving', async () => {
    const { server } = await serve();
    const c = await open(server);
    c.write(Buffer.from(`00${REQ_FLUSH}`, 'hex'));
    expect((await c.next()).exception?.error).toMatch(/names no ABCI 2.0 call/);
    expect((await c.next()).flush).toEqual({});
    expect((await c.call({ echo: { message: 'x' } })).echo?.message).toBe('x');
  });

  it('answers an undecodable frame with an exception, closes that connection, keeps serving others', async () => {
    const { server } = await serve();
    const other = await open(server);
    const c = await open(server);
    // Body 0x07: a tag with field number 0 and wire type 7, which no protobuf decoder accepts.
    c.write(Buffer.from(`0107${REQ_FLUSH}`, 'hex'));
    expect((await c.next()).exception?.error).toMatch(/cannot decode request/);
    await c.closed;
    expect((await other.call({ echo: { message: 'alive' } })).echo?.message).toBe('alive');
    const fresh = await open(server);
    expect((await fresh.call({ echo: { message: 'new' } })).echo?.message).toBe('new');
  });

  it('refuses a length prefix above 100 MiB without waiting for the body', async () => {
    const { server } = await serve();
    const c = await open(server);
    c.write(Buffer.from('81808032', 'hex')); // uvarint(104857601)
    expect((await c.next()).exception?.error).toMatch(/exceeds the maximum of 104857600/);
    await c.closed;
  });

  it('refuses a frame above a configured limit', async () => {
    const { server } = await serve(new KVStoreApp(), { maxMessageBytes: 1024 });
    const c = await open(server);
    c.write(encodeFrame(encodeProto(RequestCodec, { echo: { message: 'y'.repeat(2000) } })));
    expect((await c.next()).exception?.error).toMatch(/exceeds the maximum of 1024/);
    await c.closed;
  });

  it('answers with an exception instead of sending a response above the size limit', async () => {
    const { server } = await serve(new KVStoreApp(), { maxMessageBytes: 512 });
    const c = await open(server);
    const res = await c.call({ query: { path: '/big', data: new Uint8Array(), height: 0n, prove: false } });
    expect(res.exception?.error).toMatch(
      /query: response of \d+ bytes exceeds the maximum message size of 512/,
    );
    expect((await c.call({ echo: { message: 'small' } })).echo?.message).toBe('small');
  });

  it('survives arbitrary bytes from a peer and keeps serving', async () => {
    const { server } = await serve();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (garbage) => {
        const c = await open(server);
        c.write(garbage);
        c.socket.end();
        await c.closed;
      }),
      { numRuns: 25 },
    );
    const fresh = await open(server);
    expect((await fresh.call({ echo: { message: 'unharmed' } })).echo?.message).toBe('unharmed');
  });

  it('serializes application calls across concurrent connections', async () => {
    const app = new KVStoreApp();
    app.yieldTicks = 3;
    const { server } = await serve(app);
    const [mempool, query, consensus] = await Promise.all([open(server), open(server), open(server)]);
    const checks: DeepPartial<Request>[] = Array.from({ length: 15 }, (_, i) => ({
      checkTx: { tx: enc.encode(`m${i}=1`), type: 0 },
    }));
    const queries: DeepPartial<Request>[] = Array.from({ length: 15 }, () => ({
      query: { path: '/store', data: enc.encode('m0'), height: 0n, prove: false },
    }));
    mempool.send(checks);
    query.send(queries);
    consensus.send([{ finalizeBlock: finalizeReq(1n, [enc.encode('z=9')]) }, { commit: {} }]);
    for (let i = 0; i < 15; i++) expect(dec.decode((await mempool.next()).checkTx?.data)).toBe(`m${i}`);
    for (let i = 0; i < 15; i++) expect((await query.next()).query).toBeDefined();
    expect((await consensus.next()).finalizeBlock?.txResults[0]?.code).toBe(0);
    expect((await consensus.next()).commit).toBeDefined();
    expect(app.calls.length).toBe(32);
    expect(app.maxInside).toBe(1);
  });

  it('listens on a unix socket', async () => {
    const path = join(tmpdir(), `hearth-abci-${process.pid}-${Date.now()}.sock`);
    const { server } = await serve(new KVStoreApp(), { address: `unix://${path}` });
    expect(server.address).toBe(`unix://${path}`);
    const client = await AbciSocketClient.connect(server.address);
    conns.push({ close: () => void client.close() });
    expect((await client.echo('over unix')).message).toBe('over unix');
    expect((await client.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' })).data).toBe(
      'kvstore',
    );
  });

  it('will not delete a regular file sitting at the unix socket path', async () => {
    const path = join(tmpdir(), `hearth-abci-file-${process.pid}-${Date.now()}`);
    await writeFile(path, 'not a socket');
    try {
      await expect(startAbciServer({ app: new KVStoreApp(), address: `unix://${path}` })).rejects.toThrow(
        /cannot listen on unix:/,
      );
      expect((await stat(path)).isFile()).toBe(true);
    } finally {
      await rmFile(path, { force: true });
    }
  });

  it('reports an address it cannot use', async () => {
    await expect(startAbciServer({ app: new KVStoreApp(), address: 'http://x:1' })).rejects.toThrow(
      /unsupported protocol/,
    );
  });
});

describe('AbciSocketClient', () => {
  async function client(server: AbciServer) {
    const c = await AbciSocketClient.connect(server.address);
    conns.push({ close: () => void c.close() });
    return c;
  }

  it('gives the same answers as calling the app in-process', async () => {
    const { server } = await serve();
    const remote = await client(server);
    const local = new KVStoreApp();
    const blockTxs = [enc.encode('x=1'), enc.encode('bad'), enc.encode('y=22')];
    const steps: Array<
      [string, (app: KVStoreApp | AbciSocketClient) => Promise<unknown>, (v: unknown) => string]
    > = [
      [
        'initChain',
        (a) => a.initChain(initChainReq),
        (v) => hexOf(ResponseInitChain, v as ResponseInitChain),
      ],
      [
        'checkTx',
        (a) => a.checkTx({ tx: enc.encode('big=1'), type: 0 }),
        (v) => hexOf(ResponseCheckTx, v as ResponseCheckTx),
      ],
      [
        'finalizeBlock',
        (a) => a.finalizeBlock(finalizeReq(1n, blockTxs)),
        (v) => hexOf(ResponseFinalizeBlock, v as ResponseFinalizeBlock),
      ],
      ['commit', (a) => a.commit({}), (v) => hexOf(ResponseCommit, v as ResponseCommit)],
      [
        'info',
        (a) => a.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' }),
        (v) => hexOf(ResponseInfo, v as ResponseInfo),
      ],
      [
        'query',
        (a) => a.query({ path: '/store', data: enc.encode('y'), height: 0n, prove: false }),
        (v) => hexOf(ResponseQuery, v as ResponseQuery),
      ],
    ];
    for (const [name, run, canon] of steps) {
      expect(canon(await run(remote)), name).toBe(canon(await run(local)));
    }
    expect(
      dec.decode(
        (await remote.query({ path: '/store', data: enc.encode('y'), height: 0n, prove: false })).value,
      ),
    ).toBe('22');
  });

  it('pipelines concurrent calls and matches answers in order', async () => {
    const { server } = await serve();
    const c = await client(server);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 5 === 0 ? c.echo(`e${i}`) : c.checkTx({ tx: enc.encode(`k${i}=v`), type: 0 }),
      ),
    );
    results.forEach((r, i) => {
      if (i % 5 === 0) expect(r).toEqual({ message: `e${i}` });
      else expect(dec.decode((r as { data: Uint8Array }).data)).toBe(`k${i}`);
    });
    await c.flush();
  });

  it('surfaces a server exception as AbciExceptionError and stays usable', async () => {
    const { server } = await serve();
    const c = await client(server);
    const err = await c.checkTx({ tx: enc.encode('throw=1'), type: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbciExceptionError);
    expect((err as AbciExceptionError).method).toBe('checkTx');
    expect((err as AbciExceptionError).remoteError).toMatch(/boom/);
    expect((await c.echo('ok')).message).toBe('ok');
  });

  it('fails pending and later calls with AbciConnectionError when the server goes away', async () => {
    const app = new KVStoreApp();
    app.gate = new Promise(() => {}); // never answers
    const { server } = await serve(app);
    const c = await client(server);
    const pending = c.checkTx({ tx: enc.encode('a=1'), type: 0 });
    while (!app.calls.includes('checkTx')) await tick();
    await server.close();
    await expect(pending).rejects.toBeInstanceOf(AbciConnectionError);
    await expect(c.echo('late')).rejects.toBeInstanceOf(AbciConnectionError);
  });

  it('reports a refused connection clearly', async () => {
    const { server } = await serve();
    const address = server.address;
    await server.close();
    await expect(AbciSocketClient.connect(address)).rejects.toThrow(/cannot connect to ABCI app at tcp:/);
  });

  it('rejects a request it cannot encode without touching the connection', async () => {
    const { server } = await serve();
    const c = await client(server);
    await expect(c.commit(null as never)).resolves.toBeDefined(); // null submessage encodes as empty
    await expect(
      c.checkTx({ tx: enc.encode('a=1'), type: 0, extra: 1 } as RequestCheckTx & { extra: number }),
    ).resolves.toBeDefined();
    await expect(
      c.info({ version: '', blockVersion: 2n ** 64n, p2pVersion: 0n, abciVersion: '' }),
    ).rejects.toThrow(/cannot encode request: uint64/);
    expect((await c.echo('fine')).message).toBe('fine');
  });
});

function hexOf<T>(codec: { encode(m: T, w?: never): { finish(): Uint8Array } }, v: T): string {
  return Buffer.from(encodeProto(codec as never, v)).toString('hex');
}
