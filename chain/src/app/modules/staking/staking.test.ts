import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryPoolRequest,
  QueryPoolResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from 'cosmjs-types/cosmos/staking/v1beta1/query';
import { BondStatus } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../../codec/protoWriter.js';
import { QueryError, SdkError } from '../../types/errors.js';
import { bankModule } from '../bank/module.js';
import * as E from './errors.js';
import { stakingModule } from './module.js';
import { acc, coin, createValidatorMsg, T, TestChain, testAddress, testConsKey, valoper } from './testkit.js';
import { consAddressOf } from './types.js';

const PARAMS = {
  params: {
    unbonding_time: '100s',
    max_validators: 2,
    max_entries: 3,
    historical_entries: 5,
    bond_denom: 'uhth',
    min_commission_rate: '0.05',
  },
};
const M = 1_000_000n;

async function chain() {
  const c = await TestChain.create();
  c.register([stakingModule(c.staking)]);
  await c.genesis(
    [1, 2, 3, 4, 5].map((index) => ({ index, amount: 1_000n * M })),
    { staking: PARAMS },
  );
  return c;
}

function errorOf(r: { ok: boolean; error?: Error }): SdkError {
  expect(r.ok).toBe(false);
  expect(r.error).toBeInstanceOf(SdkError);
  return r.error as SdkError;
}

