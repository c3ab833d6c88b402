/**
 * x/escrow invariants: the escrow module account holds exactly the sum of every account balance
 * and every payment balance; each account's balance is the sum of its deposits.
 */
import type { Invariant } from '../../types/module.js';
import type { EscrowKeeper } from './keeper.js';
import { ModuleName } from './keys.js';

export interface BalanceReader {
  getAllBalances(
    ctx: import('../../types/context.js').Context,
    addr: Uint8Array,
  ): readonly { denom: string; amount: bigint }[];
}

export function escrowInvariants(
  k: EscrowKeeper,
  bank: BalanceReader,
  moduleAddress: (name: string) => Uint8Array,
): Invariant[] {
  return [
    {
      name: 'escrow/module-balance',
      check(ctx) {
        const want = new Map<string, bigint>();
        const add = (c: { denom: string; amount: string } | undefined) => {
          if (c && c.amount !== '0') want.set(c.denom, (want.get(c.denom) ?? 0n) + BigInt(c.amount));
        };
        for (const a of k.iterateAccounts(ctx)) add(a.balance);
        for (const p of k.iteratePayments(ctx)) add(p.balance);
        const have = bank.getAllBalances(ctx, moduleAddress(ModuleName));
        const denoms = new Set([...want.keys(), ...have.map((c) => c.denom)]);
        for (const d of [...denoms].sort()) {
          const h = have.find((c) => c.denom === d)?.amount ?? 0n;
          const w = want.get(d) ?? 0n;
          if (h !== w) return `escrow module holds ${h}${d}, accounts and payments add up to ${w}${d}`;
        }
        return undefined;
      },
    },
    {
      name: 'escrow/deposits',
      check(ctx) {
        for (const a of k.iterateAccounts(ctx)) {
          const sum = a.deposits.reduce((s, d) => s + BigInt(d.amount?.amount ?? '0'), 0n);
          if (sum !== BigInt(a.balance?.amount ?? '0'))
            return `escrow ${a.owner}/${a.dseq}: deposits add up to ${sum}, balance is ${a.balance?.amount}`;
        }
        return undefined;
      },
    },
  ];
}
