/**
 * Signature pre-verification on worker threads: the pool's verdicts match inline verification
 * for every kind of input, and the app's use of it changes what is checked where, never the
 * result of a tx.
 */
import { createHash } from 'node:crypto';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import secp256k1 from 'secp256k1';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeProto } from '../../src/codec/protoWriter.js';
import { type SigCheck, verifySecp256k1 } from '../../src/crypto/secp256k1.js';
import { SignatureVerifierPool as SignatureVerifier } from '../../src/crypto/verifierPool.js';
import { genesisAppState, initChain, makeWallet, newApp, runBlock, sendMsg, signTx } from './harness.js';

const ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function keyPair(i: number) {
  const priv = new Uint8Array(createHash('sha256').update(`verifier-key-${i}`).digest());
  return { priv, pub: secp256k1.publicKeyCreate(priv, true) };
}

function signed(i: number, text: string): SigCheck {
  const { priv, pub } = keyPair(i);
  const signBytes = new TextEncoder().encode(text);
  const digest = createHash('sha256').update(signBytes).digest();
  return { pubKey: pub, signBytes, signature: secp256k1.ecdsaSign(digest, priv).signature };
}

/** The same signature with S replaced by n - S: valid for plain ECDSA, refused as malleable. */
function highS(c: SigCheck): SigCheck {
  const s = BigInt(`0x${Buffer.from(c.signature.subarray(32)).toString('hex')}`);
  const sig = new Uint8Array(c.signature);
  sig.set(Buffer.from((ORDER - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return { ...c, signature: sig };
}

function cases(): { name: string; check: SigCheck }[] {
  const good = signed(1, 'hello');
  const flipped = new Uint8Array(good.signature);
  flipped[5] = (flipped[5] as number) ^ 1;
  return [
    { name: 'valid', check: good },
    { name: 'valid, other key', check: signed(2, 'other message') },
    { name: 'flipped signature bit', check: { ...good, signature: flipped } },
    { name: 'other message', check: { ...good, signBytes: new TextEncoder().encode('hellO') } },
    { name: 'wrong key', check: { ...good, pubKey: keyPair(3).pub } },
    { name: 'high S', check: highS(good) },
    { name: 'short signature', check: { ...good, signature: good.signature.subarray(0, 63) } },
    { name: 'garbage key', check: { ...good, pubKey: new Uint8Array(33).fill(7) } },
    { name: 'empty key', check: { ...good, pubKey: new Uint8Array() } },
    { name: 'oversize key', check: { ...good, pubKey: new Uint8Array(300).fill(2) } },
    { name: 'empty sign bytes', check: signed(4, '') },
  ];
}

describe('SignatureVerifier', () => {
  const pool = new SignatureVerifier({ threads: 2, batchSize: 3 });
  afterAll(() => pool.close());

  it('gives the inline verdict for every kind of input, in order, across batches', async () => {
    const all = cases();
    const expected = all.map(
      (c) => verifySecp256k1(c.check.pubKey, c.check.signBytes, c.check.signature) === 'ok',
    );
    expect(expected.filter(Boolean)).toHaveLength(3);
    expect(pool.threads).toBe(2);
    const before = pool.stats.workerChecks;
    // Several callers at once, so their checks share and split batches.
    const [a, b, c] = await Promise.all([
      pool.verify(all.map((x) => x.check)),
      pool.verify([all[0]!.check]),
      pool.verify(all.slice(3).map((x) => x.check)),
    ]);
    expect(Object.fromEntries(all.map((x, i) => [x.name, a[i]]))).toEqual(
      Object.fromEntries(all.map((x, i) => [x.name, expected[i]])),
    );
    expect(b).toEqual([true]);
    expect(c).toEqual(expected.slice(3));
    expect(pool.stats.workerChecks - before).toBe(all.length * 2 - 3 + 1);
  });

  it('answers an empty request at once and many requests in full', async () => {
    expect(await pool.verify([])).toEqual([]);
    const many = Array.from({ length: 200 }, (_, i) => signed(i, `m${i}`));
    const ok = await pool.verify(many);
    expect(ok.every(Boolean)).toBe(true);
  });

  it('verifies inline with no threads, and after close', async () => {
    const inline = new SignatureVerifier({ threads: 0 });
    expect(inline.threads).toBe(0);
    const all = cases();
    const got = await inline.verify(all.map((c) => c.check));
    expect(got).toEqual(
      all.map((c) => verifySecp256k1(c.check.pubKey, c.check.signBytes, c.check.signature) === 'ok'),
    );
    expect(inline.stats.inlineChecks).toBe(all.length);

    const closing = new SignatureVerifier({ threads: 1 });
    await closing.close();
    expect(await closing.verify([all[0]!.check, all[2]!.check])).toEqual([true, false]);
    expect(closing.stats.inlineChecks).toBe(2);
  });

  it('answers checks still waiting for a batch when the pool closes', async () => {
    const pool2 = new SignatureVerifier({ threads: 1, batchSize: 100, maxDelayMs: 60_000 });
    const all = cases();
    const waiting = pool2.verify(all.map((c) => c.check));
    await pool2.close();
    expect(await waiting).toEqual(
      all.map((c) => verifySecp256k1(c.check.pubKey, c.check.signBytes, c.check.signature) === 'ok'),
    );
    expect(pool2.stats).toEqual({ workerChecks: 0, inlineChecks: all.length });
  });
});

describe('HearthApp signature pre-verification', () => {
  async function setup(threads: number) {
    const wallet = await makeWallet(3);
    const accounts = (await wallet.getAccounts()).map((a) => a.address);
    const verifier = new SignatureVerifier({ threads });
    const { app } = await newApp({ sigVerifier: verifier });
    await initChain(app, genesisAppState(accounts.map((address) => ({ address, amount: 1_000_000n }))));
    await runBlock(app, []);
    const tx = (i: number, sequence: bigint, amount = 5n, accountNumber = BigInt(i)) =>
      signTx(wallet, accounts[i]!, [sendMsg(accounts[i]!, accounts[2]!, amount)], {
        accountNumber,
        sequence,
      });
    return { app, verifier, tx };
  }

  it('CheckTx skips what pre-verification proved, and still refuses a bad signature', async () => {
    const { app, verifier, tx } = await setup(1);
    const good = await tx(0, 0n);
    await app.preVerifyTx(good);
    expect(verifier.stats.workerChecks).toBe(1);
    expect(app.sigCache.size).toBe(1);
    expect((await app.checkTx({ tx: good, type: 0 })).code).toBe(0);

    const raw = TxRaw.decode(await tx(1, 0n));
    const sig = new Uint8Array(raw.signatures[0]!);
    sig[10] = (sig[10] as number) ^ 0xff;
    const bad = encodeProto(TxRaw, { ...raw, signatures: [sig] });
    await app.preVerifyTx(bad);
    expect(verifier.stats.workerChecks).toBe(2);
    expect(app.sigCache.size).toBe(1); // a failed check is not remembered
    const res = await app.checkTx({ tx: bad, type: 0 });
    expect(res.code).toBe(4);
    expect(res.log).toContain('signature verification failed');

    // Undecodable bytes are left for CheckTx to report.
    await app.preVerifyTx(new Uint8Array([1, 2, 3]));
    expect((await app.checkTx({ tx: new Uint8Array([1, 2, 3]), type: 0 })).code).toBe(2);
    await verifier.close();
  });

  it('a tx signed for another account number fails pre-verification and CheckTx', async () => {
    const { app, verifier, tx } = await setup(1);
    const wrong = await tx(0, 0n, 5n, 7n);
    await app.preVerifyTx(wrong);
    expect(verifier.stats.workerChecks).toBe(1);
    expect(app.sigCache.size).toBe(0);
    const res = await app.checkTx({ tx: wrong, type: 0 });
    expect(res.code).toBe(4);
    await verifier.close();
  });

  it('a failing verifier changes nothing but where signatures are checked', async () => {
    const wallet = await makeWallet(2);
    const [a, b] = (await wallet.getAccounts()).map((x) => x.address);
    const failing = { verify: () => Promise.reject(new Error('pool died')) };
    const { app } = await newApp({ sigVerifier: failing });
    await initChain(app, genesisAppState([a!, b!].map((address) => ({ address, amount: 1_000_000n }))));
    await runBlock(app, []);
    const tx = await signTx(wallet, a!, [sendMsg(a!, b!, 7n)], { accountNumber: 0n, sequence: 0n });
    await app.preVerifyTx(tx);
    expect(app.sigCache.size).toBe(0);
    expect((await app.checkTx({ tx, type: 0 })).code).toBe(0);
    const res = await runBlock(app, [tx]);
    expect(res.txResults.map((r) => r.code)).toEqual([0]);
  });

  it('FinalizeBlock results and app hashes are the same with and without worker threads', async () => {
    const results: unknown[] = [];
    for (const threads of [0, 2]) {
      const { app, verifier, tx } = await setup(threads);
      const txs = [await tx(0, 0n), await tx(1, 0n), await tx(0, 1n, 999_999_999n), await tx(1, 1n)];
      // Not through CheckTx: as a block from another proposer, verified during ProcessProposal.
      await app.processProposal({
        txs,
        proposedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height: 2n,
        time: { seconds: 1_800_000_002n, nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      const res = await runBlock(app, txs);
      results.push({
        codes: res.txResults.map((r) => [r.code, r.gasUsed]),
        appHash: Buffer.from(res.appHash).toString('hex'),
      });
      if (threads > 0) expect(verifier.stats.workerChecks).toBe(txs.length);
      else expect(verifier.stats.inlineChecks).toBe(txs.length);
      await verifier.close();
    }
    expect(results[0]).toEqual(results[1]);
    expect((results[0] as { codes: [number, bigint][] }).codes.map((c) => c[0])).toEqual([0, 0, 5, 0]);
  });
});
