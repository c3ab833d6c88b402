/**
 * The same blocks give the same app hash on every instance, whatever happened to the process in
 * between; committed state is provable with ICS23 proofs against the app hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iavlSpec, ics23, tendermintSpec, verifyMembership, verifyNonMembership } from '@confio/ics23';
import type { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_STORE_NAMES, HearthApp } from '../../src/app/app.js';
import { balanceKey } from '../../src/app/modules/bank/keys.js';
import { addressFromBech32 } from '../../src/app/types/address.js';
import { openCommitMultiStore } from '../../src/store/index.js';
import { DENOM, genesisAppState, initChain, makeWallet, runBlock, sendMsg, signTx } from './harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function diskApp(dir: string): Promise<HearthApp> {
  const store = await openCommitMultiStore(join(dir, 'application.db'), {
    storeNames: APP_STORE_NAMES,
    keepRecent: 0,
  });
  return new HearthApp({ store, minGasPrices: '0.025uhth', checkInvariants: true });
}

/** A deterministic PRNG (mulberry32) so the blocks are the same for every instance. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('determinism across instances and restarts', () => {
  let wallet: DirectSecp256k1HdWallet;
  let addrs: string[];
  const blocks: Uint8Array[][] = [];

  beforeAll(async () => {
    wallet = await makeWallet(5);
    addrs = (await wallet.getAccounts()).map((a) => a.address);
    // 8 blocks of random sends among 5 accounts, including some that fail (overdrafts).
    const rand = prng(42);
    const seq = addrs.map(() => 0n);
    for (let h = 0; h < 8; h++) {
      const txs: Uint8Array[] = [];
      const n = Math.floor(rand() * 5);
      for (let i = 0; i < n; i++) {
        const from = Math.floor(rand() * addrs.length);
        const to = Math.floor(rand() * addrs.length);
        const amount = BigInt(Math.floor(rand() * 4_000_000));
        txs.push(
          await signTx(wallet, addrs[from]!, [sendMsg(addrs[from]!, addrs[to]!, amount + 1n)], {
            accountNumber: BigInt(from),
            sequence: seq[from]!,
          }),
        );
        seq[from]! += 1n;
      }
      blocks.push(txs);
    }
  });

  const genesis = () => genesisAppState(addrsOrThrow().map((address) => ({ address, amount: 3_000_000n })));
  const addrsOrThrow = () => {
    if (!addrs) throw new Error('wallet not ready');
    return addrs;
  };

  it('two fresh instances agree at every height, and a restarted one too', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'hearth-det-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'hearth-det-b-'));
    dirs.push(dirA, dirB);
    const a = await diskApp(dirA);
    let b = await diskApp(dirB);
    const initA = await initChain(a, genesis());
    const initB = await initChain(b, genesis());
    expect(initA.appHash).toEqual(initB.appHash);
    let failures = 0;
    for (const [i, txs] of blocks.entries()) {
      const ra = await runBlock(a, txs);
      const rb = await runBlock(b, txs);
      expect(Buffer.from(rb.appHash).toString('hex'), `height ${i + 1}`).toBe(
        Buffer.from(ra.appHash).toString('hex'),
      );
      expect(rb.txResults).toEqual(ra.txResults);
      failures += ra.txResults.filter((r) => r.code !== 0).length;
      if (i === 3) {
        // Restart B from disk in the middle of the sequence.
        await b.store.close();
        b = await diskApp(dirB);
        const info = await b.info({ version: '', blockVersion: 0n, p2pVersion: 0n, abciVersion: '' });
        expect(info.lastBlockHeight).toBe(4n);
        expect(info.lastBlockAppHash).toEqual(ra.appHash);
      }
    }
    expect(failures, 'the sequence should exercise failing txs too').toBeGreaterThan(0);
    expect(a.exportGenesis()).toEqual(b.exportGenesis());
    await a.store.close();
    await b.store.close();
  });

  it('answers /store queries with ICS23 proofs that verify against the app hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-proof-'));
    dirs.push(dir);
    const app = await diskApp(dir);
    await initChain(app, genesis());
    await runBlock(app, blocks[0]!);
    const appHash = app.store.lastCommitId().hash;
    const key = balanceKey(addressFromBech32(addrs[0]!), DENOM);
    const res = await app.query({ path: '/store/bank/key', data: key, height: 0n, prove: true });
    expect(res.code, res.log).toBe(0);
    expect(res.value.length).toBeGreaterThan(0);
    const [iavlOp, simpleOp] = res.proofOps!.ops;
    expect([iavlOp!.type, simpleOp!.type]).toEqual(['ics23:iavl', 'ics23:simple']);
    const simple = ics23.CommitmentProof.decode(simpleOp!.data);
    const storeRoot = simple.exist!.value!;
    expect(
      verifyMembership(simple, tendermintSpec, appHash, new TextEncoder().encode('bank'), storeRoot),
    ).toBe(true);
    const iavl = ics23.CommitmentProof.decode(iavlOp!.data);
    expect(verifyMembership(iavl, iavlSpec, storeRoot, key, res.value)).toBe(true);
    expect(verifyMembership(iavl, iavlSpec, storeRoot, key, new TextEncoder().encode('999'))).toBe(false);

    const missing = balanceKey(addressFromBech32(addrs[0]!), 'unobtainium');
    const none = await app.query({ path: '/store/bank/key', data: missing, height: 0n, prove: true });
    expect(none.value.length).toBe(0);
    const nonexist = ics23.CommitmentProof.decode(none.proofOps!.ops[0]!.data);
    expect(verifyNonMembership(nonexist, iavlSpec, storeRoot, missing)).toBe(true);

    const future = await app.query({ path: '/store/bank/key', data: key, height: 99n, prove: true });
    expect([future.codespace, future.code]).toEqual(['sdk', 26]);
    await app.store.close();
  });
});
