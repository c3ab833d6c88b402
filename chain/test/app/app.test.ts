import { fromBech32 } from '@cosmjs/encoding';
import type { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { QueryAccountRequest, QueryAccountResponse } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { QueryBalanceRequest, QueryBalanceResponse } from 'cosmjs-types/cosmos/bank/v1beta1/query';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import { PubKey } from 'cosmjs-types/cosmos/crypto/secp256k1/keys';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { SimulateRequest, SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import { AuthInfo, TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HearthApp } from '../../src/app/app.js';
import { addressToBech32, moduleAddress } from '../../src/app/types/address.js';
import { encodeProto } from '../../src/codec/protoWriter.js';
import {
  DENOM,
  defaultFee,
  genesisAppState,
  initChain,
  makeWallet,
  newApp,
  runBlock,
  sendMsg,
  signTx,
} from './harness.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function balance(app: HearthApp, address: string, denom = DENOM): Promise<bigint> {
  const res = await app.query({
    path: '/cosmos.bank.v1beta1.Query/Balance',
    data: QueryBalanceRequest.encode({ address, denom }).finish(),
    height: 0n,
    prove: false,
  });
  expect(res.code, res.log).toBe(0);
  return BigInt(QueryBalanceResponse.decode(res.value).balance!.amount);
}

describe('HearthApp with CosmJS-signed transactions', () => {
  let wallet: DirectSecp256k1HdWallet;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    wallet = await makeWallet(3);
    [alice, bob, carol] = (await wallet.getAccounts()).map((a) => a.address) as [string, string, string];
  });

  async function freshChain() {
    const { app } = await newApp();
    await initChain(
      app,
      genesisAppState([
        { address: alice, amount: 1_000_000_000n },
        { address: bob, amount: 5_000n },
      ]),
    );
    return app;
  }

  it('passes CheckTx and FinalizeBlock, moves balances, charges the fee and reports events', async () => {
    const app = await freshChain();
    await runBlock(app, []);
    const tx = await signTx(wallet, alice, [sendMsg(alice, carol, 12_345n)], {
      accountNumber: 0n,
      sequence: 0n,
    });
    const check = await app.checkTx({ tx, type: 0 });
    expect(check.code, check.log).toBe(0);
    expect(check.gasWanted).toBe(200_000n);
    expect(check.gasUsed).toBeGreaterThan(0n);

    const block = await runBlock(app, [tx]);
    const r = block.txResults[0]!;
    expect(r.code, r.log).toBe(0);
    expect(r.gasUsed).toBeGreaterThan(0n);
    expect(r.gasUsed).toBeLessThanOrEqual(r.gasWanted);
    const data = TxMsgData.decode(r.data);
    expect(data.msgResponses.map((m) => m.typeUrl)).toEqual(['/cosmos.bank.v1beta1.MsgSendResponse']);

    const attrs = (type: string) =>
      r.events.filter((e) => e.type === type).flatMap((e) => e.attributes.map((a) => [a.key, a.value]));
    expect(attrs('message')).toContainEqual(['action', '/cosmos.bank.v1beta1.MsgSend']);
    expect(attrs('message')).toContainEqual(['sender', alice]);
    expect(attrs('message')).toContainEqual(['module', 'bank']);
    expect(attrs('transfer')).toContainEqual(['recipient', carol]);
    expect(attrs('transfer')).toContainEqual(['amount', `12345${DENOM}`]);
    expect(attrs('coin_spent')).toContainEqual(['spender', alice]);
    expect(attrs('coin_received')).toContainEqual(['receiver', carol]);
    expect(attrs('tx')).toContainEqual(['fee', `5000${DENOM}`]);
    expect(attrs('tx')).toContainEqual(['acc_seq', `${alice}/0`]);
    expect(attrs('tx').some(([k]) => k === 'signature')).toBe(true);

    expect(await balance(app, carol)).toBe(12_345n);
    expect(await balance(app, alice)).toBe(1_000_000_000n - 12_345n - 5_000n);
    expect(await balance(app, addressToBech32(moduleAddress('fee_collector')))).toBe(5_000n);

    // The sequence moved on and the public key was recorded on first use.
    const acc = await app.query({
      path: '/cosmos.auth.v1beta1.Query/Account',
      data: QueryAccountRequest.encode({ address: alice }).finish(),
      height: 0n,
      prove: false,
    });
    const base = BaseAccount.decode(QueryAccountResponse.decode(acc.value).account!.value);
    expect(base.sequence).toBe(1n);
    expect(base.pubKey?.typeUrl).toBe('/cosmos.crypto.secp256k1.PubKey');

    // Replaying the same tx is refused: its sequence is spent.
    const replay = await app.checkTx({ tx, type: 0 });
    expect([replay.codespace, replay.code]).toEqual(['sdk', 32]);
  });

  it('answers an unknown account with NotFound, as CosmJS getAccount expects', async () => {
    const app = await freshChain();
    await runBlock(app, []);
    const res = await app.query({
      path: '/cosmos.auth.v1beta1.Query/Account',
      data: QueryAccountRequest.encode({ address: carol }).finish(),
      height: 0n,
      prove: false,
    });
    expect(res.code).toBe(22);
    expect(res.log).toMatch(/rpc error: code = NotFound/);
  });

  it('Simulate returns gas that is enough to execute the tx', async () => {
    const app = await freshChain();
    await runBlock(app, []);
    const client = await import('@cosmjs/stargate');
    void client;
    const unsigned = await signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
      accountNumber: 0n,
      sequence: 0n,
    });
    // CosmJS simulates with no fee, an unspecified sign mode and an empty signature; do the same.
    const raw = TxRaw.decode(unsigned);
    const info = AuthInfo.decode(raw.authInfoBytes);
    const simAuthInfo = encodeProto(AuthInfo, {
      signerInfos: info.signerInfos.map((si) => ({
        ...si,
        modeInfo: { single: { mode: SignMode.SIGN_MODE_UNSPECIFIED } },
      })),
      fee: { amount: [], gasLimit: 0n, payer: '', granter: '' },
    });
    const simTx = encodeProto(TxRaw, {
      bodyBytes: raw.bodyBytes,
      authInfoBytes: simAuthInfo,
      signatures: [new Uint8Array()],
    });
    const res = await app.query({
      path: '/cosmos.tx.v1beta1.Service/Simulate',
      data: SimulateRequest.encode({ txBytes: simTx }).finish(),
      height: 0n,
      prove: false,
    });
    expect(res.code, res.log).toBe(0);
    const sim = SimulateResponse.decode(res.value);
    const gas = sim.gasInfo!.gasUsed;
    expect(gas).toBeGreaterThan(10_000n);
    // A tx with the simulated gas plus a 10% margin executes, and the estimate is close. (The first
    // fee-paying tx of a block also writes the fee collector's holder-index entry — distribution
    // empties the collector at every block start — which the check-state simulation cannot see.)
    const limit = (gas * 11n) / 10n;
    const tx = await signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
      accountNumber: 0n,
      sequence: 0n,
      fee: defaultFee(limit),
    });
    const block = await runBlock(app, [tx]);
    expect(block.txResults[0]!.code, block.txResults[0]!.log).toBe(0);
    const used = block.txResults[0]!.gasUsed;
    expect(used > gas ? used - gas : gas - used).toBeLessThan(5_000n);
  });

  it('handles gas limits above 2^31 end to end (64-bit safe encoding)', async () => {
    const app = await freshChain();
    await runBlock(app, []);
    const [account] = await wallet.getAccounts();
    const gasLimit = 2n ** 32n + 7n;
    const fee = (gasLimit * 25n + 999n) / 1000n;
    const bodyBytes = encodeProto(TxBody, {
      messages: [
        {
          typeUrl: '/cosmos.bank.v1beta1.MsgSend',
          value: encodeProto(MsgSend, {
            fromAddress: alice,
            toAddress: carol,
            amount: [{ denom: DENOM, amount: '7' }],
          }),
        },
      ],
      memo: '',
      timeoutHeight: 0n,
      unordered: false,
      extensionOptions: [],
      nonCriticalExtensionOptions: [],
    });
    const authInfoBytes = encodeProto(AuthInfo, {
      signerInfos: [
        {
          publicKey: {
            typeUrl: '/cosmos.crypto.secp256k1.PubKey',
            value: encodeProto(PubKey, { key: account!.pubkey }),
          },
          modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
          sequence: 0n,
        },
      ],
      fee: { amount: [{ denom: DENOM, amount: fee.toString() }], gasLimit, payer: '', granter: '' },
    });
    expect(AuthInfo.decode(authInfoBytes).fee!.gasLimit).toBe(gasLimit);
    const { signature } = await wallet.signDirect(alice, {
      bodyBytes,
      authInfoBytes,
      chainId: 'hearth-test-1',
      accountNumber: 0n,
    });
    const tx = encodeProto(TxRaw, {
      bodyBytes,
      authInfoBytes,
      signatures: [Buffer.from(signature.signature, 'base64')],
    });
    const check = await app.checkTx({ tx, type: 0 });
    expect(check.code, check.log).toBe(0);
    expect(check.gasWanted).toBe(gasLimit);
    const block = await runBlock(app, [tx]);
    expect(block.txResults[0]!.code, block.txResults[0]!.log).toBe(0);
    expect(block.txResults[0]!.gasWanted).toBe(gasLimit);
  });

  it('tells the mempool the sender, sequence and fee priority of a tx', async () => {
    const app = await freshChain();
    const tx = await signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
      accountNumber: 0n,
      sequence: 7n,
      fee: defaultFee(100_000n),
    });
    expect(app.mempoolTxInfo(tx)).toEqual({ sender: alice, sequence: 7n, priority: 0n });
    const rich = await signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
      accountNumber: 0n,
      sequence: 8n,
      fee: { amount: [{ denom: DENOM, amount: '300000' }], gas: '100000' },
    });
    expect(app.mempoolTxInfo(rich)?.priority).toBe(3n);
    expect(app.mempoolTxInfo(Uint8Array.of(1, 2, 3))).toBeUndefined();
  });

  it('decodes a hearth address through CosmJS fromBech32 (scure/base pin)', () => {
    const { prefix, data } = fromBech32(alice);
    expect(prefix).toBe('hearth');
    expect(data.length).toBe(20);
  });

  describe('bad transactions get their documented code and change no state', () => {
    type Case = { name: string; codespace: string; code: number; tx: () => Promise<Uint8Array> };
    const resign = (tx: Uint8Array, f: (sig: Uint8Array) => Uint8Array) => {
      const raw = TxRaw.decode(tx);
      return encodeProto(TxRaw, { ...raw, signatures: [f(raw.signatures[0]!)] });
    };
    const cases: Case[] = [
      {
        name: 'bad signature',
        codespace: 'sdk',
        code: 4,
        tx: async () =>
          resign(
            await signTx(wallet, alice, [sendMsg(alice, carol, 1n)], { accountNumber: 0n, sequence: 0n }),
            (s) => {
              const b = Uint8Array.from(s);
              b[5]! ^= 0x55;
              return b;
            },
          ),
      },
      {
        name: 'high-S signature',
        codespace: 'sdk',
        code: 4,
        tx: async () =>
          resign(
            await signTx(wallet, alice, [sendMsg(alice, carol, 1n)], { accountNumber: 0n, sequence: 0n }),
            (s) => {
              const sv = BigInt(`0x${Buffer.from(s.subarray(32)).toString('hex')}`);
              const high = Buffer.from((N - sv).toString(16).padStart(64, '0'), 'hex');
              return Uint8Array.from([...s.subarray(0, 32), ...high]);
            },
          ),
      },
      {
        name: 'wrong chain-id',
        codespace: 'sdk',
        code: 4,
        tx: () =>
          signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
            accountNumber: 0n,
            sequence: 0n,
            chainId: 'other-chain',
          }),
      },
      {
        name: 'wrong account number',
        codespace: 'sdk',
        code: 4,
        tx: () => signTx(wallet, alice, [sendMsg(alice, carol, 1n)], { accountNumber: 1n, sequence: 0n }),
      },
      {
        name: 'wrong sequence',
        codespace: 'sdk',
        code: 32,
        tx: () => signTx(wallet, alice, [sendMsg(alice, carol, 1n)], { accountNumber: 0n, sequence: 3n }),
      },
      {
        name: 'insufficient fee',
        codespace: 'sdk',
        code: 13,
        tx: () =>
          signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
            accountNumber: 0n,
            sequence: 0n,
            fee: { amount: [{ denom: DENOM, amount: '1' }], gas: '200000' },
          }),
      },
      {
        name: 'out of gas',
        codespace: 'sdk',
        code: 11,
        tx: () =>
          signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
            accountNumber: 0n,
            sequence: 0n,
            fee: { amount: [{ denom: DENOM, amount: '100' }], gas: '1000' },
          }),
      },
      {
        name: 'insufficient funds for the fee',
        codespace: 'sdk',
        code: 5,
        tx: () =>
          signTx(wallet, bob, [sendMsg(bob, carol, 1n)], {
            accountNumber: 1n,
            sequence: 0n,
            fee: { amount: [{ denom: DENOM, amount: '6000' }], gas: '200000' },
          }),
      },
      {
        name: 'garbage bytes',
        codespace: 'sdk',
        code: 2,
        tx: async () => Uint8Array.from([0xff, 0x01, 0x02, 0x03, 0x99]),
      },
      {
        name: 'oversize',
        codespace: 'sdk',
        code: 21,
        tx: () =>
          signTx(wallet, alice, [sendMsg(alice, carol, 1n)], {
            accountNumber: 0n,
            sequence: 0n,
            memo: 'x'.repeat(1024 * 1024),
          }),
      },
      {
        name: 'unknown message type',
        codespace: 'sdk',
        code: 2,
        tx: () =>
          signTx(
            wallet,
            alice,
            [
              {
                typeUrl: '/cosmos.gov.v1beta1.MsgDeposit',
                value: { proposalId: 1n, depositor: alice, amount: [] },
              },
            ],
            { accountNumber: 0n, sequence: 0n },
          ),
      },
    ];

    for (const c of cases) {
      it(`${c.name} -> ${c.codespace}/${c.code}`, async () => {
        const tx = await c.tx();
        const app = await freshChain();
        const reference = await freshChain();
        await runBlock(app, []);
        await runBlock(reference, []);
        const before = await balance(app, alice);
        const check = await app.checkTx({ tx, type: 0 });
        expect([check.codespace, check.code], check.log).toEqual([c.codespace, c.code]);
        // Included in a block anyway (a faulty proposer), it fails the same way and writes nothing.
        const block = await runBlock(app, [tx]);
        await runBlock(reference, []);
        const r = block.txResults[0]!;
        if (c.name !== 'insufficient fee')
          expect([r.codespace, r.code], r.log).toEqual([c.codespace, c.code]);
        else expect(r.code, 'minimum gas prices are CheckTx policy, not consensus').toBe(0);
        if (c.name !== 'insufficient fee') {
          expect(app.store.lastCommitId().hash).toEqual(reference.store.lastCommitId().hash);
          expect(await balance(app, alice)).toBe(before);
        }
      });
    }
  });
});
