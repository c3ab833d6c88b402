/** x/provider invariants: the bond pool holds exactly every bond plus every pending unbonding. */
import type { Context } from '../../types/context.js';
import type { Invariant } from '../../types/module.js';
import type { ProviderKeeper } from './keeper.js';
import { BondPoolName } from './keys.js';

export function providerInvariants(
  k: ProviderKeeper,
  bank: { getAllBalances(ctx: Context, addr: Uint8Array): readonly { denom: string; amount: bigint }[] },
  moduleAddress: (name: string) => Uint8Array,
): Invariant[] {
  return [
    {
      name: 'provider/bond-pool',
      check(ctx) {
        const want = new Map<string, bigint>();
        const add = (c: { denom: string; amount: string } | undefined) => {
          if (c && c.amount !== '0') want.set(c.denom, (want.get(c.denom) ?? 0n) + BigInt(c.amount));
        };
        for (const p of k.iterateProviders(ctx)) add(p.bond);
        for (const u of k.iterateUnbondings(ctx)) add(u.amount);
        const have = bank.getAllBalances(ctx, moduleAddress(BondPoolName));
        for (const d of [...new Set([...want.keys(), ...have.map((c) => c.denom)])].sort()) {
          const h = have.find((c) => c.denom === d)?.amount ?? 0n;
          if (h !== (want.get(d) ?? 0n))
            return `bond pool holds ${h}${d}, bonds and unbondings add up to ${want.get(d) ?? 0n}${d}`;
        }
        return undefined;
      },
    },
  ];
}
