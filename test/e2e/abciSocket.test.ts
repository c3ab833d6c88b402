/**
 * `hearth start --with-comet=false` serves the app over the ABCI socket exactly as CometBFT
 * v0.38 drives it: InitChain, CheckTx, PrepareProposal, ProcessProposal, FinalizeBlock, Commit
 * and Query over the socket, and a restart resumes at the committed height and app hash.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbciSocketClient } from '@hearth/chain/abci/index';
import { QueryBalanceRequest, QueryBalanceResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { ResponseProcessProposal_ProposalStatus } from 'cosmjs-types/tendermint/abci/types';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHAIN_ID,
  GENESIS_TIME,
  genesisAppState,
  makeWallet,
  sendMsg,
  signTx,
} from '../../chain/test/app/harness.js';

const root = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
const home = mkdtempSync(join(tmpdir(), 'hearth-abci-'));

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the address it reports once listening. */
function startServer(): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'cli/bin/hearth.mjs'),
      'start',
      '--with-comet=false',
      '--address',
      'tcp://127.0.0.1:0',
      '--home',
      home,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
    const onData = (b: Buffer) => {
      log += b.toString();
      const m = /waiting for CometBFT address=(tcp:\/\/[0-9.]+:[0-9]+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: m[1]! });
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('hearth start --with-comet=false', () => {
  it('runs a block over the ABCI socket and resumes after a restart', async () => {
    const wallet = await makeWallet(2);
    const [alice, bob] = (await wallet.getAccounts()).map((a) => a.address) as [string, string];
    let { child, address } = await startServer();
    let client = await AbciSocketClient.connect(address);

    expect((await client.echo('hello')).message).toBe('hello');
    await client.flush();
    const info = await client.info({
      version: '0.38.17',
      blockVersion: 11n,
      p2pVersion: 8n,
      abciVersion: '2.0.0',
    });
    expect(info.lastBlockHeight).toBe(0n);
    const init = await client.initChain({
      time: GENESIS_TIME,
      chainId: CHAIN_ID,
      consensusParams: { block: { maxBytes: 22020096n, maxGas: -1n } },
      validators: [],
      appStateBytes: new TextEncoder().encode(
        JSON.stringify(genesisAppState([{ address: alice, amount: 1_000_000n }])),
      ),
      initialHeight: 1n,
    });
    expect(init.appHash.length).toBe(32);

    const block = async (height: bigint, txs: Uint8Array[]) => {
      const prepared = await client.prepareProposal({
        maxTxBytes: 1_000_000n,
        txs,
        localLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        height,
        time: { seconds: GENESIS_TIME.seconds + height, nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      const processed = await client.processProposal({
        txs: prepared.txs,
        proposedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height,
        time: { seconds: GENESIS_TIME.seconds + height, nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      expect(processed.status).toBe(ResponseProcessProposal_ProposalStatus.ACCEPT);
      const fin = await client.finalizeBlock({
        txs: prepared.txs,
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height,
        time: { seconds: GENESIS_TIME.seconds + height, nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      await client.commit({});
      return fin;
    };

    await block(1n, []);
    const tx = await signTx(wallet, alice, [sendMsg(alice, bob, 777n)], { accountNumber: 0n, sequence: 0n });
    const check = await client.checkTx({ tx, type: 0 });
    expect(check.code, check.log).toBe(0);
    const garbage = await client.checkTx({ tx: Uint8Array.of(1, 2, 3), type: 0 });
    expect([garbage.codespace, garbage.code]).toEqual(['sdk', 2]);
    const fin = await block(2n, [tx]);
    expect(fin.txResults.map((r) => r.code)).toEqual([0]);

    const balanceOf = async (c: AbciSocketClient, addr: string) => {
      const q = await c.query({
        path: '/cosmos.bank.v1beta1.Query/Balance',
        data: QueryBalanceRequest.encode({ address: addr, denom: 'uhth' }).finish(),
        height: 0n,
        prove: false,
      });
      expect(q.code, q.log).toBe(0);
      return QueryBalanceResponse.decode(q.value).balance!.amount;
    };
    expect(await balanceOf(client, bob)).toBe('777');

    await client.close();
    expect(await stop(child)).toBe(0);

    ({ child, address } = await startServer());
    client = await AbciSocketClient.connect(address);
    const after = await client.info({
      version: '0.38.17',
      blockVersion: 11n,
      p2pVersion: 8n,
      abciVersion: '2.0.0',
    });
    expect(after.lastBlockHeight).toBe(2n);
    expect(Buffer.from(after.lastBlockAppHash).toString('hex')).toBe(
      Buffer.from(fin.appHash).toString('hex'),
    );
    expect(await balanceOf(client, bob)).toBe('777');
    await block(3n, []);
    await client.close();
    expect(await stop(child)).toBe(0);
  }, 120_000);
});
