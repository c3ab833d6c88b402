import {
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
} from 'cosmjs-types/cosmos/slashing/v1beta1/query';
import { type Misbehavior, MisbehaviorType, type ValidatorUpdate } from 'cosmjs-types/tendermint/abci/types';
import { describe, expect, it } from 'vitest';
import { encodeProto } from '../../../codec/protoWriter.js';
import { addressToBech32, VALCONS_PREFIX } from '../../types/address.js';
import { nsToTimestamp } from '../../types/duration.js';
import type { SdkError } from '../../types/errors.js';
import { bankModule } from '../bank/module.js';
import { DistributionKeeper } from '../distribution/keeper.js';
import { distributionModule } from '../distribution/module.js';
import { stakingModule } from '../staking/module.js';
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
} from '../staking/testkit.js';
import { consAddressOf } from '../staking/types.js';
import { ErrValidatorJailed, ErrValidatorNotJailed } from './errors.js';
import { SlashingKeeper } from './keeper.js';
import { slashingModule } from './module.js';

const M = 1_000_000n;
const S = 1_000_000_000n;

async function chain() {
  const c = await TestChain.create();
  const distr = new DistributionKeeper(c.auth, c.bank, c.staking);
  const slashing = new SlashingKeeper(c.staking);
  c.staking.setHooks(distr.hooks(), slashing.hooks());
  const dm = distributionModule(distr);
  const sm = slashingModule(slashing);
  c.register([dm, sm, stakingModule(c.staking)]);
  await c.genesis(
    [1, 2, 3, 4].map((index) => ({ index, amount: 1_000n * M })),
    {
      staking: { params: { unbonding_time: '1000s', min_commission_rate: '0' } },
      slashing: {
        params: {
          signed_blocks_window: '10',
          min_signed_per_window: '0.5',
          downtime_jail_duration: '60s',
          slash_fraction_downtime: '0.01',
          slash_fraction_double_sign: '0.05',
        },
      },
    },
  );
  let absent = new Set<string>();
  let misbehavior: Misbehavior[] = [];
  const begin = (dt = 5n * S) => {
    const votes = votesOf(c, absent);
    c.beginBlock(dt, (ctx) => {
      dm.beginBlockWithVotes(ctx, votes);
      sm.beginBlockWithVotes(ctx, votes, misbehavior, { maxAgeNumBlocks: 5n, maxAgeDurationNs: 60n * S });
    });
    misbehavior = [];
  };
  const block = async (dt = 5n * S) => {
    begin(dt);
    const updates = await c.endBlock();
    expect(c.brokenInvariants([bankModule(c.bank)])).toEqual([]);
    return updates;
  };
  return {
    c,
    slashing,
    sm,
    begin,
    block,
    setAbsent: (s: Set<string>) => {
      absent = s;
    },
    setMisbehavior: (m: Misbehavior[]) => {
      misbehavior = m;
    },
  };
}

async function threeValidators(t: Awaited<ReturnType<typeof chain>>) {
  t.begin();
  t.c.must(T.create, createValidatorMsg(1, 100n * M));
  t.c.must(T.create, createValidatorMsg(2, 100n * M));
  t.c.must(T.create, createValidatorMsg(3, 50n * M));
  await t.c.endBlock();
}

