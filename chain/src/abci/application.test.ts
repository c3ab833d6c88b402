import {
  type Request,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from 'cosmjs-types/tendermint/abci/types';
import { describe, expect, it } from 'vitest';
import { parseAbciAddress } from './address.js';
import { ABCI_METHODS, type Application, BaseApplication } from './application.js';
import { dispatchRequest, requestKind, UnknownRequestError } from './dispatch.js';
import { AsyncMutex } from './mutex.js';

class MinimalApp extends BaseApplication {
  calls: string[] = [];
  async info() {
    this.calls.push('info');
    return {
      data: 'min',
      version: '1',
      appVersion: 1n,
      lastBlockHeight: 0n,
      lastBlockAppHash: new Uint8Array(),
    };
  }
  async query() {
    return {
      code: 0,
      log: '',
      info: '',
      index: 0n,
      key: new Uint8Array(),
      value: new Uint8Array(),
      height: 0n,
      codespace: '',
    };
  }
  async checkTx() {
    return {
      code: 0,
      data: new Uint8Array(),
      log: '',
      info: '',
      gasWanted: 0n,
      gasUsed: 0n,
      events: [],
      codespace: '',
    };
  }
  async initChain() {
    return { validators: [], appHash: new Uint8Array() };
  }
  async finalizeBlock() {
    return { events: [], txResults: [], validatorUpdates: [], appHash: new Uint8Array() };
  }
  async commit() {
    return { retainHeight: 0n };
  }
}

const prepareReq = (txs: Uint8Array[], maxTxBytes: bigint) =>
  ({ txs, maxTxBytes }) as unknown as Parameters<Application['prepareProposal']>[0];

describe('BaseApplication defaults', () => {
  const app = new MinimalApp();

  it('prepareProposal keeps txs in order up to maxTxBytes and stops at the first that does not fit', async () => {
    const txs = [new Uint8Array(10), new Uint8Array(20), new Uint8Array(5), new Uint8Array(1)];
    expect((await app.prepareProposal(prepareReq(txs, 30n))).txs).toEqual([txs[0], txs[1]]);
    expect((await app.prepareProposal(prepareReq(txs, 36n))).txs).toEqual(txs);
    expect((await app.prepareProposal(prepareReq(txs, 9n))).txs).toEqual([]);
  });

  it('accepts proposals and vote extensions, extends with nothing', async () => {
    expect((await app.processProposal({} as never)).status).toBe(
      ResponseProcessProposal_ProposalStatus.ACCEPT,
    );
    expect((await app.extendVote({} as never)).voteExtension).toEqual(new Uint8Array(0));
    expect((await app.verifyVoteExtension({} as never)).status).toBe(
      ResponseVerifyVoteExtension_VerifyStatus.ACCEPT,
    );
  });

  it('serves no snapshots and never accepts one', async () => {
    expect((await app.listSnapshots({})).snapshots).toEqual([]);
    expect((await app.offerSnapshot({} as never)).result).toBe(ResponseOfferSnapshot_Result.REJECT);
    expect((await app.loadSnapshotChunk({} as never)).chunk.length).toBe(0);
    expect((await app.applySnapshotChunk({} as never)).result).toBe(ResponseApplySnapshotChunk_Result.ABORT);
  });

  it('implements every ABCI method', () => {
    for (const m of ABCI_METHODS) expect(typeof app[m]).toBe('function');
    expect(ABCI_METHODS.length).toBe(14);
  });
});

describe('dispatch', () => {
  it('routes each request kind to the method of the same name and wraps the answer', async () => {
    const app = new MinimalApp();
    const res = await dispatchRequest(app, {
      info: { version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' },
    });
    expect(res.info?.data).toBe('min');
    expect(app.calls).toEqual(['info']);
    expect(await dispatchRequest(app, { echo: { message: 'hi' } })).toEqual({ echo: { message: 'hi' } });
    expect(await dispatchRequest(app, { commit: {} })).toEqual({ commit: { retainHeight: 0n } });
  });

  it('refuses empty and ambiguous requests', () => {
    expect(() => requestKind({} as Request)).toThrow(UnknownRequestError);
    expect(() => requestKind({ flush: {}, commit: {} } as Request)).toThrow(/both flush and commit/);
  });

  it('reports an app that returns nothing', async () => {
    const app = new MinimalApp();
    app.commit = (async () => undefined) as never;
    await expect(dispatchRequest(app, { commit: {} })).rejects.toThrow(/returned undefined/);
  });
});

describe('AsyncMutex', () => {
  it('runs holders one at a time in FIFO order and survives a throwing holder', async () => {
    const m = new AsyncMutex();
    const log: string[] = [];
    let inside = 0;
    const job = (name: string, fail = false) =>
      m.runExclusive(async () => {
        inside++;
        expect(inside).toBe(1);
        log.push(`${name}>`);
        await new Promise((r) => setImmediate(r));
        log.push(`<${name}`);
        inside--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job('a'), job('b', true), job('c')]);
    expect(log).toEqual(['a>', '<a', 'b>', '<b', 'c>', '<c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('parseAbciAddress', () => {
  it('parses CometBFT proxy_app forms', () => {
    expect(parseAbciAddress('tcp://127.0.0.1:26658')).toEqual({
      protocol: 'tcp',
      host: '127.0.0.1',
      port: 26658,
    });
    expect(parseAbciAddress('0.0.0.0:26658')).toEqual({ protocol: 'tcp', host: '0.0.0.0', port: 26658 });
    expect(parseAbciAddress('tcp://[::1]:1')).toEqual({ protocol: 'tcp', host: '::1', port: 1 });
    expect(parseAbciAddress('unix:///tmp/app.sock')).toEqual({ protocol: 'unix', path: '/tmp/app.sock' });
  });
  it('rejects bad addresses with a clear error', () => {
    expect(() => parseAbciAddress('grpc://127.0.0.1:1')).toThrow(/unsupported protocol/);
    expect(() => parseAbciAddress('tcp://host')).toThrow(/not host:port/);
    expect(() => parseAbciAddress('tcp://h:70000')).toThrow(/out of range/);
    expect(() => parseAbciAddress('unix://')).toThrow(/no socket path/);
    expect(() => parseAbciAddress('')).toThrow(TypeError);
  });
});
