import { describe, expect, it } from 'vitest';
import { Context } from '../../types/context.js';
import { DEC_ONE } from '../../types/decimal.js';
import { exportAuthGenesis, initAuthGenesis, parseAuthGenesis } from '../auth/genesis.js';
import { FeeCollectorName } from '../auth/keys.js';
import { exportBankGenesis, initBankGenesis, parseBankGenesis } from '../bank/genesis.js';
import { bankModule } from '../bank/module.js';
import { parseStakingGenesis } from './genesis.js';
import {
  acc,
  coin,
  createValidatorMsg,
  T,
  TestChain,
  testAddress,
  testConsKey,
  valoper,
  votesOf,
} from './testkit.js';
import { consAddressOf } from './types.js';
import { createDpos } from './wiring.js';

const M = 1_000_000n;
const S = 1_000_000_000n;

async function dposChain() {
  const c = await TestChain.create();
  const dpos = createDpos(c.auth, c.bank, () => ({ code: 1, log: 'no gentxs here' }));
  c.register(dpos.modules);
  const block = async (absent: Set<string> = new Set(), dt = 5n * S, txs: () => void = () => {}) => {
    const votes = votesOf(c, absent);
    c.beginBlock(dt, (ctx) => dpos.beginBlock(ctx, votes, []));
    txs();
    await c.endBlock();
  };
  return { c, dpos, block };
}

const overrides = {
  staking: { params: { unbonding_time: '100s', max_validators: 3, min_commission_rate: '0' } },
  slashing: {
    params: { signed_blocks_window: '5', min_signed_per_window: '0.5', downtime_jail_duration: '20s' },
  },
};

describe('staking family genesis', () => {
  it('exports a running chain and imports it into an identical state', async () => {
    const a = await dposChain();
    await a.c.genesis(
      [1, 2, 3, 4, 5, 6].map((index) => ({ index, amount: 1_000n * M })),
      overrides,
    );
    await a.block(new Set(), 5n * S, () => {
      a.c.must(T.create, createValidatorMsg(1, 100n * M));
      a.c.must(T.create, createValidatorMsg(2, 80n * M));
      a.c.must(T.create, createValidatorMsg(3, 60n * M));
      a.c.must(T.create, createValidatorMsg(4, 10n * M));
    });
    await a.block(new Set(), 5n * S, () => {
      a.c.must(T.delegate, { delegatorAddress: acc(5), validatorAddress: valoper(2), amount: coin(30n * M) });
      a.c.must(T.undelegate, {
        delegatorAddress: acc(1),
        validatorAddress: valoper(1),
        amount: coin(5n * M),
      });
      a.c.must(T.redelegate, {
        delegatorAddress: acc(5),
        validatorSrcAddress: valoper(2),
        validatorDstAddress: valoper(4),
        amount: coin(10n * M),
      });
      a.c.bank.sendCoinsFromAccountToModule(a.c.ctx(), testAddress(6), FeeCollectorName, [
        { denom: 'uhth', amount: 12_345n },
      ]);
      a.c.must(T.setWithdrawAddress, { delegatorAddress: acc(5), withdrawAddress: acc(6) });
    });
    // Validator 3 goes offline until it is jailed; a double-sign-like slash hits validator 1.
    for (let i = 0; i < 8; i++) await a.block(new Set([valoper(3)]));
    await a.block(new Set(), 5n * S, () => {
      a.c.staking.slash(a.c.ctx(), consAddressOf(testConsKey(1)), a.c.height - 1n, 95n, DEC_ONE / 20n);
    });
    await a.block();
    expect(a.c.staking.getValidator(a.c.view(), testAddress(3))!.jailed).toBe(true);
    expect(a.c.brokenInvariants([bankModule(a.c.bank)])).toEqual([]);

    const view = a.c.view();
    const exported: Record<string, unknown> = {
      auth: exportAuthGenesis(view, a.c.auth),
      bank: exportBankGenesis(view, a.c.bank),
      ...Object.fromEntries(a.dpos.modules.map((m) => [m.name, m.exportGenesis(view)])),
    };
    const json = JSON.parse(JSON.stringify(exported));
    expect(json.staking.exported).toBe(true);
    expect(parseStakingGenesis(json.staking).validators).toHaveLength(4);

    // Import into a fresh chain, in the documented genesis order.
    const b = await dposChain();
    const branch = b.c.store.cacheMultiStore();
    const ctx = new Context(
      branch,
      { chainId: 'hearth-test-1', height: 0n, timeNs: a.c.timeNs, proposer: new Uint8Array() },
      'genesis',
    );
    initAuthGenesis(ctx, b.c.auth, parseAuthGenesis(json.auth));
    initBankGenesis(ctx, b.c.bank, parseBankGenesis(json.bank));
    const updates = b.dpos.modules.flatMap((m) => m.initGenesis(ctx, json[m.name]) ?? []);
    branch.write();
    await b.c.store.commit();
    b.c.height = a.c.height;
    b.c.timeNs = a.c.timeNs;
    expect(updates.map((u) => u.power).sort()).toEqual(
      [...a.c.staking.iterateLastValidatorPowers(view)].map((p) => p.power).sort(),
    );
    const view2 = b.c.view();
    const again = Object.fromEntries(b.dpos.modules.map((m) => [m.name, m.exportGenesis(view2)]));
    for (const name of ['staking', 'distribution', 'slashing', 'mint'])
      expect(JSON.parse(JSON.stringify(again[name])), name).toEqual(json[name]);
    expect(b.c.brokenInvariants([bankModule(b.c.bank)])).toEqual([]);

    // Both chains continue identically: unbondings mature, rewards keep flowing.
    for (let i = 0; i < 25; i++) {
      await a.block();
      await b.block();
    }
    const ea = JSON.stringify(
      Object.fromEntries(a.dpos.modules.map((m) => [m.name, m.exportGenesis(a.c.view())])),
    );
    const eb = JSON.stringify(
      Object.fromEntries(b.dpos.modules.map((m) => [m.name, m.exportGenesis(b.c.view())])),
    );
    expect(eb).toBe(ea);
    expect(b.c.staking.getUnbondingDelegation(b.c.view(), testAddress(1), testAddress(1))).toBeUndefined();
  });

  it('refuses a staking genesis whose pools do not add up', async () => {
    const { c, dpos } = await dposChain();
    const validator = {
      operator_address: valoper(1),
      consensus_pubkey: {
        '@type': '/cosmos.crypto.ed25519.PubKey',
        key: Buffer.from(testConsKey(1)).toString('base64'),
      },
      jailed: false,
      status: 'BOND_STATUS_BONDED',
      tokens: '1000000',
      delegator_shares: '1000000.000000000000000000',
      description: { moniker: 'v' },
      commission: { commission_rates: { rate: '0.1', max_rate: '0.2', max_change_rate: '0.01' } },
      min_self_delegation: '1',
    };
    await expect(
      c.genesis([{ index: 1, amount: 10n * M }], {
        staking: {
          validators: [validator],
          delegations: [{ delegator_address: acc(1), validator_address: valoper(1), shares: '1000000' }],
        },
      }),
    ).rejects.toThrow(/bonded pool balance 0 is different from bonded coins 1000000/);
    expect(dpos.modules.map((m) => m.name)).toEqual([
      'distribution',
      'staking',
      'slashing',
      'mint',
      'genutil',
    ]);
  });
});
