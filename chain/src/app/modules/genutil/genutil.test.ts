import { makeAuthInfoBytes, Registry } from '@cosmjs/proto-signing';
import { MsgCreateValidator } from 'cosmjs-types/cosmos/staking/v1beta1/tx';
import { TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../../codec/protoWriter.js';
import { Context } from '../../types/context.js';
import { GenesisError } from '../../types/json.js';
import { stakingModule } from '../staking/module.js';
import { createValidator } from '../staking/msgServer.js';
import { acc, createValidatorMsg, TestChain, testConsKey } from '../staking/testkit.js';
import { validateGenTxs } from './genesis.js';
import { genTxJsonToRaw, genTxRawToJson } from './genTx.js';
import { genutilModule } from './module.js';

const M = 1_000_000n;

/** A gentx as a CosmJS signer would encode it (signature bytes are not checked here). */
function cosmjsGenTx(i: number, amount: bigint, memo = 'node@127.0.0.1:26656'): Uint8Array {
  const registry = new Registry([['/cosmos.staking.v1beta1.MsgCreateValidator', MsgCreateValidator]]);
  const bodyBytes = registry.encode({
    typeUrl: '/cosmos.tx.v1beta1.TxBody',
    value: {
      messages: [
        { typeUrl: '/cosmos.staking.v1beta1.MsgCreateValidator', value: createValidatorMsg(i, amount) },
      ],
      memo,
    },
  });
  const pubkey = {
    typeUrl: '/cosmos.crypto.secp256k1.PubKey',
    value: Uint8Array.from([10, 33, 2, ...new Array(32).fill(7)]),
  };
  const authInfoBytes = makeAuthInfoBytes([{ pubkey, sequence: 0 }], [], 200_000, undefined, undefined);
  return encodeProto(TxRaw, { bodyBytes, authInfoBytes, signatures: [new Uint8Array(64).fill(1)] });
}

function appState(gentxs: unknown[], balance: bigint) {
  return {
    bank: {
      balances: [1, 2].map((i) => ({
        address: acc(i),
        coins: [{ denom: 'uhth', amount: balance.toString() }],
      })),
    },
    staking: { params: { bond_denom: 'uhth' } },
    genutil: { gen_txs: gentxs },
  };
}

describe('x/genutil', () => {
  it('turns a CosmJS-encoded gentx into SDK JSON and back into the identical signed bytes', () => {
    const raw = cosmjsGenTx(1, 100n * M);
    const json = genTxRawToJson(raw);
    expect(json.body.messages[0]!.commission.rate).toBe('0.100000000000000000');
    expect(json.body.messages[0]!.pubkey['@type']).toBe('/cosmos.crypto.ed25519.PubKey');
    expect(json.auth_info.signer_infos[0]!.mode_info.single.mode).toBe('SIGN_MODE_DIRECT');
    const back = genTxJsonToRaw(JSON.parse(JSON.stringify(json)), 'gentx');
    expect(Buffer.from(back.raw).toString('hex')).toBe(Buffer.from(raw).toString('hex'));
    expect(TxBody.decode(TxRaw.decode(back.raw).bodyBytes).memo).toBe('node@127.0.0.1:26656');
  });

  it('validates gentxs against genesis balances, denoms and duplicates', () => {
    const g1 = genTxRawToJson(cosmjsGenTx(1, 100n * M));
    const g2 = genTxRawToJson(cosmjsGenTx(2, 100n * M));
    expect(validateGenTxs(appState([g1, g2], 100n * M))).toHaveLength(2);
    expect(() => validateGenTxs(appState([g1], 99n * M))).toThrow(/only has 99000000uhth available to stake/);
    expect(() => validateGenTxs(appState([g1, g1], 100n * M))).toThrow(/duplicate gentx/);
    const g3 = genTxRawToJson(cosmjsGenTx(3, 1n));
    expect(() => validateGenTxs(appState([g3], 100n * M))).toThrow(/does not have a balance/);
    const wrongDenom = JSON.parse(JSON.stringify(g1));
    wrongDenom.body.messages[0].value.denom = 'uatom';
    expect(() => validateGenTxs(appState([wrongDenom], 100n * M))).toThrow(/must be the bond denom uhth/);
    const twoMsgs = JSON.parse(JSON.stringify(g1));
    twoMsgs.body.messages.push(twoMsgs.body.messages[0]);
    expect(() => validateGenTxs(appState([twoMsgs], 100n * M))).toThrow(GenesisError);
    const badKey = JSON.parse(JSON.stringify(g1));
    badKey.body.messages[0].pubkey.key = 'AAAA';
    expect(() => validateGenTxs(appState([badKey], 100n * M))).toThrow(/32 bytes/);
  });

  it('delivers gentxs at genesis and returns the resulting validator set; a failing gentx fails genesis', async () => {
    const c = await TestChain.create();
    const deliver = (ctx: Context, bytes: Uint8Array) => {
      const body = TxBody.decode(TxRaw.decode(bytes).bodyBytes);
      try {
        const sub = (
          ctx.store as unknown as { cacheMultiStore(): Context['store'] & { write(): void } }
        ).cacheMultiStore();
        createValidator(
          c.staking,
          new Context(sub, ctx.header, ctx.mode),
          MsgCreateValidator.decode(body.messages[0]!.value),
        );
        sub.write();
        return { code: 0, log: '' };
      } catch (e) {
        return { code: 4, log: (e as Error).message };
      }
    };
    const gm = genutilModule(c.staking, deliver);
    c.register([stakingModule(c.staking), gm]);
    const g1 = genTxRawToJson(cosmjsGenTx(1, 100n * M));
    const g2 = genTxRawToJson(cosmjsGenTx(2, 30n * M));
    await c.genesis([1, 2].map((index) => ({ index, amount: 100n * M })));
    c.beginBlock(0n);
    const updates = gm.initGenesis(c.ctx(), { gen_txs: [g1, g2] });
    expect(updates).toEqual([
      { pubKey: { ed25519: testConsKey(1) }, power: 100n },
      { pubKey: { ed25519: testConsKey(2) }, power: 30n },
    ]);
    const g3 = genTxRawToJson(cosmjsGenTx(2, 31n * M));
    expect(() => gm.initGenesis(c.ctx(), { gen_txs: [g3] })).toThrow(/gen_txs\[0\].*failed to deliver gentx/);
  });
});
