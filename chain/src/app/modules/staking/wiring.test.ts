import { makeAuthInfoBytes, Registry } from '@cosmjs/proto-signing';
import { MsgCreateValidator } from 'cosmjs-types/cosmos/staking/v1beta1/tx';
import { TxBody, TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../../codec/protoWriter.js';
import type { CacheMultiStore } from '../../../store/types.js';
import { Context } from '../../types/context.js';
import { bankModule } from '../bank/module.js';
import { genTxRawToJson } from '../genutil/genTx.js';
import { createValidatorMsg, TestChain, testAddress, testConsKey, votesOf } from './testkit.js';
import { consAddressOf } from './types.js';
import { createDpos, DPOS_MODULE_PERMISSIONS, evidenceParamsFrom, localnetDposAppState } from './wiring.js';

const M = 1_000_000n;

function gentx(i: number, amount: bigint) {
  const registry = new Registry([['/cosmos.staking.v1beta1.MsgCreateValidator', MsgCreateValidator]]);
  const bodyBytes = registry.encode({
    typeUrl: '/cosmos.tx.v1beta1.TxBody',
    value: {
      messages: [
        {
          typeUrl: '/cosmos.staking.v1beta1.MsgCreateValidator',
          value: createValidatorMsg(i, amount, { rate: '50000000000000000' }),
        },
      ],
    },
  });
  const pubkey = {
    typeUrl: '/cosmos.crypto.secp256k1.PubKey',
    value: Uint8Array.from([10, 33, 2, ...new Array(32).fill(i)]),
  };
  const authInfoBytes = makeAuthInfoBytes([{ pubkey, sequence: 0 }], [], 200_000, undefined, undefined);
  return genTxRawToJson(encodeProto(TxRaw, { bodyBytes, authInfoBytes, signatures: [new Uint8Array(64)] }));
}

describe('createDpos wiring', () => {
  it('declares the module accounts with the SDK permissions', () => {
    expect(DPOS_MODULE_PERMISSIONS).toEqual({
      bonded_tokens_pool: ['burner', 'staking'],
      not_bonded_tokens_pool: ['burner', 'staking'],
      distribution: [],
      mint: ['minter'],
    });
    expect(evidenceParamsFrom(undefined).maxAgeNumBlocks).toBe(100_000n);
  });

  it('boots a chain from gentxs with localnet params and runs blocks through the combined hooks', async () => {
    const c = await TestChain.create();
    const dpos = createDpos(c.auth, c.bank, (ctx, bytes) => {
      // Stand-in for the app's tx runner: run the message handler on a branch.
      const msg = TxBody.decode(TxRaw.decode(bytes).bodyBytes).messages[0]!;
      const h = dpos.modules.flatMap((m) => m.msgHandlers ?? []).find((x) => x.typeUrl === msg.typeUrl)!;
      const sub = (ctx.store as CacheMultiStore).cacheMultiStore();
      try {
        const m = h.decode(msg.value);
        h.validateBasic(m);
        h.handle(new Context(sub, ctx.header, ctx.mode), m);
        sub.write();
        return { code: 0, log: '' };
      } catch (e) {
        return { code: 1, log: (e as Error).message };
      }
    });
    c.register(dpos.modules);
    const state = { ...localnetDposAppState(), genutil: { gen_txs: [gentx(1, 10n * M), gentx(2, 20n * M)] } };
    for (const m of dpos.modules)
      m.validateGenesis(state[m.name as keyof typeof state] ?? m.defaultGenesis());
    await c.genesis(
      [1, 2, 3].map((index) => ({ index, amount: 100n * M })),
      state,
    );
    // genutil's initGenesis returned the set; the stores now hold it.
    const last = [...c.staking.iterateLastValidatorPowers(c.view())];
    expect(last.map((l) => l.power).sort()).toEqual([10n, 20n]);
    for (let i = 0; i < 3; i++) {
      const votes = votesOf(c);
      c.beginBlock(1_000_000_000n, (ctx) => dpos.beginBlock(ctx, votes, []));
      await c.endBlock();
      expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
    }
    const ctx = c.view();
    // Minted coins reached the validators' outstanding rewards (blocks 2 and 3 allocate).
    expect(dpos.distribution.getOutstanding(ctx, testAddress(2))[0]!.amount > 0n).toBe(true);
    // Signing infos were created when the gentx validators bonded at genesis (height 0).
    const info = dpos.slashing.getSigningInfo(ctx, consAddressOf(testConsKey(1)))!;
    expect(info.startHeight).toBe(0n);
    expect(info.indexOffset).toBe(3n); // one vote per block (this harness gives votes at height 1 too)
  });
});
