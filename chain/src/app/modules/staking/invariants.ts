/**
 * x/staking invariants (x/staking/keeper/invariants.go): the pools hold exactly the tokens
 * they account for, and every validator's shares are the sum of its delegations.
 */
import type { Invariant } from '../../types/module.js';
import type { StakingKeeper } from './keeper.js';
import { isBonded } from './types.js';

export function stakingInvariants(k: StakingKeeper): Invariant[] {
  return [
    {
      name: 'staking/module-accounts',
      check(ctx) {
        let bonded = 0n;
        let notBonded = 0n;
        for (const v of k.iterateValidators(ctx)) {
          if (isBonded(v)) bonded += v.tokens;
          else notBonded += v.tokens;
        }
        for (const u of k.iterateAllUnbondingDelegations(ctx))
          for (const e of u.entries) notBonded += e.balance;
        const bondedPool = k.totalBondedTokens(ctx);
        const notBondedPool = k.notBondedTokens(ctx);
        if (bondedPool !== bonded) return `bonded pool holds ${bondedPool}, bonded validators have ${bonded}`;
        if (notBondedPool !== notBonded)
          return `not-bonded pool holds ${notBondedPool}, unbonding/unbonded validators and entries have ${notBonded}`;
        return undefined;
      },
    },
    {
      name: 'staking/delegator-shares',
      check(ctx) {
        const sums = new Map<string, bigint>();
        for (const d of k.iterateAllDelegations(ctx)) {
          const key = Buffer.from(d.validator).toString('hex');
          sums.set(key, (sums.get(key) ?? 0n) + d.shares);
          if (d.shares <= 0n) return 'a delegation with non-positive shares is stored';
        }
        for (const v of k.iterateValidators(ctx)) {
          const sum = sums.get(Buffer.from(v.operator).toString('hex')) ?? 0n;
          if (sum !== v.delegatorShares)
            return `validator shares ${v.delegatorShares} differ from delegations' sum ${sum}`;
          if (v.tokens < 0n) return 'negative validator tokens';
        }
        return undefined;
      },
    },
  ];
}