describe('x/staking', () => {
  it('bonds the top validators by power and reports the set changes', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    c.must(T.create, createValidatorMsg(2, 50n * M));
    c.must(T.create, createValidatorMsg(3, 10n * M));
    const updates = await c.endBlock();
    expect(updates.map((u) => [Buffer.from(u.pubKey.ed25519!).toString('hex'), u.power])).toEqual([
      [Buffer.from(testConsKey(1)).toString('hex'), 100n],
      [Buffer.from(testConsKey(2)).toString('hex'), 50n],
    ]);
    const ctx = c.view();
    expect(c.staking.totalBondedTokens(ctx)).toBe(150n * M);
    expect(c.staking.notBondedTokens(ctx)).toBe(10n * M);
    expect(c.staking.getValidator(ctx, testAddress(3))!.status).toBe(BondStatus.BOND_STATUS_UNBONDED);
    expect(c.staking.getLastTotalPower(ctx)).toBe(150n);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);

    // A delegation lifts validator 3 above validator 2: 2 leaves with power 0, 3 enters.
    c.beginBlock();
    c.must(T.delegate, { delegatorAddress: acc(4), validatorAddress: valoper(3), amount: coin(60n * M) });
    const u2 = await c.endBlock();
    expect(u2.map((u) => u.power)).toEqual([70n, 0n]);
    expect(Buffer.from(u2[1]!.pubKey.ed25519!)).toEqual(Buffer.from(testConsKey(2)));
    const v2 = c.staking.getValidator(c.view(), testAddress(2))!;
    expect(v2.status).toBe(BondStatus.BOND_STATUS_UNBONDING);
    expect(v2.unbondingTimeNs).toBe(c.timeNs + 100_000_000_000n);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);

    // After the unbonding time, validator 2 is unbonded (its tokens stay in the not-bonded pool).
    c.beginBlock(101_000_000_000n);
    await c.endBlock();
    expect(c.staking.getValidator(c.view(), testAddress(2))!.status).toBe(BondStatus.BOND_STATUS_UNBONDED);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
  });

  it('undelegates through the unbonding queue and pays out at maturity', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    c.must(T.delegate, { delegatorAddress: acc(4), validatorAddress: valoper(1), amount: coin(40n * M) });
    await c.endBlock();
    c.beginBlock();
    const ev = c.must(T.undelegate, {
      delegatorAddress: acc(4),
      validatorAddress: valoper(1),
      amount: coin(15n * M),
    });
    expect(
      ev
        .events()
        .find((e) => e.type === 'unbond')
        ?.attributes.map((a) => a.key),
    ).toEqual(['validator', 'delegator', 'amount', 'completion_time']);
    const updates = await c.endBlock();
    expect(updates.map((u) => u.power)).toEqual([125n]);
    let ctx = c.view();
    expect(c.bank.getBalance(ctx, testAddress(4), 'uhth')).toBe(960n * M);
    expect(c.staking.notBondedTokens(ctx)).toBe(15n * M);
    const ubd = c.staking.getUnbondingDelegation(ctx, testAddress(4), testAddress(1))!;
    expect(ubd.entries).toHaveLength(1);
    expect(ubd.entries[0]!.balance).toBe(15n * M);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);

    // Cancel part of it: 5 go back to the validator.
    c.beginBlock();
    c.must(T.cancel, {
      delegatorAddress: acc(4),
      validatorAddress: valoper(1),
      amount: coin(5n * M),
      creationHeight: 2n,
    });
    await c.endBlock();
    ctx = c.view();
    expect(c.staking.getUnbondingDelegation(ctx, testAddress(4), testAddress(1))!.entries[0]!.balance).toBe(
      10n * M,
    );
    expect(c.staking.getValidator(ctx, testAddress(1))!.tokens).toBe(130n * M);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);

    c.beginBlock(100_000_000_000n);
    const done = await c.endBlock();
    expect(done).toEqual([]);
    ctx = c.view();
    expect(c.bank.getBalance(ctx, testAddress(4), 'uhth')).toBe(970n * M);
    expect(c.staking.getUnbondingDelegation(ctx, testAddress(4), testAddress(1))).toBeUndefined();
    expect(c.staking.notBondedTokens(ctx)).toBe(0n);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
  });

  it('redelegates, refuses transitive redelegation and too many entries', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    c.must(T.create, createValidatorMsg(2, 100n * M));
    c.must(T.create, createValidatorMsg(3, 10n * M));
    c.must(T.delegate, { delegatorAddress: acc(4), validatorAddress: valoper(1), amount: coin(40n * M) });
    await c.endBlock();
    c.beginBlock();
    c.must(T.redelegate, {
      delegatorAddress: acc(4),
      validatorSrcAddress: valoper(1),
      validatorDstAddress: valoper(2),
      amount: coin(10n * M),
    });
    // Bonded source: the entry lives until the unbonding time; 2 -> 3 is transitive.
    const red = c.staking.getRedelegation(c.ctx(), testAddress(4), testAddress(1), testAddress(2))!;
    expect(red.entries[0]!.initialBalance).toBe(10n * M);
    expect(
      errorOf(
        c.deliver(T.redelegate, {
          delegatorAddress: acc(4),
          validatorSrcAddress: valoper(2),
          validatorDstAddress: valoper(3),
          amount: coin(1n * M),
        }),
      ).is(E.ErrTransitiveRedelegation),
    ).toBe(true);
    expect(
      errorOf(
        c.deliver(T.redelegate, {
          delegatorAddress: acc(4),
          validatorSrcAddress: valoper(1),
          validatorDstAddress: valoper(1),
          amount: coin(1n * M),
        }),
      ).is(E.ErrSelfRedelegation),
    ).toBe(true);
    // Redelegating to the unbonded validator 3 moves tokens to the not-bonded pool.
    c.must(T.redelegate, {
      delegatorAddress: acc(4),
      validatorSrcAddress: valoper(1),
      validatorDstAddress: valoper(3),
      amount: coin(1n * M),
    });
    c.must(T.redelegate, {
      delegatorAddress: acc(4),
      validatorSrcAddress: valoper(1),
      validatorDstAddress: valoper(3),
      amount: coin(1n * M),
    });
    c.must(T.redelegate, {
      delegatorAddress: acc(4),
      validatorSrcAddress: valoper(1),
      validatorDstAddress: valoper(3),
      amount: coin(1n * M),
    });
    expect(
      errorOf(
        c.deliver(T.redelegate, {
          delegatorAddress: acc(4),
          validatorSrcAddress: valoper(1),
          validatorDstAddress: valoper(3),
          amount: coin(1n * M),
        }),
      ).is(E.ErrMaxRedelegationEntries),
    ).toBe(true);
    await c.endBlock();
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
    expect(c.staking.notBondedTokens(c.view())).toBe(13n * M);
    c.beginBlock(100_000_000_000n);
    await c.endBlock();
    expect(
      c.staking.getRedelegation(c.view(), testAddress(4), testAddress(1), testAddress(2)),
    ).toBeUndefined();
  });

  it('rejects bad messages with the SDK error codes', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    expect(errorOf(c.deliver(T.create, createValidatorMsg(1, 1n * M))).is(E.ErrValidatorOwnerExists)).toBe(
      true,
    );
    const samePk = { ...createValidatorMsg(2, 1n * M), pubkey: createValidatorMsg(1, 1n).pubkey };
    expect(errorOf(c.deliver(T.create, samePk)).is(E.ErrValidatorPubKeyExists)).toBe(true);
    const lowRate = createValidatorMsg(2, 1n * M, { rate: '10000000000000000' });
    expect(errorOf(c.deliver(T.create, lowRate)).is(E.ErrCommissionLTMinRate)).toBe(true);
    const highRate = createValidatorMsg(2, 1n * M, { rate: '300000000000000000' });
    expect(errorOf(c.deliver(T.create, highRate)).is(E.ErrCommissionGTMaxRate)).toBe(true);
    const belowMin = createValidatorMsg(2, 1n * M, { minSelf: '2000000' });
    expect(errorOf(c.deliver(T.create, belowMin)).is(E.ErrSelfDelegationBelowMinimum)).toBe(true);
    const badKey = {
      ...createValidatorMsg(2, 1n * M),
      pubkey: { typeUrl: '/cosmos.crypto.secp256k1.PubKey', value: new Uint8Array(35) },
    };
    expect(errorOf(c.deliver(T.create, badKey)).is(E.ErrValidatorPubKeyTypeNotSupported)).toBe(true);
    const wrongDenom = {
      delegatorAddress: acc(4),
      validatorAddress: valoper(1),
      amount: { denom: 'uatom', amount: '5' },
    };
    expect(errorOf(c.deliver(T.delegate, wrongDenom)).message).toContain('invalid coin denomination');
    const noVal = { delegatorAddress: acc(4), validatorAddress: valoper(9), amount: coin(5n) };
    expect(errorOf(c.deliver(T.delegate, noVal)).is(E.ErrNoValidatorFound)).toBe(true);
    const tooMuch = { delegatorAddress: acc(4), validatorAddress: valoper(1), amount: coin(5n) };
    expect(errorOf(c.deliver(T.undelegate, tooMuch)).is(E.ErrNoDelegation)).toBe(true);
    const poor = { delegatorAddress: acc(4), validatorAddress: valoper(1), amount: coin(5_000n * M) };
    expect(errorOf(c.deliver(T.delegate, poor)).code).toBe(5);
    // Editing commission within 24 h of creation is refused.
    const edit = {
      description: {
        moniker: '[do-not-modify]',
        identity: '[do-not-modify]',
        website: 'x',
        securityContact: '[do-not-modify]',
        details: '[do-not-modify]',
      },
      validatorAddress: valoper(1),
      commissionRate: '110000000000000000',
      minSelfDelegation: '',
    };
    expect(errorOf(c.deliver(T.edit, edit)).is(E.ErrCommissionUpdateTime)).toBe(true);
    c.must(T.edit, { ...edit, commissionRate: '' });
    expect(c.staking.getValidator(c.ctx(), testAddress(1))!.description.website).toBe('x');
    expect(c.staking.getValidator(c.ctx(), testAddress(1))!.description.moniker).toBe('val-1');
    await c.endBlock();
  });

  it('slashes the validator and the unbonding entries created after the infraction, and jails', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    c.must(T.create, createValidatorMsg(2, 100n * M));
    await c.endBlock(); // height 1
    c.beginBlock(); // height 2
    c.must(T.undelegate, { delegatorAddress: acc(1), validatorAddress: valoper(1), amount: coin(20n * M) });
    await c.endBlock();
    c.beginBlock(); // height 3: slash for an infraction at height 2 with power 100 at 10%
    const ctx = c.ctx();
    const burned = c.staking.slash(ctx, consAddressOf(testConsKey(1)), 2n, 100n, 100_000_000_000_000_000n);
    // 10 slashed in total: 2 from the unbonding entry (10% of 20), 8 from the validator.
    expect(burned).toBe(8n * M);
    expect(c.staking.getUnbondingDelegation(ctx, testAddress(1), testAddress(1))!.entries[0]!.balance).toBe(
      18n * M,
    );
    expect(c.staking.getValidator(ctx, testAddress(1))!.tokens).toBe(72n * M);
    c.staking.jail(ctx, consAddressOf(testConsKey(1)));
    const updates = await c.endBlock();
    expect(updates).toEqual([{ pubKey: { ed25519: testConsKey(1) }, power: 0n }]);
    expect(c.bank.getSupply(c.view(), 'uhth')).toBe(5_000n * M - 10n * M);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
    // Unjailed, it returns to the set.
    c.beginBlock();
    c.staking.unjail(c.ctx(), consAddressOf(testConsKey(1)));
    expect((await c.endBlock()).map((u) => u.power)).toEqual([72n]);
  });

  it('self-undelegating below the minimum jails the validator', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M, { minSelf: String(50n * M) }));
    await c.endBlock();
    c.beginBlock();
    c.must(T.undelegate, { delegatorAddress: acc(1), validatorAddress: valoper(1), amount: coin(60n * M) });
    expect(c.staking.getValidator(c.ctx(), testAddress(1))!.jailed).toBe(true);
    expect((await c.endBlock()).map((u) => u.power)).toEqual([0n]);
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
  });

  it('answers queries with pagination and gRPC-style errors', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    c.must(T.create, createValidatorMsg(2, 50n * M));
    c.must(T.create, createValidatorMsg(3, 10n * M));
    c.must(T.delegate, { delegatorAddress: acc(4), validatorAddress: valoper(2), amount: coin(7n * M) });
    await c.endBlock();
    const q = c.modules[0]!.queryHandlers!;
    const ctx = c.view();
    const bonded = QueryValidatorsResponse.decode(
      q['/cosmos.staking.v1beta1.Query/Validators']!(
        ctx,
        encodeProto(QueryValidatorsRequest, {
          status: 'BOND_STATUS_BONDED',
          pagination: { key: new Uint8Array(), offset: 0n, limit: 1n, countTotal: true, reverse: false },
        }),
      ),
    );
    expect(bonded.validators).toHaveLength(1);
    expect(bonded.pagination?.total).toBe(2n);
    expect(() =>
      q['/cosmos.staking.v1beta1.Query/Validators']!(
        ctx,
        encodeProto(QueryValidatorsRequest, { status: 'nope' }),
      ),
    ).toThrow(QueryError);
    const d = QueryDelegationResponse.decode(
      q['/cosmos.staking.v1beta1.Query/Delegation']!(
        ctx,
        encodeProto(QueryDelegationRequest, { delegatorAddr: acc(4), validatorAddr: valoper(2) }),
      ),
    );
    expect(d.delegationResponse?.balance).toEqual(coin(7n * M));
    expect(d.delegationResponse?.delegation.shares).toBe((7n * M * 10n ** 18n).toString());
    expect(() =>
      q['/cosmos.staking.v1beta1.Query/Delegation']!(
        ctx,
        encodeProto(QueryDelegationRequest, { delegatorAddr: acc(5), validatorAddr: valoper(2) }),
      ),
    ).toThrow(/NotFound/);
    const pool = QueryPoolResponse.decode(
      q['/cosmos.staking.v1beta1.Query/Pool']!(ctx, encodeProto(QueryPoolRequest, {})),
    );
    expect(pool.pool).toEqual({ bondedTokens: String(157n * M), notBondedTokens: String(10n * M) });
  });

  it('round-trips 64-bit values >= 2^31 in stored records', async () => {
    const c = await chain();
    c.beginBlock();
    c.must(T.create, createValidatorMsg(1, 100n * M));
    await c.endBlock();
    const big = (1n << 63n) - 1n;
    c.beginBlock();
    const ctx = c.ctx();
    const ubd = {
      delegator: testAddress(4),
      validator: testAddress(1),
      entries: [
        { creationHeight: big, completionTimeNs: 1n << 62n, initialBalance: 1n << 40n, balance: 1n << 40n },
      ],
    };
    c.staking.setUnbondingDelegation(ctx, ubd);
    const back = c.staking.getUnbondingDelegation(ctx, testAddress(4), testAddress(1))!;
    expect(back.entries[0]).toEqual(ubd.entries[0]);
    c.staking.setLastTotalPower(ctx, 1n << 40n);
    expect(c.staking.getLastTotalPower(ctx)).toBe(1n << 40n);
  });
});
