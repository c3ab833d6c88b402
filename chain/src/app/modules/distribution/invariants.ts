/**
 * x/distribution invariants (x/distribution/keeper/invariants.go): outstanding rewards are
 * never negative, the module account holds exactly what it owes, historical-rewards reference
 * counts add up, and every delegation's rewards and every commission can be withdrawn without
 * overdrawing a validator's outstanding rewards.
 */
import type { CacheMultiStore } from '../../../store/types.js';
import { coinsEqual, coinsToString } from '../../types/coins.js';
import { Context } from '../../types/context.js';
import { addDecCoins, type DecCoins, decCoinsToString, truncateDecCoins } from '../../types/legacyDec.js';
import type { Invariant } from '../../types/module.js';
import type { DistributionKeeper } from './keeper.js';
import { ModuleName } from './keys.js';

export function distributionInvariants(k: DistributionKeeper): Invariant[] {
  return [
    {
      name: 'distribution/nonnegative-outstanding',
      check(ctx) {
        for (const o of k.iterateOutstanding(ctx))
          if (o.rewards.some((c) => c.amount < 0n))
            return `negative outstanding rewards ${decCoinsToString(o.rewards)}`;
        return undefined;
      },
    },
    {
      name: 'distribution/module-account',
      check(ctx) {
        let expected: DecCoins = k.getCommunityPool(ctx);
        for (const o of k.iterateOutstanding(ctx)) expected = addDecCoins(expected, o.rewards);
        const { coins, change } = truncateDecCoins(expected);
        const balance = k.bank.getAllBalances(ctx, k.ak.moduleAddress(ModuleName));
        if (change.length > 0) return `owed amounts ${decCoinsToString(expected)} are not whole coins`;
        return coinsEqual(coins, balance)
          ? undefined
          : `module holds ${coinsToString(balance)}, owes ${coinsToString(coins)}`;
      },
    },
    {
      name: 'distribution/reference-count',
      check(ctx) {
        let validators = 0;
        for (const _ of k.staking.iterateValidators(ctx)) validators++;
        const expected = validators + k.countStartingInfos(ctx) + k.countSlashEvents(ctx);
        let actual = 0;
        for (const h of k.iterateHistoricalRewards(ctx)) actual += h.refs;
        return expected === actual ? undefined : `reference counts sum to ${actual}, expected ${expected}`;
      },
    },
    {
      name: 'distribution/can-withdraw',
      check(ctx) {
        // Withdraw everything on a throwaway branch; any overdraw throws.
        const store = ctx.store as Partial<CacheMultiStore>;
        if (typeof store.cacheMultiStore !== 'function') return 'invariant needs a branchable store';
        const branch = new Context(store.cacheMultiStore(), ctx.header, ctx.mode);
        try {
          for (const v of [...k.staking.iterateValidators(branch)]) {
            if (k.getCommission(branch, v.operator).length > 0)
              k.withdrawValidatorCommission(branch, v.operator);
          }
          for (const d of [...k.staking.iterateAllDelegations(branch)])
            k.withdrawDelegatorReward(branch, d.delegator, d.validator);
          for (const o of k.iterateOutstanding(branch))
            if (o.rewards.some((c) => c.amount < 0n))
              return 'negative outstanding after withdrawing everything';
        } catch (e) {
          return `withdrawing all rewards failed: ${(e as Error).message}`;
        }
        return undefined;
      },
    },
  ];
}
