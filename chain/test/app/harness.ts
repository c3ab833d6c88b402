/**
 * Test harness for HearthApp: a genesis with funded accounts from a known mnemonic, txs signed
 * offline by unmodified CosmJS, and helpers to run blocks through the ABCI methods.
 */

import { stringToPath } from '@cosmjs/crypto';
import { DirectSecp256k1HdWallet, type EncodeObject } from '@cosmjs/proto-signing';
import { SigningStargateClient, type StdFee } from '@cosmjs/stargate';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import type { ResponseFinalizeBlock } from 'cosmjs-types/tendermint/abci/types';
import { APP_STORE_NAMES, HearthApp, type HearthAppOptions } from '../../src/app/app.js';
import { encodeProto } from '../../src/codec/protoWriter.js';
import { type MemoryDb, openMemoryCommitMultiStore } from '../../src/store/index.js';
import type { CommitMultiStore } from '../../src/store/types.js';

export const CHAIN_ID = 'hearth-test-1';
export const DENOM = 'uhth';
export const MNEMONIC =
  'surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put';
export const GENESIS_TIME = { seconds: 1_800_000_000n, nanos: 0 };

export interface TestAccount {
  address: string;
  accountNumber: bigint;
}

export async function makeWallet(n: number): Promise<DirectSecp256k1HdWallet> {
  const hdPaths = Array.from({ length: n }, (_, i) => stringToPath(`m/44'/118'/0'/0/${i}`));
  return DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: 'hearth', hdPaths });
}

export function genesisAppState(accounts: { address: string; amount: bigint }[]) {
  return {
    auth: {
      accounts: accounts.map((a, i) => ({
        '@type': '/cosmos.auth.v1beta1.BaseAccount',
        address: a.address,
        pub_key: null,
        account_number: String(i),
        sequence: '0',
      })),
    },
    bank: {
      balances: accounts.map((a) => ({
        address: a.address,
        coins: [{ denom: DENOM, amount: a.amount.toString() }],
      })),
    },
  };
}

export async function newApp(
  opts: Partial<HearthAppOptions> & { db?: MemoryDb } = {},
): Promise<{ app: HearthApp; store: CommitMultiStore }> {
  const store =
    opts.store ?? (await openMemoryCommitMultiStore({ storeNames: APP_STORE_NAMES, keepRecent: 0 }, opts.db));
  const app = new HearthApp({ minGasPrices: '0.025uhth', checkInvariants: true, ...opts, store });
  return { app, store };
}

export async function initChain(app: HearthApp, appState: unknown, maxGas = -1n) {
  return app.initChain({
    time: GENESIS_TIME,
    chainId: CHAIN_ID,
    consensusParams: { block: { maxBytes: 22020096n, maxGas } },
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify(appState)),
    initialHeight: 1n,
  });
}

/** Runs FinalizeBlock + Commit for `txs` at the next height; block time advances 1 s a block. */
export async function runBlock(app: HearthApp, txs: Uint8Array[]): Promise<ResponseFinalizeBlock> {
  const height = BigInt(app.store.lastCommitId().version) + 1n;
  const res = await app.finalizeBlock({
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height,
    time: { seconds: GENESIS_TIME.seconds + height, nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  });
  await app.commit({});
  return res;
}

export const defaultFee = (gas = 200_000n): StdFee => ({
  amount: [{ denom: DENOM, amount: ((gas * 25n + 999n) / 1000n).toString() }],
  gas: gas.toString(),
});

/** Signs offline with CosmJS exactly as a wallet would (SIGN_MODE_DIRECT). */
export async function signTx(
  wallet: DirectSecp256k1HdWallet,
  signer: string,
  msgs: EncodeObject[],
  opts: { accountNumber: bigint; sequence: bigint; chainId?: string; fee?: StdFee; memo?: string },
): Promise<Uint8Array> {
  const client = await SigningStargateClient.offline(wallet);
  const raw = await client.sign(signer, msgs, opts.fee ?? defaultFee(), opts.memo ?? '', {
    accountNumber: opts.accountNumber,
    sequence: Number(opts.sequence),
    chainId: opts.chainId ?? CHAIN_ID,
  });
  return encodeProto(TxRaw, raw);
}

export const sendMsg = (from: string, to: string, amount: bigint, denom = DENOM): EncodeObject => ({
  typeUrl: '/cosmos.bank.v1beta1.MsgSend',
  value: { fromAddress: from, toAddress: to, amount: [{ denom, amount: amount.toString() }] },
});
