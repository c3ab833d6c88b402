/** x/bank invariants: the recorded supply of every denom equals the sum of all balances. */
import { coinsEqual, coinsToString } from '../../types/coins.js';
import type { Invariant } from '../../types/module.js';
import type { BankKeeper } from './keeper.js';

export function bankInvariants(k: BankKeeper): Invariant[] {
  return [
    {
      name: 'bank/total-supply',
      check(ctx) {
        const supply = [...k.iterateTotalSupply(ctx)];
        const sum = k.sumOfBalances(ctx);
        return coinsEqual(supply, sum)
          ? undefined
          : `supply ${coinsToString(supply)} differs from the sum of balances ${coinsToString(sum)}`;
      },
    },
    {
      name: 'bank/nonnegative-balances',
      check(ctx) {
        for (const b of k.iterateAllBalances(ctx))
          if (b.amount <= 0n) return `non-positive stored balance ${b.amount}${b.denom}`;
        return undefined;
      },
    },
  ];
}