describe('x/slashing', () => {
  it('jails and slashes a validator that misses too many blocks; it can unjail after the jail time', async () => {
    const t = await chain();
    await threeValidators(t);
    const cons3 = consAddressOf(testConsKey(3));
    t.setAbsent(new Set([valoper(3)]));
    // Window 10, at most 5 misses: the 6th miss after height start+10 jails.
    let updates: ValidatorUpdate[] = [];
    let jailedAt = 0n;
    for (let i = 0; i < 14; i++) {
      updates = await t.block();
      if (updates.length > 0) {
        jailedAt = t.c.height;
        break;
      }
    }
    expect(jailedAt).toBe(12n);
    expect(updates).toEqual([{ pubKey: { ed25519: testConsKey(3) }, power: 0n }]);
    const ctx = t.c.view();
    const v3 = t.c.staking.getValidator(ctx, testAddress(3))!;
    expect(v3.jailed).toBe(true);
    expect(v3.tokens).toBe(50n * M - 500_000n);
    const info = t.slashing.getSigningInfo(ctx, cons3)!;
    expect(info.missedBlocksCounter).toBe(0n);
    expect(info.jailedUntilNs).toBe(t.c.timeNs + 60n * S);

    // The signing info query.
    const q = t.sm.queryHandlers!['/cosmos.slashing.v1beta1.Query/SigningInfo']!;
    const res = QuerySigningInfoResponse.decode(
      q(ctx, encodeProto(QuerySigningInfoRequest, { consAddress: addressToBech32(cons3, VALCONS_PREFIX) })),
    );
    expect(res.valSigningInfo.jailedUntil).toEqual(nsToTimestamp(info.jailedUntilNs));

    t.setAbsent(new Set());
    t.begin();
    const early = t.c.deliver(T.unjail, { validatorAddr: valoper(3) });
    expect(early.ok).toBe(false);
    expect((early as unknown as { error: SdkError }).error.is(ErrValidatorJailed)).toBe(true);
    await t.c.endBlock();
    t.begin(61n * S);
    t.c.must(T.unjail, { validatorAddr: valoper(3) });
    updates = await t.c.endBlock();
    expect(updates.map((u) => u.power)).toEqual([49n]);
    t.begin();
    const again = t.c.deliver(T.unjail, { validatorAddr: valoper(3) });
    expect((again as unknown as { error: SdkError }).error.is(ErrValidatorNotJailed)).toBe(true);
    await t.c.endBlock();
  });

  it('slashes double signing at the infraction power, including later unbondings, and tombstones', async () => {
    const t = await chain();
    await threeValidators(t); // height 1
    await t.block(); // height 2
    const infractionHeight = t.c.height; // 2
    const infractionTime = t.c.timeNs;
    t.begin(); // height 3: delegator 4 delegates and then unbonds from validator 2
    t.c.must(T.delegate, { delegatorAddress: acc(4), validatorAddress: valoper(2), amount: coin(20n * M) });
    t.c.must(T.undelegate, { delegatorAddress: acc(4), validatorAddress: valoper(2), amount: coin(20n * M) });
    await t.c.endBlock();
    const cons2 = consAddressOf(testConsKey(2));
    const evidence: Misbehavior = {
      type: MisbehaviorType.DUPLICATE_VOTE,
      validator: { address: cons2, power: 100n },
      height: infractionHeight + 1n, // distribution height = infraction - 1 = 2
      time: nsToTimestamp(infractionTime),
      totalVotingPower: 250n,
    };
    t.setMisbehavior([evidence]);
    const updates = await t.block(); // height 4
    expect(updates).toEqual([{ pubKey: { ed25519: testConsKey(2) }, power: 0n }]);
    const ctx = t.c.view();
    // 5% of power 100 = 5M in total: 1M from the 20M unbonding entry, 4M from the validator.
    expect(t.c.staking.getUnbondingDelegation(ctx, testAddress(4), testAddress(2))!.entries[0]!.balance).toBe(
      19n * M,
    );
    expect(t.c.staking.getValidator(ctx, testAddress(2))!.tokens).toBe(96n * M);
    expect(t.slashing.getSigningInfo(ctx, cons2)!.tombstoned).toBe(true);
    // Tombstoned: the same evidence again does nothing, and unjailing is impossible forever.
    t.setMisbehavior([evidence]);
    await t.block(1_000_000n * S);
    expect(t.c.staking.getValidator(t.c.view(), testAddress(2))!.tokens).toBe(96n * M);
    t.begin();
    const r = t.c.deliver(T.unjail, { validatorAddr: valoper(2) });
    expect((r as unknown as { error: SdkError }).error.is(ErrValidatorJailed)).toBe(true);
    await t.c.endBlock();
  });

  it('ignores evidence older than both max-age limits', async () => {
    const t = await chain();
    await threeValidators(t);
    const oldTime = t.c.timeNs;
    for (let i = 0; i < 7; i++) await t.block(10n * S);
    const cons1 = consAddressOf(testConsKey(1));
    t.setMisbehavior([
      {
        type: MisbehaviorType.DUPLICATE_VOTE,
        validator: { address: cons1, power: 100n },
        height: 1n,
        time: nsToTimestamp(oldTime),
        totalVotingPower: 250n,
      },
    ]);
    expect(await t.block()).toEqual([]);
    expect(t.c.staking.getValidator(t.c.view(), testAddress(1))!.tokens).toBe(100n * M);
    expect(t.slashing.isTombstoned(t.c.view(), cons1)).toBe(false);
  });
});
